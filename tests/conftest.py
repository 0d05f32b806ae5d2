"""Personas and shared fixtures.

The personas follow healthchecks' alice/bob: a ministry clerk who drafts, a ministry
approver who releases, a project-office member of one region, and an anonymous journalist.
"""

import io
import os
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from modellregionen import roles
from tests.factories import RegionFactory, UserFactory

REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") in {"True", "true", "1"}


def _is_transactional(request) -> bool:
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        return True
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0])))


def _uses_db(request) -> bool:
    return "db" in request.fixturenames or request.node.get_closest_marker("django_db") is not None


def _item_uses_db(item) -> bool:
    return bool({"db", "transactional_db", "live_server"} & set(item.fixturenames)) or bool(
        item.get_closest_marker("django_db")
    )


def _item_is_transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(item.fixturenames)) or bool(
        marker and (marker.kwargs.get("transaction") or (marker.args and marker.args[0]))
    )


@pytest.fixture(scope="module")
def _programme_data_of_the_module(request, django_db_setup, django_db_blocker):
    """The programme data loaded and computed once per test module, in a transaction rolled back after it.

    Loading takes 10 to 40 seconds; the tests that use it only read it or write inside their own
    savepoint (the `db` fixture), which is rolled back after each. The data stays in the
    database until the module ends, so every test of such a module that uses the database must ask for it: a
    test that expects an empty database would find the programme there.
    """
    from funding.figures.engine import recompute_figures

    module_tests = [item for item in request.session.items if item.path == request.node.path]
    without = [
        item.name
        for item in module_tests
        # A transactional test cannot run inside the module's open transaction either.
        if _item_uses_db(item) and ("programme_data" not in item.fixturenames or _item_is_transactional(item))
    ]
    if without:
        pytest.fail(
            f"{request.node.name}: every test of a module that loads the programme data must use it; "
            f"move these to another module: {', '.join(without)}"
        )
    with django_db_blocker.unblock(), transaction.atomic():
        roles.ensure_role_groups()  # gone if a transactional test of this process ran before
        call_command("load_programme_data", stdout=io.StringIO(), stderr=io.StringIO())
        recompute_figures()
        yield
        transaction.set_rollback(True)


@pytest.fixture
def programme_data(_programme_data_of_the_module, db):
    """The programme data of fixtures/ with its figures computed, as `make run` has it (see above)."""


@pytest.fixture(autouse=True)
def _no_login_failures_from_an_earlier_test():
    _forget_login_failures()
    yield


@pytest.fixture(autouse=True)
def _the_site_language():
    """Every test starts in German, whatever language an earlier test of its process left active."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


# Every client address a test logs in from: their failed logins count in the (shared) cache for an hour.
TEST_CLIENT_ADDRESSES = ("127.0.0.1", "10.0.0.1", "203.0.113.9", "203.0.113.10", "203.0.113.11", "198.51.100.7")


def _forget_login_failures() -> None:
    from django.core.cache import cache

    cache.delete_many([f"login-failures:{address}" for address in TEST_CLIENT_ADDRESSES])


@pytest.fixture(autouse=True)
def _transactional_tests_start_like_a_migrated_database(request):
    """Give transactional tests what the migrations put into a fresh database.

    Django empties every table after a transactional test (TRUNCATE on PostgreSQL, DELETE
    on SQLite), so the role groups of the data migrations are gone for the next one; and
    on SQLite the immutability triggers would refuse to DELETE released decisions and entries. So the
    roles are put back before each such test (and before any test that finds them gone: under
    pytest -n a process runs transactional tests between others), and the SQLite trigger is
    lifted only for the flush after it and put back before every test.
    """
    transactional = _is_transactional(request)
    if not (transactional or _uses_db(request)):
        yield
        return
    request.getfixturevalue("transactional_db" if transactional else "db")
    from funding.db_guards import sqlite_guard_statements, sqlite_unguard_statements

    # Under pytest -n, a test may follow a transactional test of its own process, whose flush
    # emptied what the migrations put in; one query tells.
    if transactional or not _role_groups_exist():
        roles.ensure_role_groups()
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in sqlite_guard_statements():
                cursor.execute(statement)
    yield
    if transactional and connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            for statement in sqlite_unguard_statements():
                cursor.execute(statement)


def _role_groups_exist() -> bool:
    from django.contrib.auth.models import Group

    return Group.objects.filter(name=roles.ADMINISTRATION).exists()


@pytest.fixture
def clerk(db):
    """Sachbearbeitung im Ministerium: drafts decisions."""
    return UserFactory(username="clara", first_name="Clara", roles=[roles.CLERK])


@pytest.fixture
def approver(db):
    """Freigabe im Ministerium: releases what someone else drafted."""
    return UserFactory(username="anton", first_name="Anton", roles=[roles.APPROVER])


@pytest.fixture
def region_soest(db):
    return RegionFactory(slug="soest", name="Soest", administrative_district="9")


@pytest.fixture
def office_soest(db, region_soest):
    """Projektbüro Soest: handles Soest's projects and requests only."""
    from regions.models import StaffProfile

    user = UserFactory(username="sophie", first_name="Sophie", roles=[roles.PROJECT_OFFICE])
    StaffProfile.objects.create(user=user, region=region_soest)
    return user


