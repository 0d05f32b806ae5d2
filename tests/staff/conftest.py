"""A small world for the staff workspace: two regions with a project office each, a project
and a request in each region, and the ministry's clerks and approvers."""

import datetime as dt
import re
from decimal import Decimal

import pytest

from funding import services
from funding.models import FundingDecision
from modellregionen import roles
from regions.models import StaffProfile
from tests.factories import (
    DecisionFactory,
    GrantingAuthorityFactory,
    ProgrammeFactory,
    ProjectFactory,
    RecipientFactory,
    RegionFactory,
    TransferRequestFactory,
    UserFactory,
    release_reviewed_decision,
    staff_login,
)

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def confirm_release(client, url: str, **data):
    """Open a release confirmation page and confirm it, as an approver does: returns the POST's answer."""
    page = client.get(url)
    found = re.search(r'name="reviewed" value="([0-9a-f]+)"', page.content.decode())
    return client.post(url, {"reviewed": found.group(1) if found else "", **data})


def login(client, user):
    """Log `user` in (the axes backend comes first in settings and cannot load a session user)."""
    if user is not None:
        staff_login(client, user, backend=MODEL_BACKEND)
    return client


@pytest.fixture
def region_wuppertal(db):
    return RegionFactory(slug="wuppertal", name="Wuppertal", administrative_district="1")


@pytest.fixture
def office_wuppertal(db, region_wuppertal):
    user = UserFactory(username="walter", first_name="Walter", roles=[roles.PROJECT_OFFICE])
    StaffProfile.objects.create(user=user, region=region_wuppertal)
    return user


@pytest.fixture
def second_clerk(db):
    return UserFactory(username="bernd", first_name="Bernd", roles=[roles.CLERK])


@pytest.fixture
def clerk_and_approver(db):
    """Someone who holds both ministry roles: may draft and release, but never their own draft."""
    return UserFactory(username="dora", first_name="Dora", roles=[roles.CLERK, roles.APPROVER])


@pytest.fixture
def administrator(db):
    return UserFactory(username="ada", first_name="Ada", roles=[roles.ADMINISTRATION])


@pytest.fixture
def no_role_user(db):
    return UserFactory(username="norbert", first_name="Norbert")


@pytest.fixture
def programme(db):
    return ProgrammeFactory()


@pytest.fixture
def project_soest(programme, region_soest):
    return ProjectFactory(programme=programme, region=region_soest, title="Bürgerportal Soest", slug="buergerportal")


@pytest.fixture
def project_wuppertal(programme, region_wuppertal):
    return ProjectFactory(
        programme=programme, region=region_wuppertal, title="Digitaler Aktenplan", slug="digitaler-aktenplan"
    )


@pytest.fixture
def request_soest(project_soest):
    return TransferRequestFactory(project=project_soest)


@pytest.fixture
def request_wuppertal(project_wuppertal):
    return TransferRequestFactory(project=project_wuppertal)


@pytest.fixture
def recipient(db):
    return RecipientFactory(name="Stadt Soest")


@pytest.fixture
def authority(db):
    return GrantingAuthorityFactory()


def decision_fields(project, recipient, authority, **overrides) -> dict:
    fields = {
        "reference": "AZ-2019-001",
        "project": project,
        "recipient": recipient,
        "authority": authority,
        "kind": "initial",
        "amends": None,
        "decision_date": dt.date(2019, 12, 6),
        "financing_type": "share",
        "eligible_costs": Decimal("594027.50"),
        "amount": Decimal("475222.00"),
        "own_share": Decimal("118805.50"),
        "private_investment": Decimal("0.00"),
        "period_start": dt.date(2020, 1, 1),
        "period_end": dt.date(2021, 12, 31),
        "source": "illustrative",
    }
    fields.update(overrides)
    return fields


def form_data(project, recipient, authority, **overrides) -> dict:
    """The decision form as a person fills it in: German amounts, ISO dates from the date picker."""
    data = {
        "reference": "AZ-2019-001",
        "project": str(project.pk),
        "recipient": str(recipient.pk),
        "authority": str(authority.pk),
        "kind": "initial",
        "decision_date": "2019-12-06",
        "financing_type": "share",
        "eligible_costs": "594.027,50",
        "amount": "475.222,00",
        "own_share": "118.805,50",
        "private_investment": "0",
        "period_start": "2020-01-01",
        "period_end": "2021-12-31",
        "source": "Bescheid der Bezirksregierung",
    }
    data.update(overrides)
    return data


@pytest.fixture
def draft_by_clerk(clerk, project_soest, recipient, authority) -> FundingDecision:
    return services.decision_create_draft(user=clerk, **decision_fields(project_soest, recipient, authority))


@pytest.fixture
def released_decision(project_soest, recipient, authority, approver) -> FundingDecision:
    draft = DecisionFactory(
        reference="AZ-2019-000",
        project=project_soest,
        recipient=recipient,
        authority=authority,
        eligible_costs=Decimal("1000000.00"),
        amount=Decimal("800000.00"),
        own_share=Decimal("200000.00"),
        decision_date=dt.date(2019, 7, 1),
    )
    return release_reviewed_decision(decision=draft, user=approver)
