"""Trigram (pg_trgm) GIN indexes on the article columns the knowledge base's keyword box searches,
on the UPPER(column::text) expression Django's icontains writes (as pmis/search 0001)."""

from django.db import migrations

TRIGRAM_COLUMNS = (
    ("knowledge_title_trgm", "knowledge_article", "title"),
    ("knowledge_problem_trgm", "knowledge_article", "problem"),
    ("knowledge_solution_trgm", "knowledge_article", "solution"),
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
    dependencies = [("knowledge", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
