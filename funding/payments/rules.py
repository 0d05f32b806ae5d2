"""The rules of the payments ledger, in one place for every entry path.

Forms, the API, the import and the admin all reach these through the models' clean() (the
services call full_clean, and re-check on release against the current ledger). The database
repeats what a CHECK constraint can say: no zero payment, a negative payment only as a
correction, a positive recovery, a claim with a reason, a proof checked only after it came in.

A grant is an initial decision with the amendments and revocations that change it (followed
through `amends`). On a grant:
- a payment is booked on the released initial decision, not before its decision date;
- what is paid out (released payments less repayments, funding/payments/money.py) never adds
  up to more than the net grant as of each payment's value date, and nothing is paid on a
  grant that is fully revoked on that date;
- a negative payment corrects one released payment of the same grant, by at most what is left of it;
- claims (Rückforderungen) never exceed what was paid as of their date, repayments
  (Erstattungen) never exceed what was claimed;
- a payment request (Mittelanforderung) asks for no more than is still to be paid (granted
  less paid out, as the staff pages show it) on the grant on the day it came in; a payment made on it is of the same grant, not before it came
  in, and the payments on a request (less their corrections) never exceed the amount asked for.

This module imports no model (the models call it): it reads the ledger through the entries'
own managers and reverse relations, and a grant's money through funding/payments/money.py.
"""

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _

from funding.choices import ZERO, DecisionKind, RecoveryKind
from funding.payments.money import net_granted, paid_out, payments_made, recovered, still_to_pay
from funding.rules import grant_decision_ids

Grant = object  # a FundingDecision of kind "initial"
Entry = object  # a Payment, a Recovery or a PaymentRequest


def _euro(value: Decimal) -> str:
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def _day(value: dt.date) -> str:
    return date_format(value, "d.m.Y")


def check_entry(entry: Entry) -> None:
    """Raise one ValidationError naming every broken rule of a payment or recovery, by field."""
    errors: dict[str, list[str]] = defaultdict(list)

    def add(field: str, message: str) -> None:
        errors[field].append(message)

    grant = entry.decision if entry.decision_id else None
    if grant is None:
        add("decision", _("Bitte nennen Sie den Zuwendungsbescheid."))
    elif _check_grant(grant, add):
        model_name = entry._meta.model_name
        if model_name == "payment":
            _check_payment(entry, grant, add)
        elif model_name == "paymentrequest":
            _check_payment_request(entry, grant, add)
        else:
            _check_recovery(entry, grant, add)
    if errors:
        raise ValidationError(dict(errors))


def _check_grant(grant: Grant, add) -> bool:
    """Is `grant` a released initial decision? Says why not; the other rules need one."""
    ok = True
    if grant.kind != DecisionKind.INITIAL:
        ok = False
        add(
            "decision",
            _("Gebucht wird auf den ursprünglichen Zuwendungsbescheid, nicht auf %(kind)s %(ref)s.")
            % {"kind": grant.get_kind_display(), "ref": grant.reference},
        )
    if not grant.is_released:
        ok = False
        add("decision", _("Der Bescheid %(ref)s ist noch nicht freigegeben.") % {"ref": grant.reference})
    return ok


def _check_payment(payment, grant: Grant, add) -> None:
    day, amount = payment.value_date, payment.amount
    if day is None or amount is None:
        return  # the field itself is missing: full_clean names it
    if day < grant.decision_date:
        add(
            "value_date",
            _("Die Wertstellung liegt vor dem Bescheiddatum (%(date)s).") % {"date": _day(grant.decision_date)},
        )
        return
    if amount == 0:
        add("amount", _("Eine Auszahlung von 0,00 € ist keine Buchung."))
    elif amount < 0:
        if payment.payment_request_id:
            add(
                "payment_request",
                _("Eine Korrektur zählt bei der Mittelanforderung der korrigierten Auszahlung; nennen Sie keine."),
            )
        _check_correction(payment, grant, add)
    else:
        if payment.corrects_id:
            add("corrects", _("Nur ein negativer Betrag korrigiert eine Auszahlung."))
        _check_payment_within_grant(payment, grant, add)
        if payment.payment_request_id:
            _check_payment_within_request(payment, grant, add)


