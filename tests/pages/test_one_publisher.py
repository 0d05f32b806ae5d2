"""One ministry publishes the record: the Impressum, the data page, DCAT, the feed and the API name the same one."""

import json

import pytest
from django.test import override_settings

from funding.figures import engine
from tests.factories import ProgrammeFactory

MINISTRY = "Ministerium für Digitales und Beispiele des Landes Nordrhein-Westfalen"
OTHER_MINISTRY_NAMES = ("Industrie, Klimaschutz", "Innovation, Digitalisierung und Energie NRW")


@pytest.fixture
def programme(db):
    return ProgrammeFactory(funder=MINISTRY)


@override_settings(DATA_CONTACT_EMAIL="daten@ministerium.nrw.test")
def test_every_place_that_names_the_publisher_names_the_programme_funder(client, programme):
    pages = {url: client.get(url).content.decode() for url in ("/impressum/", "/daten/", "/barrierefreiheit/")}
    for url, body in pages.items():
        for other in OTHER_MINISTRY_NAMES:
            assert other not in body, url
    assert MINISTRY in pages["/impressum/"]
    assert MINISTRY in pages["/daten/"]
    for url in ("/impressum/", "/barrierefreiheit/"):
        assert "mailto:daten@ministerium.nrw.test" in pages[url]
        assert "example.org" not in pages[url]

    catalogue = json.dumps(client.get("/api/v1/catalog.jsonld").json(), ensure_ascii=False)
    assert MINISTRY in catalogue
    assert "mailto:daten@ministerium.nrw.test" in catalogue
    assert MINISTRY in client.get("/api/v1/feed.atom").content.decode()
    engine.recompute_figures()
    assert client.get("/api/v1/figures/").json()["source"]["ministry"] == MINISTRY
