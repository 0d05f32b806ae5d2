"""Public pages on the programme data of fixtures/, loaded once for this module: the published figures they reproduce."""

import datetime as dt
import re

from tests.pages.test_dashboard import text_of


def test_it_shows_the_published_headline_figures_as_of_6_december_2019(client, programme_data):
    response = client.get("/?as_of=2019-12-06")

    text = text_of(response)
    assert response.status_code == 200
    assert "Stand: 06.12.2019" in text
    assert "Geförderte Projekte 42" in text
    assert "Bewilligte Fördermittel 56,6 Mio. €" in text
    assert "Gesamtvolumen 80,9 Mio. €" in text
    assert re.search(r"Private Investitionen 2[34],\d Mio\. €", text)
    assert "berechnet am" in text


def test_it_shows_the_figures_of_october_2020(client, programme_data):
    text = text_of(client.get("/?as_of=2020-10-26"))

    assert "Geförderte Projekte 65" in text
    assert "Projektbüros 5" in text
    assert "Anträge 110" in text


def test_the_data_page_compares_published_and_computed_figures(client, programme_data):
    text = text_of(client.get("/daten/"))

    assert "06.12.2019 Bewilligte Fördermittel 56,6 Mio. € 56.613.750 € Kommune21, 06.12.2019" in text
    assert "Datenlizenz Deutschland – Namensnennung – Version 2.0" in text
    assert "360Giving" in text


def test_no_project_links_to_a_documentation_address_that_does_not_exist(client, programme_data):
    from projects.models import Project

    assert not Project.objects.filter(documentation_url__contains=".example").exists()
    assert Project.objects.exclude(contact_email="").count() > 60  # each project names a mailbox to reach


def test_the_start_page_links_the_page_in_easy_language(client, programme_data):
    start = client.get("/").content.decode()
    easy = client.get("/leichte-sprache/")

    assert 'href="/leichte-sprache/"' in start
    assert easy.status_code == 200
    text = text_of(easy)
    assert "So finden Sie eine Lösung" in text and "So fragen Sie nach einer Lösung" in text


def test_every_in_page_link_has_its_target(client, programme_data):
    """A term's link goes to a definition that exists: on the page, or on the data page."""
    data_page = client.get("/daten/").content.decode()
    for path in ("/", "/regionen/owl/", "/regionen/", "/kommunen/05774032/", "/loesungen/", "/daten/"):
        html = client.get(path).content.decode()
        for target in set(re.findall(r'href="#([^"]+)"', html)):
            assert f'id="{target}"' in html, (path, target)
        for target in set(re.findall(r'href="/daten/#([^"]+)"', html)):
            assert f'id="{target}"' in data_page, (path, target)


def test_the_regions_page_gives_each_regions_headline_figures_as_of_its_date(client, programme_data):
    from funding.figures.selectors import default_programme, figures_for

    rows = {
        row.group_key: row.values
        for row in figures_for(as_of=dt.date(2020, 10, 26), group_by="region", programme=default_programme()).rows
    }
    html = client.get("/regionen/", {"as_of": "2020-10-26"}).content.decode()

    assert "Stand: <strong>26.10.2020</strong>" in html
    for region in ("owl", "soest", "aachen", "wuppertal", "gelsenkirchen"):
        card = html.split(f'href="/regionen/{region}/"')[1].split("</li>\n")[0]
        text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", card))
        assert f"Geförderte Projekte {rows[region]['funded_projects']} " in text, (region, text)
