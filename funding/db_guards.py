"""Database triggers that keep released decisions, payments and recoveries immutable, for every client.

Forms and services refuse the change first; these triggers make sure a queryset
update, raw SQL or a bug cannot change or delete a released decision either.
"""

TABLE = "funding_fundingdecision"
MESSAGE = "released funding decisions are immutable: record an amendment or revocation instead"

POSTGRES_CREATE = f"""
CREATE OR REPLACE FUNCTION funding_decision_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'released' THEN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS funding_decision_guard ON {TABLE};
CREATE TRIGGER funding_decision_guard BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION funding_decision_guard();
"""

POSTGRES_DROP = f"""
DROP TRIGGER IF EXISTS funding_decision_guard ON {TABLE};
DROP FUNCTION IF EXISTS funding_decision_guard();
"""

SQLITE_UPDATE_TRIGGER = f"""
CREATE TRIGGER IF NOT EXISTS funding_decision_no_update BEFORE UPDATE ON {TABLE}
FOR EACH ROW WHEN OLD.state = 'released'
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""

SQLITE_DELETE_TRIGGER = f"""
CREATE TRIGGER IF NOT EXISTS funding_decision_no_delete BEFORE DELETE ON {TABLE}
FOR EACH ROW WHEN OLD.state = 'released'
BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END;
"""

SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS funding_decision_no_update;",
    "DROP TRIGGER IF EXISTS funding_decision_no_delete;",
]


def create_guards(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_CREATE)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_UPDATE_TRIGGER)
        schema_editor.execute(SQLITE_DELETE_TRIGGER)


def drop_guards(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_DROP)
    elif vendor == "sqlite":
        for statement in SQLITE_DROP:
            schema_editor.execute(statement)


# --- The same guard for the entries of the payments ledger (migration 0013) -----------------

# Migration 0013 guarded the first two; 0015 added payment requests (and rebuilt the payment table).
ENTRY_TABLES = ("funding_payment", "funding_recovery", "funding_paymentrequest")
ENTRY_MESSAGE = "released ledger entries are immutable: record a counter-entry instead"


def _entry_statements(table: str, vendor: str) -> list[str]:
    if vendor == "postgresql":
        return [
            f"""
CREATE OR REPLACE FUNCTION {table}_guard() RETURNS trigger AS $$
BEGIN
    IF OLD.state = 'released' THEN
        RAISE EXCEPTION '{ENTRY_MESSAGE}' USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF TG_OP = 'DELETE' THEN
        RETURN OLD;
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;""",
            f"DROP TRIGGER IF EXISTS {table}_guard ON {table};",
            f"CREATE TRIGGER {table}_guard BEFORE UPDATE OR DELETE ON {table} "
            f"FOR EACH ROW EXECUTE FUNCTION {table}_guard();",
        ]
    if vendor == "sqlite":
        return [
            f"CREATE TRIGGER IF NOT EXISTS {table}_no_{operation} BEFORE {operation.upper()} ON {table} "
            f"FOR EACH ROW WHEN OLD.state = 'released' BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END;"
            for operation in ("update", "delete")
        ]
    return []


def create_entry_guards(apps, schema_editor, tables=ENTRY_TABLES[:2]) -> None:
    """Guard `tables` (by default those of migration 0013, which calls this)."""
    for table in tables:
        for statement in _entry_statements(table, schema_editor.connection.vendor):
            schema_editor.execute(statement)


def drop_entry_guards(apps, schema_editor, tables=ENTRY_TABLES[:2]) -> None:
    vendor = schema_editor.connection.vendor
    for table in tables:
        if vendor == "postgresql":
            schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_guard ON {table};")
            schema_editor.execute(f"DROP FUNCTION IF EXISTS {table}_guard();")
        elif vendor == "sqlite":
            for operation in ("update", "delete"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_{operation};")


def restore_all_guards(apps, schema_editor) -> None:
    """Create every guard of this module again where it is missing (each statement is idempotent).

    On SQLite, AlterField rebuilds the whole table (create a copy, move the rows, drop the
    old one), and the old table's triggers go with it: a migration that alters a guarded
    table must end with this (funding.0018 does, for 0017's indexes).
    """
    create_guards(schema_editor)
    create_entry_guards(apps, schema_editor, tables=ENTRY_TABLES)


def sqlite_guard_statements() -> list[str]:
    """Every SQLite trigger of this module: the tests put them back before each test."""
    entries = [statement for table in ENTRY_TABLES for statement in _entry_statements(table, "sqlite")]
    return [SQLITE_UPDATE_TRIGGER, SQLITE_DELETE_TRIGGER, *entries]


def sqlite_unguard_statements() -> list[str]:
    """Drop every SQLite trigger of this module: the tests lift them for the flush after a test."""
    entries = [f"DROP TRIGGER IF EXISTS {table}_no_{op};" for table in ENTRY_TABLES for op in ("update", "delete")]
    return [*SQLITE_DROP, *entries]
