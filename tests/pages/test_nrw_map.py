"""The map of NRW on the programme data of fixtures/, loaded once for this module.

What it shows must be what the figures and the ledger say, as of the page's date and version;
its outlines must be the Gemeindeverzeichnis's Gemeinden and Kreise, no more, no fewer.
"""

import datetime as dt
import re
from xml.etree import ElementTree

from django.conf import settings

from funding.figures.maps import NO_VALUE, SCALE, nrw_map
from funding.figures.selectors import current_figures_version, default_programme, figures_for
from funding.figures.templatetags import euro_cents
from projects.models import TransferRequest
from regions.gemeindeverzeichnis import read_gv100ad
from regions.map_shapes import outlines
from regions.selectors import region_slug_by_gemeinde
from tests.pages.test_dashboard import text_of

SVG = "{http://www.w3.org/2000/svg}"


def test_the_outlines_are_exactly_the_gemeinden_and_kreise_of_the_directory():
    directory = read_gv100ad(settings.BASE_DIR / "fixtures/gemeindeverzeichnis/GV100AD_30112025_NRW.txt")
    gemeinden = {record.ags for record in directory.records if len(record.ags) == 8}
    shapes = outlines()

    assert len(gemeinden) == 396
    assert set(shapes.gemeinden) == gemeinden
    assert set(shapes.kreise) == {ags[:5] for ags in gemeinden}
    assert len(shapes.kreise) == 53


def test_each_region_is_coloured_by_its_funding_per_inhabitant_and_the_table_says_the_same(programme_data):
    as_of = dt.date(2020, 10, 26)
    version, programme = current_figures_version(), default_programme()
    drawn = nrw_map(figure="funding", as_of=as_of, version=version, programme=programme)
    by_region = {
        row.group_key: row.values["funding_per_inhabitant"]
        for row in figures_for(as_of=as_of, group_by="region", programme=programme, version=version).rows
    }
    regions = region_slug_by_gemeinde()

    assert {row.value for row in drawn.rows} == {euro_cents(value) for value in by_region.values()}
    # One colour per region, darker for more funding per inhabitant; all else grey.
    colour_of = {
        slug: {drawn.fills[ags] for ags, member_of in regions.items() if member_of == slug} for slug in by_region
    }
    assert all(len(colours) == 1 for colours in colour_of.values())
    ranked = sorted(by_region, key=by_region.get)
    shades = [SCALE.index(colour_of[slug].pop()) for slug in ranked]
    assert shades == sorted(shades) and shades[-1] > shades[0]
    assert set(drawn.fills) == set(regions)
    assert drawn.illustrative_share is not None and drawn.illustrative_share > 0  # the demo data is marked


def test_the_request_map_counts_confirmed_requests_up_to_its_date(programme_data):
    version, programme = current_figures_version(), default_programme()
    for as_of in (dt.date(2019, 12, 6), dt.date(2022, 12, 31)):
        drawn = nrw_map(figure="requests", as_of=as_of, version=version, programme=programme)
        counted = TransferRequest.objects.counted().filter(project__programme=programme, received_on__lte=as_of)
        gemeinden = {r.municipality_id for r in counted if len(r.municipality_id) == 8}
        kreise = {r.municipality_id for r in counted if len(r.municipality_id) == 5}

        assert set(drawn.fills) == gemeinden
        assert drawn.hatched == kreise
        assert sum(int(row.value.replace(".", "")) for row in drawn.rows) == counted.count()
        assert NO_VALUE not in drawn.fills.values()


def test_the_picture_has_every_gemeinde_and_names_what_it_shows(client, programme_data):
    response = client.get("/karte.svg", {"map": "requests", "as_of": "2021-06-30"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("image/svg+xml")
    svg = ElementTree.fromstring(response.content)  # noqa: S314 - our own answer, not untrusted input
    assert svg.get("role") == "img"
    assert "30.06.2021" in svg.find(f"{SVG}title").text
    assert len(svg.findall(f"{SVG}g")[0]) == 396
    assert "," not in svg.find(f".//{SVG}pattern").get("width")  # never a German decimal comma in SVG


def test_a_zoomed_picture_draws_only_what_it_shows(client, programme_data):
    whole = client.get("/karte.svg").content
    region = client.get("/karte.svg", {"region": "owl"}).content
    town = client.get("/karte.svg", {"ags": "05774032"}).content

    assert len(region) < len(whole) / 3 and len(town) < len(whole) / 3
    assert b'stroke="#b00020"' in town and b'stroke="#b00020"' not in region


def test_a_wrong_map_parameter_is_a_400_naming_it(client, programme_data):
    for query, field in (
        ({"map": "bogus"}, "map"),
        ({"as_of": "gestern"}, "as_of"),
        ({"ags": "0511"}, "ags"),
        ({"region": "atlantis"}, "region"),
        ({"version": "999999"}, "version"),
    ):
        response = client.get("/karte.svg", query)
        assert response.status_code == 400, query
        assert response.content.decode().startswith(f"{field}:"), (query, response.content)


def test_every_page_with_a_map_gives_its_text_alternative_legend_and_table(client, programme_data):
    for path in ("/", "/regionen/owl/", "/kommunen/05774032/", "/kommunen/05774/"):
        response = client.get(path, {"as_of": "2021-06-30", "map": "requests"})
        html = response.content.decode()
        image = re.search(r'<img class="nrw-map__image" src="([^"]+)" alt="([^"]+)"', html)

        assert response.status_code == 200, path
        assert "30.06.2021" in image.group(2)
        source = image.group(1).replace("&amp;", "&")
        assert "version=" in source and "as_of=2021-06-30" in source  # the picture shows what the page shows
        assert client.get(source).status_code == 200
        text = text_of(response)
        assert "Die Werte der Karte als Tabelle" in text
        assert "GeoBasis-DE / BKG" in text
        assert "Kreis hat selbst angefragt" in text


def test_a_page_with_an_unknown_map_says_so_and_shows_the_default(client, programme_data):
    response = client.get("/", {"map": "bogus"})

    assert response.status_code == 400
    assert "Diese Karte gibt es nicht" in text_of(response)
    assert "Karte: Förderung je Einwohner der Modellregion" in text_of(response)
