"""Writes to the payments ledger: the only way in, for every entry path.

The same four-eyes rules as for decisions: Sachbearbeitung drafts, changes and deletes
(its own) drafts; Freigabe releases, never a draft it wrote itself; a released entry is
never changed (the database refuses it too), only corrected by a counter-entry. A release
locks the grant's initial decision, so two releases on one grant cannot both pass the rules.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from funding import four_eyes
from funding.models import FundingDecision
from funding.payments.models import LedgerEntry, Payment, PaymentRequest, ProofOfUse, Recovery
from funding.payments.rules import check_entry, proof_of_use_due_on
from modellregionen import ledger_changes

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


# What a released entry does to the figures; no figure reads payment requests.
RELEASED_KINDS = {
    PaymentRequest: ledger_changes.NO_FIGURES,
    Payment: ledger_changes.PAYMENT_RELEASED,
    Recovery: ledger_changes.RECOVERY_RELEASED,
}


def _ledger(model: type[LedgerEntry]) -> four_eyes.Ledger:
    return four_eyes.Ledger(
        model=model,
        fields=FIELDS[model],
        what=lambda: _("Buchungen"),
        correct_by=lambda: _("erfassen Sie eine Gegenbuchung."),
        parent="decision",
        check=check_entry,
        released_kind=RELEASED_KINDS[model],
        project_of=lambda entry: entry.decision.project_id,
    )


LEDGERS = {model: _ledger(model) for model in FIELDS}


def entry_create_draft(model: type[LedgerEntry], *, user, **fields) -> LedgerEntry:
    """Record a draft payment request, payment or recovery by `user`; it counts once someone else releases it."""
    return four_eyes.create_draft(LEDGERS[model], user=user, **fields)


def entry_record_released(model: type[LedgerEntry], *, released_by, **fields) -> LedgerEntry:
    """Record an entry booked outside this app (import of historical bookings) as released by `released_by`."""
    return four_eyes.record_released(LEDGERS[model], released_by=released_by, **fields)


def entry_update_draft(*, entry: LedgerEntry, user, **fields) -> LedgerEntry:
    return four_eyes.update_draft(LEDGERS[type(entry)], entry=entry, user=user, **fields)


def entry_delete_draft(*, entry: LedgerEntry, user) -> None:
    four_eyes.delete_draft(LEDGERS[type(entry)], entry=entry, user=user)


def entry_release(*, entry: LedgerEntry, user, reviewed: str | None) -> LedgerEntry:
    """Release a draft by a second person if it is what they reviewed, re-checking the rules against the ledger."""
    return four_eyes.release(LEDGERS[type(entry)], entry=entry, user=user, reviewed=reviewed)


@transaction.atomic
def proof_of_use_record(*, decision: FundingDecision, user, **fields) -> ProofOfUse:
    """Create or update the proof of use of a grant; its due date defaults to the programme's rule.

    Checking it (checked_on and result) names `user` as the reviewer.
    """
    four_eyes.refuse_unless_clerk(user, what=_("Buchungen"))
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
    ledger_changes.record()  # proofs of use are figures of their own (due, received, overdue)
    return proof
