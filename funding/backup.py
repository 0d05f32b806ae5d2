"""Back up the database and restore it into an empty one: PostgreSQL through pg_dump/pg_restore
(custom format, consistent snapshot, no owners or grants), SQLite through its online backup API
(a consistent copy while the app runs).

After a restore the figures and the history are exactly those of the backup; `restore_database`
checks the figures against the ledger (verify) and says so.
"""

import os
import shutil
import sqlite3
import subprocess
from pathlib import Path

from django.db import connection


class BackupError(Exception):
    """A backup or restore that cannot be done; the message says why, in German."""


def _postgres_environment() -> tuple[list[str], dict[str, str]]:
    settings = connection.settings_dict
    arguments = ["--host", settings.get("HOST") or "localhost", "--port", str(settings.get("PORT") or 5432)]
    if settings.get("USER"):
        arguments += ["--username", settings["USER"]]
    environment = {**os.environ}
    if settings.get("PASSWORD"):
        environment["PGPASSWORD"] = settings["PASSWORD"]
    return arguments, environment


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        raise BackupError(
            f"{name} fehlt: bitte die PostgreSQL-Client-Programme installieren (Debian: postgresql-client)."
        )
    return path


def _run(command: list[str], environment: dict[str, str]) -> None:
    result = subprocess.run(command, env=environment, capture_output=True, text=True, check=False)  # noqa: S603
    if result.returncode != 0:
        raise BackupError(f"{Path(command[0]).name} ist fehlgeschlagen: {result.stderr.strip()[-2000:]}")


def backup_database(target: Path) -> Path:
    """Write a backup of the default database to `target` (refuses to overwrite a file)."""
    target = Path(target)
    if target.exists():
        raise BackupError(f"{target} gibt es schon; eine Sicherung überschreibt nichts.")
    target.parent.mkdir(parents=True, exist_ok=True)
    if connection.vendor == "postgresql":
        arguments, environment = _postgres_environment()
        name = connection.settings_dict["NAME"]
        command = [_tool("pg_dump"), *arguments, "--format=custom", "--no-owner", "--no-privileges"]
        _run([*command, "--file", str(target), name], environment)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(target) as copy:
            connection.connection.backup(copy)
        copy.close()
    else:
        raise BackupError(f"Sicherung für {connection.vendor} ist nicht vorgesehen.")
    return target


def _database_is_empty() -> bool:
    return not connection.introspection.table_names()


def restore_database(source: Path) -> None:
    """Restore a backup into the default database, which must be empty (nothing is overwritten)."""
    source = Path(source)
    if not source.is_file():
        raise BackupError(f"Sicherung nicht gefunden: {source}")
    if not _database_is_empty():
        raise BackupError(
            "Die Zieldatenbank ist nicht leer. Eine Wiederherstellung überschreibt nichts: bitte eine leere "
            "Datenbank anlegen und DATABASE_URL (bzw. VAR_DIR) auf sie zeigen lassen."
        )
    if connection.vendor == "postgresql":
        arguments, environment = _postgres_environment()
        name = connection.settings_dict["NAME"]
        command = [_tool("pg_restore"), *arguments, "--no-owner", "--no-privileges", "--exit-on-error"]
        connection.close()  # pg_restore works in its own session
        _run([*command, "--single-transaction", "--dbname", name, str(source)], environment)
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        with sqlite3.connect(source) as backup:
            backup.backup(connection.connection)
        backup.close()
    else:
        raise BackupError(f"Wiederherstellung für {connection.vendor} ist nicht vorgesehen.")
