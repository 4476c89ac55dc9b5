from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("changes", "0003_bug_fix_product_request"),
    ]

    # the covering index on released_at first, so the column is never without one
    operations = [
        migrations.AddIndex(
            model_name="release",
            index=models.Index(
                fields=["released_at"],
                include=("id", "emergency", "downtime", "rollback_at"),
                name="release_released_cover",
            ),
        ),
        migrations.RemoveIndex(model_name="release", name="release_released_at"),
        migrations.AddIndex(
            model_name="bug",
            index=models.Index(
                condition=models.Q(("confirmed_at__isnull", False)),
                fields=["confirmed_at"],
                include=("id", "confirm_due_at"),
                name="bug_confirmed_month",
            ),
        ),
        migrations.AddIndex(
            model_name="changerequest",
            index=models.Index(
                condition=models.Q(("reviewed_at__isnull", False)),
                fields=["reviewed_at"],
                include=("id", "review_due_at"),
                name="change_reviewed_month",
            ),
        ),
    ]
