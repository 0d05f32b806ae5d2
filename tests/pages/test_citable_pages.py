"""Pages you can cite (issue 27): ?version= and ?as_of= pin what a page shows, and it says how to cite it."""

import datetime as dt
import html
import re
from decimal import Decimal

import pytest

from funding.figures.engine import recompute_figures
from funding.figures.selectors import current_figures_version
from tests.factories import DecisionFactory, ProgrammeFactory

pytestmark = pytest.mark.django_db


def _text(response) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def two_versions(clerk, approver, region_soest):
    from django.utils import timezone

    from funding.models import DecisionState
    from tests.factories import GrantingAuthorityFactory, ProjectFactory, RecipientFactory

    project_soest = ProjectFactory(programme=ProgrammeFactory(), region=region_soest)
    recipient, authority = RecipientFactory(), GrantingAuthorityFactory()

    def release(amount: str, day: dt.date):
        DecisionFactory(
            project=project_soest,
            recipient=recipient,
            authority=authority,
            amount=Decimal(amount),
            eligible_costs=Decimal("10000000.00"),
            own_share=Decimal("0"),
            decision_date=day,
            state=DecisionState.RELEASED,
            released_by=approver,
            released_at=timezone.now(),
            drafted_by=clerk,
        )

    release("1000000.00", dt.date(2019, 7, 1))
    recompute_figures()
    first = current_figures_version()
    release("2500000.00", dt.date(2019, 8, 1))
    recompute_figures()
    return first, current_figures_version()


@pytest.mark.parametrize("path", ["/", "/regionen/soest/"])
def test_a_page_pinned_to_an_older_version_shows_that_versions_figures_and_says_so(client, two_versions, path):
    first, second = two_versions

    pinned = client.get(path, {"as_of": "2020-01-01", "version": first.pk})
    current = client.get(path, {"as_of": "2020-01-01"})

    assert pinned.status_code == 200
    assert f"Version {first.pk}" in _text(pinned) and "nicht die aktuelle Version" in _text(pinned)
    assert "1.000.000" in _text(pinned) or "1,0 Mio" in _text(pinned)
    assert f"Version {second.pk}" in _text(current) and "nicht die aktuelle Version" not in _text(current)


def test_every_figures_page_carries_its_citation_and_permalink_without_javascript(client, two_versions):
    first, _second = two_versions

    page = client.get("/", {"as_of": "2019-12-06", "version": first.pk}).content.decode()

    assert '<details class="cite">' in page and "Zitieren" in page
    assert f"?as_of=2019-12-06&amp;version={first.pk}" in page
    assert "Datenlizenz Deutschland" in page


def test_an_unknown_or_foreign_version_is_an_error_not_another_programmes_figures(client, two_versions):
    other = ProgrammeFactory(
        slug="anderes", name="Anderes Programm", start_date=dt.date(2030, 1, 1), end_date=dt.date(2032, 12, 31)
    )
    recompute_figures()
    foreign = current_figures_version(programme=other)

    for version in (999999, foreign.pk, "x"):
        response = client.get("/", {"version": version})
        assert response.status_code == 400
        assert "gezeigt wird die aktuelle" in _text(response) or "Zahl" in _text(response)


def test_a_project_page_pinned_to_a_version_shows_the_decisions_that_version_includes(client, two_versions):
    from projects.models import Project

    first, second = two_versions
    project = Project.objects.get()
    path = f"/loesungen/{project.slug}/"

    pinned = client.get(path, {"as_of": "2020-01-01", "version": first.pk})
    current = client.get(path, {"as_of": "2020-01-01"})
    before_the_second = client.get(path, {"as_of": "2019-07-15"})

    assert pinned.status_code == 200
    assert "1.000.000,00 €" in _text(pinned) and "3.500.000,00 €" not in _text(pinned)
    assert "nicht die aktuelle Version" in _text(pinned)
    assert "3.500.000,00 €" in _text(current)
    assert "1.000.000,00 €" in _text(before_the_second) and "2.500.000,00 €" not in _text(before_the_second)
    page = current.content.decode()
    assert '<details class="cite">' in page and f"?as_of=2020-01-01&amp;version={second.pk}" in page


def test_a_municipality_page_says_its_stand_and_how_to_cite_it(client, two_versions):
    from tests.factories import MunicipalityFactory

    _first, second = two_versions
    MunicipalityFactory(ags="05974040", name="Soest")

    page = client.get("/kommunen/05974040/", {"as_of": "2020-01-01"}).content.decode()

    assert f"Version {second.pk}" in _text(client.get("/kommunen/05974040/"))
    assert '<details class="cite">' in page and f"?as_of=2020-01-01&amp;version={second.pk}" in page
    assert "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05974040" in page
    assert client.get("/kommunen/05974040/", {"version": "999999"}).status_code == 400
