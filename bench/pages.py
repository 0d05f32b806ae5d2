"""Server-side render time of the public pages with 10 k projects (issue goal: < 50 ms).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/mr_bench python -m bench.pages [projects]

Builds a synthetic ledger (three decisions per project) in the benchmark database, publishes
the figures, then renders each page in-process through Django's test client: the time spent
at the server (URL routing, views, queries, templates), without network or browser. Reports
the median and 95th percentile of 40 renders after warm-up, and the number of queries, into
docs/benchmarks.md.
"""

import os
import statistics
import sys
import time

from bench.common import REPORT, ROOT, bench_database_url, ensure_database

START_MARK = "<!-- pages-benchmark:start -->"
END_MARK = "<!-- pages-benchmark:end -->"
RENDERS = 40
GOAL_MS = 50.0


def _pages() -> list[tuple[str, str]]:
    from regions.models import Region

    region = Region.objects.order_by("slug").first()
    return [
        ("dashboard", "/"),
        ("dashboard as of a date", "/?as_of=2021-06-30"),
        ("catalogue", "/loesungen/"),
        ("catalogue, search with few matches", "/loesungen/?q=Projekt+4711"),
        ("catalogue, search matching every project", "/loesungen/?q=Projekt"),
        ("catalogue, filtered, page 3", f"/loesungen/?region={region.slug}&page=3"),
        ("region page", f"/regionen/{region.slug}/"),
    ]


def _measure(client, path: str) -> dict:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(3):  # warm-up: template and query-plan caches
        assert client.get(path).status_code == 200, path
    # The debug log holds at most 9000 queries and is full after building the ledger; a full
    # log would make every count zero.
    connection.queries_log.clear()
    with CaptureQueriesContext(connection) as queries:
        client.get(path)
    times = []
    for _ in range(RENDERS):
        started = time.perf_counter()
        client.get(path)
        times.append((time.perf_counter() - started) * 1000)
    times.sort()
    return {
        "median_ms": statistics.median(times),
        "p95_ms": times[int(len(times) * 0.95) - 1],
        "queries": len(queries),
    }


def main(projects: int = 10_000) -> None:
    url, name = bench_database_url()
    ensure_database(url, name)
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modellregionen.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from bench import ledger
    from funding.figures import engine
    from projects.models import Project

    call_command("migrate", verbosity=0)
    print(f"pages: building {projects:,} projects ...", flush=True)
    ledger.build(decisions=projects * 3)
    engine.recompute_figures()
    count = Project.objects.count()
    client = Client()
    rows = []
    for label, path in _pages():
        result = _measure(client, path)
        rows.append((label, path, result))
        print(
            f"  {label}: median {result['median_ms']:.1f} ms, p95 {result['p95_ms']:.1f} ms, {result['queries']} queries"
        )
    _write(count, rows, name)


def _write(count: int, rows, database: str) -> None:
    lines = [
        START_MARK,
        "## Public pages: render time at the server",
        "",
        f"Produced by `DATABASE_URL=postgres://…/{database} python -m bench.pages` on "
        f"{time.strftime('%d.%m.%Y')} with {count:,} projects (three decisions each), figures published. "
        f"Each page rendered {RENDERS} times in-process after warm-up (Django test client: routing, view, "
        f"queries, templates; no network). Goal: under {GOAL_MS:.0f} ms.",
        "",
        "| page | path | median | p95 | queries | goal met |",
        "|---|---|---:|---:|---:|:---|",
    ]
    for label, path, result in rows:
        met = "yes" if result["median_ms"] < GOAL_MS else "no"
        lines.append(
            f"| {label} | `{path}` | {result['median_ms']:.1f} ms | {result['p95_ms']:.1f} ms | {result['queries']} | {met} |"
        )
    lines.append(END_MARK)
    section = "\n".join(lines)
    text = REPORT.read_text() if REPORT.exists() else "# Benchmarks\n"
    if START_MARK in text:
        before, rest = text.split(START_MARK, 1)
        after = rest.split(END_MARK, 1)[1]
        text = before + section + after
    else:
        text = text.rstrip() + "\n\n" + section + "\n"
    REPORT.write_text(text)
    print(f"written to {REPORT.relative_to(ROOT)}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
