"""The OpenAPI schema says exactly what the server accepts, and every answer under /api/ is JSON."""

import re

import pytest

from tests.factories import ProgrammeFactory


@pytest.fixture
def schema(api, db):
    ProgrammeFactory(slug="digitale-modellregionen")
    return api.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json").json()


def test_a_decimal_in_a_body_is_documented_as_a_number_not_as_a_dash_or_a_dot(schema):
    amount = schema["components"]["schemas"]["DecisionWrite"]["properties"]["amount"]
    pattern = re.compile(amount["pattern"])

    assert all(pattern.fullmatch(text) for text in ("800.00", "5.", ".5", "-.5", "-5", "123456789012.12"))
    assert not any(pattern.fullmatch(text) for text in ("", "-", ".", "-.", "1.234", "1234567890123"))


def test_required_texts_of_a_body_are_documented_as_not_empty(schema):
    properties = schema["components"]["schemas"]["DecisionWrite"]["properties"]

    assert properties["reference"]["minLength"] == 1 and properties["source"]["minLength"] == 1


def test_parameters_are_not_empty_have_no_control_characters_and_name_the_records_that_exist(schema):
    decisions = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/decisions/"]["get"]["parameters"]}
    figures = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/figures/"]["get"]["parameters"]}
    changes = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/figures/changes/"]["get"]["parameters"]}
    release = schema["paths"]["/api/v1/decisions/{reference}/release/"]["post"]["parameters"][0]["schema"]

    assert decisions["project"]["minLength"] == 1
    assert not re.fullmatch(decisions["project"]["pattern"], "a\x15b")
    assert not re.fullmatch(release["pattern"], "x\x16")
    assert decisions["year"] == {"type": "integer", "minimum": 1, "maximum": 9999}
    assert figures["programme"]["enum"] == changes["programme"]["enum"] == ["digitale-modellregionen"]
    assert changes["from_version"]["minimum"] == 1


def test_a_method_the_address_does_not_have_is_a_405_whatever_the_parameters(api, db):
    response = api.generic("TRACE", "/api/v1/topics/?page=1")

    assert response.status_code == 405
    assert response.json()["detail"]


@pytest.mark.parametrize("method", ["post", "put", "delete", "options"])
def test_the_feed_answers_other_methods_with_a_json_405(client, db, method):
    response = getattr(client, method)("/api/v1/feed.atom")

    assert response.status_code == 405
    assert response["Content-Type"] == "application/json"
    assert response["Allow"] == "GET, HEAD"


def test_a_session_write_without_csrf_token_is_a_json_403(db, clerk):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(clerk)
    response = client.post("/api/v1/decisions/", {}, content_type="application/json")

    assert response.status_code == 403
    assert response["Content-Type"] == "application/json"
    assert "CSRF" in response.json()["detail"]


def test_bounds_and_required_references_are_documented(schema):
    decisions = {p["name"]: p["schema"] for p in schema["paths"]["/api/v1/decisions/"]["get"]["parameters"]}
    write = schema["components"]["schemas"]["DecisionWrite"]["properties"]

    assert decisions["amount_max"]["maximum"] == decisions["amount_min"]["maximum"] == 1e50
    assert all(write[name]["minLength"] == 1 for name in ("project", "recipient", "authority"))


@pytest.mark.parametrize("path", ["/api/v1/figures/", "/api/v1/figures/series/", "/api/v1/decisions/"])
def test_options_with_format_csv_is_an_error_naming_the_format_not_a_500(api, db, path):
    response = api.options(path + "?format=csv")

    assert response.status_code == 400
    assert "format" in response.json()["errors"]


def test_an_empty_reference_to_a_record_is_refused_as_empty(db, clerk):
    from tests.api.conftest import token_client

    response = token_client(clerk).post(
        "/api/v1/decisions/", {"project": "", "recipient": "", "authority": ""}, format="json"
    )

    assert response.status_code == 400
    errors = response.json()["errors"]
    assert all(errors[name] == ["Dieses Feld darf nicht leer sein."] for name in ("project", "recipient", "authority"))
