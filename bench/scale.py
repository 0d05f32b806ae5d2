"""Scale-out trial (issue 32): the README's "Scaling out" as an operator runs it, with faults on purpose.

    DATABASE_URL=postgres://…/mr python -m bench.scale [--seconds 20]      (or: make scale)

On a database of its own (`<name>_scale_bench`, emptied) with the programme data: two gunicorn
servers (2 workers each, DEBUG=False), three Celery workers and one beat, a Redis of its own on a
free port (so that it can be restarted without touching anyone else's), each process under a
supervisor that starts it again when it exits, as systemd's Restart=always or compose's
restart: would. Then, at once:

- writers on one project through the repo's nginx in front of both servers: four clerks drafting
  amendments and four approvers releasing them (GET the digest, POST the release);
- readers polling the figures of each server (with a staff token, which passes the proxy's cache)
  and, anonymously, the proxy's, recording every version each answers;
- halfway, Redis is stopped for 5 s and started again; later one worker is killed (SIGKILL) and a
  second beat is started, the usual mistake of a scaled beat service.

Afterwards it waits until the published figures include every committed change, and compares
them with the ledger (funding.figures.verify). The table goes into docs/benchmarks.md.
"""

import argparse
import datetime as dt
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench.api_throughput import _free_port
from bench.common import ROOT, replace_section
from bench.read_path import start_proxy

START, END = "<!-- scale-benchmark:start -->", "<!-- scale-benchmark:end -->"


class Supervised:
    """A child process started again whenever it exits, until stop(); counts its exits."""

    def __init__(self, name: str, command: list[str], env: dict, log_dir: Path):
        self.name, self.command, self.env = name, command, env
        self.log = open(log_dir / f"{name}.log", "a")  # noqa: SIM115 (closed in stop)
        self.exits: list[int] = []
        self._stopping = threading.Event()
        self.process = self._start()
        self._watcher = threading.Thread(target=self._watch, daemon=True)
        self._watcher.start()

    def _start(self) -> subprocess.Popen:
        return subprocess.Popen(self.command, cwd=ROOT, env=self.env, stdout=self.log, stderr=subprocess.STDOUT)

    def _watch(self) -> None:
        while not self._stopping.is_set():
            code = self.process.wait()
            if self._stopping.is_set():
                return
            self.exits.append(code)
            time.sleep(2)  # RestartSec=2
            self.process = self._start()

    def kill(self) -> None:
        self.process.send_signal(signal.SIGKILL)

    def stop(self) -> None:
        self._stopping.set()
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


def _request(url: str, *, token: str | None, data: dict | None = None) -> tuple[int, dict]:
    body = json.dumps(data).encode() if data is not None else None
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Token {token}"
    request = urllib.request.Request(url, data=body, headers=headers, method="POST" if data is not None else "GET")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            return answer.status, json.loads(answer.read() or b"{}")
    except urllib.error.HTTPError as error:
        try:
            return error.code, json.loads(error.read() or b"{}")
        except ValueError:
            return error.code, {}
    except OSError:
        return 0, {}


def _read_figures(url: str, token: str | None) -> tuple[int, dict, str]:
    """A figures answer with the proxy's cache status (X-Cache-Status; empty straight from a server)."""
    headers = {"Accept": "application/json", **({"Authorization": f"Token {token}"} if token else {})}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback)
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 (loopback)
            return answer.status, json.loads(answer.read()), answer.headers.get("X-Cache-Status", "")
    except urllib.error.HTTPError as error:
        return error.code, {}, error.headers.get("X-Cache-Status", "")
    except OSError:
        return 0, {}, ""


def _prepare_database(url: str) -> None:
    import psycopg

    name = urlsplit(url).path.lstrip("/")
    server = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            [name],
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    manage = [sys.executable, "manage.py"]
    env = {**os.environ, "DATABASE_URL": url, "REDIS_URL": ""}
    for command in (["migrate", "--noinput", "-v", "0"], ["load_programme_data"], ["recompute_figures"]):
        subprocess.run([*manage, *command], cwd=ROOT, env=env, check=True, capture_output=True)


