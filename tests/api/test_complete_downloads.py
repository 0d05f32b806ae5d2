"""Every CSV of a list is the whole list (issue 15): pandas and browsers cannot see a Link header."""

import csv
import io

import pytest

from funding.models import FundingDecision
from modellregionen.api import renderers
from projects.models import Project, TransferRequest
from regions.models import Municipality
from tests.pages.test_dashboard import text_of


def rows_of(response, delimiter=","):
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig")), delimiter=delimiter))[1:]


@pytest.fixture
def programme(programme_data):
    """The programme data (loaded once for this module)."""


def test_every_download_on_the_data_page_has_every_row_of_the_database(client, programme, monkeypatch):
    # Pieces of 7 rows: a download of any length crosses many of them.
    monkeypatch.setattr(renderers, "ROWS_PER_CHUNK", 7)
    expected = {
        "/api/v1/decisions/?format=csv": FundingDecision.objects.released().count(),
        "/api/v1/projects/?format=csv": Project.objects.count(),
        "/api/v1/requests/?format=csv": TransferRequest.objects.counted().count(),
        "/api/v1/municipalities/?format=csv": Municipality.objects.count(),
    }
    page = client.get("/daten/").content.decode()

    for url, count in expected.items():
        response = client.get(url)
        assert response.status_code == 200
        assert len(rows_of(response)) == count == int(response["X-Total-Count"]), url
        assert url.replace("&", "&amp;") in page
        assert f"{count} Zeilen, vollständig" in text_of(client.get("/daten/"))
    assert expected["/api/v1/requests/?format=csv"] > 100  # more than one page of JSON


def test_filters_apply_to_the_complete_file_and_pages_stay_opt_in(client, programme):
    consultations = TransferRequest.objects.filter(kind="consultation").count()

    filtered = client.get("/api/v1/requests/?format=csv&kind=consultation&dialect=excel-de")
    one_page = client.get("/api/v1/requests/?format=csv&page=2&page_size=100")

    assert len(rows_of(filtered, delimiter=";")) == consultations
    assert len(rows_of(one_page)) == 100
    assert not one_page.streaming


def test_no_personal_data_in_the_requests_download(client, programme):
    text = b"".join(client.get("/api/v1/requests/?format=csv").streaming_content).decode()

    assert "@" not in text


def test_page_size_all_gives_the_whole_list_as_one_json_page(client, programme, monkeypatch):
    import json

    monkeypatch.setattr(renderers, "ROWS_PER_CHUNK", 7)
    counts = {
        "/api/v1/requests/": TransferRequest.objects.counted().count(),
        "/api/v1/municipalities/": Municipality.objects.count(),
        "/api/v1/decisions/": FundingDecision.objects.released().count(),
    }
    assert counts["/api/v1/requests/"] > 100  # more than one page of JSON
    for url, expected in counts.items():
        response = client.get(url, {"page_size": "all"})
        body = json.loads(b"".join(response.streaming_content))

        assert response.status_code == 200 and response["Content-Type"] == "application/json", url
        assert body["count"] == len(body["results"]) == expected == int(response["X-Total-Count"]), url
        assert (body["page"], body["pages"], body["next"], body["previous"]) == (1, 1, None, None)
        paged = client.get(url, {"page_size": 1000}).json()["results"]
        assert body["results"][: len(paged)] == json.loads(json.dumps(paged)), url

    filtered = json.loads(b"".join(client.get("/api/v1/requests/?page_size=all&kind=consultation").streaming_content))
    assert filtered["count"] == TransferRequest.objects.counted().filter(kind="consultation").count()
    # Read to the end, as a client does: an unread stream would keep its database cursor open.
    page_one = client.get("/api/v1/requests/?page_size=all&page=1")
    assert json.loads(b"".join(page_one.streaming_content))["count"] == counts["/api/v1/requests/"]
    assert client.get("/api/v1/requests/?page_size=all&page=2").status_code == 404  # all is one page
