"""Fill each document type's blank 说明 with what the process documents say the form is for, so
the 表单目录 of an existing installation shows it too. Text an admin wrote is kept."""

from django.db import migrations

from pmis.catalog.data import DOCUMENT_PURPOSES


def fill_purposes(apps, schema_editor):
    DocumentType = apps.get_model("catalog", "DocumentType")
    for code, purpose in DOCUMENT_PURPOSES.items():
        DocumentType.objects.filter(code=code, description="").update(description=purpose)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(fill_purposes, migrations.RunPython.noop)]
