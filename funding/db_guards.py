"""Database triggers that keep released decisions immutable, for every client.

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