def _check_correction(payment, grant: Grant, add) -> None:
    corrected = payment.corrects if payment.corrects_id else None
    if corrected is None:
        add("corrects", _("Ein negativer Betrag ist eine Korrektur: nennen Sie die Auszahlung, die er korrigiert."))
        return
    if corrected.decision_id != grant.pk or not corrected.is_released or corrected.amount <= 0:
        add(
            "corrects",
            _("Korrigiert wird eine freigegebene Auszahlung desselben Bescheids, nicht %(ref)s.")
            % {"ref": corrected.reference},
        )
        return
    if payment.value_date < corrected.value_date:
        add("value_date", _("Die Korrektur liegt vor der Auszahlung %(ref)s.") % {"ref": corrected.reference})
    earlier = corrected.corrections.released()
    if payment.pk:
        earlier = earlier.exclude(pk=payment.pk)
    left = corrected.amount + (earlier.aggregate(total=Sum("amount"))["total"] or ZERO)
    if left + payment.amount < 0:
        add(
            "amount",
            _("Die Korrektur überstiege die Auszahlung %(ref)s (davon stehen noch %(left)s aus).")
            % {"ref": corrected.reference, "left": _euro(left)},
        )


def _check_payment_within_grant(payment, grant: Grant, add) -> None:
    day = payment.value_date
    decision_ids = grant_decision_ids(grant)
    if net_granted(grant, as_of=day, decision_ids=decision_ids) <= 0:
        add(
            "decision",
            _("Zum %(date)s ist der Bescheid %(ref)s vollständig widerrufen: es wird nichts mehr ausgezahlt.")
            % {"date": _day(day), "ref": grant.reference},
        )
        return
    # The new payment counts on its own value date and on that of every later payment, whose
    # own rule ("within the grant as of my value date") it must not break.
    later = grant.payments.released().filter(value_date__gt=day)
    if payment.pk:
        later = later.exclude(pk=payment.pk)
    for checkpoint in [day, *sorted(set(later.values_list("value_date", flat=True)))]:
        paid = paid_out(grant, as_of=checkpoint, excluding=payment) + payment.amount
        granted = net_granted(grant, as_of=checkpoint, decision_ids=decision_ids)
        if paid > granted:
            add(
                "amount",
                _(
                    "Damit wären zum %(date)s %(paid)s ausgezahlt, mehr als die bewilligte Zuwendung "
                    "von %(granted)s (Änderungen und Widerrufe eingerechnet)."
                )
                % {"date": _day(checkpoint), "paid": _euro(paid), "granted": _euro(granted)},
            )
            return


def paid_on_request(payment_request, *, excluding: Entry | None = None) -> Decimal:
    """Released payments made on a payment request, less the released corrections of them."""
    payments = payment_request.payments.released()
    if excluding is not None and excluding.pk:
        payments = payments.exclude(pk=excluding.pk)
    paid = payments.aggregate(total=Sum("amount"))["total"] or ZERO
    corrections = payment_request.payments.model.objects.released().filter(corrects__payment_request=payment_request)
    return paid + (corrections.aggregate(total=Sum("amount"))["total"] or ZERO)


def _check_payment_within_request(payment, grant: Grant, add) -> None:
    request = payment.payment_request
    if request.decision_id != grant.pk or not request.is_released:
        add(
            "payment_request",
            _("Gezahlt wird auf eine freigegebene Mittelanforderung desselben Bescheids, nicht auf %(ref)s.")
            % {"ref": request.reference},
        )
        return
    if payment.value_date < request.received_on:
        add(
            "value_date",
            _("Die Wertstellung liegt vor dem Eingang der Mittelanforderung %(ref)s (%(date)s).")
            % {"ref": request.reference, "date": _day(request.received_on)},
        )
    paid = paid_on_request(request, excluding=payment) + payment.amount
    if paid > request.amount:
        add(
            "amount",
            _("Auf die Mittelanforderung %(ref)s wären damit %(paid)s gezahlt, angefordert sind %(requested)s.")
            % {"ref": request.reference, "paid": _euro(paid), "requested": _euro(request.amount)},
        )


