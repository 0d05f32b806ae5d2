"""What changed since the last press release: figures between two dates or versions, and a feed (issue 15)."""

import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.management import call_command
from django.utils import timezone

from funding.figures import engine
from funding.models import FiguresVersion, FundingDecision
from projects.models import TransferRequest
from tests.factories import MunicipalityFactory

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(db):
    call_command("load_programme_data", stdout=io.StringIO(), stderr=io.StringIO())
    engine.recompute_figures()


def test_between_the_two_published_dates_the_figures_and_the_decisions_that_explain_them(client, published):
    data = client.get("/api/v1/figures/changes/?from=2019-12-06&to=2020-10-26").json()
    figures = {f["key"]: f for f in data["figures"]}

    assert (figures["funded_projects"]["from"], figures["funded_projects"]["to"]) == (42, 65)
    assert figures["funding_granted"]["from"] == "56613750.00"
    explained = sum(Decimal(d["amount"]) for d in data["decisions"])
    assert Decimal(figures["funding_granted"]["difference"]) == explained == Decimal("16372550.00")
    expected = FundingDecision.objects.released().filter(
        project__programme__slug="digitale-modellregionen",
        decision_date__gt="2019-12-06",
        decision_date__lte="2020-10-26",
    )
    assert {d["reference"] for d in data["decisions"]} == set(expected.values_list("reference", flat=True))


def test_between_two_versions(client, published):
    first = FiguresVersion.objects.filter(is_current=True, programme__slug="digitale-modellregionen").get()
    TransferRequest.objects.create(
        confirmed_at=timezone.now(),  # recorded by staff or the programme data: counted
        project=FundingDecision.objects.first().project,
        municipality=MunicipalityFactory(ags="05770012"),
        received_on="2022-01-03",
        contact_name="R",
        contact_email="r@x.example",
    )
    engine.recompute_figures()
    second = FiguresVersion.objects.filter(is_current=True, programme__slug="digitale-modellregionen").get()

    data = client.get(f"/api/v1/figures/changes/?from_version={first.pk}&to_version={second.pk}").json()
    figures = {f["key"]: f for f in data["figures"]}

    assert figures["transfer_requests"]["difference"] == 1
    assert figures["funding_granted"]["difference"] == "0.00"
    assert data["decisions"] == []


@pytest.mark.parametrize(
    ("query", "parameter"),
    [
        ("from=2020-01-01&to=2019-01-01", "from"),
        ("from=2020-01-01", "to"),
        ("from=2020-13-01&to=2021-01-01", "from"),
        ("from_version=999999&to_version=1", "from_version"),
        ("", "from"),
        ("from=2020-01-01&to=2020-02-01&from_version=1&to_version=2", "from"),
        ("since=2020-01-01", "since"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, published, query, parameter):
    response = client.get(f"/api/v1/figures/changes/?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_the_atom_feed_lists_released_decisions_and_new_versions(client, published):
    response = client.get("/api/v1/feed.atom")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own answer in a test
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert any(title.startswith("Kennzahlen neu berechnet: Version") for title in titles)
    assert any("Zuwendungsbescheid DMR-" in title and "€ für „" in title for title in titles)
    assert len(titles) == len({entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")})


def test_the_feed_names_its_author_as_rfc_4287_asks(client, db):
    from defusedxml import ElementTree as ET

    from tests.factories import ProgrammeFactory

    programme = ProgrammeFactory()
    feed = ET.fromstring(client.get("/api/v1/feed.atom").content)
    atom = "{http://www.w3.org/2005/Atom}"

    assert feed.find(f"{atom}author/{atom}name").text == programme.funder


def test_a_404_under_the_api_is_json_in_the_api_error_format(client, db):
    response = client.get("/api/v1/gibt-es-nicht/")

    assert response.status_code == 404
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()
