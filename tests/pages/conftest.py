"""Fixtures of the public pages: the programme data, or a small programme from factories."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone

from funding.figures.engine import recompute_figures
from funding.models import DecisionKind, DecisionState
from tests.factories import DecisionFactory, MunicipalityFactory, ProjectFactory, RegionFactory, TopicFactory


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """The request form's per-IP limit lives in the cache; each test starts with none used."""
    cache.clear()
    yield
    cache.clear()


def release(decision_kwargs: dict, *, clerk, approver):
    return DecisionFactory(
        **decision_kwargs,
        drafted_by=clerk,
        state=DecisionState.RELEASED,
        released_by=approver,
        released_at=timezone.now(),
    )


@pytest.fixture
def small_programme(db, clerk, approver):
    """Two regions, three projects with released grants, one draft, figures computed."""
    soest = RegionFactory(slug="soest", name="Soest", administrative_district="9")
    wuppertal = RegionFactory(slug="wuppertal", name="Wuppertal", administrative_district="1")
    MunicipalityFactory(ags="05974040", name="Soest", kind="district_municipality", region=soest)
    MunicipalityFactory(ags="05974028", name="Lippstadt", kind="district_municipality", region=soest)
    MunicipalityFactory(ags="05124000", name="Wuppertal", kind="independent_city", region=wuppertal)
    mobility = TopicFactory(slug="mobilitaet", name="Mobilität", name_en="Mobility")
    portal = ProjectFactory(
        title="Bürgerportal und 3D-Stadtmodell",
        slug="buergerportal-soest",
        summary="Online-Dienste der Stadt und ein 3D-Stadtmodell.",
        region=soest,
        transferable=True,
        licence="eupl-1.2",
        maturity="in_operation",
        contact_role="Projektbüro Soest",
        contact_email="projektbuero@soest.example",
    )
    mobility_project = ProjectFactory(
        title="Bergisch.Smart_Mobility",
        slug="bergisch-smart-mobility",
        summary="Mobilstationen und Sharing-Angebote im Bergischen Städtedreieck.",
        region=wuppertal,
        strand="urban_development",
        topic=mobility,
    )
    office = ProjectFactory(title="Projektbüro Soest", slug="projektbuero-soest", region=soest, kind="project_office")
    initial = release(
        {
            "project": portal,
            "reference": "DMR-ARN-2019-001",
            "decision_date": dt.date(2019, 5, 2),
            "eligible_costs": Decimal("600000.00"),
            "amount": Decimal("500000.00"),
            "own_share": Decimal("100000.00"),
        },
        clerk=clerk,
        approver=approver,
    )
    release(
        {
            "project": portal,
            "reference": "DMR-ARN-2019-001-A1",
            "kind": DecisionKind.REVOCATION,
            "amends": initial,
            "decision_date": dt.date(2019, 11, 20),
            "eligible_costs": Decimal("0.00"),
            "amount": Decimal("-24778.00"),
            "own_share": Decimal("0.00"),
        },
        clerk=clerk,
        approver=approver,
    )
    release(
        {
            "project": mobility_project,
            "reference": "DMR-DUS-2019-005",
            "decision_date": dt.date(2019, 7, 15),
            "eligible_costs": Decimal("24000000.00"),
            "amount": Decimal("13100000.00"),
            "own_share": Decimal("4500000.00"),
            "private_investment": Decimal("6400000.00"),
        },
        clerk=clerk,
        approver=approver,
    )
    release(
        {"project": office, "reference": "DMR-ARN-2018-PB", "decision_date": dt.date(2018, 12, 1)},
        clerk=clerk,
        approver=approver,
    )
    # A draft never counts and never shows.
    DecisionFactory(project=portal, reference="DMR-ARN-2020-ENTWURF", amount=Decimal("99999.00"), drafted_by=clerk)
    recompute_figures()
    return {"soest": soest, "wuppertal": wuppertal, "portal": portal, "mobility": mobility_project, "office": office}
