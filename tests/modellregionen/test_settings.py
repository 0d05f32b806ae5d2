"""Settings come from the environment; a bad value stops start-up and names the variable."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]

PRODUCTION_ENV = {
    "DEBUG": "False",
    "SECRET_KEY": "k3y-for-the-deploy-check-" + "x7Qp9Lm2Vb8Nc4Zr6Ts1Wd5Fh3Jg0Ky" * 2,
    "ALLOWED_HOSTS": "modellregionen.example.org",
}


def _run_django(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY"}}
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, "DJANGO_SETTINGS_MODULE": "modellregionen.settings", **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("DEBUG", "yes", "Unexpected value DEBUG=yes, use True or False"),
        ("AXES_FAILURE_LIMIT", "many", "Unexpected value AXES_FAILURE_LIMIT=many, use a whole number"),
        ("AXES_FAILURE_LIMIT", "0", "Unexpected value AXES_FAILURE_LIMIT=0, use a number >= 1"),
        ("DATABASE_URL", "mysql://db/x", "Unexpected value DATABASE_URL=mysql://db/x"),
        ("REDIS_URL", "localhost:6379", "Unexpected value REDIS_URL=localhost:6379"),
    ],
)
def test_a_bad_value_stops_start_up_and_names_the_variable(variable, value, message):
    result = _run_django({variable: value}, "check")

    assert result.returncode != 0
    assert message in result.stderr


def test_production_needs_a_secret_key():
    result = _run_django({"DEBUG": "False"}, "check")

    assert result.returncode != 0
    assert "SECRET_KEY must be set when DEBUG=False" in result.stderr


def test_production_settings_pass_the_deploy_check_without_warnings():
    result = _run_django(PRODUCTION_ENV, "check", "--deploy", "--fail-level", "WARNING")

    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_the_embedded_default_is_german_sqlite_in_var_and_in_process_celery():
    show = (
        "from django.conf import settings as s; "
        "print(s.LANGUAGE_CODE, s.TIME_ZONE, s.DATABASES['default']['ENGINE'], "
        "s.DATABASES['default']['NAME'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG)"
    )
    result = _run_django({}, "shell", "-c", show)

    language, zone, engine, name, eager, debug = result.stdout.strip().splitlines()[-1].split()
    assert (language, zone, engine) == ("de-de", "Europe/Berlin", "django.db.backends.sqlite3")
    assert name == str(ROOT / "var" / "modellregionen.sqlite3")
    assert (eager, debug) == ("True", "True")


def test_docker_compose_defines_the_whole_stack_with_health_checks():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())

    services = compose["services"]
    assert set(services) == {"postgres", "redis", "web", "worker", "beat", "proxy"}
    for name, service in services.items():
        assert "healthcheck" in service, name
        assert service["healthcheck"]["test"], name
    for name in ("web", "worker", "beat"):
        environment = services[name]["environment"]
        assert environment["DATABASE_URL"].startswith("postgres://")
        assert environment["REDIS_URL"].startswith("redis://")
        assert services[name]["depends_on"]["postgres"]["condition"] == "service_healthy"
    assert "gunicorn" in services["web"]["command"]
    assert services["worker"]["command"][:4] == ["celery", "-A", "modellregionen", "worker"]
    assert services["beat"]["command"][:4] == ["celery", "-A", "modellregionen", "beat"]
    # Only the proxy is reachable from outside, with the repo's own nginx templates.
    assert [name for name, service in services.items() if service.get("ports")] == ["proxy"]
    for volume in services["proxy"]["volumes"]:
        source = volume.split(":")[0]
        if source.startswith("./"):
            assert (ROOT / source).is_file(), source
    assert set(services["proxy"]["environment"]) >= {"APP_SERVERS", "LISTEN", "STATIC_ROOT", "CACHE_DIR", "CONF_DIR"}
