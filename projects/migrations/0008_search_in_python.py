"""The catalogue's search is computed in Python for both databases (projects/search.py).

PostgreSQL's German full-text document (migrations 0002 and 0003) answered differently from
SQLite's substring match and found no parts of compounds ("Verkehr" in "Verkehrsdaten"); it is
no longer read, so its stored column and index go. Going back restores them.
"""

from django.db import migrations

DOCUMENT = (
    "((setweight(to_tsvector('german'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('german'::regconfig, COALESCE(summary, '')), 'B')) || "
    "setweight(to_tsvector('german'::regconfig, COALESCE(description, '')), 'C'))"
)


def drop_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS projects_project_search_idx")
        schema_editor.execute("ALTER TABLE projects_project DROP COLUMN IF EXISTS search_document")


def restore_document(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"ALTER TABLE projects_project ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX projects_project_search_idx ON projects_project USING GIN (search_document)"
        )


class Migration(migrations.Migration):
    dependencies = [("projects", "0007_constraint_messages_in_german")]

    operations = [migrations.RunPython(drop_document, restore_document)]
