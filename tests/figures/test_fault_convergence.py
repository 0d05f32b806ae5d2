"""Faults on purpose, with a private Redis, a real worker and a real beat (the services pass).

The figures must include every committed change within the bound after the services are back,
without anyone acting: Redis down at commit time, the worker killed with `kill -9`.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from unittest import mock

import pytest
from django.db import connection
from django.utils import timezone

from funding.figures import engine, tasks
from funding.figures.freshness import figures_freshness
from projects.models import TransferRequest
from tests.factories import MunicipalityFactory, ProjectFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

ROOT = Path(__file__).resolve().parents[2]
CHECK_SECONDS = 5  # beat's freshness check in this test (60 in production; 5 is the least allowed)
BOUND_SECONDS = 60  # well inside the two minutes


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Stack:
    """A private Redis, worker and beat on the test database."""

    def __init__(self, tmp_path: Path):
        self.port = free_port()
        self.tmp = tmp_path
        db = connection.settings_dict
        self.env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}",
            "REDIS_URL": f"redis://127.0.0.1:{self.port}/0",
            "DJANGO_SETTINGS_MODULE": "modellregionen.settings",
            "FIGURES_FRESHNESS_CHECK_SECONDS": str(CHECK_SECONDS),
        }
        self.worker = self.beat = None

    def start_redis(self):
        subprocess.run(  # noqa: S603
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--daemonize",
                "yes",
                "--dir",
                str(self.tmp),
                "--logfile",
                str(self.tmp / "redis.log"),
            ],
            check=True,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if (
                subprocess.run(
                    ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True
                ).stdout.strip()
                == "PONG"
            ):  # noqa: S603, S607
                return
            time.sleep(0.1)
        pytest.fail("the private Redis did not start")

    def stop_redis(self):
        subprocess.run(["redis-cli", "-p", str(self.port), "shutdown", "nosave"], capture_output=True)  # noqa: S603, S607

    def _celery(self, *args: str, log: str) -> subprocess.Popen:
        return subprocess.Popen(  # noqa: S603
            [sys.executable, "-m", "celery", "-A", "modellregionen", *args],
            cwd=ROOT,
            env=self.env,
            stdout=open(self.tmp / log, "a"),  # noqa: SIM115 - closed with the process
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group, killed as a whole
        )

    def start_worker(self):
        self.worker = self._celery(
            "worker", "--pool=prefork", "-c", "1", "--loglevel=INFO", "-n", f"fault{self.port}@%h", log="worker.log"
        )

    def kill_worker(self):
        os.killpg(self.worker.pid, signal.SIGKILL)
        self.worker.wait()

    def start_beat(self):
        self.beat = self._celery(
            "beat", "--loglevel=INFO", "--schedule", str(self.tmp / "beat-schedule"), log="beat.log"
        )

    def stop(self):
        for process in (self.worker, self.beat):
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        self.stop_redis()
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in self.tmp.glob("*.log"))


def seconds_until_current(stack: Stack, *, timeout: float = BOUND_SECONDS) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if figures_freshness().is_current:
            return time.monotonic() - started
        time.sleep(0.25)
    pytest.fail(f"the figures did not catch up within {timeout} s\n{stack.logs()}")


def commit_a_change_while_the_broker_is_down(project, municipality):
    """As when Redis is down at commit time: the write succeeds, queuing its recompute fails."""
    with mock.patch.object(tasks.recompute_figures, "apply_async", side_effect=ConnectionError("Redis down")):
        TransferRequest.objects.create(
            confirmed_at=timezone.now(),  # recorded by staff or the programme data: counted
            project=project,
            municipality=municipality,
            received_on="2021-03-04",
            contact_name="R",
            contact_email="r@x.example",
        )
    assert not figures_freshness().is_current


@pytest.fixture
def stack(services_required, tmp_path):
    stack = Stack(tmp_path)
    stack.start_redis()
    yield stack
    stack.stop()


def test_the_figures_converge_after_redis_was_down_and_after_the_worker_was_killed(stack):
    project, municipality = ProjectFactory(), MunicipalityFactory()
    engine.recompute_figures()
    stack.start_worker()
    stack.start_beat()
    assert figures_freshness().is_current

    # 1. Redis down while a change commits; Redis back: beat and worker catch up on their own.
    stack.stop_redis()
    commit_a_change_while_the_broker_is_down(project, municipality)
    time.sleep(2)
    stack.start_redis()
    after_redis = seconds_until_current(stack)

    # 2. The worker killed (whole process group, kill -9); a change commits; a new worker starts.
    stack.kill_worker()
    commit_a_change_while_the_broker_is_down(project, municipality)
    stack.start_worker()
    after_worker = seconds_until_current(stack)

    print(f"converged {after_redis:.1f} s after Redis came back, {after_worker:.1f} s after the worker restarted")
    assert after_redis < BOUND_SECONDS and after_worker < BOUND_SECONDS
