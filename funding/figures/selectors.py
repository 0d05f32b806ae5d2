"""Reads of the stored figures. Nothing here aggregates the ledger: see funding.figures.engine."""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Exists, OuterRef, QuerySet
from django.utils import timezone

from funding.figures.definitions import (
    FIGURES,
    GROUPING_NUMBERS,
    GROUPINGS,
    STORED_KEYS,
    TOTAL_LABEL,
    Denominators,
    figure_values,
    zero_shares,
    zero_values,
)
from funding.figures.freshness import current_version_and_ledger
from funding.figures.step_index import grouping_index
from funding.models import FigureGroup, FigureStep, FiguresVersion, Programme


@dataclass
class FiguresRow:
    group_key: str
    group_label: str
    values: dict[str, Decimal | int] = field(default_factory=dict)
    # Per figure, the share (0 to 1) of its value that rests on illustrative records; None: not known.
    illustrative_shares: dict[str, Decimal | None] = field(default_factory=zero_shares)


@dataclass
class FiguresTable:
    version: FiguresVersion | None
    as_of: dt.date
    group_by: str | None
    rows: list[FiguresRow]


@dataclass
class SeriesPoint:
    group_key: str
    group_label: str
    date: dt.date
    value: Decimal | int


def _programmes_in_display_order():
    return Programme.objects.order_by("start_date", "id")


def default_programme() -> Programme | None:
    """The programme shown when none is chosen: the earliest by start date."""
    return _programmes_in_display_order().first()


def current_figures_version(*, programme: Programme | None = None) -> FiguresVersion | None:
    """The published figures version of `programme` (default: the default programme), with its programme."""
    version, _ledger = current_version_and_ledger(programme=programme)
    return version


def figures_version_by_id(*, version_id: int) -> FiguresVersion | None:
    """A kept figures version, current or not, so that a cited version can be reproduced."""
    return FiguresVersion.objects.filter(pk=version_id).select_related("programme").first()


def version_steps(version: FiguresVersion) -> QuerySet:
    """Every step `version`'s figures use: its own and those its groups take from earlier versions."""
    used = FigureGroup.objects.filter(
        version_id=version.pk,
        steps_from_id=OuterRef("version_id"),
        grouping=OuterRef("grouping"),
        member=OuterRef("member"),
    )
    return FigureStep.objects.filter(Exists(used))


def _stored(step: dict, figures: Collection[str] = STORED_KEYS) -> dict[str, int]:
    """The stored values of `figures` in a step read with .values(), by figure."""
    return {figure: step[FigureStep.column_of(figure)] for figure in figures}


def denominators(version: FiguresVersion, area_population: int | None = None) -> Denominators:
    """What the derived figures of `version` divide by; `area_population` is the group's."""
    return Denominators(
        budget=version.budget,
        nrw_gemeinden=version.nrw_gemeinden,
        nrw_population=version.nrw_population,
        area_population=area_population,
    )


def step_values(step: dict, *, version: FiguresVersion, area_population: int | None = None) -> dict[str, Decimal | int]:
    """Every figure of a step read with .values(*STEP_COLUMNS)."""
    return figure_values(_stored(step), budget=denominators(version, area_population))


def _check_group_by(group_by: str | None) -> str:
    if group_by is not None and group_by not in GROUPINGS:
        raise ValueError(f"Unknown group_by {group_by!r}; use one of {', '.join(GROUPINGS)} or None.")
    return group_by or ""


def _resolve_version(programme: Programme | None, version: FiguresVersion | None) -> FiguresVersion | None:
    if version is not None:
        return version
    return current_figures_version(programme=programme)


def _sort_key(group_by: str, row: FiguresRow) -> tuple:
    if group_by == "year":
        return (row.group_key,)
    # Groups without a value ("ohne Themenfeld") go last.
    return (row.group_key == "none", row.group_label.casefold(), row.group_key)


def figures_for(
    *,
    as_of: dt.date,
    group_by: str | None = None,
    programme: Programme | None = None,
    version: FiguresVersion | None = None,
) -> FiguresTable:
    """Every figure as of the end of `as_of`, for the programme or each group of `group_by`.

    A date before the first entry gives zeros; a date in the future gives today's values.
    """
    grouping = _check_group_by(group_by)
    as_of = min(as_of, timezone.localdate())
    version = _resolve_version(programme, version)
    if version is None:
        rows = [FiguresRow(group_key="", group_label=TOTAL_LABEL, values=zero_values())] if not grouping else []
        return FiguresTable(version=None, as_of=as_of, group_by=group_by, rows=rows)

    index = grouping_index(version, GROUPING_NUMBERS[grouping])
    rows: dict[str, FiguresRow] = {}
    for group in index.groups:
        position = group.steps.index_on(as_of)
        if position is None:
            values, shares = zero_values(index.denominators(group)), zero_shares()
        else:
            values, shares = group.steps.values_at(position, index.denominators(group))
        rows[group.key] = FiguresRow(
            group_key=group.key, group_label=group.label, values=dict(values), illustrative_shares=dict(shares)
        )
    if not grouping and not rows:
        rows[""] = FiguresRow(group_key="", group_label=TOTAL_LABEL, values=zero_values())
    ordered = sorted(rows.values(), key=lambda row: _sort_key(grouping, row))
    return FiguresTable(version=version, as_of=as_of, group_by=group_by, rows=ordered)


