"""PostgreSQL: the aggregate `bigint_sum(bigint)`, a sum of bigints that stays a bigint.

The figures engine sums money in whole cents. PostgreSQL's own SUM(bigint) returns a
numeric and keeps a 128-bit state allocated per group, which makes it the slowest part of
the recompute's aggregate. `bigint_sum` keeps its state in a plain bigint and adds with
the built-in `int8pl`, which raises "bigint out of range" on overflow: the sum is exact or
the statement fails, it is never wrong. SQLite sums integers as 64-bit integers already.
"""

from django.db import migrations

CREATE = """
CREATE AGGREGATE bigint_sum(bigint) (
    SFUNC = int8pl,
    STYPE = bigint,
    COMBINEFUNC = int8pl,
    PARALLEL = SAFE
)
"""
DROP = "DROP AGGREGATE IF EXISTS bigint_sum(bigint)"


def create_aggregate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_aggregate(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0007_figurestep_integers_and_figuregroup"),
    ]

    operations = [migrations.RunPython(create_aggregate, drop_aggregate)]