@pytest.fixture
def journalist(client):
    """Anonymous reader of the public pages and API."""
    return client


def _redis_reachable(url: str) -> bool:
    import redis

    try:
        return bool(redis.Redis.from_url(url, socket_connect_timeout=2).ping())
    except redis.exceptions.RedisError:
        return False


@pytest.fixture(scope="session")
def services_required():
    """Skip on the embedded default; with REDIS_URL set, an unreachable service fails."""
    from django.conf import settings

    if not settings.REDIS_URL:
        if REQUIRE_SERVICES:
            pytest.fail("REQUIRE_SERVICES is set but REDIS_URL is not")
        pytest.skip("needs REDIS_URL and DATABASE_URL (the services pass of .ci/run)")
    if connection.vendor != "postgresql":
        pytest.fail("the services pass needs DATABASE_URL pointing at PostgreSQL")
    if not _redis_reachable(settings.REDIS_URL):
        pytest.fail(f"Redis at {settings.REDIS_URL} is not reachable")


@pytest.fixture(scope="session")
def celery_worker_process(services_required, django_db_setup, django_db_blocker, tmp_path_factory):
    """A real `celery worker` process on the test database, consuming from Redis."""
    import subprocess
    import sys
    import time

    from django.conf import settings

    from modellregionen.celery import app

    db = connection.settings_dict
    test_db_url = (
        f"postgres://{db['USER']}:{db['PASSWORD'] or ''}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    )
    log_file = tmp_path_factory.mktemp("celery") / "worker.log"
    env = {
        **os.environ,
        "DATABASE_URL": test_db_url,
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "modellregionen.settings",
    }
    app.control.purge()
    with open(log_file, "w") as log:
        worker = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "modellregionen",
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "-n",
                "pytest@%h",
            ],
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if worker.poll() is not None:
                pytest.fail(f"the Celery worker exited early:\n{log_file.read_text()}")
            if app.control.ping(timeout=1):
                break
        else:
            pytest.fail(f"the Celery worker did not answer within 60 s:\n{log_file.read_text()}")
        yield worker
    finally:
        worker.terminate()
        try:
            worker.wait(timeout=20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
        # A killed worker's database session can outlive it for a moment and would keep
        # the test database from being dropped.
        with django_db_blocker.unblock(), connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )


@pytest.fixture
def real_broker(celery_worker_process):
    """Send tasks to the real worker instead of running them in-process."""
    from modellregionen.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    yield app
    app.conf.task_always_eager = previous


# --- Browser tests: headless Debian Chromium driven by Playwright; never a downloaded browser.
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
OUTPUT = Path(__file__).resolve().parents[1] / "test-output"


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: install Debian's chromium (apt-get install chromium), as .ci/run does")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop in this thread while the browser lives; the
    # ORM calls of the tests and of the database teardown are still synchronous, so Django's
    # async guard would be a false alarm.
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    try:
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            yield chromium
            chromium.close()
    finally:
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="de-DE", viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def output_dir() -> Path:
    OUTPUT.mkdir(exist_ok=True)
    return OUTPUT
