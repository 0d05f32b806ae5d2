"""Narrow steps: integers only (money in cents), keyed by their primary key; labels per group.

Each stored version is converted: its groups move into FigureGroup, its steps keep their
days and values (money in whole cents), and the version records the programme's budget,
from which the budget share is derived when read. Total volume and budget share are no
longer stored: funding.figures.figure_values derives them. Migrating back drops the stored
versions (run `manage.py recompute_figures` then).
"""

from decimal import Decimal

from django.db import migrations, models

# funding.figures.definitions.GROUPING_NUMBERS as of this migration.
GROUPING_NUMBERS = {"": 0, "region": 1, "strand": 2, "topic": 3, "year": 4, "authority": 5}
MONEY_FIGURES = ("funding_granted", "private_investment", "eligible_investment", "own_share")
COUNT_FIGURES = (
    "funded_projects",
    "project_offices",
    "applications",
    "transfer_requests",
    "consultation_requests",
    "requesting_municipalities",
)
BATCH = 5000


def rename_legacy_primary_key(apps, schema_editor):
    # PostgreSQL names an index per schema: the new table's primary key takes the name.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("ALTER INDEX IF EXISTS funding_figurestep_pkey RENAME TO funding_legacyfigurestep_pkey")


def check_constraints_now(schema_editor):
    # PostgreSQL checks foreign keys at commit; a later ALTER TABLE in this migration's
    # transaction refuses to run while such checks are pending.
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")


def convert_versions(apps, schema_editor):
    versions = apps.get_model("funding", "FiguresVersion")
    legacy_steps = apps.get_model("funding", "LegacyFigureStep")
    groups = apps.get_model("funding", "FigureGroup")
    steps = apps.get_model("funding", "FigureStep")
    for version in versions.objects.select_related("programme"):
        version.budget = version.programme.budget
        version.save(update_fields=["budget"])
        members: dict[tuple[str, str], int] = {}
        batch = []
        rows = legacy_steps.objects.filter(version=version).order_by("grouping", "group_key", "valid_from")
        for row in rows.iterator(chunk_size=BATCH):
            group = (row.grouping, row.group_key)
            if group not in members:
                members[group] = sum(1 for grouping, _key in members if grouping == row.grouping) + 1
                groups.objects.create(
                    version=version,
                    grouping=GROUPING_NUMBERS[row.grouping],
                    member=members[group],
                    key=row.group_key,
                    label=row.group_label,
                )
            values = {f"{figure}_cents": int(Decimal(getattr(row, figure)) * 100) for figure in MONEY_FIGURES}
            values.update({figure: int(getattr(row, figure)) for figure in COUNT_FIGURES})
            batch.append(
                steps(
                    version=version,
                    grouping=GROUPING_NUMBERS[row.grouping],
                    member=members[group],
                    valid_from=row.valid_from,
                    valid_until=row.valid_until,
                    **values,
                )
            )
            if len(batch) >= BATCH:
                steps.objects.bulk_create(batch)
                batch = []
        steps.objects.bulk_create(batch)
    check_constraints_now(schema_editor)


def drop_versions(apps, schema_editor):
    """Migrating back: the steps cannot be converted back, so the versions go; recompute."""
    apps.get_model("funding", "FiguresVersion").objects.all().delete()
    check_constraints_now(schema_editor)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0006_figurestep_version_without_db_constraint"),
    ]

    operations = [
        migrations.RemoveIndex(model_name="figurestep", name="figurestep_group_idx"),
        migrations.RemoveIndex(model_name="figurestep", name="figurestep_last_idx"),
        migrations.RenameModel(old_name="FigureStep", new_name="LegacyFigureStep"),
        migrations.AlterField(
            model_name="legacyfigurestep",
            name="version",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=models.deletion.CASCADE,
                related_name="+",
                to="funding.figuresversion",
            ),
        ),
        migrations.RunPython(rename_legacy_primary_key, migrations.RunPython.noop),
        migrations.AddField(
            model_name="figuresversion",
            name="budget",
            field=models.DecimalField(decimal_places=2, default=Decimal("0"), max_digits=14, verbose_name="Budget (€)"),
            preserve_default=False,
        ),
        migrations.CreateModel(
            name="FigureGroup",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("grouping", models.PositiveSmallIntegerField()),
                ("member", models.IntegerField()),
                ("key", models.CharField(blank=True, max_length=64)),
                ("label", models.CharField(blank=True, max_length=300)),
                (
                    "version",
                    models.ForeignKey(
                        on_delete=models.deletion.CASCADE, related_name="groups", to="funding.figuresversion"
                    ),
                ),
            ],
            options={
                "verbose_name": "Kennzahl-Gruppe",
                "verbose_name_plural": "Kennzahl-Gruppen",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("version", "grouping", "member"), name="one_figure_group_per_member"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="FigureStep",
            fields=[
                ("pk", models.CompositePrimaryKey("version", "grouping", "member", "valid_from", blank=True, editable=False, primary_key=True, serialize=False)),
                (
                    "version",
                    models.ForeignKey(
                        db_constraint=False,
                        db_index=False,
                        on_delete=models.deletion.CASCADE,
                        related_name="steps",
                        to="funding.figuresversion",
                    ),
                ),
                ("grouping", models.PositiveSmallIntegerField()),
                ("member", models.IntegerField()),
                ("valid_from", models.DateField()),
                ("valid_until", models.DateField(blank=True, null=True)),
                ("funded_projects", models.IntegerField(default=0)),
                ("project_offices", models.IntegerField(default=0)),
                ("funding_granted_cents", models.BigIntegerField(default=0)),
                ("private_investment_cents", models.BigIntegerField(default=0)),
                ("eligible_investment_cents", models.BigIntegerField(default=0)),
                ("own_share_cents", models.BigIntegerField(default=0)),
                ("applications", models.IntegerField(default=0)),
                ("transfer_requests", models.IntegerField(default=0)),
                ("consultation_requests", models.IntegerField(default=0)),
                ("requesting_municipalities", models.IntegerField(default=0)),
            ],
            options={"verbose_name": "Kennzahl-Stufe", "verbose_name_plural": "Kennzahl-Stufen"},
        ),
        migrations.RunPython(convert_versions, drop_versions),
        migrations.DeleteModel(name="LegacyFigureStep"),
    ]
