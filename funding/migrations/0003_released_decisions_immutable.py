from django.db import migrations

from funding.db_guards import create_guards, drop_guards


def forwards(apps, schema_editor):
    create_guards(schema_editor)


def backwards(apps, schema_editor):
    drop_guards(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("funding", "0002_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
