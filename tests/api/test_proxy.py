"""The repo's nginx configuration in front of the application, as a deployment runs it.

Each test renders deploy/nginx with deploy/nginx/render.py, starts Debian's nginx on a free
port in front of a live server and asks through it: what the micro-cache keeps and never
keeps, Vary, how soon a change shows, the body limit and the anonymous rate limit.
"""

import datetime as dt
import os
import pwd
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from decimal import Decimal
from pathlib import Path

import pytest

from funding.figures.engine import recompute_figures
from tests.api.conftest import released
from tests.conftest import REQUIRE_SERVICES

ROOT = Path(__file__).resolve().parents[2]
NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
# Started by root, nginx's workers would run as nobody and could not write the test's cache folder.
RUN_AS = f"user {pwd.getpwuid(os.getuid()).pw_name};" if os.getuid() == 0 else ""


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_proxy(tmp_path: Path, app_address: str, **values) -> tuple[str, subprocess.Popen]:
    if not Path(NGINX).exists():
        if REQUIRE_SERVICES:
            pytest.fail("nginx is missing: install Debian's nginx (apt-get install nginx), as .ci/run does")
        pytest.skip("nginx is not installed")
    port = _free_port()
    command = [
        sys.executable,
        str(ROOT / "deploy/nginx/render.py"),
        "--out",
        str(tmp_path / "nginx"),
        "--listen",
        f"127.0.0.1:{port}",
        "--app",
        app_address,
        "--static",
        str(tmp_path / "static"),
    ] + [f"--set={name}={value}" for name, value in values.items()]
    config = subprocess.run(command, check=True, capture_output=True, text=True).stdout.strip()
    process = subprocess.Popen(
        [NGINX, "-p", str(tmp_path / "nginx"), "-c", config, "-g", f"daemon off; {RUN_AS}"], stderr=subprocess.PIPE
    )
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            if process.poll() is not None:
                pytest.fail(f"nginx did not start: {process.stderr.read().decode()}")
            time.sleep(0.05)
    return f"http://127.0.0.1:{port}", process


@pytest.fixture
def proxy(transactional_db, live_server, tmp_path, settings):
    settings.TRUSTED_PROXIES = frozenset({"127.0.0.1"})
    url, process = start_proxy(tmp_path, live_server.url.removeprefix("http://"))
    yield url
    process.terminate()
    process.wait(timeout=10)


def release_another_decision(ledger) -> None:
    released(
        approver=ledger["mobility_grant"].released_by,
        drafted_by=ledger["mobility_grant"].drafted_by,
        project=ledger["mobility"],
        recipient=ledger["city_of_soest"],
        authority=ledger["authority"],
        decision_date=dt.date(2020, 6, 1),
        amount=Decimal("1000.00"),
        eligible_costs=Decimal("2000.00"),
    )


def get(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)  # noqa: S310 - a local test server
    try:
        with urllib.request.urlopen(request, timeout=30) as answer:  # noqa: S310 - a local test server
            return answer.status, {k.lower(): v for k, v in answer.headers.items()}, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, {k.lower(): v for k, v in error.headers.items()}, error.read()


def test_an_anonymous_read_is_kept_for_a_second_and_a_release_shows_within_two(proxy, published, ledger):
    first = get(f"{proxy}/api/v1/figures/")
    again = get(f"{proxy}/api/v1/figures/")
    assert first[0] == again[0] == 200
    assert (first[1]["x-cache-status"], again[1]["x-cache-status"]) == ("MISS", "HIT")
    assert again[2] == first[2]
    assert "x-accel-expires" not in again[1]  # the application's mark stays between the two

    release_another_decision(ledger)
    recompute_figures()
    time.sleep(2)
    after = get(f"{proxy}/api/v1/figures/")
    assert after[0] == 200 and after[2] != first[2]
    assert b'"id":%d' % published.pk not in after[2].replace(b" ", b"")


