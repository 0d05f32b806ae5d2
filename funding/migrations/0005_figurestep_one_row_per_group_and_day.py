"""Store one step row per group and day with every figure as a column (was: one per figure).

The old rows cannot be read in the new shape, so the stored versions are dropped; run
`manage.py recompute_figures` after migrating (the nightly recompute would do it too).
"""

from django.db import migrations, models


def drop_versions(apps, schema_editor):
    apps.get_model("funding", "FigureStep").objects.all().delete()
    apps.get_model("funding", "FiguresVersion").objects.all().delete()


FIGURE_COLUMNS = (
    "funded_projects",
    "project_offices",
    "funding_granted",
    "private_investment",
    "total_volume",
    "eligible_investment",
    "own_share",
    "budget_committed",
    "applications",
    "transfer_requests",
    "consultation_requests",
    "requesting_municipalities",
)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0004_figures_versions"),
    ]

    operations = [
        migrations.RunPython(drop_versions, migrations.RunPython.noop),
        migrations.RemoveIndex(model_name="figurestep", name="figurestep_series_idx"),
        migrations.RemoveField(model_name="figurestep", name="figure"),
        migrations.RemoveField(model_name="figurestep", name="value"),
        *[
            migrations.AddField(
                model_name="figurestep",
                name=name,
                field=models.DecimalField(decimal_places=6, default=0, max_digits=24),
            )
            for name in FIGURE_COLUMNS
        ],
        migrations.AddIndex(
            model_name="figurestep",
            index=models.Index(fields=["version", "grouping", "group_key", "valid_from"], name="figurestep_group_idx"),
        ),
    ]
