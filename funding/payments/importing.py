"""Import of payments from CSV or XLSX files: all rows or none, through the payments ledger's services.

The file format (one row per payment, a header row with these column names):

    reference, decision, amount, value_date, corrects, request_reference, requested_on, source

`decision` is the Aktenzeichen of the grant (its initial decision), `corrects` the reference of
the payment a negative row corrects (also one earlier in the same file). Reading, the preview
and the all-or-nothing saving are those of the decisions' import (funding.importing).
"""

from funding.importing import ImportFormat, parse_date, parse_decimal
from funding.models import FundingDecision
from funding.payments.models import Payment
from funding.payments.services import PAYMENT_FIELDS, entry_create_draft, entry_record_released
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


PAYMENTS = ImportFormat(
    columns=PAYMENT_FIELDS,
    required=("reference", "decision", "amount", "value_date", "source"),
    labels={
        "reference": "Buchungszeichen",
        "decision": "Zuwendungsbescheid",
        "amount": "Betrag",
        "value_date": "Wertstellung",
        "corrects": "korrigiert Auszahlung",
        "request_reference": "Mittelanforderung",
        "requested_on": "Mittelanforderung vom",
        "source": "Quelle",
    },
    parsers={
        "decision": _find_grant,
        "amount": parse_decimal,
        "value_date": parse_date,
        "corrects": _find_payment,
        "requested_on": parse_date,
    },
    defaults={"corrects": None, "requested_on": None},
    optional_columns=("corrects", "request_reference", "requested_on"),
    create_draft=lambda *, user, **fields: entry_create_draft(Payment, user=user, **fields),
    record_released=lambda *, released_by, **fields: entry_record_released(Payment, released_by=released_by, **fields),
    may_draft=roles.can_draft_decisions,
    may_release=roles.can_release_decisions,
    noun="Auszahlungen",
)
