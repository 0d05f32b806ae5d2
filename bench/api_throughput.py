"""Benchmark: API throughput next to a constant-JSON floor without middleware, in one run.

Everything runs on one gunicorn (2 sync workers, loopback, bench.wsgi) loaded by wrk, at
each ledger size (default 10 000 and 1 000 000 released decisions):
- the floor: a constant JSON object from a Django view with no middleware;
- `/api/v1/figures/?group_by=region` at 16 connections (issue 18: ≥ 80 % of the floor,
  p99 < 25 ms), and the same request with its ETag (a 304);
- a page of `/api/v1/projects/` at 64 connections (issue 18: ≥ 1,000 req/s, p99 < 100 ms);
- the figures request on two gunicorn instances sharing the port (SO_REUSEPORT) next to one.

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
PROJECTS_PATH = "/api/v1/projects/?page_size=25"
FLOOR_PATH = "/bench/floor/"
CONNECTIONS = 16
LIST_CONNECTIONS = 64
WORKERS = 2
GOAL_SHARE = 0.80
GOAL_P99_MS = 25.0
GOAL_LIST_RPS = 1000.0
GOAL_LIST_P99_MS = 100.0
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
    """Replace the ledger by the benchmark's synthetic one of `size` decisions, then publish its figures."""
    from django.core.management import call_command

    from bench import ledger
    from funding.figures.engine import recompute_figures

    call_command("migrate", verbosity=0)
    started = time.monotonic()
    built = ledger.build(decisions=size)
    recompute_figures()
    print(
        f"  ledger of {built.decisions:,} decisions, {built.projects:,} projects and {built.payments:,} payments "
        f"written and its figures recomputed in {time.monotonic() - started:.1f} s"
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(port: int, *, reuse_port: bool = False) -> subprocess.Popen:
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
            "bench.wsgi:application",
            "--workers",
            str(WORKERS),
            "--bind",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            *(["--reuse-port"] if reuse_port else []),
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


def etag_of(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as answer:  # noqa: S310
        return answer.headers["ETag"]


def load(port: int, path: str, *, seconds: int, connections: int = CONNECTIONS, headers: dict | None = None) -> Run:
    """One wrk run: requests per second and the 99th percentile latency (a 304 counts as success)."""
    url = f"http://127.0.0.1:{port}{path}"
    with urllib.request.urlopen(url, timeout=10) as answer:  # noqa: S310
        if answer.status != 200:
            raise RuntimeError(f"{url} answered {answer.status}")
    header_args = [argument for name, value in (headers or {}).items() for argument in ("-H", f"{name}: {value}")]
    wrk = ["wrk", "-t2", f"-c{connections}", *header_args]
    subprocess.run([*wrk, "-d3s", url], check=True, capture_output=True)  # warm-up
    output = subprocess.run(
        [*wrk, f"-d{seconds}s", "--latency", url],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
    p99 = _to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    errors_match = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", output)
    return Run(path=path, requests_per_second=rps, p99_ms=p99, errors=int(errors_match.group(1)) if errors_match else 0)


@dataclass
class SizeRuns:
    size: int
    floor: Run
    figures: Run
    figures_304: Run
    projects: Run
    two_instances: Run | None


def _row(name: str, run: Run, floor: Run, goal: str, met: bool) -> str:
    share = run.requests_per_second / floor.requests_per_second
    errors = f" ({run.errors} errors)" if run.errors else ""
    return (
        f"| {name} | {run.requests_per_second:,.0f} | {run.p99_ms:.1f} ms | {share:.2f}× | {goal} "
        f"| {'yes' if met and not run.errors else 'no'}{errors} |"
    )


def _table(rows: list[SizeRuns], *, seconds: int) -> str:
    lines = [
        f"## API throughput ({dt.date.today().isoformat()})",
        "",
        f"One gunicorn ({WORKERS} sync workers, loopback, `bench.wsgi`), wrk for {seconds} s after a 3 s "
        f"warm-up, anonymous (the rate limit is counted, never reached), DEBUG=False. The floor is a Django "
        f"view answering a constant JSON object with no middleware, on the same gunicorn in the same run. "
        f"PostgreSQL {_postgres_version()}, {os.cpu_count()} CPU cores ({platform.machine()}), shared by "
        f"server, load tool and database. Ratios are to the floor of the same size's run.",
    ]
    for item in rows:
        floor = item.floor
        figures_met = item.figures.requests_per_second >= GOAL_SHARE * floor.requests_per_second
        figures_met = figures_met and item.figures.p99_ms < GOAL_P99_MS
        list_met = item.projects.requests_per_second >= GOAL_LIST_RPS and item.projects.p99_ms < GOAL_LIST_P99_MS
        lines += [
            "",
            f"### {item.size:,} released decisions",
            "",
            "| request | req/s | p99 | of floor | goal | met |",
            "|---|---:|---:|---:|---|:---|",
            f"| floor `{FLOOR_PATH}` ({CONNECTIONS} connections) | {floor.requests_per_second:,.0f} "
            f"| {floor.p99_ms:.1f} ms | 1.00× | | |",
            _row(
                f"`{FIGURES_PATH}` ({CONNECTIONS} connections)",
                item.figures,
                floor,
                f"≥ {GOAL_SHARE:.1f}×, p99 < {GOAL_P99_MS:.0f} ms",
                figures_met,
            ),
            _row(
                f"the same with `If-None-Match` (304, {CONNECTIONS} connections)",
                item.figures_304,
                floor,
                "≥ the 200",
                item.figures_304.requests_per_second >= item.figures.requests_per_second * 0.95,
            ),
            _row(
                f"`{PROJECTS_PATH}` ({LIST_CONNECTIONS} connections, kept page)",
                item.projects,
                floor,
                f"≥ {GOAL_LIST_RPS:,.0f} req/s, p99 < {GOAL_LIST_P99_MS:.0f} ms",
                list_met,
            ),
        ]
        if item.two_instances is not None:
            lines.append(
                _row(
                    f"`{FIGURES_PATH}` on 2 gunicorn instances × {WORKERS} workers sharing one port "
                    f"(SO_REUSEPORT, {CONNECTIONS} connections)",
                    item.two_instances,
                    floor,
                    "shown",
                    True,
                )
            )
    lines += [
        "",
        f"With {os.cpu_count()} cores shared by wrk, PostgreSQL and the servers, a second gunicorn instance "
        "adds processes but no CPU: it shows that instances share the port, the database and Redis "
        "correctly, not how throughput grows with machines.",
    ]
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
        server = start_server(port, reuse_port=True)
        try:
            floor_run = load(port, FLOOR_PATH, seconds=args.seconds)
            figures_run = load(port, FIGURES_PATH, seconds=args.seconds)
            etag = etag_of(port, FIGURES_PATH)
            figures_304 = load(port, FIGURES_PATH, seconds=args.seconds, headers={"If-None-Match": etag})
            projects_run = load(port, PROJECTS_PATH, seconds=args.seconds, connections=LIST_CONNECTIONS)
            second = start_server(port, reuse_port=True)
            time.sleep(5)  # the port answers already (the first instance): give the second time to boot
            try:
                two_instances = load(port, FIGURES_PATH, seconds=args.seconds)
            finally:
                second.terminate()
                second.wait(timeout=30)
        finally:
            server.terminate()
            server.wait(timeout=30)
        runs = SizeRuns(size, floor_run, figures_run, figures_304, projects_run, two_instances)
        for name, run in (
            ("floor", floor_run),
            ("figures", figures_run),
            ("figures 304", figures_304),
            ("projects", projects_run),
            ("2 instances", two_instances),
        ):
            print(f"  {name}: {run.requests_per_second:,.0f} req/s, p99 {run.p99_ms:.1f} ms, {run.errors} errors")
        rows.append(runs)
    table = _table(rows, seconds=args.seconds)
    _append(table)
    print(table)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
