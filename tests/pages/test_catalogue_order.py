"""The catalogue in the order a reader picks, on the server, and its filters after the results on every screen."""

import datetime as dt
import re

import pytest

from tests.factories import ProjectFactory, RegionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def catalogue():
    soest, aachen = RegionFactory(slug="soest", name="Soest"), RegionFactory(slug="aachen", name="Aachen")
    ProjectFactory(title="Übach-Palenberg digital", region=soest, submitted_on=dt.date(2019, 3, 1))
    ProjectFactory(title="Zukunftsportal", region=aachen, submitted_on=dt.date(2020, 5, 1))
    ProjectFactory(title="Köln-Anbindung", region=soest, submitted_on=dt.date(2019, 1, 1))
    ProjectFactory(title="Kreis-Portal", region=aachen, submitted_on=dt.date(2021, 1, 1))


def titles(response) -> list[str]:
    html = response.content.decode()
    return [re.sub(r"<[^>]+>", "", title) for title in re.findall(r'class="result__title"><a [^>]*>(.*?)</a>', html)]


def test_titles_are_in_german_order_by_default(client, catalogue):
    assert titles(client.get("/loesungen/")) == [
        "Köln-Anbindung",
        "Kreis-Portal",
        "Übach-Palenberg digital",
        "Zukunftsportal",
    ]


@pytest.mark.parametrize(
    ("order", "expected"),
    [
        ("region", ["Kreis-Portal", "Zukunftsportal", "Köln-Anbindung", "Übach-Palenberg digital"]),
        ("neu", ["Kreis-Portal", "Zukunftsportal", "Übach-Palenberg digital", "Köln-Anbindung"]),
    ],
)
def test_a_reader_picks_the_order(client, catalogue, order, expected):
    response = client.get("/loesungen/", {"sort": order})

    assert titles(response) == expected
    assert f'<option value="{order}" selected>' in response.content.decode()


def test_a_search_ranks_by_relevance_and_offers_it(client, catalogue):
    html = client.get("/loesungen/", {"q": "Portal"}).content.decode()

    assert '<option value="relevanz" selected>' in html
    assert '<option value="relevanz"' not in client.get("/loesungen/").content.decode()


@pytest.mark.parametrize("order", ["bogus", "relevanz"])
def test_an_order_that_does_not_exist_is_said(client, catalogue, order):
    response = client.get("/loesungen/", {"sort": order})

    assert response.status_code == 400
    assert "Diese Reihenfolge gibt es nicht" in response.content.decode()
    assert titles(response)[0] == "Köln-Anbindung"


def test_the_filters_follow_the_results_and_belong_to_the_search_form(client, catalogue):
    html = client.get("/loesungen/").content.decode()

    assert html.index('class="result"') < html.index('id="filter-panel"')
    assert 'form="catalogue-form" name="strand"' in html
    assert 'href="#filter-panel"' in html
