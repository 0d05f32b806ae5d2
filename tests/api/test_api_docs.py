"""The API's documentation: in German and English, no padlock where no login is needed, a way back to the site."""

import pytest

pytestmark = pytest.mark.django_db


def test_public_reads_need_no_login_and_writes_do(client):
    schema = client.get("/api/v1/schema/", {"format": "json"}).json()
    paths = schema["paths"]

    assert paths["/api/v1/figures/"]["get"]["security"] == []
    assert paths["/api/v1/decisions/"]["get"]["security"] == []
    assert {"tokenAuth": []} in paths["/api/v1/decisions/"]["post"]["security"]
    assert {} not in paths["/api/v1/decisions/"]["post"]["security"]
    assert "Deutsch" in schema["info"]["description"] and "English" in schema["info"]["description"]


def test_the_documentation_page_links_home(client):
    page = client.get("/api/v1/docs/")

    assert page.status_code == 200
    html = page.content.decode()
    assert '<a href="/">' in html and 'href="/daten/"' in html
