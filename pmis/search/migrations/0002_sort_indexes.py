"""B-tree indexes for the list columns people may sort by that had none: a list only offers a
sort an index serves (see pmis/lists.py), so the page stays fast whatever the row count."""

from django.db import migrations

SORT_INDEXES = (
    ("search_task_created", "approvals_task", "created_at"),
    ("search_task_closed", "approvals_task", "closed_at"),
    ("search_registration_created", "registrations_registration", "created_at"),
    ("search_project_name", "projects_project", "name"),
    ("search_user_display_name", "org_user", "display_name"),
    ("search_ticket_due", "aftersales_ticket", "due_at"),
)


def create(apps, schema_editor):
    for name, table, column in SORT_INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {name} ON {table} ("{column}")')


def drop(apps, schema_editor):
    for name, _table, _column in SORT_INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {name}")


class Migration(migrations.Migration):
    dependencies = [("search", "0001_trigram_indexes")]

    operations = [migrations.RunPython(create, drop)]
