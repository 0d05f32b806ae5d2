"""The rules a funding decision must satisfy, in one place for every entry path.

Forms, the API, the CSV import and the admin all call `check_decision`; the database
repeats the rules it can express as CHECK constraints and triggers.
"""

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from funding.choices import MONEY_FIELDS, ZERO, DecisionKind, RecipientKind

# A FundingDecision. The model calls these rules from its clean(), so this module does not
# import it (that would be a cycle); it reads other decisions through type(decision).objects.
Decision = Any

# The funding guideline caps the rate (grant / eligible costs) per recipient: up to 50 % in
# general, up to 80 % for municipalities and non-profit bodies, up to 90 % for universities and
# research institutions (Richtlinie "Digitale Modellregionen in NRW" of 12.07.2018, Nr. 5.4;
# NRW.BANK product page). A rate above the cap needs a recorded reason (a published exception,
# a separate funding line), or the decision is refused.
RATE_CAPS = {
    RecipientKind.MUNICIPALITY: Decimal("0.80"),
    RecipientKind.ASSOCIATION: Decimal("0.80"),
    RecipientKind.UNIVERSITY: Decimal("0.90"),
    RecipientKind.COMPANY: Decimal("0.50"),
    RecipientKind.PUBLIC_COMPANY: Decimal("0.50"),
}
CENT = Decimal("0.01")


def _euro(value: Decimal) -> str:
    return f"{number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)} €"


def check_decision(decision: Decision) -> None:
    """Raise a ValidationError naming every field that breaks a rule."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    _check_signs(decision, add)
    _check_period(decision, add)
    _check_amended_decision(decision, add)
    if not errors:
        _check_project_totals(decision, add)
    if not errors:
        _check_grant_total(decision, add)
    if not errors:
        _check_rate_cap(decision, add)
    if errors:
        raise ValidationError(errors)


def _check_signs(decision: Decision, add) -> None:
    if decision.amount is None:
        add("amount", _("Bitte geben Sie die Zuwendung an."))
        return
    if decision.kind == DecisionKind.INITIAL:
        for field in MONEY_FIELDS:
            value = getattr(decision, field)
            if value is not None and value < 0:
                add(field, _("Ein Zuwendungsbescheid enthält keine negativen Beträge."))
        if decision.eligible_costs is not None and decision.amount > decision.eligible_costs:
            add(
                "amount",
                _("Die Zuwendung (%(amount)s) übersteigt die zuwendungsfähigen Ausgaben (%(costs)s).")
                % {"amount": _euro(decision.amount), "costs": _euro(decision.eligible_costs)},
            )
    elif decision.kind == DecisionKind.REVOCATION:
        if decision.amount >= 0:
            add("amount", _("Ein Widerruf nimmt Zuwendung zurück: der Betrag muss negativ sein."))
        for field in ("eligible_costs", "own_share", "private_investment"):
            value = getattr(decision, field)
            if value is not None and value > 0:
                add(field, _("Ein Widerruf kann diesen Betrag nur verringern (Wert ≤ 0)."))


def _check_period(decision: Decision, add) -> None:
    if decision.period_start and decision.period_end and decision.period_end < decision.period_start:
        add("period_end", _("Der Bewilligungszeitraum endet vor seinem Beginn."))


def _check_amended_decision(decision: Decision, add) -> None:
    amended = decision.amends
    if decision.kind == DecisionKind.INITIAL:
        if amended is not None:
            add("amends", _("Ein Zuwendungsbescheid ändert keinen anderen Bescheid."))
        return
    if amended is None:
        add("amends", _("Änderungsbescheid und Widerruf müssen den geänderten Bescheid nennen."))
        return
    if not amended.is_released:
        add("amends", _("Der geänderte Bescheid %(ref)s ist noch nicht freigegeben.") % {"ref": amended.reference})
    if amended.project_id != decision.project_id:
        add("amends", _("Der geänderte Bescheid %(ref)s gehört zu einem anderen Projekt.") % {"ref": amended.reference})
    if decision.decision_date and amended.decision_date and decision.decision_date < amended.decision_date:
        add(
            "decision_date",
            _("Die Änderung ist älter als der Bescheid %(ref)s, den sie ändert.") % {"ref": amended.reference},
        )


def _check_project_totals(decision: Decision, add) -> None:
    """After this decision, the project's net grant lies between zero and its eligible costs."""
    # An initial decision is checked on its own above: it only adds to the project.
    if decision.kind == DecisionKind.INITIAL or not decision.project_id:
        return
    released = type(decision).objects.released().filter(project_id=decision.project_id)
    if decision.pk:
        released = released.exclude(pk=decision.pk)
    totals = released.aggregate(**{field: Sum(field) for field in MONEY_FIELDS})
    after = {field: (totals[field] or ZERO) + (getattr(decision, field) or ZERO) for field in MONEY_FIELDS}
    if after["amount"] < 0:
        add(
            "amount",
            _("Damit fiele die Zuwendung des Projekts unter null (bisher %(before)s).")
            % {"before": _euro(totals["amount"] or ZERO)},
        )
    for field in ("eligible_costs", "own_share", "private_investment"):
        if after[field] < 0:
            add(field, _("Damit fiele dieser Betrag des Projekts unter null."))
    if after["amount"] > after["eligible_costs"]:
        add(
            "amount",
            _("Die Zuwendung des Projekts (%(amount)s) überstiege dann seine zuwendungsfähigen Ausgaben (%(costs)s).")
            % {"amount": _euro(after["amount"]), "costs": _euro(after["eligible_costs"])},
        )


