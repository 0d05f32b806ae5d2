"""A database outage answers 503 with Retry-After (JSON for the API, a German page), never 500."""

from unittest import mock

import pytest
from django.db import OperationalError
from django.test import Client


@pytest.fixture
def client_without_raising(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


DOWN = OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


def test_a_public_page_says_in_german_when_to_try_again(db, client_without_raising):
    with mock.patch("funding.figures.views.programme_dashboard", side_effect=DOWN):
        response = client_without_raising.get("/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Vorübergehend nicht erreichbar" in response.content.decode()
    assert response["Cache-Control"] == "no-store"


def test_the_api_answers_json_with_retry_after(db, client_without_raising):
    with mock.patch("regions.api.MunicipalityViewSet.get_queryset", side_effect=DOWN):
        response = client_without_raising.get("/api/v1/municipalities/")

    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert response["Content-Type"].startswith("application/json")
    assert "vorübergehend nicht erreichbar" in response.json()["detail"]


def test_other_errors_stay_500_without_leaking_details(db, client_without_raising):
    with mock.patch("funding.figures.views.programme_dashboard", side_effect=RuntimeError("secret detail")):
        page = client_without_raising.get("/")

    assert page.status_code == 500
    assert "secret detail" not in page.content.decode()
    assert "Ein Fehler ist aufgetreten" in page.content.decode()


def test_the_health_check_says_the_database_is_down_instead_of_failing(db, client):
    with mock.patch("funding.figures.freshness.LedgerState.objects.filter", side_effect=DOWN):
        response = client.get("/healthz")

    assert response.status_code == 200
    assert response.json()["database"] == "unavailable"
