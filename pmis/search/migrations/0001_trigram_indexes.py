"""Trigram (pg_trgm) GIN indexes on the columns people search by: the header search box and the
keyword box of every list use `icontains`, which Django writes on PostgreSQL as
UPPER(column::text) LIKE UPPER('%…%'), so each index is on that very expression. On the
embedded SQLite there is nothing to create: the same queries run as plain scans."""

from django.db import migrations

# (index name, table, column)
TRIGRAM_COLUMNS = (
    ("search_reg_number_trgm", "registrations_registration", "number"),
    ("search_reg_customer_trgm", "registrations_registration", "customer_name"),
    ("search_reg_short_trgm", "registrations_registration", "customer_short_name"),
    ("search_reg_contract_trgm", "registrations_registration", "contract_number"),
    ("search_project_code_trgm", "projects_project", "code"),
    ("search_project_name_trgm", "projects_project", "name"),
    ("search_project_customer_trgm", "projects_project", "customer_name"),
    ("search_ticket_number_trgm", "aftersales_ticket", "number"),
    ("search_ticket_subject_trgm", "aftersales_ticket", "subject"),
    ("search_ticket_unit_trgm", "aftersales_ticket", "reporting_unit"),
    ("search_user_name_trgm", "org_user", "display_name"),
    ("search_user_username_trgm", "org_user", "username"),
    ("search_task_title_trgm", "approvals_task", "title"),
)


def create(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_COLUMNS:
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS {name} ON {table} USING gin ((UPPER("{column}"::text)) gin_trgm_ops)'
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name, _table, _column in TRIGRAM_COLUMNS:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [
        ("registrations", "0001_initial"),
        ("projects", "0003_project_project_recent"),
        ("aftersales", "0002_ticket_ticket_reported"),
        ("org", "0001_initial"),
        ("approvals", "0001_initial"),
    ]

    operations = [migrations.RunPython(create, drop)]
