"""The Administration role manages users, roles and project-office assignments in the admin."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ADMINISTRATION = "Administration"
MANAGED_MODELS = [("auth", "user"), ("auth", "group"), ("regions", "staffprofile")]


def grant(apps, schema_editor):
    # Permissions are normally created after all migrations; create them now so they can be assigned.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=ADMINISTRATION)
    for app_label, model in MANAGED_MODELS:
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, content_type__model=model))


def revoke(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    group = Group.objects.filter(name=ADMINISTRATION).first()
    if group:
        group.permissions.clear()


class Migration(migrations.Migration):
    dependencies = [("regions", "0003_staff_roles"), ("contenttypes", "0002_remove_content_type_name")]

    operations = [migrations.RunPython(grant, revoke)]
