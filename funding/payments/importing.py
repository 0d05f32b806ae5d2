"""Import of the payments ledger from CSV or XLSX files: all rows or none, through its services.

Four formats, one row per record and a header row with these column names:

- PAYMENT_REQUESTS: reference, decision, amount, received_on, purpose, source;
- PAYMENTS: reference, decision, amount, value_date, payment_request, corrects, source
  (`payment_request`: the reference of the released request it is paid on; `corrects`: the
  released payment a negative row corrects);
- RECOVERIES: reference, decision, kind (claim or repayment), amount, booked_on, reason, source;
- PROOFS_OF_USE: decision, due_on, received_on, checked_on, result, source (creates or
  updates the grant's proof of use; an empty due_on takes the programme's rule).

`decision` is the Aktenzeichen of the grant (its initial decision). Reading, the preview and
the all-or-nothing saving are those of the decisions' import (funding.importing).
"""

from funding.choices import ProofOfUseResult, RecoveryKind
from funding.importing import ImportFormat, parse_choice, parse_date, parse_decimal
from funding.models import FundingDecision
from funding.payments.models import Payment, PaymentRequest, Recovery
from funding.payments.services import (
    PAYMENT_FIELDS,
    PAYMENT_REQUEST_FIELDS,
    PROOF_OF_USE_FIELDS,
    RECOVERY_FIELDS,
    entry_create_draft,
    entry_record_released,
    proof_of_use_record,
)
from modellregionen import roles


def _find_grant(text: str) -> FundingDecision:
    try:
        return FundingDecision.objects.get(reference=text)
    except FundingDecision.DoesNotExist as error:
        raise ValueError(f"Kein Bescheid mit dem Aktenzeichen „{text}“.") from error


def _find_payment(text: str) -> Payment:
    try:
        return Payment.objects.get(reference=text)
    except Payment.DoesNotExist as error:
        raise ValueError(f"Keine Auszahlung „{text}“ (auch nicht weiter oben in der Datei).") from error


def _find_payment_request(text: str) -> PaymentRequest:
    try:
        return PaymentRequest.objects.get(reference=text)
    except PaymentRequest.DoesNotExist as error:
        raise ValueError(f"Keine Mittelanforderung „{text}“ (auch nicht weiter oben in der Datei).") from error


PAYMENT_REQUESTS = ImportFormat(
    columns=PAYMENT_REQUEST_FIELDS,
    required=("reference", "decision", "amount", "received_on", "source"),
    labels={
        "reference": "Zeichen",
        "decision": "Zuwendungsbescheid",
        "amount": "Betrag",
        "received_on": "eingegangen am",
        "purpose": "Zweck",
        "source": "Quelle",
    },
    parsers={"decision": _find_grant, "amount": parse_decimal, "received_on": parse_date},
    defaults={},
    optional_columns=("purpose",),
    create_draft=lambda *, user, **fields: entry_create_draft(PaymentRequest, user=user, **fields),
    record_released=lambda *, released_by, **fields: entry_record_released(
        PaymentRequest, released_by=released_by, **fields
    ),
    may_draft=roles.can_draft_decisions,
    may_release=roles.can_release_decisions,
    noun="Mittelanforderungen",
    parent="decision",
)


PAYMENTS = ImportFormat(
    columns=PAYMENT_FIELDS,
    required=("reference", "decision", "amount", "value_date", "source"),
    labels={
        "reference": "Buchungszeichen",
        "decision": "Zuwendungsbescheid",
        "amount": "Betrag",
        "value_date": "Wertstellung",
        "payment_request": "Mittelanforderung",
        "corrects": "korrigiert Auszahlung",
        "source": "Quelle",
    },
    parsers={
        "decision": _find_grant,
        "amount": parse_decimal,
        "value_date": parse_date,
        "payment_request": _find_payment_request,
        "corrects": _find_payment,
    },
    defaults={"corrects": None, "payment_request": None},
    optional_columns=("payment_request", "corrects"),
    create_draft=lambda *, user, **fields: entry_create_draft(Payment, user=user, **fields),
    record_released=lambda *, released_by, **fields: entry_record_released(Payment, released_by=released_by, **fields),
    may_draft=roles.can_draft_decisions,
    may_release=roles.can_release_decisions,
    noun="Auszahlungen",
    parent="decision",
)


RECOVERIES = ImportFormat(
    columns=RECOVERY_FIELDS,
    required=("reference", "decision", "kind", "amount", "booked_on", "source"),
    labels={
        "reference": "Buchungszeichen",
        "decision": "Zuwendungsbescheid",
        "kind": "Art",
        "amount": "Betrag",
        "booked_on": "Datum",
        "reason": "Grund",
        "source": "Quelle",
    },
    parsers={
        "decision": _find_grant,
        "kind": lambda text: parse_choice(text, RecoveryKind),
        "amount": parse_decimal,
        "booked_on": parse_date,
    },
    defaults={},
    optional_columns=("reason",),
    create_draft=lambda *, user, **fields: entry_create_draft(Recovery, user=user, **fields),
    record_released=lambda *, released_by, **fields: entry_record_released(Recovery, released_by=released_by, **fields),
    may_draft=roles.can_draft_decisions,
    may_release=roles.can_release_decisions,
    noun="Rückforderungen und Erstattungen",
    parent="decision",
)


def _record_proof(*, user=None, released_by=None, decision, **fields):
    # A proof of use has no four eyes: it is recorded by whoever imports it (Sachbearbeitung).
    return proof_of_use_record(decision=decision, user=user or released_by, **fields)


PROOFS_OF_USE = ImportFormat(
    columns=("decision", *PROOF_OF_USE_FIELDS),
    required=("decision", "source"),
    labels={
        "decision": "Zuwendungsbescheid",
        "due_on": "fällig am",
        "received_on": "eingegangen am",
        "checked_on": "geprüft am",
        "result": "Ergebnis",
        "source": "Quelle",
    },
    parsers={
        "decision": _find_grant,
        "due_on": parse_date,
        "received_on": parse_date,
        "checked_on": parse_date,
        "result": lambda text: parse_choice(text, ProofOfUseResult),
    },
    defaults={"due_on": None, "received_on": None, "checked_on": None, "result": ""},
    optional_columns=("due_on", "received_on", "checked_on", "result"),
    create_draft=_record_proof,
    record_released=_record_proof,
    may_draft=roles.can_draft_decisions,
    may_release=roles.can_draft_decisions,
    noun="Verwendungsnachweise",
    parent="decision",
)
