"""/api/v1/ lists where everything is; /favicon.ico finds the site's icon (issue 29)."""

import pytest

pytestmark = pytest.mark.django_db


def test_the_api_root_lists_every_entry_point_and_each_answers(client, ledger):
    from funding.figures.engine import recompute_figures

    recompute_figures()
    response = client.get("/api/v1/")

    assert response.status_code == 200
    body = response.json()
    assert "Dokumentation" in body["detail"]
    assert body["links"]["docs"] == "http://testserver/api/v1/docs/"
    for key, url in body["links"].items():
        path = url.removeprefix("http://testserver")
        assert client.get(path).status_code == 200, (key, path)


def test_the_api_root_answers_no_write(client):
    assert client.post("/api/v1/").status_code == 405


def test_the_favicon_is_found(client):
    response = client.get("/favicon.ico")

    assert response.status_code == 301
    assert response["Location"].endswith("img/favicon.svg")
    assert 'rel="icon"' in client.get("/").content.decode()