def test_kept_answers_vary_on_what_the_answer_says(proxy, published):
    as_json = get(f"{proxy}/api/v1/figures/", Accept="application/json")
    as_csv = get(f"{proxy}/api/v1/figures/", Accept="text/csv")
    assert as_json[1]["content-type"].startswith("application/json")
    assert as_csv[1]["content-type"].startswith("text/csv")
    assert get(f"{proxy}/api/v1/figures/", Accept="text/csv")[1]["x-cache-status"] == "HIT"
    assert get(f"{proxy}/api/v1/figures/", Accept="application/json")[1]["content-type"].startswith("application/json")


@pytest.mark.parametrize(
    "headers",
    [{"Cookie": "sessionid=anything"}, {"Authorization": "Token 0123456789abcdef"}],
    ids=["session", "token"],
)
def test_a_request_that_names_a_user_is_never_answered_from_the_cache(proxy, published, headers):
    get(f"{proxy}/api/v1/figures/")
    assert get(f"{proxy}/api/v1/figures/")[1]["x-cache-status"] == "HIT"
    named = get(f"{proxy}/api/v1/figures/", **headers)
    assert named[1]["x-cache-status"] == "BYPASS"


def test_staff_pages_answers_with_cookies_and_downloads_are_never_kept(proxy, published):
    for path in ("/intern/anmelden/", "/admin/login/"):
        for _ in range(2):
            status, headers, _body = get(proxy + path)
            assert "x-cache-status" not in headers, path
            assert headers["cache-control"] == "no-store", path
    # The request form sets the CSRF cookie: its answer is never kept, and a page is.
    form = f"/loesungen/{published.programme.projects.first().slug}/anfrage/"
    answers = [get(proxy + form)[1] for _ in range(2)]
    assert all("csrftoken=" in answer["set-cookie"] for answer in answers)
    assert [answer["x-cache-status"] for answer in answers] == ["MISS", "MISS"]
    assert [get(f"{proxy}/regionen/")[1]["x-cache-status"] for _ in range(2)] == ["MISS", "HIT"]
    # A complete CSV is streamed: passed on, not kept.
    download = [get(f"{proxy}/api/v1/decisions/?format=csv")[1]["x-cache-status"] for _ in range(2)]
    assert download == ["MISS", "MISS"]


def test_a_body_over_the_limit_is_refused_by_the_proxy(proxy):
    request = urllib.request.Request(  # noqa: S310 - a local test server
        f"{proxy}/api/v1/decisions/", data=b"x" * (7 * 1024 * 1024), method="POST", headers={"Content-Type": "text/csv"}
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=30)  # noqa: S310 - a local test server
    assert refused.value.code == 413


def test_anonymous_floods_are_limited_by_the_proxy(transactional_db, live_server, tmp_path):
    url, process = start_proxy(tmp_path, live_server.url.removeprefix("http://"), ANON_RATE="1r/s", ANON_BURST="3")
    try:
        statuses = [get(f"{url}/healthz")[0] for _ in range(10)]
        named = [get(f"{url}/healthz", Cookie="sessionid=x")[0] for _ in range(5)]
    finally:
        process.terminate()
        process.wait(timeout=10)
    assert statuses.count(429) >= 5 and statuses[:4] == [200] * 4
    assert named == [200] * 5  # a session is not limited here (the app's own limits count it)


# --- What the application tells the proxy (no nginx needed) -----------------------------


def test_only_anonymous_complete_reads_are_marked_for_the_proxy(client, published, clerk, approver):
    assert client.get("/api/v1/figures/")["X-Accel-Expires"] == "1"
    assert client.get("/regionen/")["X-Accel-Expires"] == "1"
    assert client.head("/api/v1/figures/")["X-Accel-Expires"] == "1"
    # Not kept: a streamed download, an error, a write, staff pages, answers that set a cookie.
    assert client.get("/api/v1/decisions/?format=csv")["X-Accel-Expires"] == "0"
    assert client.get("/api/v1/figures/?as_of=gestern")["X-Accel-Expires"] == "0"
    assert client.post("/api/v1/decisions/", {})["X-Accel-Expires"] == "0"
    assert client.get("/intern/anmelden/")["X-Accel-Expires"] == "0"
    project = published.programme.projects.first()
    assert client.get(f"/loesungen/{project.slug}/anfrage/")["X-Accel-Expires"] == "0"
    for user in (clerk, approver):
        client.force_login(user)
        assert client.get("/api/v1/figures/")["X-Accel-Expires"] == "0"
        assert client.get("/regionen/")["X-Accel-Expires"] == "0"
        client.logout()


