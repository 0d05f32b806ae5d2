"""Benchmark of issue 28's read path: through the repo's nginx, cold reads and pages, in one run.

    DATABASE_URL=postgres://…/mr_bench REDIS_URL=redis://…/3 python -m bench.read_path [--size 10000]

One gunicorn (2 sync workers, DEBUG=False, bench.wsgi) on a synthetic ledger, the repo's nginx
configuration (deploy/nginx, rendered by render.py) in front of it, wrk on loopback. Measured
side by side, each against the others of the same run:

- hot reads through the proxy (64 connections): the figures API and the dashboard, next to
  nginx serving the same bytes as a static file (goal ≥ 0.8×);
- cold figures reads straight to gunicorn (64 connections): a random `as_of` over the
  programme's days × every grouping, the shared answer cache off, while a decision is
  released and published every 2 s (goal ≥ 0.30× the no-middleware floor, p99 < 50 ms);
- cold pages straight to gunicorn (16 connections): the dashboard with a random `as_of`, a
  region, a project, a municipality page and a catalogue search, each at random (goal ≥ 0.10×
  the floor, p99 < 100 ms).

The table goes into docs/benchmarks.md (between the read-path marks).
"""

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

from bench.api_throughput import (
    FLOOR_PATH,
    _free_port,
    _missing_requirements,
    _setup_django,
    _to_ms,
    seed_ledger,
    start_server,
)
from bench.common import ROOT, bench_database_url, ensure_database, replace_section

START, END = "<!-- read-path-benchmark:start -->", "<!-- read-path-benchmark:end -->"
GROUPINGS = ("", "region", "strand", "topic", "year", "authority")
GOALS = {"hot": 0.80, "cold": 0.30, "cold_p99": 50.0, "pages": 0.10, "pages_p99": 100.0}


def wrk(url: str, *, connections: int, seconds: int, paths: list[str] | None = None) -> tuple[float, float, int]:
    """(requests per second, p99 in ms, non-2xx answers); with `paths`, each request takes one at random."""
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency"]
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
        if paths:
            listed = ",\n".join(f'"{path}"' for path in paths)
            script.write(
                f"paths = {{\n{listed}\n}}\nmath.randomseed(os.time())\n"
                "request = function() return wrk.format('GET', paths[math.random(#paths)]) end\n"
            )
    if paths:
        command += ["-s", script.name]
    subprocess.run([*command[:3], "-d2s", url], check=True, capture_output=True)  # warm-up
    output = subprocess.run([*command, url], check=True, capture_output=True, text=True).stdout
    os.unlink(script.name)
    import re

    rps = float(re.search(r"Requests/sec:\s+([0-9.]+)", output).group(1))
    p99 = _to_ms(re.search(r"^\s+99%\s+(\S+)", output, re.MULTILINE).group(1))
    errors = re.search(r"Non-2xx or 3xx responses:\s+([0-9]+)", output)
    return rps, p99, int(errors.group(1)) if errors else 0


