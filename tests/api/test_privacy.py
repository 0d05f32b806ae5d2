"""Public endpoints never show personal data: no contact names, e-mail addresses or messages."""

import json

PERSONAL = [
    "Erika Mustermann",
    "erika.mustermann@bielefeld.example",
    "0521 123456",
    "Hans Beispiel",
    "hans.beispiel@soest.example",
    "max.mustermann@soest.example",
    "clara",
    "anton",
]


def _everything_public(api) -> str:
    urls = [
        "/api/v1/requests/",
        "/api/v1/requests/?format=csv",
        "/api/v1/projects/",
        "/api/v1/projects/?format=csv",
        "/api/v1/projects/buergerportal-soest/",
        "/api/v1/decisions/",
        "/api/v1/decisions/?format=csv",
        "/api/v1/decisions/AZ-W-1/",
        "/api/v1/exports/360giving/",
        "/api/v1/regions/soest/",
        "/api/v1/municipalities/",
    ]
    texts = []
    for url in urls:
        response = api.get(url)
        assert response.status_code == 200, url
        texts.append(b"".join(response.streaming_content) if response.streaming else response.content)
    return b"\n".join(texts).decode()


def test_no_personal_data_on_any_public_endpoint(published, api):
    text = _everything_public(api)

    for value in PERSONAL:
        assert value not in text, value


def test_requests_show_who_what_when_and_status_only(ledger, api):
    item = api.get("/api/v1/requests/", {"kind": "transfer"}).json()["results"][0]

    assert item == {
        "id": ledger["request"].pk,
        "programme": ledger["request"].project.programme.slug,
        "project": "buergerportal-soest",
        "region": "soest",
        "municipality": {
            "ags": "05711000",
            "name": "Bielefeld",
            "uri": "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05711000",
        },
        "kind": "transfer",
        "received_on": "2020-02-01",
        "status": "received",
    }
    assert "contact" not in json.dumps(item)


def test_requests_filter_by_region_municipality_and_received_date(ledger, api):
    def ids(params):
        return [item["id"] for item in api.get("/api/v1/requests/", params).json()["results"]]

    assert ids({"region": "wuppertal"}) == [ledger["consultation"].pk]
    assert ids({"municipality": "05711000"}) == [ledger["request"].pk]
    assert ids({"received_from": "2020-03-01"}) == [ledger["consultation"].pk]
    assert api.get("/api/v1/requests/", {"received_to": "morgen"}).status_code == 400
