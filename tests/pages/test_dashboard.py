import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from funding.figures.engine import recompute_figures
from projects.models import Project, TransferRequest
from tests.factories import ProjectFactory, RegionFactory


def text_of(response) -> str:
    """The page's text without tags and with collapsed spaces, as a reader sees it."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    html = re.sub(r"</?mark>", "", html)  # a marked search match is part of its word
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_every_tile_has_its_definition_and_a_glossary_entry(client, small_programme):
    html = client.get("/").content.decode()

    assert 'aria-describedby="tip-funding_granted"' in html
    assert 'role="tooltip" id="tip-funding_granted"' in html
    assert 'id="def-funding_granted"' in html
    assert "Summe der Zuwendungen aller freigegebenen Bescheide" in html


def test_charts_come_with_the_same_numbers_as_tables(client, small_programme):
    text = text_of(client.get("/?as_of=2019-12-06"))

    # Funding over time (the project office counts too): quarter ends and the as-of day, in full.
    assert "30.09.2019 13.760.000 €" in text
    assert "06.12.2019 13.735.222 €" in text
    # Breakdown by region and strand, net of the revocation, with the region linked.
    assert "Wuppertal 1 13.100.000 €" in text
    assert "Soest 1 635.222 €" in text
    assert "Digitale Stadtentwicklung" in text


def test_the_as_of_date_reloads_every_figure_on_the_page(client, small_programme):
    before_any_grant = text_of(client.get("/?as_of=2019-01-31"))
    after = text_of(client.get("/?as_of=2019-12-06"))

    assert "Geförderte Projekte 0" in before_any_grant
    assert "Stand: 31.01.2019" in before_any_grant
    assert "Geförderte Projekte 2" in after


def test_a_bad_as_of_date_names_the_field_and_shows_today(client, small_programme):
    response = client.get("/?as_of=31.02.2019")

    assert response.status_code == 400  # bad input is a 400 naming the field, with today's figures below
    assert "Bitte geben Sie ein Datum an" in response.content.decode()


def test_a_date_in_the_future_is_refused(client, small_programme):
    response = client.get("/?as_of=2999-01-01")

    assert "Der Stand kann nicht in der Zukunft liegen." in response.content.decode()


def test_it_says_so_when_no_figures_were_computed_yet(client, db):
    response = client.get("/")

    assert response.status_code == 200
    assert "Noch keine Kennzahlen berechnet." in response.content.decode()


def test_the_dashboard_is_available_in_english(client, small_programme):
    client.post(reverse("set_language"), {"language": "en", "next": "/"})

    response = client.get("/?as_of=2019-12-06")

    text = text_of(response)
    assert '<html lang="en"' in response.content.decode()
    assert "Funding granted €13.7 million" in text
    assert "As of: 6 Dec 2019" in text
    assert "Funded projects 2" in text
    assert "Mobility" in text


def test_the_dashboard_needs_the_same_few_queries_for_many_projects(client, small_programme):
    with CaptureQueriesContext(connection) as first_read:
        client.get("/?as_of=2019-12-06")
    with CaptureQueriesContext(connection) as few_projects:
        client.get("/?as_of=2020-06-30")
    ProjectFactory.create_batch(40, region=RegionFactory())
    with CaptureQueriesContext(connection) as many_projects:
        client.get("/?as_of=2021-01-31")

    # The first read of a version reads the groups and steps of each grouping its charts show,
    # once (funding.figures.step_index); after that any day is answered from them. The map adds
    # two: the regions, and the region of each Gemeinde.
    assert len(first_read) <= 16, [query["sql"][:80] for query in first_read]
    assert len(many_projects) == len(few_projects) <= 6, [query["sql"][:80] for query in many_projects]


@pytest.mark.parametrize("path", ["/", "/daten/", "/impressum/", "/datenschutz/", "/barrierefreiheit/"])
def test_every_public_page_links_the_legal_pages(client, small_programme, path):
    html = client.get(path).content.decode()

    for url in ("/impressum/", "/datenschutz/", "/barrierefreiheit/"):
        assert f'href="{url}"' in html


def test_pages_set_no_cookie_and_the_language_switch_needs_none(small_programme):
    """A page without a cookie is one the proxy may keep; the switch works as a browser posts it."""
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    page = browser.get("/")
    assert page.status_code == 200 and not page.cookies
    assert 'name="csrfmiddlewaretoken"' not in page.content.decode()

    switched = browser.post(reverse("set_language"), {"language": "en", "next": "/"})

    assert switched.status_code == 302 and switched["Location"] == "/"
    assert '<html lang="en"' in browser.get("/").content.decode()
    # Only a path of this site: a forged switch cannot send a visitor elsewhere.
    away = browser.post(reverse("set_language"), {"language": "de", "next": "https://example.org/"})
    assert away["Location"] == "/"


def test_the_glossary_names_each_figure_in_words_and_its_api_column_apart(client, small_programme):
    html = client.get("/").content.decode()

    glossary = html.split('class="glossary"', 1)[1].split("</dl>", 1)[0]
    assert "(funded_projects)" not in glossary
    assert "Spalte in API und CSV: <code>funded_projects</code>" in glossary


def test_published_records_only_no_mark_and_no_banner(client, small_programme):
    Project.objects.update(source="Antrag und Bescheid der Bezirksregierung")
    TransferRequest.objects.update(source="Anfrageformular")
    recompute_figures()

    response = client.get("/")

    assert "enthält Beispieldaten" not in response.content.decode()  # the mark of an illustrative figure
    assert "Enthält Beispieldaten." not in text_of(response)  # the banner
