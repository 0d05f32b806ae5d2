"""A grant's money, in one place: what is granted, paid out and still to be paid on a day.

These are the per-grant readings of the published figures of the same names
(funding/figures/definitions.py), and the payment rules, the staff pages and the project
page all read them from here, so a clerk is never offered an amount the rules refuse:

- granted (`funding_granted`): the released decisions of the grant (the initial decision,
  its amendments and revocations) dated on or before the day;
- paid out (`paid_out`): released payments, corrections included, by value date, less the
  released repayments (Erstattungen) by their date. Money repaid flows back: as long as the
  grant is not revoked, it may be paid again;
- still to pay (`still_to_pay`): granted less paid out.

`released_until` reads the ledger as a figures version saw it (entries released by then).
A test checks that these, summed over every grant, are the published figures.
"""

import datetime as dt
from decimal import Decimal

from django.apps import apps
from django.db.models import Q, Sum

from funding.choices import ZERO, RecoveryKind
from funding.rules import grant_decision_ids

Grant = object  # a FundingDecision of kind "initial"
Entry = object  # a Payment or a Recovery


def _dated(date_field: str, as_of: dt.date, released_until: dt.datetime | None) -> Q:
    condition = Q(state="released", **{f"{date_field}__lte": as_of})
    if released_until is not None:
        condition &= Q(released_at__lte=released_until)
    return condition


def _sum(entries) -> Decimal:
    return entries.aggregate(total=Sum("amount"))["total"] or ZERO


def _grant_ids(grants) -> list[int]:
    """One grant or several (grants or their ids)."""
    if isinstance(grants, int) or hasattr(grants, "pk"):
        grants = [grants]
    return [getattr(grant, "pk", grant) for grant in grants]


def net_granted(grant: Grant, *, as_of: dt.date, decision_ids: set[int] | None = None) -> Decimal:
    """The grant's net amount after every released decision of it dated on or before `as_of`.

    `decision_ids`: grant_decision_ids(grant), when the caller asks for several dates.
    """
    decisions = type(grant).objects.filter(
        _dated("decision_date", as_of, None), pk__in=decision_ids or grant_decision_ids(grant)
    )
    return _sum(decisions)


def payments_made(
    grants, *, as_of: dt.date, released_until: dt.datetime | None = None, excluding: Entry | None = None
) -> Decimal:
    """Released payments (corrections included) of `grants` with a value date on or before `as_of`."""
    payments = apps.get_model("funding", "Payment").objects.filter(
        _dated("value_date", as_of, released_until), decision_id__in=_grant_ids(grants)
    )
    if excluding is not None and excluding.pk:
        payments = payments.exclude(pk=excluding.pk)
    return _sum(payments)


def recovered(
    grants,
    *,
    kind: str,
    as_of: dt.date,
    released_until: dt.datetime | None = None,
    excluding: Entry | None = None,
) -> Decimal:
    """Released claims or repayments of `grants` dated on or before `as_of`."""
    entries = apps.get_model("funding", "Recovery").objects.filter(
        _dated("booked_on", as_of, released_until), kind=kind, decision_id__in=_grant_ids(grants)
    )
    if excluding is not None and excluding.pk:
        entries = entries.exclude(pk=excluding.pk)
    return _sum(entries)


def paid_out(
    grants, *, as_of: dt.date, released_until: dt.datetime | None = None, excluding: Entry | None = None
) -> Decimal:
    """Payments made less money repaid, on or before `as_of` (the published `paid_out`)."""
    made = payments_made(grants, as_of=as_of, released_until=released_until, excluding=excluding)
    repaid = recovered(grants, kind=RecoveryKind.REPAYMENT, as_of=as_of, released_until=released_until)
    return made - repaid


def still_to_pay(grant: Grant, *, as_of: dt.date) -> Decimal:
    """Granted less paid out on `as_of` (the published `still_to_pay`); negative after a revocation until repaid."""
    return net_granted(grant, as_of=as_of) - paid_out(grant, as_of=as_of)
