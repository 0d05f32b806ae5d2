"""The served data package is a valid Frictionless package, and the served CSVs fit it (issue 15)."""

import frictionless
import pytest


@pytest.fixture
def programme(programme_data):
    """The programme data with its figures (loaded once for this module)."""


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_data_package_validates_with_the_served_files(client, programme, tmp_path):
    descriptor = client.get("/api/v1/datapackage.json").json()
    # The files as a reader downloads them, next to the descriptor.
    for resource in descriptor["resources"]:
        path = resource["path"].split("testserver", 1)[1]
        name = f"{resource['name']}.{resource['format']}"
        (tmp_path / name).write_bytes(download(client, path))
        resource["path"] = name

    package = frictionless.Package(descriptor, basepath=str(tmp_path))
    report = package.validate()

    assert report.valid, report.flatten(["resourceName", "rowNumber", "fieldName", "type", "note"])[:20]
    assert {r.name for r in package.resources} == {
        "decisions",
        "payments",
        "recoveries",
        "projects",
        "requests",
        "municipalities",
        "figures",
        "figures-region",
        "figures-strand",
        "figures-topic",
        "figures-year",
        "figures-authority",
        "giving360",
        "feed",
    }


def test_every_download_of_the_data_page_is_in_the_data_package_and_in_dcat(client, programme):
    import re

    page = client.get("/daten/").content.decode().replace("&amp;", "&")
    downloads = {
        url
        for url in re.findall(r'href="(/api/v1/[^"]+)"', page)
        if not url.startswith(("/api/v1/docs/", "/api/v1/figures/changes/", "/api/v1/datapackage", "/api/v1/catalog"))
    }
    package = {r["path"].split("testserver", 1)[1] for r in client.get("/api/v1/datapackage.json").json()["resources"]}
    catalogue = client.get("/api/v1/catalog.jsonld").json()
    in_dcat = {
        d["dcat:downloadURL"]["@id"].split("testserver", 1)[1]
        for dataset in catalogue["dcat:dataset"]
        for d in dataset["dcat:distribution"]
    }

    assert len(downloads) >= 14
    assert downloads <= package, downloads - package
    assert downloads <= in_dcat, downloads - in_dcat
    json_lists = {url for url in in_dcat if "page_size=all" in url}
    assert len(json_lists) >= 6
    for url in json_lists:
        body = download(client, url)
        assert b'"pages": 1' in body, url


def test_keys_are_text_with_their_pattern_and_amounts_are_numbers(client, programme):
    resources = {r["name"]: r for r in client.get("/api/v1/datapackage.json").json()["resources"]}
    fields = {f["name"]: f for f in resources["municipalities"]["schema"]["fields"]}
    decision_fields = {f["name"]: f for f in resources["decisions"]["schema"]["fields"]}

    assert fields["ags"] == {**fields["ags"], "type": "string", "constraints": {"pattern": "05[0-9]{3}([0-9]{3})?"}}
    assert fields["population"]["type"] == "integer"
    assert decision_fields["amount"]["type"] == "number" and "Euro" in decision_fields["amount"]["description"]
    assert decision_fields["decision_date"]["type"] == "date"
    assert resources["requests"]["schema"]["foreignKeys"][1]["reference"] == {
        "resource": "municipalities",
        "fields": "ags",
    }
    assert (
        client.get("/api/v1/datapackage.json", HTTP_ORIGIN="https://example.org")["Access-Control-Allow-Origin"] == "*"
    )


def test_gemeinde_and_kreis_keys_in_their_own_columns_with_the_uris_others_link_to(client, programme):
    from regions.models import Municipality

    gemeinde = Municipality.objects.get(ags="05974040")  # Soest
    kreis = Municipality.objects.get(ags="05974")
    import json

    listed = json.loads(download(client, "/api/v1/municipalities/?page_size=all"))["results"]
    rows = {m["ags"]: m for m in listed}

    assert rows[gemeinde.ags]["municipality_key"] == "05974040" and rows[gemeinde.ags]["district_key"] == "05974"
    assert rows[kreis.ags]["municipality_key"] == "" and rows[kreis.ags]["district_key"] == "05974"
    assert rows[gemeinde.ags]["uri"] == "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05974040"
    assert rows[kreis.ags]["uri"] == "http://dcat-ap.de/def/politicalGeocoding/districtKey/05974"
    request = client.get("/api/v1/requests/").json()["results"][0]
    assert request["municipality"]["uri"].endswith(request["municipality"]["ags"])
    resources = {r["name"]: r for r in client.get("/api/v1/datapackage.json").json()["resources"]}
    fields = {f["name"]: f for f in resources["municipalities"]["schema"]["fields"]}
    assert fields["municipality_key"]["constraints"] == {"pattern": "05[0-9]{6}"}
    assert fields["district_key"]["constraints"] == {"pattern": "05[0-9]{3}"}
    assert fields["uri"]["format"] == "uri"
