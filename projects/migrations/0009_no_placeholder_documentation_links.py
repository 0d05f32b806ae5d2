"""The demo data linked 71 projects to a documentation address that does not exist: no link where no source names one."""

from django.db import migrations

PLACEHOLDER = "https://loesungen.modellregionen.example/"


def drop_placeholder_links(apps, schema_editor):
    Project = apps.get_model("projects", "Project")
    Project.objects.filter(documentation_url__startswith=PLACEHOLDER).update(documentation_url="")


class Migration(migrations.Migration):
    dependencies = [("projects", "0008_search_in_python")]

    operations = [migrations.RunPython(drop_placeholder_links, migrations.RunPython.noop)]
