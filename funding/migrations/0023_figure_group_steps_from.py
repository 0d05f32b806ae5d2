import django.db.models.deletion
from django.db import migrations, models


def own_steps(apps, schema_editor):
    """Every group stored so far has its steps in its own version."""
    FigureGroup = apps.get_model("funding", "FigureGroup")
    FigureGroup.objects.update(steps_from=models.F("version"))


class Migration(migrations.Migration):
    dependencies = [("funding", "0022_figure_step_illustrative_parts")]

    operations = [
        migrations.AddField(
            model_name="figuregroup",
            name="steps_from",
            field=models.ForeignKey(
                null=True,
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="funding.figuresversion",
            ),
        ),
        migrations.RunPython(own_steps, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="figuregroup",
            name="steps_from",
            field=models.ForeignKey(
                db_constraint=False,
                db_index=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="funding.figuresversion",
            ),
        ),
    ]
