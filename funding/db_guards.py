"""Database triggers that keep released decisions, payment requests, payments and recoveries immutable.

Forms and services refuse the change first (funding.four_eyes); these triggers make sure a
queryset update, raw SQL or a bug cannot change or delete a released entry either. One
generator writes the trigger of every four-eyes table, on PostgreSQL and on SQLite.
"""

TABLE = "funding_fundingdecision"
# Migration 0013 guarded payments and recoveries; 0015 added payment requests.
ENTRY_TABLES = ("funding_payment", "funding_recovery", "funding_paymentrequest")
GUARDED_TABLES = (TABLE, *ENTRY_TABLES)

MESSAGES = {
    TABLE: "released funding decisions are immutable: record an amendment or revocation instead",
    **dict.fromkeys(ENTRY_TABLES, "released ledger entries are immutable: record a counter-entry instead"),
}
OPERATIONS = ("update", "delete")
# The names the triggers and functions go by: the table's, but for the decisions' guard,
# which has had its own since migration 0003.
NAMES = {**{table: table for table in GUARDED_TABLES}, TABLE: "funding_decision"}


def guard_statements(table: str, vendor: str) -> list[str]:
    """The statements that guard `table` (each idempotent)."""
    name = NAMES[table]
    message = MESSAGES[table]
    if vendor == "postgresql":
        return [
            f"""
CREATE OR REPLACE FUNCTION {name}_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'released' THEN
        RAISE EXCEPTION '{message}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;""",
            f"DROP TRIGGER IF EXISTS {name}_guard ON {table};",
            f"CREATE TRIGGER {name}_guard BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {name}_guard();",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {name}_no_{operation} BEFORE {operation.upper()} ON {table} "
            f"FOR EACH ROW WHEN OLD.state = 'released' BEGIN SELECT RAISE(ABORT, '{message}'); END;"
            for operation in OPERATIONS
        ]
    return []


def unguard_statements(table: str, vendor: str) -> list[str]:
    name = NAMES[table]
    if vendor == "postgresql":
        return [f"DROP TRIGGER IF EXISTS {name}_guard ON {table};", f"DROP FUNCTION IF EXISTS {name}_guard();"]
    if vendor == "sqlite":
        return [f"DROP TRIGGER IF EXISTS {name}_no_{operation};" for operation in OPERATIONS]
    return []


def _run(schema_editor, statements: list[str]) -> None:
    for statement in statements:
        schema_editor.execute(statement)


# --- What the migrations call ----------------------------------------------------------------


def create_guards(schema_editor) -> None:
    """Guard the decisions (migration 0003)."""
    _run(schema_editor, guard_statements(TABLE, schema_editor.connection.vendor))


def drop_guards(schema_editor) -> None:
    _run(schema_editor, unguard_statements(TABLE, schema_editor.connection.vendor))


def create_entry_guards(apps, schema_editor, tables=ENTRY_TABLES[:2]) -> None:
    """Guard `tables` (by default those of migration 0013, which calls this)."""
    for table in tables:
        _run(schema_editor, guard_statements(table, schema_editor.connection.vendor))


def drop_entry_guards(apps, schema_editor, tables=ENTRY_TABLES[:2]) -> None:
    for table in tables:
        _run(schema_editor, unguard_statements(table, schema_editor.connection.vendor))


def restore_all_guards(apps, schema_editor) -> None:
    """Create every guard again where it is missing (each statement is idempotent).

    On SQLite, AlterField and constraint changes rebuild the whole table (create a copy, move
    the rows, drop the old one), and the old table's triggers go with it: a migration that
    alters a guarded table must end with this.
    """
    for table in GUARDED_TABLES:
        _run(schema_editor, guard_statements(table, schema_editor.connection.vendor))


# --- What the tests call ----------------------------------------------------------------------


def sqlite_guard_statements() -> list[str]:
    """Every SQLite trigger: the tests put them back before each test."""
    return [statement for table in GUARDED_TABLES for statement in guard_statements(table, "sqlite")]


def sqlite_unguard_statements() -> list[str]:
    """Drop every SQLite trigger: the tests lift them for the flush after a test."""
    return [statement for table in GUARDED_TABLES for statement in unguard_statements(table, "sqlite")]
