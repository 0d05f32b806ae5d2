"""Check the stored figures against the ledger with independent, plain queries.

This deliberately shares no code with funding.figures.engine: it asks the ledger plain
GROUP BY questions through the ORM, accumulates the answers in Python and compares every
stored step series of the current versions with the result.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, F, Min, OuterRef, Q, Subquery, Sum, Value
from django.db.models.functions import ExtractYear

from funding.choices import DecisionState, RecoveryKind
from funding.figures.definitions import FIGURES, GROUPING_NUMBERS, NO_AUTHORITY_KEY, NO_TOPIC_KEY, zero_values
from funding.figures.selectors import denominators, step_values, version_steps
from funding.figures.step_index import STEP_COLUMNS
from funding.models import FigureGroup, FiguresVersion, FundingDecision, Programme
from funding.payments.models import Payment, ProofOfUse, Recovery
from projects.models import Project, ProjectKind, RequestKind, TransferRequest
from regions.models import Municipality, MunicipalityKind, Region

CENT = Decimal("0.01")
RATIO = Decimal("0.000001")

SeriesKey = tuple[str, str, str]  # figure, grouping, group key


@dataclass(frozen=True)
class Drift:
    programme: str
    figure: str
    grouping: str
    group_key: str
    date: dt.date
    stored: Decimal
    expected: Decimal

    def __str__(self) -> str:
        group = f"{self.grouping}={self.group_key}" if self.grouping else "total"
        return (
            f"{self.programme}: {self.figure} ({group}) as of {self.date:%Y-%m-%d}: "
            f"stored {self.stored}, ledger {self.expected}"
        )


def _normalise(figure: str, value: Decimal | None) -> Decimal | None:
    if value is None:
        return None  # an undefined rate (of nothing granted)
    unit = FIGURES[figure].unit
    if unit == "eur":
        return Decimal(value).quantize(CENT)
    if unit == "count":
        return Decimal(int(value))
    return Decimal(value).quantize(RATIO, rounding=ROUND_HALF_UP)


def _group_lookups(date_field: str, authority: str, prefix: str | None = None) -> dict[str, object]:
    """Grouping -> the ORM expression of its key, for a query over decisions, requests or entries."""
    if prefix is None:
        prefix = "" if date_field == "submitted_on" else "project__"
    return {
        "": None,
        "region": f"{prefix}region__slug",
        "strand": f"{prefix}strand",
        "topic": f"{prefix}topic__slug",
        "year": ExtractYear(date_field),
        "authority": authority,
    }


def _key(grouping: str, value) -> str:
    if grouping == "":
        return ""
    if value is None or value == "":
        return NO_TOPIC_KEY if grouping == "topic" else NO_AUTHORITY_KEY
    return str(value)


def _grouped(queryset, grouping: str, lookup, *fields: str):
    """Rows of `queryset` grouped by the key of `grouping` (as `k`) and `fields`."""
    if lookup is None:
        queryset = queryset.annotate(k=Value(""))
    else:
        queryset = queryset.annotate(k=F(lookup) if isinstance(lookup, str) else lookup)
    return queryset.order_by().values("k", *fields)


def _first_authority() -> Subquery:
    """The slug of the authority of a project's first released decision."""
    return Subquery(
        FundingDecision.objects.released()
        .filter(project=OuterRef("pk"))
        .order_by("decision_date", "id")
        .values("authority__slug")[:1]
    )


def _first_decision_date() -> Subquery:
    return Subquery(
        FundingDecision.objects.released()
        .filter(project=OuterRef("pk"))
        .order_by("decision_date", "id")
        .values("decision_date")[:1]
    )


