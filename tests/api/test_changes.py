"""What changed since the last press release: figures between two dates or versions, and a feed (issue 15)."""

import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.figures import engine
from funding.models import FiguresVersion, FundingDecision
from projects.models import TransferRequest
from tests.factories import MunicipalityFactory

ATOM = "{http://www.w3.org/2005/Atom}"


@pytest.fixture
def published(programme_data):
    """The programme data with its figures (loaded once for this module)."""


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
        ("from=2020-13-01&to=2021-01-01", "from"),
        ("from=2020-01-01&to=heute", "to"),
        ("from_version=0", "from_version"),
        ("programme=atlantis", "programme"),
        ("since=2020-01-01", "since"),
        ("from=", "from"),
    ],
)
def test_bad_input_is_a_400_naming_the_parameter(client, published, query, parameter):
    response = client.get(f"/api/v1/figures/changes/?{query}")

    assert response.status_code == 400
    assert parameter in response.json()["errors"]


def test_a_version_that_does_not_exist_is_a_404_naming_the_parameter(client, published):
    response = client.get("/api/v1/figures/changes/?from_version=999999")

    assert response.status_code == 404
    assert response.json()["detail"].startswith("from_version:")


def test_a_version_of_another_programme_is_a_400_naming_both_also_without_programme(client, published):
    other = FiguresVersion.objects.filter(is_current=True).exclude(programme__slug="digitale-modellregionen").get()

    response = client.get(f"/api/v1/figures/changes/?to_version={other.pk}")

    assert response.status_code == 400
    message = response.json()["errors"]["to_version"][0]
    assert other.programme.slug in message and "digitale-modellregionen" in message


def test_each_end_defaults_to_the_current_version_today(client, published):
    today = timezone.localdate().isoformat()
    current = FiguresVersion.objects.get(is_current=True, programme__slug="digitale-modellregionen")

    data = client.get("/api/v1/figures/changes/?from=2019-12-06").json()

    assert data["from"]["date"] == "2019-12-06" and data["to"]["date"] == today
    assert data["from"]["version"] == data["to"]["version"] == current.pk
    figures = {f["key"]: f for f in data["figures"]}
    assert figures["funding_granted"]["from"] == "56613750.00"
    explained = sum(Decimal(d["amount"]) for d in data["decisions"] if d["change"] == "added")
    assert Decimal(figures["funding_granted"]["difference"]) == explained


def test_going_back_in_time_gives_the_negative_difference_and_the_decisions_it_removes(client, published):
    forward = client.get("/api/v1/figures/changes/?from=2019-12-06&to=2020-10-26").json()
    backward = client.get("/api/v1/figures/changes/?from=2020-10-26&to=2019-12-06").json()

    difference = {f["key"]: f["difference"] for f in forward["figures"]}
    assert {f["key"]: f["difference"] for f in backward["figures"]}["funding_granted"] == "-16372550.00"
    assert difference["funding_granted"] == "16372550.00"
    assert {d["reference"] for d in backward["decisions"]} == {d["reference"] for d in forward["decisions"]}
    assert {d["change"] for d in backward["decisions"]} == {"removed"}


def test_a_version_and_a_date_on_each_end(client, published):
    first = FiguresVersion.objects.get(is_current=True, programme__slug="digitale-modellregionen")
    data = client.get(f"/api/v1/figures/changes/?from_version={first.pk}&from=2019-12-06&to=2020-10-26").json()

    assert (data["from"]["version"], data["from"]["date"]) == (first.pk, "2019-12-06")
    assert {f["key"]: f for f in data["figures"]}["funded_projects"]["to"] == 65


def test_the_atom_feed_lists_released_decisions_and_new_versions(client, published):
    response = client.get("/api/v1/feed.atom")

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)  # noqa: S314 - our own answer in a test
    titles = [entry.find(f"{ATOM}title").text for entry in feed.findall(f"{ATOM}entry")]
    assert any(title.startswith("Kennzahlen neu berechnet: Version") for title in titles)
    assert any("Zuwendungsbescheid DMR-" in title and "€ für „" in title for title in titles)
    assert len(titles) == len({entry.find(f"{ATOM}id").text for entry in feed.findall(f"{ATOM}entry")})
