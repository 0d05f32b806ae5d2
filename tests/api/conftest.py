"""A small ledger for the API tests: two regions, two projects, released decisions, a draft
and a request with contact data that must never show."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.cache import cache
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from funding.figures.engine import recompute_figures
from funding.models import DecisionKind, DecisionState
from projects.models import RequestKind, Strand
from regions.models import MunicipalityKind
from tests.factories import (
    DecisionFactory,
    GrantingAuthorityFactory,
    MunicipalityFactory,
    ProgrammeFactory,
    ProjectFactory,
    RecipientFactory,
    RegionFactory,
    TopicFactory,
    TransferRequestFactory,
)


@pytest.fixture(autouse=True)
def _fresh_caches():
    """Rate-limit counters and rendered figures are in the shared cache; each test starts with none."""
    cache.clear()
    yield
    cache.clear()


def released(*, approver, **fields):
    return DecisionFactory(state=DecisionState.RELEASED, released_by=approver, released_at=timezone.now(), **fields)


@pytest.fixture
def ledger(db, clerk, approver, region_soest):
    programme = ProgrammeFactory(url="https://www.wirtschaft.nrw/digitale-modellregionen")
    wuppertal = RegionFactory(slug="wuppertal", name="Wuppertal", administrative_district="1")
    soest_city = MunicipalityFactory(
        ags="05974040", name="Soest", kind=MunicipalityKind.DISTRICT_MUNICIPALITY, region=region_soest
    )
    wuppertal_city = MunicipalityFactory(
        ags="05124000", name="Wuppertal", kind=MunicipalityKind.INDEPENDENT_CITY, region=wuppertal
    )
    bielefeld = MunicipalityFactory(ags="05711000", name="Bielefeld", kind=MunicipalityKind.INDEPENDENT_CITY)
    topic = TopicFactory(slug="mobilitaet", name="Mobilität")
    portal = ProjectFactory(
        programme=programme,
        title="Bürgerportal und 3D-Stadtmodell",
        slug="buergerportal-soest",
        summary="Ein Portal für alle Anliegen.",
        region=region_soest,
        lead_municipality=soest_city,
        strand=Strand.E_GOVERNMENT,
        topic=None,
        contact_email="max.mustermann@soest.example",
    )
    mobility = ProjectFactory(
        programme=programme,
        title="Bergisch.Smart_Mobility",
        slug="bergisch-smart-mobility",
        region=wuppertal,
        lead_municipality=wuppertal_city,
        strand=Strand.URBAN_DEVELOPMENT,
        topic=topic,
        submitted_on=dt.date(2019, 3, 1),
    )
    authority = GrantingAuthorityFactory()
    city_of_soest = RecipientFactory(name="Stadt Soest", municipality=soest_city)
    city_of_wuppertal = RecipientFactory(name="Stadt Wuppertal", municipality=wuppertal_city)
    portal_grant = released(
        approver=approver,
        drafted_by=clerk,
        reference="AZ-S-1/2019",
        project=portal,
        recipient=city_of_soest,
        authority=authority,
        decision_date=dt.date(2019, 6, 1),
        eligible_costs=Decimal("600000.00"),
        amount=Decimal("475222.00"),
        own_share=Decimal("124778.00"),
        source="Stadt Soest, Pressemitteilung",
    )
    mobility_grant = released(
        approver=approver,
        drafted_by=clerk,
        reference="AZ-W-1",
        project=mobility,
        recipient=city_of_wuppertal,
        authority=authority,
        decision_date=dt.date(2019, 7, 15),
        eligible_costs=Decimal("24000000.00"),
        amount=Decimal("13100000.00"),
        own_share=Decimal("10900000.00"),
        private_investment=Decimal("5000000.00"),
        period_start=dt.date(2019, 7, 1),
        period_end=dt.date(2022, 3, 31),
    )
    amendment = released(
        approver=approver,
        drafted_by=clerk,
        reference="AZ-W-2",
        kind=DecisionKind.AMENDMENT,
        amends=mobility_grant,
        project=mobility,
        recipient=city_of_wuppertal,
        authority=authority,
        decision_date=dt.date(2020, 1, 10),
        eligible_costs=Decimal("0.00"),
        amount=Decimal("250000.50"),
        own_share=Decimal("0.00"),
        period_start=dt.date(2019, 7, 1),
        period_end=dt.date(2022, 6, 30),
    )
    draft = DecisionFactory(
        drafted_by=clerk,
        reference="AZ-ENTWURF",
        project=portal,
        recipient=city_of_soest,
        authority=authority,
        decision_date=dt.date(2020, 5, 1),
        amount=Decimal("1000.00"),
        eligible_costs=Decimal("2000.00"),
    )
    request = TransferRequestFactory(
        project=portal,
        municipality=bielefeld,
        kind=RequestKind.TRANSFER,
        received_on=dt.date(2020, 2, 1),
        contact_name="Erika Mustermann",
        contact_email="erika.mustermann@bielefeld.example",
        message="Bitte rufen Sie mich unter 0521 123456 an.",
    )
    consultation = TransferRequestFactory(
        project=mobility,
        municipality=soest_city,
        kind=RequestKind.CONSULTATION,
        received_on=dt.date(2020, 3, 5),
        contact_name="Hans Beispiel",
        contact_email="hans.beispiel@soest.example",
    )
    return {
        "programme": programme,
        "soest": region_soest,
        "wuppertal": wuppertal,
        "portal": portal,
        "mobility": mobility,
        "portal_grant": portal_grant,
        "mobility_grant": mobility_grant,
        "amendment": amendment,
        "draft": draft,
        "request": request,
        "consultation": consultation,
        "authority": authority,
        "city_of_soest": city_of_soest,
    }


@pytest.fixture
def published(ledger):
    """The ledger's figures, computed and published as the nightly job would."""
    recompute_figures()
    from funding.figures.selectors import current_figures_version

    return current_figures_version()


@pytest.fixture
def api():
    """An API client without credentials (the anonymous journalist's script)."""
    return APIClient()


def token_client(user) -> APIClient:
    client = APIClient()
    token, _created = Token.objects.get_or_create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client