def expected_changes(*, programme: Programme) -> dict[SeriesKey, dict[dt.date, Decimal]]:
    """Every figure's daily changes per group, straight from the ledger."""
    changes: dict[SeriesKey, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    decisions = FundingDecision.objects.released().filter(project__programme=programme)

    # Amounts: one GROUP BY per grouping, under each decision's own authority and year.
    for grouping, lookup in _group_lookups("decision_date", "authority__slug").items():
        rows = _grouped(decisions, grouping, lookup, "decision_date").annotate(
            amount=Sum("amount"),
            private=Sum("private_investment"),
            eligible=Sum("eligible_costs"),
            own=Sum("own_share"),
        )
        for row in rows:
            key, day = _key(grouping, row["k"]), row["decision_date"]
            for figure, value in (
                ("funding_granted", row["amount"]),
                ("budget_committed", row["amount"]),
                ("private_investment", row["private"]),
                ("total_volume", row["amount"] + row["private"]),
                ("eligible_investment", row["eligible"]),
                ("own_share", row["own"]),
            ):
                changes[(figure, grouping, key)][day] += Decimal(value)

    # Funded projects and offices: a project's net grant at the end of each decision day.
    projects = {
        row["pk"]: row
        for row in Project.objects.filter(programme=programme)
        .annotate(first_authority=_first_authority(), first_date=_first_decision_date())
        .values("pk", "kind", "region__slug", "strand", "topic__slug", "first_authority", "first_date")
    }
    daily_net = (
        decisions.order_by("project_id", "decision_date")
        .values("project_id", "decision_date")
        .annotate(net=Sum("amount"))
    )
    net_so_far: dict[int, Decimal] = defaultdict(Decimal)
    for row in daily_net:
        project = projects[row["project_id"]]
        before = net_so_far[row["project_id"]]
        after = net_so_far[row["project_id"]] = (before + Decimal(row["net"])).quantize(CENT)
        flip = int(after > 0) - int(before > 0)
        if not flip:
            continue
        figure = "funded_projects" if project["kind"] == ProjectKind.PROJECT else "project_offices"
        for grouping, value in (
            ("", ""),
            ("region", project["region__slug"]),
            ("strand", project["strand"]),
            ("topic", project["topic__slug"]),
            ("year", project["first_date"].year),
            ("authority", project["first_authority"]),
        ):
            changes[(figure, grouping, _key(grouping, value))][row["decision_date"]] += flip

    # Applications: by submission date, under the authority of the first released decision.
    applications = Project.objects.filter(programme=programme).annotate(first_authority=_first_authority())
    for grouping, lookup in _group_lookups("submitted_on", "first_authority").items():
        for row in _grouped(applications, grouping, lookup, "submitted_on").annotate(n=Count("id")):
            changes[("applications", grouping, _key(grouping, row["k"]))][row["submitted_on"]] += row["n"]

    # Requests by date of receipt; a municipality counts once, from its first request.
    requests = (
        TransferRequest.objects.counted()
        .filter(project__programme=programme)
        .annotate(
            first_authority=Subquery(
                FundingDecision.objects.released()
                .filter(project=OuterRef("project_id"))
                .order_by("decision_date", "id")
                .values("authority__slug")[:1]
            )
        )
    )
    for grouping, lookup in _group_lookups("received_on", "first_authority").items():
        for row in _grouped(requests, grouping, lookup, "received_on", "kind").annotate(n=Count("id")):
            figure = "transfer_requests" if row["kind"] == RequestKind.TRANSFER else "consultation_requests"
            changes[(figure, grouping, _key(grouping, row["k"]))][row["received_on"]] += row["n"]
        first_requests = _grouped(
            requests, grouping, lookup, "municipality_id", "municipality__kind", "municipality__population"
        ).annotate(first=Min("received_on"))
        for row in first_requests:
            key = _key(grouping, row["k"])
            changes[("requesting_municipalities", grouping, key)][row["first"]] += 1
            if row["municipality__kind"] in MunicipalityKind.district_level():
                continue  # a Kreis is not a Gemeinde: it counts as a municipality, not in the reach
            for figure, value in (
                ("requesting_gemeinden", 1),
                ("reach_gemeinden_share", 1),
                ("reach_population", row["municipality__population"] or 0),
                ("reach_population_share", row["municipality__population"] or 0),
            ):
                changes[(figure, grouping, key)][row["first"]] += value
    _expected_payment_changes(changes, programme=programme)
    # Funding per inhabitant changes with the funding granted.
    for (figure, grouping, key), daily in list(changes.items()):
        if figure == "funding_granted":
            changes[("funding_per_inhabitant", grouping, key)] = defaultdict(Decimal, daily)
    return changes


def _expected_payment_changes(changes, *, programme: Programme) -> None:
    """Paid out, reclaimed and the proofs of use, from the payments ledger."""
    of_programme = {"decision__project__programme": programme}
    amounts = (
        ("paid_out", Payment.objects.released().filter(**of_programme), "value_date"),
        ("reclaimed", Recovery.objects.released().filter(kind=RecoveryKind.CLAIM, **of_programme), "booked_on"),
    )
    repayments = Recovery.objects.released().filter(kind=RecoveryKind.REPAYMENT, **of_programme)
    for figure, entries, date_field, sign in (
        *((*amount, 1) for amount in amounts),
        ("paid_out", repayments, "booked_on", -1),
    ):
        lookups = _group_lookups(date_field, "decision__authority__slug", prefix="decision__project__")
        for grouping, lookup in lookups.items():
            for row in _grouped(entries, grouping, lookup, date_field).annotate(total=Sum("amount")):
                changes[(figure, grouping, _key(grouping, row["k"]))][row[date_field]] += sign * Decimal(row["total"])

    proofs = ProofOfUse.objects.filter(decision__state=DecisionState.RELEASED, **of_programme).values(
        "due_on",
        "received_on",
        "decision__project__region__slug",
        "decision__project__strand",
        "decision__project__topic__slug",
        "decision__authority__slug",
    )
    for proof in proofs:
        due, received = proof["due_on"], proof["received_on"]
        for grouping, value in (
            ("", ""),
            ("region", proof["decision__project__region__slug"]),
            ("strand", proof["decision__project__strand"]),
            ("topic", proof["decision__project__topic__slug"]),
            ("year", due.year),
            ("authority", proof["decision__authority__slug"]),
        ):
            key = _key(grouping, value)
            changes[("proofs_due", grouping, key)][due] += 1
            if received is not None:
                changes[("proofs_received", grouping, key)][received] += 1
            # Overdue from the day after the deadline until the day it arrives.
            if received is None or received > due:
                changes[("proofs_overdue", grouping, key)][due + dt.timedelta(days=1)] += 1
                if received is not None:
                    changes[("proofs_overdue", grouping, key)][received] -= 1


def _combined_steps(series, *, grouping: str, key: str) -> dict[SeriesKey, list[tuple[dt.date, Decimal]]]:
    """Outflow rate and still to be paid of one group: from the granted and paid series together."""
    granted = series.get(("funding_granted", grouping, key), [])
    paid = series.get(("paid_out", grouping, key), [])
    days = sorted({day for day, _ in granted} | {day for day, _ in paid})
    combined: dict[SeriesKey, list[tuple[dt.date, Decimal]]] = {}
    for figure in ("outflow_rate", "still_to_pay"):
        steps: list[tuple[dt.date, Decimal | None]] = []
        # Before anything happened: nothing to pay, and the rate of no grant is undefined.
        before = Decimal(0) if figure == "still_to_pay" else None
        for day in days:
            g, p = _value_on(granted, day), _value_on(paid, day)
            if figure == "still_to_pay":
                value = g - p
            else:
                value = (p / g).quantize(RATIO, rounding=ROUND_HALF_UP) if g else None
            if value != (steps[-1][1] if steps else before):
                steps.append((day, value))
        if steps:
            combined[(figure, grouping, key)] = steps
    return combined


# Derived figure -> the stored figure its running value divides (see expected_steps).
RATIO_INPUTS = {
    "budget_committed": "funding_granted",
    "reach_gemeinden_share": "requesting_gemeinden",
    "reach_population_share": "reach_population",
    "funding_per_inhabitant": "funding_granted",
}


def expected_denominators(*, programme: Programme) -> dict:
    """What each derived figure divides by, read from the directory and the programme on their own."""
    gemeinden = Municipality.objects.filter(in_directory=True).exclude(kind__in=MunicipalityKind.district_level())
    nrw = gemeinden.aggregate(count=Count("ags"), population=Sum("population"))
    in_a_region = gemeinden.filter(Q(region__isnull=False) | Q(parent__region__isnull=False))
    by_region = {
        slug: in_a_region.filter(Q(region__slug=slug) | Q(parent__region__slug=slug)).aggregate(p=Sum("population"))[
            "p"
        ]
        or 0
        for slug in Region.objects.values_list("slug", flat=True)
    }
    return {
        "budget": programme.budget,
        "nrw_gemeinden": nrw["count"],
        "nrw_population": nrw["population"] or 0,
        "all_regions": in_a_region.aggregate(p=Sum("population"))["p"] or 0,
        "by_region": by_region,
    }


def _denominator(figure: str, grouping: str, key: str, denominators: dict):
    if figure == "budget_committed":
        return denominators["budget"]
    if figure == "reach_gemeinden_share":
        return denominators["nrw_gemeinden"]
    if figure == "reach_population_share":
        return denominators["nrw_population"]
    if grouping == "region":
        return denominators["by_region"].get(key, 0)
    return denominators["all_regions"]


def expected_steps(*, programme: Programme) -> dict[SeriesKey, list[tuple[dt.date, Decimal]]]:
    """The step series the ledger implies: the value from each day on which it changed."""
    denominators = expected_denominators(programme=programme)
    series: dict[SeriesKey, list[tuple[dt.date, Decimal]]] = {}
    for (figure, grouping, key), daily in expected_changes(programme=programme).items():
        running = Decimal(0)
        steps = []
        whole = _denominator(figure, grouping, key, denominators) if figure in RATIO_INPUTS else None
        # Every series starts at the value of nothing: zero, or undefined for a share of a zero whole.
        before = None if figure in RATIO_INPUTS and not whole else Decimal(0)
        for day in sorted(daily):
            change = _normalise(RATIO_INPUTS.get(figure, figure), daily[day])
            if not change:
                continue
            running += change
            if figure in RATIO_INPUTS:
                exponent = CENT if FIGURES[figure].unit == "eur" else RATIO
                value = (running / whole).quantize(exponent, rounding=ROUND_HALF_UP) if whole else None
            else:
                value = running
            # A step is a change of the value (a grant too small to move the budget share is none).
            if value != (steps[-1][1] if steps else before):
                steps.append((day, value))
        if steps:
            series[(figure, grouping, key)] = steps
    groups = {(grouping, key) for figure, grouping, key in series if figure in ("funding_granted", "paid_out")}
    for grouping, key in groups:
        series.update(_combined_steps(series, grouping=grouping, key=key))
    return series


def stored_steps(*, version: FiguresVersion) -> dict[SeriesKey, list[tuple[dt.date, Decimal]]]:
    """The step series stored in `version`, read as pages and API read them.

    A figure steps where its value changes.
    """
    grouping_names = {number: name for name, number in GROUPING_NUMBERS.items()}
    groups = FigureGroup.objects.filter(version=version).values_list("grouping", "member", "key", "population")
    group_keys = {(grouping, member): key for grouping, member, key, _population in groups}
    populations = {(grouping, member): population for grouping, member, _key, population in groups}
    series: dict[SeriesKey, list[tuple[dt.date, Decimal]]] = defaultdict(list)
    rows = (
        version_steps(version)
        .order_by("grouping", "member", "valid_from")
        .values("grouping", "member", "valid_from", *STEP_COLUMNS)
    )
    # Every series starts at the value of nothing: zero, or undefined for a share of a zero whole
    # (it depends only on the group's denominators, so it is worked out once per group).
    starts = {
        group: {
            figure: _normalise(figure, value)
            for figure, value in zero_values(denominators(version, population)).items()
        }
        for group, population in populations.items()
    }
    for row in rows:
        grouping = grouping_names[row["grouping"]]
        group = (row["grouping"], row["member"])
        group_key = group_keys.get(group, f"?{row['member']}")
        area_population = populations.get(group)
        before = starts.get(group) or {
            figure: _normalise(figure, value) for figure, value in zero_values(denominators(version, None)).items()
        }
        for figure, value in step_values(row, version=version, area_population=area_population).items():
            steps = series[(figure, grouping, group_key)]
            value = _normalise(figure, value)
            if value != (steps[-1][1] if steps else before[figure]):
                steps.append((row["valid_from"], value))
    return {key: steps for key, steps in series.items() if steps}


def _value_on(steps: list[tuple[dt.date, Decimal]], day: dt.date) -> Decimal:
    value = Decimal(0)
    for valid_from, step_value in steps:
        if valid_from > day:
            break
        value = step_value
    return value


def figures_verify(*, programme: Programme | None = None) -> list[Drift]:
    """Every difference between the current stored figures and the ledger (empty: no drift)."""
    versions = FiguresVersion.objects.filter(is_current=True).select_related("programme")
    if programme is not None:
        versions = versions.filter(programme=programme)
    drifts = []
    for version in versions.order_by("programme__start_date", "programme_id"):
        expected = expected_steps(programme=version.programme)
        stored = stored_steps(version=version)
        for key in sorted(set(expected) | set(stored)):
            want, have = expected.get(key, []), stored.get(key, [])
            if want == have:
                continue
            # Report the first day on which the stored value is wrong.
            for day in sorted({day for day, _ in want} | {day for day, _ in have}):
                if _value_on(have, day) != _value_on(want, day):
                    figure, grouping, group_key = key
                    drifts.append(
                        Drift(
                            programme=version.programme.slug,
                            figure=figure,
                            grouping=grouping,
                            group_key=group_key,
                            date=day,
                            stored=_value_on(have, day),
                            expected=_value_on(want, day),
                        )
                    )
                    break
            else:
                # Same values, but a redundant step is stored: still a difference.
                figure, grouping, group_key = key
                day = next(iter({d for d, _ in have} ^ {d for d, _ in want}), dt.date.min)
                drifts.append(
                    Drift(
                        programme=version.programme.slug,
                        figure=figure,
                        grouping=grouping,
                        group_key=group_key,
                        date=day,
                        stored=_value_on(have, day),
                        expected=_value_on(want, day),
                    )
                )
    return drifts
