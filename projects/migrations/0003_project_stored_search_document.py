"""The catalogue's German full-text document, stored with each project (PostgreSQL only).

Migration 0002 indexed the document as an expression: PostgreSQL could find the matches
in the index, but built the document of every match again to check and to rank it, twice
per project for a search that matches most of the catalogue. A stored generated column
is built when a project is written; filtering and ranking read it. SQLite has no
full-text types; its search stays a substring match.
"""

from django.db import migrations

DOCUMENT = (
    "((setweight(to_tsvector('german'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('german'::regconfig, COALESCE(summary, '')), 'B')) || "
    "setweight(to_tsvector('german'::regconfig, COALESCE(description, '')), 'C'))"
)


def add_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS projects_project_search_idx")
        schema_editor.execute(
            f"ALTER TABLE projects_project ADD COLUMN search_document tsvector GENERATED ALWAYS AS ({DOCUMENT}) STORED"
        )
        schema_editor.execute(
            "CREATE INDEX projects_project_search_idx ON projects_project USING GIN (search_document)"
        )


def drop_column(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER TABLE projects_project DROP COLUMN search_document")
        schema_editor.execute(f"CREATE INDEX projects_project_search_idx ON projects_project USING GIN ({DOCUMENT})")


class Migration(migrations.Migration):
    dependencies = [("projects", "0002_project_search_index")]

    operations = [migrations.RunPython(add_column, drop_column)]
