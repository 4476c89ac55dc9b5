from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("aftersales", "0005_sla_month_rollup"),
    ]

    # the covering index first, so reported_at is never without one
    operations = [
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                fields=["reported_at"],
                include=("id", "created_at", "first_assigned_at", "first_response_at", "response_due_at"),
                name="ticket_reported_cover",
            ),
        ),
        migrations.RemoveIndex(model_name="ticket", name="ticket_reported"),
        migrations.AddIndex(
            model_name="ticket",
            index=models.Index(
                condition=models.Q(("resolved_at__isnull", True)),
                fields=["due_at"],
                include=("sla_breached_at", "state"),
                name="ticket_unresolved_due",
            ),
        ),
    ]
