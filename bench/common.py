"""What every benchmark shares: where the report is, and the database it may empty."""

import os
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
REPORT = ROOT / "docs" / "benchmarks.md"


def bench_database_url() -> tuple[str, str]:
    url = os.environ.get("DATABASE_URL", "")
    parts = urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        sys.exit("make bench needs DATABASE_URL pointing at PostgreSQL, e.g. postgres://postgres@127.0.0.1/mr_bench")
    name = parts.path.lstrip("/") or "modellregionen"
    if not name.endswith("bench"):
        name = f"{name}_bench"
    return urlunsplit(parts._replace(path=f"/{name}")), name


def ensure_database(url: str, name: str) -> None:
    import psycopg

    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')


def replace_section(section: str, *, start: str, end: str) -> None:
    """Put `section` (which begins with `start` and ends with `end`) into the report, in place of the last run's."""
    existing = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    if start in existing and end in existing:
        before, rest = existing.split(start, 1)
        existing = before + section + rest.split(end, 1)[1]
    else:
        existing = existing.rstrip("\n") + "\n\n" + section + "\n"
    REPORT.write_text(existing)