def _staff_and_project() -> dict:
    """Four clerks and four approvers with API tokens, and a project with a released grant."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from funding.models import DecisionKind, FundingDecision
    from modellregionen import roles

    roles.ensure_role_groups()
    users = get_user_model()
    tokens = {"clerks": [], "approvers": []}
    for kind, role in (("clerks", roles.CLERK), ("approvers", roles.APPROVER)):
        for number in range(4):
            user, _created = users.objects.get_or_create(username=f"scale-{kind}-{number}")
            user.groups.add(Group.objects.get(name=role))
            tokens[kind].append(Token.objects.get_or_create(user=user)[0].key)
    grant = (
        FundingDecision.objects.released()
        .filter(kind=DecisionKind.INITIAL)
        .select_related("project", "recipient", "authority")
        .order_by("id")
        .first()
    )
    tokens["grant"] = grant
    return tokens


def _amendment(grant, reference: str) -> dict:
    return {
        "reference": reference,
        "project": grant.project.slug,
        "recipient": grant.recipient.municipality_id or grant.recipient.name,
        "authority": grant.authority.slug,
        "kind": "amendment",
        "amends": grant.reference,
        "decision_date": (grant.decision_date + dt.timedelta(days=1)).isoformat(),
        "financing_type": grant.financing_type,
        # Well under any rate cap: one euro of grant on two of eligible costs.
        "eligible_costs": "2.00",
        "amount": "1.00",
        "own_share": "1.00",
        "private_investment": "0.00",
        "period_start": grant.period_start.isoformat(),
        "period_end": grant.period_end.isoformat(),
        "source": grant.source or "Skalierungstest",
    }


def measure(seconds: int) -> dict:
    from django.conf import settings as django_settings  # noqa: F401 (Django is set up by main)

    from funding.figures.freshness import figures_freshness
    from funding.figures.verify import figures_verify

    staff = _staff_and_project()
    grant = staff["grant"]
    log_dir = Path(os.environ.get("SCALE_LOG_DIR") or ROOT / "var" / "scale")
    log_dir.mkdir(parents=True, exist_ok=True)
    redis_port = _free_port()
    redis_command = ["redis-server", "--port", str(redis_port), "--save", "", "--appendonly", "no"]
    env = {
        **os.environ,
        "REDIS_URL": f"redis://127.0.0.1:{redis_port}/0",
        "DEBUG": "False",
        "SECRET_KEY": "scale-trial-only-secret-key-0123456789-abcdefghijklmnopqrstuv",
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "FIGURES_FRESHNESS_CHECK_SECONDS": "5",
        # The anonymous readers are the trial's load, not a flood: the limits have tests of their own.
        "API_ANON_RATE": "1000000/minute",
        "TRUSTED_PROXIES": "127.0.0.1",
        "DJANGO_SETTINGS_MODULE": "modellregionen.settings",
    }
    redis = subprocess.Popen(redis_command, stdout=subprocess.DEVNULL)
    time.sleep(0.5)
    ports = [_free_port(), _free_port()]
    celery = [sys.executable, "-m", "celery", "-A", "modellregionen"]
    processes = [
        Supervised(
            f"web-{n}",
            [
                sys.executable,
                "-m",
                "gunicorn",
                "modellregionen.wsgi:application",
                "--workers",
                "2",
                "--bind",
                f"127.0.0.1:{port}",
            ],
            env,
            log_dir,
        )  # fmt: skip
        for n, port in enumerate(ports)
    ]
    workers = [
        Supervised(
            f"worker-{n}", [*celery, "worker", "--concurrency=1", "-n", f"scale{n}@%h", "--loglevel=INFO"], env, log_dir
        )  # fmt: skip
        for n in range(3)
    ]
    beat = Supervised("beat", [*celery, "beat", "--loglevel=INFO", "--schedule", str(log_dir / "beat-schedule")],
                      env, log_dir)  # fmt: skip
    servers = [f"http://127.0.0.1:{port}" for port in ports]
    for server in servers:
        deadline = time.monotonic() + 60
        while _request(f"{server}/healthz", token=staff["clerks"][0])[0] != 200:
            if time.monotonic() > deadline:
                raise RuntimeError(f"{server} did not answer within 60 s (logs in {log_dir})")
            time.sleep(0.5)
    static = log_dir / "static"
    static.mkdir(exist_ok=True)
    # A cache of its own: an entry kept by an earlier trial (another database) is no answer of this one.
    shutil.rmtree(log_dir / "nginx", ignore_errors=True)
    proxy_port, proxy = start_proxy(log_dir / "nginx", ports, static)
    proxy_url = f"http://127.0.0.1:{proxy_port}"

    writes: Counter = Counter()
    write_errors: list[str] = []
    reads: Counter = Counter()
    # Per reader (each polls one address, one request after the other): the versions it was answered.
    versions: dict[str, list[int]] = {}
    # (when a release was answered) and (when the proxy answered, the computation time of its version)
    released_at: list[dt.datetime] = []
    proxy_answers: list[tuple[dt.datetime, dt.datetime]] = []
    largest_lag = [0.0]
    # Per reader: (sent, answered, version, cache status), to show what led to a step back.
    answers: dict[str, list[tuple]] = {f"server {n}": [] for n in range(2)} | {f"proxy {n}": [] for n in range(2)}
    drafts: queue.Queue = queue.Queue()
    stop = threading.Event()

    def clerk(number: int):
        count = 0
        while not stop.is_set():
            count += 1
            reference = f"AZ-SCALE-{number}-{count}"
            status, body = _request(f"{proxy_url}/api/v1/decisions/", token=staff["clerks"][number],
                                    data=_amendment(grant, reference))  # fmt: skip
            writes[f"draft {status}"] += 1
            if status == 201:
                drafts.put(reference)
            elif status >= 500 or status == 0:
                write_errors.append(f"draft {status}: {body}")

    def approver(number: int):
        while not stop.is_set():
            try:
                reference = drafts.get(timeout=0.5)
            except queue.Empty:
                continue
            url = f"{proxy_url}/api/v1/decisions/{reference}/release/"
            status, body = _request(url, token=staff["approvers"][number])
            if status == 200:
                status, body = _request(url, token=staff["approvers"][number], data={"reviewed": body["reviewed"]})
                if status == 200:
                    released_at.append(dt.datetime.now(dt.UTC))
            writes[f"release {status}"] += 1
            if status >= 500 or status == 0:
                write_errors.append(f"release {status}: {body}")

    def reader(server: str, token: str | None, name: str):
        seen = versions[name] = []
        while not stop.is_set():
            sent = time.monotonic()
            status, body, cache_status = _read_figures(f"{server}/api/v1/figures/?group_by=region", token)
            reads[status] += 1
            if status == 200:
                seen.append(body["version"]["id"])
                answers[name].append((round(sent - started, 3), round(time.monotonic() - started, 3),
                                      body["version"]["id"], cache_status))  # fmt: skip
                if server == proxy_url:
                    computed_at = dt.datetime.fromisoformat(body["version"]["computed_at"])
                    proxy_answers.append((dt.datetime.now(dt.UTC), computed_at))

    def lag_monitor():
        while not stop.wait(0.5):
            _status, body = _request(f"{servers[0]}/healthz", token=None)
            largest_lag[0] = max(largest_lag[0], (body.get("figures") or {}).get("lag_seconds") or 0.0)

    threads = [threading.Thread(target=clerk, args=(n,)) for n in range(4)]
    threads += [threading.Thread(target=approver, args=(n,)) for n in range(4)]
    # Each server straight (a staff token passes the proxy's cache), and anonymous readers through the proxy.
    threads += [
        threading.Thread(target=reader, args=(server, staff["approvers"][0], f"server {number}"))
        for number, server in enumerate(servers)
    ]
    threads += [threading.Thread(target=reader, args=(proxy_url, None, f"proxy {n}")) for n in range(2)]
    threads += [threading.Thread(target=lag_monitor)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    time.sleep(seconds / 2)
    redis.terminate()
    redis.wait()
    time.sleep(5)
    redis = subprocess.Popen(redis_command, stdout=subprocess.DEVNULL)
    time.sleep(seconds / 6)
    workers[0].kill()
    time.sleep(seconds / 6)
    # The usual mistake of a scaled beat service: a second one.
    second_beat = Supervised(
        "beat-2", [*celery, "beat", "--loglevel=INFO", "--schedule", str(log_dir / "beat-2-schedule")], env, log_dir
    )
    time.sleep(seconds / 6)
    stop.set()
    for thread in threads:
        thread.join(timeout=60)
    load_seconds = time.monotonic() - started

    converge_started = time.monotonic()
    freshness = figures_freshness()
    while not freshness.is_current and time.monotonic() - converge_started < 180:
        time.sleep(1)
        freshness = figures_freshness()
    converged = time.monotonic() - converge_started if freshness.is_current else None
    drifts = figures_verify() if freshness.is_current else None
    everything = [*processes, *workers, beat, second_beat]
    worker_exits = {process.name: list(process.exits) for process in everything if process.exits}
    for process in everything:
        process.stop()
    proxy.terminate()
    redis.terminate()
    from django.db.models import Count

    from funding.figures.models import FiguresVersion

    # Two versions of one programme for the same ledger change count: published twice.
    duplicates = (
        FiguresVersion.objects.values("programme_id", "ledger_change_count")
        .annotate(versions=Count("id"))
        .filter(versions__gt=1)
        .count()
    )
    visible = []
    proxy_answers.sort()
    for moment in released_at:
        seen = next((when for when, computed_at in proxy_answers if when >= moment and computed_at >= moment), None)
        if seen is not None:
            visible.append((seen - moment).total_seconds())
    visible.sort()
    steps_back = [
        answers[name][max(0, index - 3) : index + 2]
        for name in answers
        for index in range(1, len(answers[name]))
        if answers[name][index][2] < answers[name][index - 1][2]
    ]
    regressions = {
        server: sum(1 for before, after in zip(seen, seen[1:], strict=False) if after < before)
        for server, seen in versions.items()
    }
    return {
        "seconds": round(load_seconds, 1),
        "writes": dict(writes),
        "write_errors": write_errors[:5],
        "reads": dict(reads),
        "versions_seen": {server: len(set(seen)) for server, seen in versions.items()},
        "regressions": regressions,
        "steps_back": steps_back[:5],
        "exits": worker_exits,
        "converged_seconds": None if converged is None else round(converged, 1),
        "largest_lag_seconds": largest_lag[0],
        "duplicate_versions": duplicates,
        "releases": len(released_at),
        "visible_through_proxy": {
            "measured": len(visible),
            "median": round(visible[len(visible) // 2], 2) if visible else None,
            "worst": round(visible[-1], 2) if visible else None,
        },
        "drifts": None if drifts is None else len(drifts),
        "log_dir": str(log_dir),
    }


def render(result: dict) -> str:
    writes = result["writes"]
    done = sum(count for name, count in writes.items() if name in ("draft 201", "release 200"))
    failed = sum(count for name, count in writes.items() if name.split()[1].startswith("5") or name.endswith(" 0"))
    conflicts = sum(count for name, count in writes.items() if name.endswith(" 409"))
    visible = result["visible_through_proxy"]
    lines = [
        START,
        f"## Scale-out trial (issue 32), {dt.date.today().isoformat()}",
        "",
        "`make scale` (`bench/scale.py`): two gunicorn servers × 2 workers behind the repo's nginx, three "
        "Celery workers, one beat, a Redis of the trial's own, PostgreSQL, DEBUG=False, the programme data, on "
        f"{os.cpu_count()} shared cores; every process under a supervisor that restarts it. For "
        f"{result['seconds']} s four clerks draft and four approvers release amendments of one project through "
        "the proxy, while readers poll each server's figures and, anonymously, the proxy's; halfway Redis is "
        "stopped for 5 s, later a worker is killed (SIGKILL) and a second beat is started.",
        "",
        "| what | result |",
        "|---|---|",
        f"| writes done (drafts 201, releases 200) | {done:,} |",
        f"| writes answered 409 (another writer won; nothing saved, the answer says so) | {conflicts:,} |",
        f"| writes answered 5xx or not at all | {failed:,} |",
        f"| all write answers | {', '.join(f'{name}: {count}' for name, count in sorted(writes.items()))} |",
        f"| figures reads | {', '.join(f'{status}: {count:,}' for status, count in sorted(result['reads'].items()))} |",
        "| a reader answered an older version after a newer one (each reader polls one server or the proxy) | "
        f"{sum(result['regressions'].values())} |",
        f"| release → visible through the proxy, median / worst (of {visible['measured']} of "
        f"{result['releases']} releases) | {visible['median']} s / {visible['worst']} s |",
        f"| largest lag of the figures during the run (/healthz) | {result['largest_lag_seconds']} s |",
        f"| versions published twice for one change count | {result['duplicate_versions']} |",
        f"| processes that exited (and were restarted) | {result['exits'] or 'none'} |",
        "| figures include every change, after the load stopped | "
        + ("not within 180 s" if result["converged_seconds"] is None else f"after {result['converged_seconds']} s")
        + " |",
        f"| drift between figures and ledger (verify) | {result['drifts']} |",
        END,
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=int, default=120)
    args = parser.parse_args(argv if argv is not None else sys.argv[1:])
    url = os.environ.get("DATABASE_URL", "")
    if urlsplit(url).scheme not in {"postgres", "postgresql"}:
        sys.exit("make scale needs DATABASE_URL pointing at PostgreSQL")
    name = f"{urlsplit(url).path.lstrip('/') or 'modellregionen'}_scale_bench"
    url = urlunsplit(urlsplit(url)._replace(path=f"/{name}"))
    _prepare_database(url)
    os.environ["DATABASE_URL"] = url
    os.environ["REDIS_URL"] = ""  # the harness process itself needs no broker
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "modellregionen.settings")
    import django

    django.setup()
    result = measure(args.seconds)
    print(json.dumps(result, indent=2, default=str))
    section = render(result)
    replace_section(section, start=START, end=END)
    print(section)
    failed = (
        result["drifts"] != 0
        or sum(result["regressions"].values())
        or result["write_errors"]
        or result["duplicate_versions"]
    )
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
