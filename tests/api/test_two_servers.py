"""Two app servers on one PostgreSQL and one Redis answer as one (issue 32; the services pass only).

Each server is a real gunicorn with two workers on the test database, DEBUG=False. What one
server or worker has seen never makes another answer older figures, and the anonymous limit
counts a client once across both servers.
"""

import json
import os
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from funding.figures import engine
from tests.factories import DecisionFactory, release_reviewed_decision

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 30


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _get(url: str, token: str | None = None) -> tuple[int, bytes]:
    headers = {"Authorization": f"Token {token}"} if token else {}
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 (loopback test server)
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:  # noqa: S310 (loopback test server)
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, error.read()


@pytest.fixture(scope="module")
def two_servers(services_required, django_db_setup, django_db_blocker, tmp_path_factory):
    from django.conf import settings

    db = connection.settings_dict
    env = {
        **os.environ,
        "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:"
        f"{db['PORT'] or 5432}/{db['NAME']}",
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "modellregionen.settings",
        "DEBUG": "False",
        "SECRET_KEY": "two-servers-test-only-secret-key-0123456789-abcdefghijklmnop",
        "SECURE_SSL_REDIRECT": "False",
        "ALLOWED_HOSTS": "127.0.0.1",
        "API_ANON_RATE": f"{LIMIT}/minute",
        # Every answer from the database: no shared rendered answer hides a worker's own view.
        "FIGURES_ANSWER_CACHE_SECONDS": "0",
    }
    logs = tmp_path_factory.mktemp("servers")
    servers, addresses = [], []
    for number in range(2):
        port = _free_port()
        log = open(logs / f"server-{number}.log", "w")  # noqa: SIM115 (closed with the process)
        servers.append(
            (
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "gunicorn",
                        "modellregionen.wsgi:application",
                        "--workers",
                        "2",
                        "--bind",
                        f"127.0.0.1:{port}",
                    ],  # fmt: skip
                    cwd=ROOT,
                    env=env,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                ),
                log,
            )
        )
        addresses.append(f"http://127.0.0.1:{port}")
    try:
        for (process, _log), address in zip(servers, addresses, strict=True):
            deadline = time.monotonic() + 60
            while True:
                if process.poll() is not None:
                    pytest.fail("a server exited:\n" + "\n".join(p.read_text() for p in logs.iterdir()))
                try:
                    _get(f"{address}/healthz")  # any answer: the server is up
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        pytest.fail("a server did not answer within 60 s")
                    time.sleep(0.3)
        yield addresses
    finally:
        for process, log in servers:
            process.terminate()
            process.wait(timeout=30)
            log.close()
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def published_figures(approver, monkeypatch):
    from django.core.cache import cache

    cache.clear()  # the rate-limit counts of earlier tests
    monkeypatch.setattr("funding.figures.scheduling.schedule_figures_recompute", lambda: None)
    release_reviewed_decision(decision=DecisionFactory(), user=approver)
    engine.publish_figures(full=True)


@pytest.mark.django_db(transaction=True)
def test_the_anonymous_limit_counts_a_client_once_across_both_servers(two_servers, published_figures):
    statuses = [_get(f"{two_servers[n % 2]}/api/v1/figures/")[0] for n in range(LIMIT + 10)]

    assert statuses.count(200) == LIMIT
    assert statuses[LIMIT:] == [429] * 10


@pytest.mark.django_db(transaction=True)
def test_no_server_answers_an_older_version_after_a_newer_one(two_servers, published_figures, approver):
    from rest_framework.authtoken.models import Token

    # Staff are not limited: the limit is not under test here.
    token = Token.objects.create(user=approver).key
    seen: dict[str, list[int]] = {address: [] for address in two_servers}
    stop = threading.Event()

    def poll(address):
        while not stop.is_set():
            status, body = _get(f"{address}/api/v1/figures/?group_by=region", token)
            assert status == 200, body
            seen[address].append(json.loads(body)["version"]["id"])

    pollers = [threading.Thread(target=poll, args=(address,)) for address in two_servers]
    for poller in pollers:
        poller.start()
    published = []
    try:
        for _round in range(4):
            release_reviewed_decision(decision=DecisionFactory(), user=approver)
            published += [item.version.pk for item in engine.publish_figures(full=False)]
            # Right after publication every server, whichever worker answers, has the new version.
            for address in two_servers:
                for _worker in range(4):
                    status, body = _get(f"{address}/api/v1/figures/?group_by=region", token)
                    assert status == 200 and json.loads(body)["version"]["id"] == published[-1]
            time.sleep(0.3)
    finally:
        stop.set()
        for poller in pollers:
            poller.join(timeout=30)

    assert len(published) == 4
    for address, versions in seen.items():
        assert versions, address
        assert versions == sorted(versions), f"{address} went back to an older version: {versions}"
