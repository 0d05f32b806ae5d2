"""Back up the database and restore it into an empty one: the figures verify, the history is intact."""

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.utils import timezone

from funding.figures import engine
from funding.models import FundingDecision
from projects.models import TransferRequest
from tests.factories import DecisionFactory, MunicipalityFactory, ProjectFactory, release_reviewed_decision

ROOT = Path(__file__).resolve().parents[2]


def manage(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "VAR_DIR"}}
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "modellregionen.settings", **env},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture
def ledger(transactional_db, clerk, approver):
    project = ProjectFactory()
    decision = DecisionFactory(project=project, drafted_by=clerk)

    release_reviewed_decision(decision=decision, user=approver)
    TransferRequest.objects.create(
        confirmed_at=timezone.now(),  # recorded by staff or the programme data: counted
        project=project,
        municipality=MunicipalityFactory(),
        received_on="2020-01-02",
        contact_name="R",
        contact_email="r@x.example",
    )
    engine.recompute_figures()
    return project


def history_counts() -> tuple[int, int]:
    return FundingDecision.history.count(), TransferRequest.history.count()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite pass; PostgreSQL below")
def test_a_sqlite_backup_restores_into_an_empty_database_with_figures_and_history(ledger, tmp_path):
    backup = tmp_path / "backup.sqlite3"
    call_command("backup_database", str(backup))
    empty_var = tmp_path / "var"
    empty_var.mkdir()

    restored = manage({"VAR_DIR": str(empty_var)}, "restore_database", str(backup))
    again = manage({"VAR_DIR": str(empty_var)}, "restore_database", str(backup))

    assert restored.returncode == 0, restored.stderr
    assert "die Kennzahlen stimmen mit dem Hauptbuch überein" in restored.stdout
    assert again.returncode != 0 and "nicht leer" in again.stderr  # nothing is overwritten
    import sqlite3

    with sqlite3.connect(empty_var / "modellregionen.sqlite3") as copy:
        counts = (
            copy.execute("SELECT COUNT(*) FROM funding_historicalfundingdecision").fetchone()[0],
            copy.execute("SELECT COUNT(*) FROM projects_historicaltransferrequest").fetchone()[0],
        )
    assert counts == history_counts()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL")
def test_a_postgresql_backup_restores_into_an_empty_database_with_figures_and_history(ledger, tmp_path):
    import dj_database_url

    backup = tmp_path / "backup.dump"
    call_command("backup_database", str(backup))
    settings = connection.settings_dict
    scratch = f"restore_{uuid.uuid4().hex[:8]}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{scratch}"')
    url = dj_database_url.parse(os.environ["DATABASE_URL"])
    target = f"postgres://{url['USER'] or ''}{':' + url['PASSWORD'] if url.get('PASSWORD') else ''}@{settings['HOST'] or 'localhost'}:{settings['PORT'] or 5432}/{scratch}"
    try:
        restored = manage({"DATABASE_URL": target}, "restore_database", str(backup))
        verified = manage({"DATABASE_URL": target}, "verify_figures")
        counts = manage(
            {"DATABASE_URL": target},
            "shell",
            "-c",
            "from funding.models import FundingDecision as D; from projects.models import TransferRequest as T; "
            "print(D.history.count(), T.history.count())",
        )
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{scratch}" WITH (FORCE)')

    assert restored.returncode == 0, restored.stderr
    assert verified.returncode == 0 and "no drift" in verified.stdout
    assert tuple(int(n) for n in counts.stdout.split()[-2:]) == history_counts()


def test_a_backup_never_overwrites_a_file(ledger, tmp_path):
    existing = tmp_path / "exists.dump"
    existing.write_text("keep me")

    with pytest.raises(CommandError, match="überschreibt nichts"):
        call_command("backup_database", str(existing))

    assert existing.read_text() == "keep me"
