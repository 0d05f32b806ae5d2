"""The four-eyes rules, once, for every ledger that is drafted and released (funding.four_eyes).

Each ledger (decisions, payment requests, payments, recoveries) runs the same suite through
its own services: who may draft, change, delete and release; that a release names what was
reviewed; that a released entry is never changed (by the services, nor by the database); and
that the history names each person. A new ledger adds one entry to LEDGERS.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.utils import DatabaseError

from funding import services as decision_services
from funding.choices import RecoveryKind
from funding.four_eyes import DraftChangedSinceReview, review_digest
from funding.models import FundingDecision
from funding.payments import services as entry_services
from funding.payments.models import Payment, PaymentRequest, Recovery
from modellregionen import roles
from tests.factories import (
    DecisionFactory,
    GrantingAuthorityFactory,
    RecipientFactory,
    UserFactory,
    release_reviewed_decision,
)

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def second_clerk(db):
    return UserFactory(username="bernd", roles=[roles.CLERK])


@pytest.fixture
def clerk_and_approver(db):
    return UserFactory(username="dora", roles=[roles.CLERK, roles.APPROVER])


@pytest.fixture
def grant(approver):
    decision = DecisionFactory(amount=D("100000.00"), eligible_costs=D("125000.00"), own_share=D("25000.00"))
    return release_reviewed_decision(decision=decision, user=approver)


class DecisionLedger:
    model = FundingDecision
    changed_field = ("amount", D("1000.00"))

    def draft_fields(self, grant, number: int) -> dict:
        base = DecisionFactory.build(
            project=grant.project, recipient=RecipientFactory(), authority=GrantingAuthorityFactory()
        )
        fields = {name: getattr(base, name) for name in decision_services.EDITABLE_FIELDS}
        return {**fields, "reference": f"AZ-VA-{number}", "amount": D("2000.00"), "eligible_costs": D("4000.00")}

    def create(self, *, user, **fields):
        return decision_services.decision_create_draft(user=user, **fields)

    def record_released(self, *, released_by, **fields):
        return decision_services.decision_record_released(released_by=released_by, **fields)

    def update(self, entry, *, user, **fields):
        return decision_services.decision_update_draft(decision=entry, user=user, **fields)

    def delete(self, entry, *, user):
        decision_services.decision_delete_draft(decision=entry, user=user)

    def release(self, entry, *, user, reviewed):
        return decision_services.decision_release(decision=entry, user=user, reviewed=reviewed)


class EntryLedger(DecisionLedger):
    def __init__(self, model, prefix: str, **fields):
        self.model, self.prefix, self.fields = model, prefix, fields
        self.changed_field = ("amount", D("900.00"))

    def draft_fields(self, grant, number: int) -> dict:
        return {"reference": f"{self.prefix}-{number}", "decision": grant, "source": "Testbeleg", **self.fields}

    def create(self, *, user, **fields):
        return entry_services.entry_create_draft(self.model, user=user, **fields)

    def record_released(self, *, released_by, **fields):
        return entry_services.entry_record_released(self.model, released_by=released_by, **fields)

    def update(self, entry, *, user, **fields):
        return entry_services.entry_update_draft(entry=entry, user=user, **fields)

    def delete(self, entry, *, user):
        entry_services.entry_delete_draft(entry=entry, user=user)

    def release(self, entry, *, user, reviewed):
        return entry_services.entry_release(entry=entry, user=user, reviewed=reviewed)


LEDGERS = {
    "decisions": DecisionLedger(),
    "payment requests": EntryLedger(PaymentRequest, "MA", amount=D("1000.00"), received_on=dt.date(2019, 8, 20)),
    "payments": EntryLedger(Payment, "AUS", amount=D("1000.00"), value_date=dt.date(2019, 9, 2)),
    # A repayment needs a claim first; a claim stands on its own (its rules read what was paid).
    "recoveries": EntryLedger(
        Recovery, "RF", amount=D("1000.00"), kind=RecoveryKind.CLAIM, booked_on=dt.date(2019, 9, 2), reason="Prüfung"
    ),
}


@pytest.fixture(params=list(LEDGERS))
def ledger(request, grant, clerk, approver):
    ledger = LEDGERS[request.param]
    if ledger.model is Recovery:
        # A claim takes back what was paid: pay something first.
        payment = entry_services.entry_create_draft(
            Payment, user=clerk, reference="AUS-0", decision=grant, amount=D("5000.00"),
            value_date=dt.date(2019, 8, 1), source="Testbeleg",
        )  # fmt: skip
        entry_services.entry_release(entry=payment, user=approver, reviewed=review_digest(payment))
    return ledger


@pytest.fixture
def draft(ledger, grant, clerk):
    return ledger.create(user=clerk, **ledger.draft_fields(grant, 1))


def test_a_draft_by_one_person_is_released_by_a_second_and_the_history_names_both(ledger, draft, clerk, approver):
    assert not draft.is_released
    released = ledger.release(draft, user=approver, reviewed=review_digest(draft))
    assert released.is_released and released.released_by == approver and released.released_at is not None
    assert [h.history_user for h in released.history.order_by("history_date")] == [clerk, approver]


def test_nobody_releases_their_own_draft(ledger, grant, clerk_and_approver):
    own = ledger.create(user=clerk_and_approver, **ledger.draft_fields(grant, 2))
    with pytest.raises(PermissionDenied):
        ledger.release(own, user=clerk_and_approver, reviewed=review_digest(own))
    assert not ledger.model.objects.get(pk=own.pk).is_released


def test_only_the_clerk_role_drafts_and_only_the_approver_role_releases(ledger, grant, draft, approver, clerk):
    reader = UserFactory(username="leser")
    for user in (reader, approver, None):
        with pytest.raises(PermissionDenied):
            ledger.create(user=user, **ledger.draft_fields(grant, 3))
    for user in (reader, clerk, None):
        with pytest.raises(PermissionDenied):
            ledger.release(draft, user=user, reviewed=review_digest(draft))
    with pytest.raises(PermissionDenied):
        ledger.record_released(released_by=clerk, **ledger.draft_fields(grant, 4))
    assert ledger.model.objects.filter(reference__endswith=("-3")).count() == 0


def test_only_the_author_changes_or_deletes_a_draft(ledger, draft, second_clerk, clerk):
    name, value = ledger.changed_field
    with pytest.raises(PermissionDenied):
        ledger.update(draft, user=second_clerk, **{name: value})
    with pytest.raises(PermissionDenied):
        ledger.delete(draft, user=second_clerk)
    assert ledger.update(draft, user=clerk, **{name: value}).amount == value
    ledger.delete(draft, user=clerk)
    assert not ledger.model.objects.filter(pk=draft.pk).exists()


def test_unknown_fields_are_named_and_nothing_is_saved(ledger, grant, clerk):
    before = ledger.model.objects.count()
    with pytest.raises(ValidationError) as refused:
        ledger.create(user=clerk, **ledger.draft_fields(grant, 5), state="released")
    assert "state" in refused.value.message_dict
    assert ledger.model.objects.count() == before


def test_a_release_names_what_was_reviewed(ledger, draft, clerk, approver):
    reviewed = review_digest(draft)
    name, value = ledger.changed_field
    ledger.update(draft, user=clerk, **{name: value})
    for digest in (reviewed, None, "", "0" * 32):
        with pytest.raises(DraftChangedSinceReview):
            ledger.release(draft, user=approver, reviewed=digest)
    assert not ledger.model.objects.get(pk=draft.pk).is_released
    assert ledger.release(draft, user=approver, reviewed=review_digest(draft)).is_released


def test_a_released_entry_is_never_changed_nor_deleted(ledger, draft, clerk, approver):
    released = ledger.release(draft, user=approver, reviewed=review_digest(draft))
    name, value = ledger.changed_field
    with pytest.raises(ValidationError):
        ledger.update(released, user=clerk, **{name: value})
    with pytest.raises(ValidationError):
        ledger.delete(released, user=clerk)
    with pytest.raises(ValidationError):
        ledger.release(released, user=approver, reviewed=review_digest(released))
    # The database refuses it too, whoever writes (funding.db_guards).
    with pytest.raises(DatabaseError), transaction.atomic():
        ledger.model.objects.filter(pk=released.pk).update(**{name: value})
    with pytest.raises(DatabaseError), transaction.atomic():
        ledger.model.objects.filter(pk=released.pk).delete()
    assert getattr(ledger.model.objects.get(pk=released.pk), name) == getattr(released, name)


def test_the_database_holds_the_four_eyes_rules_for_writes_that_bypass_the_services(ledger, draft, clerk, approver):
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.model.objects.filter(pk=draft.pk).update(
            state="released", released_by=clerk, released_at=draft.created_at
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.model.objects.filter(pk=draft.pk).update(state="released")
    assert not ledger.model.objects.get(pk=draft.pk).is_released


def test_a_historical_entry_is_recorded_released_without_an_author(ledger, grant, approver):
    entry = ledger.record_released(released_by=approver, **ledger.draft_fields(grant, 6))
    assert entry.is_released and entry.drafted_by is None and entry.released_by == approver


def test_a_reference_that_differs_only_in_case_is_refused_naming_the_one_it_collides_with(ledger, grant, draft, clerk):
    before = ledger.model.objects.count()
    fields = {**ledger.draft_fields(grant, 2), "reference": draft.reference.lower()}

    with pytest.raises(ValidationError) as refused:
        ledger.create(user=clerk, **fields)

    assert f"„{draft.reference}“ gibt es schon" in " ".join(refused.value.message_dict["reference"])
    assert ledger.model.objects.count() == before


def test_the_database_refuses_a_reference_that_differs_only_in_case_also_behind_the_services(
    ledger, grant, draft, clerk
):
    other = ledger.create(user=clerk, **ledger.draft_fields(grant, 2))

    with pytest.raises(IntegrityError), transaction.atomic():
        ledger.model.objects.filter(pk=other.pk).update(reference=draft.reference.lower())


@pytest.mark.parametrize(
    "reference", ["=SUM(A1)", " AZ-1", "AZ-1 ", "AZ  1", "AZ\x001", "AZ;1", "<b>AZ</b>", "AZ\n1", "-AZ"]
)
def test_a_reference_of_other_characters_is_refused_and_nothing_is_saved(ledger, grant, clerk, reference):
    before = ledger.model.objects.count()

    with pytest.raises(ValidationError) as refused:
        ledger.create(user=clerk, **{**ledger.draft_fields(grant, 3), "reference": reference})

    assert "reference" in refused.value.message_dict
    assert ledger.model.objects.count() == before


@pytest.mark.parametrize("reference", ["34.06.01-1234/2019", "III B 4 (12)", "Bürger_1:2", "dmr-arn-2019-001"])
def test_references_as_administrations_write_them_are_taken(ledger, grant, clerk, reference):
    entry = ledger.create(user=clerk, **{**ledger.draft_fields(grant, 4), "reference": reference})

    assert entry.reference == reference