def _check_payment_request(payment_request, grant: Grant, add) -> None:
    day, amount = payment_request.received_on, payment_request.amount
    if day is None or amount is None:
        return
    if day < grant.decision_date:
        add(
            "received_on",
            _("Die Mittelanforderung kann nicht vor dem Bescheid (%(date)s) eingegangen sein.")
            % {"date": _day(grant.decision_date)},
        )
        return
    if amount <= 0:
        add("amount", _("Bitte geben Sie einen Betrag über 0,00 € an."))
        return
    left = still_to_pay(grant, as_of=day)
    if amount > left:
        add(
            "amount",
            _("Angefordert würden %(amount)s, zum %(date)s sind aber nur noch %(left)s der Zuwendung auszuzahlen.")
            % {"amount": _euro(amount), "date": _day(day), "left": _euro(max(left, ZERO))},
        )


def _check_recovery(recovery, grant: Grant, add) -> None:
    day, amount = recovery.booked_on, recovery.amount
    if day is None or amount is None or not recovery.kind:
        return
    if day < grant.decision_date:
        add("booked_on", _("Das Datum liegt vor dem Bescheiddatum (%(date)s).") % {"date": _day(grant.decision_date)})
        return
    if amount <= 0:
        add("amount", _("Bitte geben Sie einen Betrag über 0,00 € an."))
        return
    if recovery.kind == RecoveryKind.CLAIM:
        if not recovery.reason.strip():
            add("reason", _("Eine Rückforderung braucht ihren Grund (Widerruf, Prüfung des Verwendungsnachweises)."))
        claimed = recovered(grant, kind=RecoveryKind.CLAIM, as_of=day, excluding=recovery) + amount
        paid = payments_made(grant, as_of=day)
        if claimed > paid:
            add(
                "amount",
                _("Zurückgefordert würden %(claimed)s, ausgezahlt sind zum %(date)s nur %(paid)s.")
                % {"claimed": _euro(claimed), "date": _day(day), "paid": _euro(paid)},
            )
    else:
        repaid = recovered(grant, kind=RecoveryKind.REPAYMENT, as_of=day, excluding=recovery) + amount
        claimed = recovered(grant, kind=RecoveryKind.CLAIM, as_of=day)
        if repaid > claimed:
            add(
                "amount",
                _("Erstattet würden %(repaid)s, zurückgefordert sind zum %(date)s nur %(claimed)s.")
                % {"repaid": _euro(repaid), "date": _day(day), "claimed": _euro(claimed)},
            )


def check_proof_of_use(proof) -> None:
    """The proof of use of a released initial decision, received after it and checked after it came in."""
    errors: dict[str, list[str]] = defaultdict(list)
    grant = proof.decision if proof.decision_id else None
    if grant is not None:
        _check_grant(grant, lambda field, message: errors[field].append(message))
        if proof.received_on and proof.received_on < grant.decision_date:
            errors["received_on"].append(_("Der Nachweis kann nicht vor dem Bescheid eingegangen sein."))
    if proof.checked_on and not proof.received_on:
        errors["checked_on"].append(_("Geprüft werden kann nur ein eingegangener Nachweis."))
    elif proof.checked_on and proof.checked_on < proof.received_on:
        errors["checked_on"].append(_("Die Prüfung liegt vor dem Eingang."))
    if proof.checked_on and not proof.result:
        errors["result"].append(_("Bitte nennen Sie das Ergebnis der Prüfung."))
    if proof.result and not proof.checked_on:
        errors["checked_on"].append(_("Ein Ergebnis braucht das Datum der Prüfung."))
    if errors:
        raise ValidationError(dict(errors))


def proof_of_use_due_on(grant: Grant) -> dt.date:
    """Six months (or the programme's setting) after the end of the grant's funding period (ANBest-P 6.1)."""
    months = grant.project.programme.proof_of_use_months
    end = grant.period_end
    month_index = end.month - 1 + months
    year, month = end.year + month_index // 12, month_index % 12 + 1
    # The same day of the month, or the month's last day (31.08. + 6 months = 28./29.02.).
    for day in range(end.day, 27, -1):
        try:
            return dt.date(year, month, day)
        except ValueError:
            continue
    return dt.date(year, month, min(end.day, 28))
