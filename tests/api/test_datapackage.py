"""The served data package is a valid Frictionless package, and the served CSVs fit it (issue 15)."""

import io

import frictionless
import pytest
from django.core.management import call_command


@pytest.fixture
def programme(db):
    call_command("load_programme_data", stdout=io.StringIO(), stderr=io.StringIO())


def download(client, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200, url
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_data_package_validates_with_the_served_files(client, programme, tmp_path):
    descriptor = client.get("/api/v1/datapackage.json").json()
    # The files as a reader downloads them, next to the descriptor.
    for resource in descriptor["resources"]:
        path = resource["path"].split("testserver", 1)[1]
        (tmp_path / f"{resource['name']}.csv").write_bytes(download(client, path))
        resource["path"] = f"{resource['name']}.csv"

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
    }


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