def grant_decision_ids(grant: Decision) -> set[int]:
    """The ids of the initial decision and of every decision that amends it, directly or not."""
    decisions = type(grant).objects
    ids, frontier = {grant.pk}, {grant.pk}
    while frontier:
        frontier = set(decisions.filter(amends_id__in=frontier).values_list("pk", flat=True)) - ids
        ids |= frontier
    return ids


def _check_grant_total(decision: Decision, add) -> None:
    """After a change, the grant it changes (its initial decision and every change of it) is not below zero.

    The project's total may stay positive on its other grants; a revocation still cannot take
    back more than was granted by the Bescheid it revokes.
    """
    if decision.kind == DecisionKind.INITIAL or decision.amends is None or decision.amount is None:
        return
    grant = decision.amends
    while grant.amends_id is not None:
        grant = grant.amends
    released = type(decision).objects.released().filter(pk__in=grant_decision_ids(grant))
    if decision.pk:
        released = released.exclude(pk=decision.pk)
    before = released.aggregate(total=Sum("amount"))["total"] or ZERO
    if before + decision.amount < 0:
        add(
            "amount",
            _("Damit fiele die Zuwendung aus %(ref)s unter null (bisher %(before)s).")
            % {"ref": grant.reference, "before": _euro(before)},
        )


def _check_rate_cap(decision: Decision, add) -> None:
    """The recipient's rate on the project after this decision stays under its cap, or a reason is given."""
    if not decision.project_id or not decision.recipient_id or decision.amount is None:
        return
    cap = RATE_CAPS.get(decision.recipient.kind)
    if cap is None or decision.rate_exception_reason.strip():
        return
    released = (
        type(decision).objects.released().filter(project_id=decision.project_id, recipient_id=decision.recipient_id)
    )
    if decision.pk:
        released = released.exclude(pk=decision.pk)
    totals = released.aggregate(amount=Sum("amount"), eligible_costs=Sum("eligible_costs"))
    amount = (totals["amount"] or ZERO) + decision.amount
    eligible = (totals["eligible_costs"] or ZERO) + (decision.eligible_costs or ZERO)
    if amount <= 0:
        return
    # The cap in whole cents, rounded half up: 90 % of 573.663,33 € allows 516.297,00 €.
    allowed = (eligible * cap).quantize(CENT, rounding=ROUND_HALF_UP)
    if amount > allowed:
        add(
            "amount",
            _(
                "Die Förderquote von %(rate)s liegt über der Obergrenze von %(cap)s für %(kind)s "
                "(höchstens %(allowed)s bei %(costs)s zuwendungsfähigen Ausgaben). Bitte begründen Sie die "
                "Ausnahme im Feld „Begründung einer höheren Förderquote“ oder senken Sie die Zuwendung."
            )
            % {
                "rate": _percent(amount / eligible if eligible else Decimal(1)),
                "cap": _percent(cap),
                "kind": decision.recipient.get_kind_display(),
                "allowed": _euro(allowed),
                "costs": _euro(eligible),
            },
        )


def _percent(ratio: Decimal) -> str:
    return f"{number_format(ratio * 100, decimal_pos=1, use_l10n=True)} %"
