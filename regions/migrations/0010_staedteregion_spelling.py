"""The StädteRegion Aachen as it writes itself (Aachen-Gesetz, § 1) and as the programme's records write it."""

from django.db import migrations


def spell_as_the_body_does(apps, schema_editor):
    Municipality = apps.get_model("regions", "Municipality")
    for municipality in Municipality.objects.filter(kind="city_region", name__contains="Städteregion"):
        municipality.name = municipality.name.replace("Städteregion", "StädteRegion")
        municipality.save(update_fields=["name"])


def spell_as_the_directory_does(apps, schema_editor):
    Municipality = apps.get_model("regions", "Municipality")
    for municipality in Municipality.objects.filter(kind="city_region", name__contains="StädteRegion"):
        municipality.name = municipality.name.replace("StädteRegion", "Städteregion")
        municipality.save(update_fields=["name"])


class Migration(migrations.Migration):
    dependencies = [("regions", "0009_constraint_messages_in_german")]

    operations = [migrations.RunPython(spell_as_the_body_does, spell_as_the_directory_does)]