def figure_on_days(
    *,
    figure: str,
    days: Collection[dt.date],
    group_by: str | None = None,
    group_keys: Collection[str] | None = None,
    programme: Programme | None = None,
    version: FiguresVersion | None = None,
) -> list[Decimal | int]:
    """The value of `figure` in force at the end of each of `days`, for the total or one group.

    One group: the one whose key is in `group_keys` (a group has one key; a caller may
    offer a slug and an id). Zero before the group's first step or where it has none.
    Reads only the steps in force on those days (one per day at most), however long the
    series, where figure_series reads them all.
    """
    return figures_on_days(
        figures=[figure], days=days, group_by=group_by, group_keys=group_keys, programme=programme, version=version
    )[figure]


def figures_on_days(
    *,
    figures: Collection[str],
    days: Collection[dt.date],
    group_by: str | None = None,
    group_keys: Collection[str] | None = None,
    programme: Programme | None = None,
    version: FiguresVersion | None = None,
) -> dict[str, list[Decimal | int]]:
    """figure_on_days for several figures of one group at once, in the same two queries."""
    unknown = [figure for figure in figures if figure not in FIGURES]
    if unknown:
        raise ValueError(f"Unknown figure {unknown[0]!r}; use one of {', '.join(FIGURES)}.")
    grouping = _check_group_by(group_by)
    version = _resolve_version(programme, version)
    zeros = zero_values()
    days = list(days)
    nothing = {figure: [zeros[figure] for _day in days] for figure in figures}
    if version is None or not days:
        return nothing
    index = grouping_index(version, GROUPING_NUMBERS[grouping])
    group = index.group_by_key([""] if not grouping else list(group_keys or []))
    if group is None:
        return nothing
    denominators = index.denominators(group)
    zeros = zero_values(denominators)
    values = {figure: [] for figure in figures}
    for day in days:
        position = group.steps.index_on(day)
        in_force = None if position is None else group.steps.values_at(position, denominators)[0]
        for figure in figures:
            values[figure].append(zeros[figure] if in_force is None else in_force[figure])
    return values


def figure_series(
    *,
    figure: str,
    group_by: str | None = None,
    programme: Programme | None = None,
    version: FiguresVersion | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
    group_keys: Collection[str] | None = None,
) -> list[SeriesPoint]:
    """The stored steps of one figure (per group), for time-series charts.

    With `start`, the first point is the value in force on `start` (dated `start`), so a
    chart of a window begins at the right level. With `group_keys`, only those groups.
    """
    if figure not in FIGURES:
        raise ValueError(f"Unknown figure {figure!r}; use one of {', '.join(FIGURES)}.")
    grouping = _check_group_by(group_by)
    version = _resolve_version(programme, version)
    if version is None:
        return []
    index = grouping_index(version, GROUPING_NUMBERS[grouping])
    wanted = None if group_keys is None else set(group_keys)
    last_day = None if end is None else end.toordinal()
    series: dict[str, list[SeriesPoint]] = {}
    for group in index.groups:
        if wanted is not None and group.key not in wanted:
            continue
        denominators = index.denominators(group)
        # A group's row holds every figure, so a row is a step of `figure` only where its value
        # differs from the one before (every series starts at zero).
        previous: Decimal | int = 0
        points: list[SeriesPoint] = []
        for position, day in enumerate(group.steps.days):
            if last_day is not None and day > last_day:
                break
            value = group.steps.values_at(position, denominators)[0][figure]
            if value == previous:
                continue
            previous = value
            valid_from = dt.date.fromordinal(day)
            if start is not None and valid_from <= start:
                # Only the step in force on `start` is shown before it, dated `start`.
                points[:] = [SeriesPoint(group_key=group.key, group_label=group.label, date=start, value=value)]
            else:
                points.append(SeriesPoint(group_key=group.key, group_label=group.label, date=valid_from, value=value))
        if points:
            series[group.key] = points
    return [point for key in sorted(series) for point in series[key]]
