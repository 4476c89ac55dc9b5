from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("approvals", "0013_task_open_by_group_ordered_by_id")]

    operations = [
        migrations.AddIndex(
            model_name="task",
            index=models.Index(
                condition=models.Q(("state", "done")),
                fields=["step", "closed_at"],
                include=("group",),
                name="task_done_by_step",
            ),
        ),
    ]
