"""Put back the immutability triggers that 0017 dropped on SQLite.

0017 added indexes with AlterField, which SQLite carries out by rebuilding each table: the
triggers of funding.db_guards went with the old tables, so released decisions, payments,
requests and recoveries could be changed by raw SQL on a SQLite database. On PostgreSQL the
triggers stayed; creating them again there is harmless.
"""

from django.db import migrations

from funding.db_guards import restore_all_guards


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0017_watermark_indexes"),
    ]

    operations = [migrations.RunPython(restore_all_guards, migrations.RunPython.noop)]
