"""A GIN index for the catalogue's German full-text search (PostgreSQL only).

The expression is exactly the one `projects.filters.search_projects` filters on, so that
PostgreSQL can answer `document @@ query` from the index instead of building every
project's document per search. SQLite has no full-text types; its search stays a
substring match.
"""

from django.db import migrations

DOCUMENT = (
    "((setweight(to_tsvector('german'::regconfig, COALESCE(title, '')), 'A') || "
    "setweight(to_tsvector('german'::regconfig, COALESCE(summary, '')), 'B')) || "
    "setweight(to_tsvector('german'::regconfig, COALESCE(description, '')), 'C'))"
)


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX projects_project_search_idx ON projects_project USING GIN ({DOCUMENT})")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS projects_project_search_idx")


class Migration(migrations.Migration):
    dependencies = [("projects", "0001_initial")]

    operations = [migrations.RunPython(create_index, drop_index)]
