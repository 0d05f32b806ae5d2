import re
from decimal import Decimal

import pytest
from django.utils import timezone

from funding.choices import DecisionKind, DecisionState
from funding.figures.engine import recompute_figures
from projects.models import ApplicationStatus
from tests.factories import DecisionFactory, ProgrammeFactory, ProjectFactory, RegionFactory, UserFactory
from tests.pages.test_dashboard import text_of

pytestmark = pytest.mark.django_db


def _granted(project, amount: str, *, day="2019-06-01", **fields):
    amount = Decimal(amount)
    return DecisionFactory(
        project=project,
        amount=amount,
        eligible_costs=amount * 2,
        own_share=amount,
        decision_date=day,
        state=DecisionState.RELEASED,
        released_by=UserFactory(),
        released_at=timezone.now(),
        **fields,
    )


@pytest.fixture
def soest():
    region = RegionFactory(slug="soest", name="Soest")
    portal = ProjectFactory(region=region, title="Bürgerportal")
    innenstadt = ProjectFactory(region=region, title="Digitale Innenstadt")
    village = ProjectFactory(region=region, title="Ärztenetz")
    ProjectFactory(region=region, title="Zu spät eingereicht", status=ApplicationStatus.REJECTED)
    ProjectFactory(region=region, title="Zurückgezogen", status=ApplicationStatus.WITHDRAWN)
    _granted(portal, "300000.00")
    _granted(innenstadt, "100000.00", day="2020-03-01")
    _granted(village, "200000.00")
    # A grant revoked in full: no longer funded from that day on.
    revoked = ProjectFactory(region=region, title="Widerrufen")
    grant = _granted(revoked, "50000.00")
    DecisionFactory(
        project=revoked,
        kind=DecisionKind.REVOCATION,
        amends=grant,
        recipient=grant.recipient,
        amount=Decimal("-50000.00"),
        eligible_costs=Decimal("0.00"),
        own_share=Decimal("0.00"),
        decision_date="2021-01-01",
        state=DecisionState.RELEASED,
        released_by=UserFactory(),
        released_at=timezone.now(),
    )
    other_programme = ProgrammeFactory(slug="gewerbe-service-portal", name="Gewerbe-Service-Portal.NRW")
    ProjectFactory(region=region, programme=other_programme, title="Portal eines anderen Programms")
    recompute_figures()
    return region


def _rows(page: str, section: str) -> list[str]:
    part = page.split(f'id="{section}"')[1].split("</section>")[0]
    return [re.sub(r"<[^>]+>", "", row).strip() for row in re.findall(r'<th scope="row">(.*?)</th>', part)]


def test_funded_projects_are_apart_from_the_others_with_their_grant_and_agree_with_the_tile(client, soest):
    response = client.get("/regionen/soest/", {"as_of": "2021-06-30"})
    page = response.content.decode()

    assert _rows(page, "funded-projects") == ["Ärztenetz", "Bürgerportal", "Digitale Innenstadt", "Zusammen"]
    assert _rows(page, "other-projects") == ["Widerrufen", "Zu spät eingereicht", "Zurückgezogen"]
    assert "Portal eines anderen Programms" not in page
    text = text_of(response)
    assert "Geförderte Projekte (3)" in text
    assert re.search(r"Bürgerportal .{0,60} 300\.000,00 €", text)
    assert "Zusammen 600.000,00 €" in text
    tile = page.split('id="tile-funded_projects"')[1].split("</li>")[0]
    assert ">3<" in tile  # the list and the figure count the same projects


def test_the_lists_follow_the_pages_date(client, soest):
    page = client.get("/regionen/soest/", {"as_of": "2019-12-31"}).content.decode()

    assert _rows(page, "funded-projects") == ["Ärztenetz", "Bürgerportal", "Widerrufen", "Zusammen"]
    assert "Digitale Innenstadt" in _rows(page, "other-projects")


def test_the_funded_list_sorts_by_a_column_without_javascript(client, soest):
    by_grant = client.get("/regionen/soest/", {"as_of": "2021-06-30", "sort": "-granted"}).content.decode()

    assert _rows(by_grant, "funded-projects")[:3] == ["Bürgerportal", "Ärztenetz", "Digitale Innenstadt"]
    assert 'aria-sort="descending"' in by_grant
    # The head links keep the page's date and turn the order round.
    assert 'href="?as_of=2021-06-30&amp;sort=granted#funded-projects"' in by_grant


def test_an_unknown_order_is_said_and_the_usual_one_shown(client, soest):
    response = client.get("/regionen/soest/", {"sort": "<script>"})

    assert response.status_code == 400
    assert "lässt sich nicht sortieren" in text_of(response)
    assert "<script>" not in response.content.decode().split("</header>")[-1]
    assert _rows(response.content.decode(), "funded-projects")[0] == "Ärztenetz"


def test_a_long_list_sends_the_reader_to_the_catalogue(client, soest, monkeypatch):
    monkeypatch.setattr("funding.figures.views.REGION_PAGE_PROJECTS", 2)

    page = client.get("/regionen/soest/").content.decode()

    assert len(_rows(page, "funded-projects")) == 3  # two and the sum
    assert "Gezeigt werden je Liste die ersten 2 Projekte; alle finden Sie im Katalog." in page
    assert 'href="/loesungen/?region=soest"' in page
