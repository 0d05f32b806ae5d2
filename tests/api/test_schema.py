"""The OpenAPI schema, its documentation page, and a schemathesis run of every read endpoint."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode


def test_the_schema_documents_every_parameter_enum_and_error(api, db):
    schema = api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()

    figures = schema["paths"]["/api/v1/figures/"]["get"]
    parameters = {parameter["name"]: parameter for parameter in figures["parameters"]}
    assert {"as_of", "group_by", "programme", "version", "format", "dialect"} <= set(parameters)
    assert parameters["group_by"]["schema"]["enum"] == ["region", "strand", "topic", "year", "authority"]
    assert {"200", "304", "400", "429", "503"} <= set(figures["responses"])
    decisions = schema["paths"]["/api/v1/decisions/"]
    assert {"region", "year", "kind", "date_from", "amount_min", "page", "page_size", "ordering"} <= {
        parameter["name"] for parameter in decisions["get"]["parameters"]
    }
    assert {"201", "400", "401", "403"} <= set(decisions["post"]["responses"])
    assert "text/csv" in decisions["get"]["responses"]["200"]["content"]


def test_the_documentation_page_uses_only_our_own_static_files(client):
    response = client.get("/api/v1/docs/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "cdn" not in html.lower() and "<style>" not in html
    script = client.get("/api/v1/docs/", {"script": ""})
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()


@pytest.fixture
def wsgi_app_in_test_transaction():
    """The WSGI app, kept from closing the test's database connection after each request.

    Django's own test client does the same: a request would otherwise close the connection
    that holds the test transaction (with PostgreSQL, the data would be gone).
    """
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield get_wsgi_application()
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_schemathesis_finds_no_server_error_and_no_schema_violation_in_the_read_endpoints(
    published, settings, wsgi_app_in_test_transaction
):
    settings.API_ANON_RATE = "1000000/minute"
    schema = schemathesis.openapi.from_wsgi("/api/v1/schema/", wsgi_app_in_test_transaction)
    checked = []
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.method.upper() != "GET" or operation.path.endswith(("/schema/", "/docs/")):
            continue
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=operation.as_strategy(generation_mode=mode))
            @hypothesis_settings(
                max_examples=25,
                deadline=None,
                derandomize=True,
                database=None,
                suppress_health_check=list(HealthCheck),
            )
            def run(case):
                # Every check, none left out: the schema says exactly what the server accepts.
                case.call_and_validate()

            try:
                run()
            except Unsatisfiable:
                # Only a free-text path parameter: there is no schema-violating request to make.
                assert mode == GenerationMode.NEGATIVE, operation.path
        checked.append(operation.path)

    assert "/api/v1/figures/" in checked and "/api/v1/decisions/" in checked


def test_the_changes_endpoint_documents_the_parameter_names_the_server_reads(client, db):
    import yaml

    schema = yaml.safe_load(client.get("/api/v1/schema/").content)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/figures/changes/"]["get"]["parameters"]}

    assert {"from", "to", "from_version", "to_version", "programme"} <= parameters
    assert not parameters & {"from_date", "to_date"}
