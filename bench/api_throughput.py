"""Benchmark: throughput of `/api/v1/figures/?group_by=region` next to a constant-JSON floor.

Both run on one gunicorn (2 sync workers, loopback) in the same run, loaded by wrk with
16 connections, at each ledger size (default 10 000 and 1 000 000 released decisions).
Goal (issue 4): at least 70 % of the floor's requests per second with p99 under 25 ms,
whatever the ledger's size, because the endpoint reads stored figures only.

Needs PostgreSQL (DATABASE_URL; the benchmark empties that database's ledger and figures,
so give it a database of its own), Redis (REDIS_URL, the rate-limit counters) and the
`wrk` load tool (Debian/Ubuntu: `apt-get install wrk`). Without them it says what is
missing and measures nothing. The table is appended to docs/benchmarks.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_bench REDIS_URL=redis://127.0.0.1:6379/3 \
        .venv/bin/python -c "from bench.api_throughput import main; main()"
"""

import argparse
import datetime as dt
import os
import platform
import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass

from bench.common import REPORT, ROOT

RESULTS = REPORT
FIGURES_PATH = "/api/v1/figures/?group_by=region"
FLOOR_PATH = "/bench/floor/"
CONNECTIONS = 16
WORKERS = 2
GOAL_SHARE = 0.70
GOAL_P99_MS = 25.0
DEFAULT_SIZES = (10_000, 1_000_000)


@dataclass
class Run:
    path: str
    requests_per_second: float
    p99_ms: float
    errors: int


def _missing_requirements() -> list[str]:
    missing = []
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")):
        missing.append("DATABASE_URL pointing at a PostgreSQL database of its own")
    if not os.environ.get("REDIS_URL"):
        missing.append("REDIS_URL (the rate-limit counters of the anonymous API)")
    if shutil.which("wrk") is None:
        missing.append("the load tool wrk (apt-get install wrk)")
    return missing


