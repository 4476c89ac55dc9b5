from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0011_task_open_group_no_region_index"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("state", "open")), fields=["step", "due_at", "id"], name="task_open_by_step"
            ),
        ),
    ]
