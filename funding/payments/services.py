"""Writes to the payments ledger: the only way in, for every entry path.

The same four-eyes rules as for decisions: Sachbearbeitung drafts, changes and deletes
(its own) drafts; Freigabe releases, never a draft it wrote itself; a released entry is
never changed (the database refuses it too), only corrected by a counter-entry. A release
locks the grant's initial decision, so two releases on one grant cannot both pass the rules.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding import four_eyes
from funding.choices import DecisionState
from funding.models import FundingDecision
from funding.payments.models import LedgerEntry, Payment, PaymentRequest, ProofOfUse, Recovery
from funding.payments.rules import check_entry, proof_of_use_due_on
from modellregionen import roles

PAYMENT_FIELDS = (
    "reference",
    "decision",
    "amount",
    "value_date",
    "payment_request",
    "corrects",
    "source",
)
PAYMENT_REQUEST_FIELDS = ("reference", "decision", "amount", "received_on", "purpose", "source")
RECOVERY_FIELDS = ("reference", "decision", "kind", "amount", "booked_on", "reason", "source")
PROOF_OF_USE_FIELDS = ("due_on", "received_on", "checked_on", "result", "source")
FIELDS = {PaymentRequest: PAYMENT_REQUEST_FIELDS, Payment: PAYMENT_FIELDS, Recovery: RECOVERY_FIELDS}


def _refuse_unknown_fields(model, fields: dict) -> None:
    unknown = set(fields) - set(FIELDS[model])
    if unknown:
        raise ValidationError({name: _("Unbekanntes Feld.") for name in sorted(unknown)})


def _refuse_unless_clerk(user) -> None:
    four_eyes.refuse_unless_clerk(user, what=_("Buchungen"))


def _refuse_unless_own_draft(entry: LedgerEntry, user) -> None:
    four_eyes.refuse_unless_own_draft(entry, user, what=_("Buchungen"), correct_by=_("erfassen Sie eine Gegenbuchung."))


def _lock_grant(decision_id) -> None:
    FundingDecision.objects.select_for_update().filter(pk=decision_id).first()


def _save(entry, user):
    entry.full_clean()  # field formats, the unique reference, and the ledger's rules
    entry._history_user = user
    entry.save()
    return entry


@transaction.atomic
def entry_create_draft(model: type[LedgerEntry], *, user, **fields) -> LedgerEntry:
    """Record a draft payment request, payment or recovery by `user`; it counts once someone else releases it."""
    _refuse_unless_clerk(user)
    _refuse_unknown_fields(model, fields)
    return _save(model(**fields, drafted_by=user, state=DecisionState.DRAFT), user)


@transaction.atomic
def entry_record_released(model: type[LedgerEntry], *, released_by, **fields) -> LedgerEntry:
    """Record an entry booked outside this app (import of historical bookings) as released by `released_by`."""
    if released_by is None or not roles.can_release_decisions(released_by):
        raise PermissionDenied(_("Nur die Freigabe kann freigegebene Buchungen übernehmen."))
    _refuse_unknown_fields(model, fields)
    _lock_grant(getattr(fields.get("decision"), "pk", None))
    entry = model(
        **fields, drafted_by=None, state=DecisionState.RELEASED, released_by=released_by, released_at=timezone.now()
    )
    return _save(entry, released_by)


def _lock_draft(entry: LedgerEntry) -> LedgerEntry:
    """The entry as stored, locked in the order a release locks (its grant, then itself)."""
    _lock_grant(entry.decision_id)
    return type(entry).objects.select_for_update().get(pk=entry.pk)


@transaction.atomic
def entry_update_draft(*, entry: LedgerEntry, user, **fields) -> LedgerEntry:
    entry = _lock_draft(entry)
    _refuse_unless_own_draft(entry, user)
    _refuse_unknown_fields(type(entry), fields)
    for name, value in fields.items():
        setattr(entry, name, value)
    return _save(entry, user)


@transaction.atomic
def entry_delete_draft(*, entry: LedgerEntry, user) -> None:
    entry = _lock_draft(entry)
    _refuse_unless_own_draft(entry, user)
    entry._history_user = user
    entry.delete()


@transaction.atomic
def entry_release(*, entry: LedgerEntry, user, reviewed: str | None) -> LedgerEntry:
    """Release a draft by a second person if it is what they reviewed, re-checking the rules against the ledger."""
    return four_eyes.release_reviewed(
        entry=entry,
        user=user,
        reviewed=reviewed,
        lock=lambda: _lock_grant(entry.decision_id),
        check=check_entry,
        what=_("Buchungen"),
    )


@transaction.atomic
def proof_of_use_record(*, decision: FundingDecision, user, **fields) -> ProofOfUse:
    """Create or update the proof of use of a grant; its due date defaults to the programme's rule.

    Checking it (checked_on and result) names `user` as the reviewer.
    """
    _refuse_unless_clerk(user)
    unknown = set(fields) - set(PROOF_OF_USE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unbekanntes Feld.") for name in sorted(unknown)})
    proof = ProofOfUse.objects.select_for_update().filter(decision=decision).first() or ProofOfUse(decision=decision)
    for name, value in fields.items():
        setattr(proof, name, value)
    if proof.due_on is None:
        proof.due_on = proof_of_use_due_on(decision)
    if fields.get("checked_on"):
        proof.reviewer = user
    proof.full_clean()
    proof._history_user = user
    proof.save()
    return proof