def test_a_version_published_elsewhere_is_answered_at_once(api, published, ledger):
    """No worker keeps the current version: another process's publication shows in the next answer."""
    from funding.figures.models import FiguresVersion

    release_another_decision(ledger)
    newer = recompute_figures()[0].version
    assert api.get("/api/v1/figures/").json()["version"]["id"] == newer.pk
    # As another process would: straight in the database, no signal, no memo to empty.
    FiguresVersion.objects.filter(pk=newer.pk).update(is_current=False)
    FiguresVersion.objects.filter(pk=published.pk).update(is_current=True)
    assert api.get("/api/v1/figures/").json()["version"]["id"] == published.pk
    FiguresVersion.objects.filter(pk=published.pk).update(is_current=False)
    FiguresVersion.objects.filter(pk=newer.pk).update(is_current=True)
    assert api.get("/api/v1/figures/").json()["version"]["id"] == newer.pk


def test_the_compose_proxy_configuration_is_valid_as_the_nginx_image_renders_it(tmp_path):
    """docker-compose.yml's proxy: the image fills /etc/nginx/templates/*.template into conf.d and
    includes conf.d/*.conf in `http { }`, next to its own default.conf on port 80."""
    import string

    import yaml

    if not Path(NGINX).exists():
        if REQUIRE_SERVICES:
            pytest.fail("nginx is missing: install Debian's nginx (apt-get install nginx), as .ci/run does")
        pytest.skip("nginx is not installed")
    proxy = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]["proxy"]
    conf_d = tmp_path / "conf.d"
    conf_d.mkdir()
    values = {**proxy["environment"], "CONF_DIR": str(conf_d), "CACHE_DIR": str(tmp_path / "cache")}
    values["APP_SERVERS"] = "server 127.0.0.1:9;"  # "web" resolves only on the compose network
    assert "default_server" in values["LISTEN"]
    for volume in proxy["volumes"]:
        source, target = volume.split(":")[:2]
        if target.startswith("/etc/nginx/templates/"):
            text = string.Template((ROOT / source).read_text()).safe_substitute(values)
            (conf_d / Path(target).name.removesuffix(".template")).write_text(text)
    (conf_d / "default.conf").write_text("server { listen 80; server_name localhost; return 200; }\n")
    main = tmp_path / "nginx.conf"
    main.write_text(
        f"pid {tmp_path}/nginx.pid; error_log {tmp_path}/error.log; events {{}}\n"
        f"http {{ include /etc/nginx/mime.types; include {conf_d}/*.conf; }}\n"
    )
    checked = subprocess.run([NGINX, "-t", "-p", str(tmp_path), "-c", str(main)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stderr


def test_the_map_and_a_page_table_are_kept_like_the_pages_that_link_them(proxy, published):
    picture = f"{proxy}/karte.svg?map=requests&version={published.pk}&as_of=2020-06-30"
    table = f"{proxy}/tabellen/aufteilung.csv?group_by=strand&version={published.pk}&as_of=2020-06-30"
    for address in (picture, table):
        answers = [get(address) for _ in range(2)]
        assert [answer[0] for answer in answers] == [200, 200], address
        assert [answer[1]["x-cache-status"] for answer in answers] == ["MISS", "HIT"], address
        assert answers[0][2] == answers[1][2]
    # A wrong parameter is the application's 400, never kept.
    assert [get(f"{proxy}/karte.svg?map=bogus")[1].get("x-cache-status") for _ in range(2)] == ["MISS", "MISS"]
