"""The ledger's rules, for every entry path: services, model validation and the database."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError

from funding import services
from funding.models import DecisionKind, DecisionState, FundingDecision
from tests.factories import (
    DecisionFactory,
    GrantingAuthorityFactory,
    ProjectFactory,
    RecipientFactory,
    UserFactory,
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


def test_it_refuses_release_by_the_author(clerk):
    draft = services.decision_create_draft(user=clerk, **_draft_fields(ProjectFactory()))

    with pytest.raises(PermissionDenied):
        release_reviewed_decision(decision=draft, user=clerk)

    draft.refresh_from_db()
    assert draft.state == DecisionState.DRAFT


def test_release_by_a_second_person_records_who_and_when(clerk, approver):
    draft = services.decision_create_draft(user=clerk, **_draft_fields(ProjectFactory()))

    released = release_reviewed_decision(decision=draft, user=approver)

    assert released.state == DecisionState.RELEASED
    assert released.released_by == approver
    assert released.released_at is not None
    assert released.funding_rate == Decimal("0.8000")


def test_a_released_decision_cannot_be_changed_or_deleted_through_the_services(clerk, approver):
    released = release_reviewed_decision(
        decision=services.decision_create_draft(user=clerk, **_draft_fields(ProjectFactory())), user=approver
    )

    with pytest.raises(ValidationError):
        services.decision_update_draft(decision=released, user=clerk, amount=Decimal("1.00"))
    with pytest.raises(ValidationError):
        services.decision_delete_draft(decision=released, user=clerk)

    released.refresh_from_db()
    assert released.amount == Decimal("160000.00")


def test_the_database_refuses_a_queryset_update_of_a_released_decision(approver):
    released = _released(ProjectFactory(), approver)

    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        FundingDecision.objects.filter(pk=released.pk).update(amount=Decimal("1.00"))

    released.refresh_from_db()
    assert released.amount == Decimal("160000.00")


def test_the_database_refuses_deleting_a_released_decision(approver):
    released = _released(ProjectFactory(), approver)

    with pytest.raises(DatabaseError, match="immutable"), transaction.atomic():
        FundingDecision.objects.filter(pk=released.pk).delete()

    assert FundingDecision.objects.filter(pk=released.pk).exists()


def test_the_database_refuses_a_release_by_the_author_that_bypasses_the_services():
    author = UserFactory()
    draft = DecisionFactory(drafted_by=author)

    with pytest.raises(IntegrityError), transaction.atomic():
        FundingDecision.objects.filter(pk=draft.pk).update(
            state=DecisionState.RELEASED, released_by=author, released_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
        )


def test_the_database_refuses_a_negative_initial_amount_that_bypasses_validation():
    with pytest.raises(IntegrityError), transaction.atomic():
        DecisionFactory(amount=Decimal("-5.00"))


def test_drafts_can_be_changed_and_deleted_only_by_their_author(clerk):
    other_clerk = UserFactory(username="bernd")
    draft = services.decision_create_draft(user=clerk, **_draft_fields(ProjectFactory()))

    with pytest.raises(PermissionDenied):
        services.decision_update_draft(decision=draft, user=other_clerk, amount=Decimal("1.00"))
    services.decision_update_draft(decision=draft, user=clerk, amount=Decimal("150000.00"))
    draft.refresh_from_db()
    assert draft.amount == Decimal("150000.00")

    services.decision_delete_draft(decision=draft, user=clerk)
    assert not FundingDecision.objects.filter(pk=draft.pk).exists()


def test_every_change_is_kept_in_the_history(clerk, approver):
    draft = services.decision_create_draft(user=clerk, **_draft_fields(ProjectFactory()))
    services.decision_update_draft(decision=draft, user=clerk, amount=Decimal("150000.00"))
    release_reviewed_decision(decision=draft, user=approver)

    records = list(draft.history.order_by("history_date").values_list("history_type", "amount", "state"))

    assert records == [
        ("+", Decimal("160000.00"), "draft"),
        ("~", Decimal("150000.00"), "draft"),
        ("~", Decimal("150000.00"), "released"),
    ]


def test_a_historical_decision_is_recorded_as_released_by_the_importing_approver(approver):
    project = ProjectFactory()

    decision = services.decision_record_released(released_by=approver, **_draft_fields(project))

    assert decision.state == DecisionState.RELEASED
    assert decision.drafted_by is None
    assert decision.released_by == approver
    assert decision.history.latest().history_user == approver


def test_only_an_approver_may_record_a_released_decision(clerk):
    with pytest.raises(PermissionDenied):
        services.decision_record_released(released_by=clerk, **_draft_fields(ProjectFactory()))

    assert FundingDecision.objects.count() == 0


def test_a_historical_decision_obeys_the_same_rules(approver):
    with pytest.raises(ValidationError) as error:
        services.decision_record_released(
            released_by=approver, **_draft_fields(ProjectFactory(), amount=Decimal("-1.00"))
        )

    assert "Ein Zuwendungsbescheid enthält keine negativen Beträge." in error.value.message_dict["amount"]
    assert FundingDecision.objects.count() == 0
