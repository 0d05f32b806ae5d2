""" "Tabelle als CSV" on the programme data of fixtures/, loaded once for this module: the file is the table as shown."""

import csv
import io
import re

from tests.pages.test_dashboard import text_of


def _links(html: str) -> list[str]:
    return [link.replace("&amp;", "&") for link in re.findall(r'href="(/tabellen/[^"]+)"', html)]


def _rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text), delimiter=";"))


def test_every_figures_table_on_a_page_has_its_file_with_the_same_rows(client, programme_data):
    for path in ("/?as_of=2020-10-26", "/regionen/owl/?as_of=2020-10-26", "/kommunen/05774032/?as_of=2020-10-26"):
        page = client.get(path)
        html = page.content.decode()
        links = _links(html)
        assert links, path
        for link in links:
            response = client.get(link)
            assert response.status_code == 200, link
            assert response["Content-Disposition"].startswith("attachment; filename=")
            header, *rows = _rows(response)
            assert header[:2] == ["Stand", "Version"]
            version = re.search(r"version=(\d+)", link).group(1)
            assert all(row[:2] == ["2020-10-26", version] for row in rows), link
            assert rows, link


def test_the_breakdown_file_has_the_columns_and_values_the_page_shows(client, programme_data):
    html = client.get("/", {"as_of": "2019-12-06"}).content.decode()
    link = next(link for link in _links(html) if "aufteilung" in link and "group_by=region" in link)
    header, *rows = _rows(client.get(link))

    section = html.split('id="breakdown-region"')[1].split("</section>")[0]
    shown_heads = [
        re.sub(r"<[^>]+>", "", head).strip() for head in re.findall(r'<th scope="col"[^>]*>(.*?)</th>', section)
    ]
    assert header[2:] == shown_heads
    shown_regions = [
        re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r'<th scope="row">(.*?)</th>', section)
    ]
    assert [row[2] for row in rows] == shown_regions
    # 56,6 Mio. € on 06.12.2019 in all (the published figure), as decimals with a comma.
    granted = header.index("Bewilligte Fördermittel")
    assert sum(float(row[granted].replace(",", ".")) for row in rows) == 56613750.0


def test_a_file_for_machines_and_wrong_parameters(client, programme_data):
    link = "/tabellen/zeitverlauf.csv?figure=funded_projects&as_of=2020-10-26&dialect=rfc4180"
    text = client.get(link).content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Stand,Version,Stichtag,")

    for query, field in (("figure=bogus", "figure"), ("as_of=morgen", "as_of"), ("region=atlantis", "region")):
        response = client.get(f"/tabellen/zeitverlauf.csv?{query}")
        assert response.status_code == 400, query
        assert response.content.decode().startswith(f"{field}:"), query
    assert client.get("/tabellen/geheim.csv").status_code == 404
    assert "Tabelle als CSV" in text_of(client.get("/"))
