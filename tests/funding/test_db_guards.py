"""A database built by the migrations keeps every immutability guard of funding.db_guards.

The suite's own fixture puts the SQLite triggers back before each test, so this test builds
the guarded tables again by migrating (back before the last migrations that alter them, and
forward) and only then asks the database which triggers it has.
"""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from funding.db_guards import ENTRY_TABLES, TABLE

GUARDED_TABLES = {TABLE, *ENTRY_TABLES}


def _guarded_tables() -> set[str]:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT tbl_name FROM sqlite_master WHERE type = 'trigger' AND sql LIKE '%immutable%'")
        else:
            cursor.execute(
                "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
                "WHERE NOT t.tgisinternal AND t.tgname LIKE '%guard'"
            )
        return {table for (table,) in cursor.fetchall()}


@pytest.mark.django_db(transaction=True)
def test_migrating_forward_leaves_every_released_table_guarded():
    executor = MigrationExecutor(connection)
    executor.migrate([("funding", "0016_ledger_changes")])
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())

    assert _guarded_tables() == GUARDED_TABLES