def start_proxy(directory: Path, app_ports: list[int], static: Path) -> tuple[int, subprocess.Popen]:
    """The repo's nginx configuration on a free port in front of the app servers on `app_ports`."""
    port = _free_port()
    apps = [argument for app_port in app_ports for argument in ("--app", f"127.0.0.1:{app_port}")]
    config = subprocess.run(
        [sys.executable, str(ROOT / "deploy/nginx/render.py"), "--out", str(directory), "--listen", f"127.0.0.1:{port}"]
        + [*apps, "--static", str(static)]
        # The flood guard would refuse a load tool on loopback: measured without it.
        + ["--set=ANON_RATE=1000000r/s", "--set=ANON_BURST=1000000"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    run_as = "user root;" if os.getuid() == 0 else ""
    proxy = subprocess.Popen(["nginx", "-p", str(directory), "-c", config, "-g", f"daemon off; {run_as}"])
    time.sleep(1)
    return port, proxy


def fetch(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as answer:  # noqa: S310 - loopback
        return answer.read()


def release_every_two_seconds(stop: threading.Event, rng: random.Random) -> int:
    """Release a decision and publish its increment every 2 s, as staff and the worker would."""
    from bench.increments import _release_amendment
    from funding.figures import engine

    released = 0
    while not stop.wait(2):
        _release_amendment(rng)
        engine.publish_figures(full=False)
        released += 1
    return released


def page_paths(rng: random.Random, days: list[dt.date]) -> list[str]:
    from funding.models import Programme
    from projects.models import Project
    from regions.models import Municipality, Region

    programme = Programme.objects.get()
    regions = list(Region.objects.values_list("slug", flat=True))
    projects = list(Project.objects.filter(programme=programme).values_list("slug", flat=True)[:2000])
    municipalities = list(Municipality.objects.values_list("ags", flat=True)[:500])
    words = ["Portal", "Daten", "Mobil", "Schule", "Verwaltung", "Bürger", "Park", "App"]
    paths = []
    for _ in range(3000):
        kind = rng.randrange(5)
        if kind == 0:
            paths.append(f"/?as_of={rng.choice(days).isoformat()}")
        elif kind == 1 and regions:
            paths.append(f"/regionen/{rng.choice(regions)}/")
        elif kind == 2 and projects:
            paths.append(f"/loesungen/{rng.choice(projects)}/")
        elif kind == 3 and municipalities:
            paths.append(f"/kommunen/{rng.choice(municipalities)}/")
        else:
            paths.append(f"/loesungen/?q={quote(rng.choice(words))}")
    return paths


def measure(size: int, seconds: int) -> list[tuple]:
    from bench.ledger import FIRST_DAY, LAST_DAY

    seed_ledger(size)
    rng = random.Random(28)  # noqa: S311 (test data)
    days = [FIRST_DAY + dt.timedelta(days=n) for n in range((LAST_DAY - FIRST_DAY).days + 1)]
    os.environ["FIGURES_ANSWER_CACHE_SECONDS"] = "0"  # cold: no shared answer either
    # The server runs with DEBUG=False, which serves the collected, hashed static files.
    subprocess.run(
        [sys.executable, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"],
        cwd=ROOT,
        check=True,
        env={**os.environ, "DEBUG": "False", "SECRET_KEY": "benchmark-only-secret-key-not-for-production-use"},
    )
    app_port = _free_port()
    server = start_server(app_port)
    work = Path(tempfile.mkdtemp(prefix="mr-read-path-"))
    static = work / "static"
    static.mkdir()
    proxy_port, proxy = start_proxy(work / "nginx", [app_port], static)
    app, via_proxy = f"http://127.0.0.1:{app_port}", f"http://127.0.0.1:{proxy_port}"
    rows = []
    try:
        floor = wrk(app + FLOOR_PATH, connections=64, seconds=seconds)
        rows.append(("floor: no-middleware Django view, straight to gunicorn, 64 connections", floor, None, ""))
        for name, path in (("figures API `/api/v1/figures/?group_by=region`", "/api/v1/figures/?group_by=region"),
                           ("dashboard `/`", "/")):  # fmt: skip
            (static / "same.bytes").write_bytes(fetch(via_proxy + path))
            file = wrk(f"{via_proxy}/static/same.bytes", connections=64, seconds=seconds)
            hot = wrk(via_proxy + path, connections=64, seconds=seconds)
            rows.append((f"nginx serving the {name} bytes as a static file, 64 connections", file, None, ""))
            rows.append(
                (f"{name} through the proxy (hot), 64 connections", hot, file, f"≥ {GOALS['hot']:.2f}× the file")
            )
        cold_paths = [
            "/api/v1/figures/?as_of=" + rng.choice(days).isoformat() + (f"&group_by={g}" if g else "")
            for g in GROUPINGS
            for _ in range(800)
        ]
        stop = threading.Event()
        releaser = threading.Thread(target=release_every_two_seconds, args=(stop, random.Random(29)))  # noqa: S311
        releaser.start()
        try:
            cold = wrk(app, connections=64, seconds=seconds, paths=cold_paths)
        finally:
            stop.set()
            releaser.join()
        goal = f"≥ {GOALS['cold']:.2f}× floor, p99 < {GOALS['cold_p99']:.0f} ms"
        rows.append(("cold figures: random as_of × grouping, a release every 2 s, 64 connections", cold, floor, goal))
        pages = wrk(app, connections=16, seconds=seconds, paths=page_paths(rng, days))
        goal = f"≥ {GOALS['pages']:.2f}× floor, p99 < {GOALS['pages_p99']:.0f} ms"
        rows.append(("cold pages: dashboard as of a random day, region, project, municipality, search; 16 connections",
                     pages, floor, goal))  # fmt: skip
    finally:
        proxy.terminate()
        server.terminate()
        proxy.wait(timeout=30)
        server.wait(timeout=30)
    return rows


def render(size: int, seconds: int, rows: list[tuple]) -> str:
    lines = [
        START,
        f"## Read path (issue 28), {size:,} decisions ({dt.date.today().isoformat()})",
        "",
        f"`python -m bench.read_path`: one gunicorn (2 sync workers, DEBUG=False), the repo's nginx configuration "
        f"in front of it, wrk for {seconds} s per row after a 2 s warm-up, all on {os.cpu_count()} shared cores. "
        "Ratios are to the row named in *against*, measured in the same run.",
        "",
        "| request | req/s | p99 | against | ratio | goal | errors |",
        "|---|---:|---:|---|---:|---|---:|",
    ]
    for name, (rps, p99, errors), against, goal in rows:
        ratio = f"{rps / against[0]:.2f}×" if against else ""
        base = "the file" if against and "file" in goal else ("the floor" if against else "")
        lines.append(f"| {name} | {rps:,.0f} | {p99:.1f} ms | {base} | {ratio} | {goal} | {errors} |")
    lines.append(END)
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10_000)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    missing = _missing_requirements()
    if missing:
        print("Read-path benchmark skipped; it needs " + "; ".join(missing) + ".")
        return 0
    url, name = bench_database_url()
    ensure_database(url, name)
    os.environ["DATABASE_URL"] = url
    _setup_django()
    rows = measure(args.size, args.seconds)
    section = render(args.size, args.seconds, rows)
    replace_section(section, start=START, end=END)
    print(section)
    return 0


if __name__ == "__main__":
    sys.exit(main())
