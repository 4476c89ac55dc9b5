from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("projects", "0007_merge_customisation_rd_and_size"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="project",
            index=models.Index(
                condition=models.Q(
                    ("pm__isnull", False),
                    ("state__in", ("initiated", "requirements", "implementing", "trial_run", "live", "acceptance")),
                ),
                fields=["region", "code"],
                include=("id",),
                name="project_active_with_pm",
            ),
        ),
    ]
