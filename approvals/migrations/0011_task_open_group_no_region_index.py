from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("approvals", "0010_task_indexes_for_department_figures"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("region__isnull", True), ("state", "open")),
                fields=["group", "due_at", "id"],
                name="task_open_group_no_region",
            ),
        ),
    ]