def _setup_django() -> None:
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.api_settings"
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def seed_ledger(size: int) -> None:
    """Empty the ledger and the figures, then write `size` released decisions in one statement."""
    from django.core.management import call_command
    from django.db import connection

    from funding.figures.engine import recompute_figures
    from funding.models import FundingDecision, GrantingAuthority, Programme, Recipient
    from projects.models import Project, Strand, Topic
    from regions.models import Region

    call_command("migrate", verbosity=0)
    with connection.cursor() as cursor:
        # TRUNCATE, because the ledger's own trigger refuses to DELETE released decisions.
        cursor.execute(
            "TRUNCATE funding_fundingdecision, funding_historicalfundingdecision, "
            "funding_figurestep, funding_figuregroup, funding_figuresversion"
        )
    programme, _ = Programme.objects.get_or_create(
        slug="digitale-modellregionen",
        defaults={
            "name": "Digitale Modellregionen in NRW",
            "funder": "Ministerium für Wirtschaft, Innovation, Digitalisierung und Energie NRW",
            "budget": "91000000.00",
            "start_date": dt.date(2018, 7, 12),
            "end_date": dt.date(2023, 6, 30),
        },
    )
    regions = [
        Region.objects.get_or_create(
            slug=f"bench-{n}", defaults={"name": f"Region {n}", "administrative_district": "9"}
        )[0]
        for n in range(5)
    ]
    topics = [
        Topic.objects.get_or_create(slug=f"bench-{n}", defaults={"name": f"Bench-Thema {n}"})[0] for n in range(8)
    ]
    authorities = [
        GrantingAuthority.objects.get_or_create(
            slug=f"bench-{n}", defaults={"name": f"Bench-Behörde {n}", "kind": "district_government"}
        )[0]
        for n in range(5)
    ]
    recipient, _ = Recipient.objects.get_or_create(name="Bench-Empfänger", defaults={"kind": "municipality"})
    projects = []
    for n in range(100):
        project, _ = Project.objects.get_or_create(
            slug=f"bench-projekt-{n}",
            defaults={
                "programme": programme,
                "title": f"Bench-Projekt {n}",
                "region": regions[n % len(regions)],
                "strand": Strand.values[n % 2],
                "topic": topics[n % len(topics)],
                "status": "approved",
                "submitted_on": dt.date(2018, 9, 1),
            },
        )
        projects.append(project.pk)
    from django.contrib.auth.models import User

    clerk, _ = User.objects.get_or_create(username="bench-clerk")
    approver, _ = User.objects.get_or_create(username="bench-approver")
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {FundingDecision._meta.db_table} (
                reference, project_id, recipient_id, authority_id, kind, amends_id, decision_date,
                financing_type, eligible_costs, amount, own_share, private_investment,
                period_start, period_end, state, drafted_by_id, released_by_id, released_at,
                source, created_at, updated_at)
            SELECT 'BENCH-' || g, (%s::bigint[])[1 + g %% %s], %s, (%s::bigint[])[1 + g %% %s], 'initial', NULL,
                   DATE '2018-08-01' + (g %% 1700), 'share', 1000.00, 800.00 + (g %% 100), 200.00, 50.00,
                   DATE '2018-08-01', DATE '2023-06-30', 'released', %s, %s, now(), 'benchmark', now(), now()
            FROM generate_series(1, %s) AS g
            """,
            [
                projects,
                len(projects),
                recipient.pk,
                [a.pk for a in authorities],
                len(authorities),
                clerk.pk,
                approver.pk,
                size,
            ],
        )
        cursor.execute("ANALYZE")
    started = time.monotonic()
    recompute_figures()
    print(f"  ledger of {size:,} decisions written; figures recomputed in {time.monotonic() - started:.1f} s")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int) -> subprocess.Popen:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.api_settings",
        "DEBUG": "False",
        "SECRET_KEY": os.environ.get("SECRET_KEY", "benchmark-only-secret-key-not-for-production-use"),
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        # The throttle still counts every request (its cost is measured) but never refuses one.
        "API_ANON_RATE": "1000000000/second",
        "LOG_LEVEL": "WARNING",
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "modellregionen.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
        ],
        cwd=ROOT,
        env=env,
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{FLOOR_PATH}", timeout=2) as answer:  # noqa: S310
                if answer.status == 200:
                    return server
        except OSError:
            time.sleep(0.3)
    server.terminate()
    raise RuntimeError("gunicorn did not answer within 30 s")


def _to_ms(value: str) -> float:
    number, unit = re.fullmatch(r"([0-9.]+)(us|ms|s)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def load(port: int, path: str, *, seconds: int) -> Run:
    """One wrk run: requests per second and the 99th percentile latency."""
    url = f"http://127.0.0.1:{port}{path}"
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
        if answer.status != 200:
            raise RuntimeError(f"{url} answered {answer.status}")
    subprocess.run(["wrk", "-t2", f"-c{CONNECTIONS}", "-d3s", url], check=True, capture_output=True)  # warm-up
    output = subprocess.run(
        ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
    p99 = _to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    errors_match = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", output)
    return Run(path=path, requests_per_second=rps, p99_ms=p99, errors=int(errors_match.group(1)) if errors_match else 0)


def _table(rows: list[tuple[int, Run, Run]], *, seconds: int) -> str:
    lines = [
        f"## API throughput ({dt.date.today().isoformat()})",
        "",
        f"`/api/v1/figures/?group_by=region` against a constant-JSON Django view on the same gunicorn "
        f"({WORKERS} sync workers, loopback), wrk with {CONNECTIONS} connections for {seconds} s after a "
        f"3 s warm-up, anonymous (rate limit counted per worker and in Redis at least once a second, never "
        f"reached). PostgreSQL {_postgres_version()}, "
        f"{os.cpu_count()} CPU cores ({platform.machine()}), shared with the load tool and the database. "
        f"Goal: ≥ {GOAL_SHARE:.0%} of the floor's requests/s and p99 < {GOAL_P99_MS:.0f} ms.",
        "",
        "| released decisions | floor req/s | floor p99 | figures req/s | figures p99 | share of floor | goal met |",
        "|---:|---:|---:|---:|---:|---:|:---|",
    ]
    for size, floor_run, figures_run in rows:
        share = figures_run.requests_per_second / floor_run.requests_per_second
        met = share >= GOAL_SHARE and figures_run.p99_ms < GOAL_P99_MS and not figures_run.errors
        lines.append(
            f"| {size:,} | {floor_run.requests_per_second:,.0f} | {floor_run.p99_ms:.1f} ms "
            f"| {figures_run.requests_per_second:,.0f} | {figures_run.p99_ms:.1f} ms | {share:.0%} "
            f"| {'yes' if met else 'no'}{f' ({figures_run.errors} errors)' if figures_run.errors else ''} |"
        )
    return "\n".join(lines) + "\n"


def _postgres_version() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        return cursor.fetchone()[0].split()[0]


API_START, API_END = "<!-- api-benchmark:start -->", "<!-- api-benchmark:end -->"


def _append(text: str) -> None:
    """Put the table into the API section of docs/benchmarks.md (replacing the last one there)."""
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    existing = RESULTS.read_text() if RESULTS.exists() else "# Benchmarks\n"
    section = f"{API_START}\n{text.rstrip()}\n{API_END}"
    if API_START in existing and API_END in existing:
        before, rest = existing.split(API_START, 1)
        after = rest.split(API_END, 1)[1]
        RESULTS.write_text(before + section + after)
    else:
        RESULTS.write_text(existing.rstrip("\n") + "\n\n" + section + "\n")


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark at each ledger size and append the table to docs/benchmarks.md."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default=",".join(str(size) for size in DEFAULT_SIZES))
    parser.add_argument("--seconds", type=int, default=15)
    args = parser.parse_args(argv if argv is not None else [])
    missing = _missing_requirements()
    if missing:
        print("API benchmark skipped; it needs " + "; ".join(missing) + ".")
        return 0
    _setup_django()
    rows = []
    for size in [int(text) for text in args.sizes.split(",")]:
        print(f"API benchmark at {size:,} decisions")
        seed_ledger(size)
        port = _free_port()
        server = start_server(port)
        try:
            floor_run = load(port, FLOOR_PATH, seconds=args.seconds)
            figures_run = load(port, FIGURES_PATH, seconds=args.seconds)
        finally:
            server.terminate()
            server.wait(timeout=30)
        print(
            f"  floor {floor_run.requests_per_second:,.0f} req/s p99 {floor_run.p99_ms:.1f} ms; "
            f"figures {figures_run.requests_per_second:,.0f} req/s p99 {figures_run.p99_ms:.1f} ms"
        )
        rows.append((size, floor_run, figures_run))
    table = _table(rows, seconds=args.seconds)
    _append(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
