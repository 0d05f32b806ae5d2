"""The ledger's rules, for every entry path: services, model validation and the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding import services
from funding.models import DecisionKind, FundingDecision
from tests.factories import (
    DecisionFactory,
    GrantingAuthorityFactory,
    ProjectFactory,
    RecipientFactory,
    release_reviewed_decision,
)

pytestmark = pytest.mark.django_db


def _draft_fields(project, **overrides):
    base = DecisionFactory.build(project=project, recipient=RecipientFactory(), authority=GrantingAuthorityFactory())
    fields = {name: getattr(base, name) for name in services.EDITABLE_FIELDS}
    fields.update(overrides)
    return fields


def _released(project, releaser, **overrides) -> FundingDecision:
    decision = DecisionFactory(project=project, **overrides)
    return release_reviewed_decision(decision=decision, user=releaser)


def test_it_refuses_a_negative_amount_on_an_initial_decision(clerk):
    project = ProjectFactory()

    with pytest.raises(ValidationError) as error:
        services.decision_create_draft(user=clerk, **_draft_fields(project, amount=Decimal("-1.00")))

    assert "Ein Zuwendungsbescheid enthält keine negativen Beträge." in error.value.message_dict["amount"]
    assert FundingDecision.objects.count() == 0


def test_it_refuses_a_grant_above_the_eligible_costs(clerk):
    project = ProjectFactory()

    with pytest.raises(ValidationError) as error:
        services.decision_create_draft(
            user=clerk,
            **_draft_fields(project, eligible_costs=Decimal("100000.00"), amount=Decimal("100000.01")),
        )

    assert error.value.message_dict["amount"] == [
        "Die Zuwendung (100.000,01 €) übersteigt die zuwendungsfähigen Ausgaben (100.000,00 €)."
    ]


def test_it_refuses_a_period_that_ends_before_it_starts(clerk):
    project = ProjectFactory()

    with pytest.raises(ValidationError) as error:
        services.decision_create_draft(
            user=clerk, **_draft_fields(project, period_start=dt.date(2020, 1, 1), period_end=dt.date(2019, 12, 31))
        )

    assert error.value.message_dict["period_end"] == ["Der Bewilligungszeitraum endet vor seinem Beginn."]


def test_it_refuses_a_revocation_that_takes_the_project_below_zero(clerk, approver):
    project = ProjectFactory()
    initial = _released(project, approver, amount=Decimal("1000.00"), eligible_costs=Decimal("2000.00"))

    with pytest.raises(ValidationError) as error:
        services.decision_create_draft(
            user=clerk,
            **_draft_fields(
                project,
                reference="AZ-REV",
                kind=DecisionKind.REVOCATION,
                amends=initial,
                amount=Decimal("-1000.01"),
                eligible_costs=Decimal("0.00"),
                own_share=Decimal("0.00"),
            ),
        )

    assert error.value.message_dict["amount"] == [
        "Damit fiele die Zuwendung des Projekts unter null (bisher 1.000,00 €)."
    ]


def test_it_refuses_a_revocation_larger_than_its_grant_even_where_the_project_has_more(clerk, approver):
    """Found by an attacker's pass: the 360Giving export then published a negative grant."""
    project = ProjectFactory()
    small = _released(project, approver, amount=Decimal("500.00"), eligible_costs=Decimal("1000.00"))
    _released(project, approver, amount=Decimal("200000.00"), eligible_costs=Decimal("400000.00"))
    amendment = _released(
        project, approver, kind=DecisionKind.AMENDMENT, amends=small, amount=Decimal("100.00"),
        eligible_costs=Decimal("200.00"), own_share=Decimal("100.00"),
    )  # fmt: skip

    for amends in (small, amendment):  # the grant is the whole chain, whichever link is named
        with pytest.raises(ValidationError) as error:
            services.decision_create_draft(
                user=clerk,
                **_draft_fields(
                    project, reference=f"AZ-REV-{amends.pk}", kind=DecisionKind.REVOCATION, amends=amends,
                    amount=Decimal("-600.01"), eligible_costs=Decimal("0.00"), own_share=Decimal("0.00"),
                ),
            )  # fmt: skip
        assert error.value.message_dict["amount"] == [
            f"Damit fiele die Zuwendung aus {small.reference} unter null (bisher 600,00 €)."
        ]
    # All of it may be revoked.
    whole = services.decision_create_draft(
        user=clerk,
        **_draft_fields(
            project, reference="AZ-REV-ALL", kind=DecisionKind.REVOCATION, amends=amendment,
            amount=Decimal("-600.00"), eligible_costs=Decimal("0.00"), own_share=Decimal("0.00"),
        ),
    )  # fmt: skip
    assert release_reviewed_decision(decision=whole, user=approver).is_released


def test_a_revocation_of_part_of_the_grant_is_accepted(clerk, approver):
    project = ProjectFactory()
    initial = _released(project, approver, amount=Decimal("1000.00"), eligible_costs=Decimal("2000.00"))

    revocation = services.decision_create_draft(
        user=clerk,
        **_draft_fields(
            project,
            reference="AZ-REV",
            kind=DecisionKind.REVOCATION,
            amends=initial,
            amount=Decimal("-400.00"),
            eligible_costs=Decimal("0.00"),
            own_share=Decimal("0.00"),
        ),
    )
    release_reviewed_decision(decision=revocation, user=approver)

    net = sum(d.amount for d in FundingDecision.objects.released().filter(project=project))
    assert net == Decimal("600.00")


def test_it_refuses_an_amendment_of_a_draft_or_of_another_project(clerk, approver):
    project = ProjectFactory()
    other_released = _released(ProjectFactory(), approver)
    draft = DecisionFactory(project=project)

    for amended, message in [
        (draft, f"Der geänderte Bescheid {draft.reference} ist noch nicht freigegeben."),
        (other_released, f"Der geänderte Bescheid {other_released.reference} gehört zu einem anderen Projekt."),
    ]:
        with pytest.raises(ValidationError) as error:
            services.decision_create_draft(
                user=clerk,
                **_draft_fields(project, reference="AZ-AMD", kind=DecisionKind.AMENDMENT, amends=amended),
            )
        assert message in error.value.message_dict["amends"]


def test_an_amendment_must_name_the_decision_it_changes(clerk):
    with pytest.raises(ValidationError) as error:
        services.decision_create_draft(
            user=clerk, **_draft_fields(ProjectFactory(), kind=DecisionKind.AMENDMENT, amends=None)
        )

    assert "Änderungsbescheid und Widerruf müssen den geänderten Bescheid nennen." in error.value.message_dict["amends"]


def test_the_database_refuses_a_negative_initial_amount_that_bypasses_validation():
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(amount=Decimal("-5.00"))


def test_a_historical_decision_obeys_the_same_rules(approver):
    with pytest.raises(ValidationError) as error:
        services.decision_record_released(
            released_by=approver, **_draft_fields(ProjectFactory(), amount=Decimal("-1.00"))
        )

    assert "Ein Zuwendungsbescheid enthält keine negativen Beträge." in error.value.message_dict["amount"]
    assert FundingDecision.objects.count() == 0
