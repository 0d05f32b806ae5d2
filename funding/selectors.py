"""Reads of the stored figures. Nothing here aggregates the ledger: see funding.figures_engine."""

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from funding.figures import FIGURES, GROUPINGS, TOTAL_LABEL
from funding.models import FigureStep, FiguresVersion, Programme

CENT = Decimal("0.01")
RATIO = Decimal("0.000001")


@dataclass
class FiguresRow:
    group_key: str
    group_label: str
    values: dict[str, Decimal | int] = field(default_factory=dict)


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


def default_programme() -> Programme | None:
    """The programme shown when none is chosen: the earliest by start date."""
    return Programme.objects.order_by("start_date", "id").first()


def current_figures_version(*, programme: Programme | None = None) -> FiguresVersion | None:
    """The published figures version of `programme` (default: the default programme)."""
    programme = programme or default_programme()
    if programme is None:
        return None
    return FiguresVersion.objects.filter(programme=programme, is_current=True).first()


def figures_version_by_id(*, version_id: int) -> FiguresVersion | None:
    """A kept figures version, current or not, so that a cited version can be reproduced."""
    return FiguresVersion.objects.filter(pk=version_id).select_related("programme").first()


def _as_stored_unit(figure: str, value: Decimal | None) -> Decimal | int:
    unit = FIGURES[figure].unit
    value = value if value is not None else Decimal(0)
    if unit == "count":
        return int(value)
    if unit == "eur":
        return value.quantize(CENT)
    return value.quantize(RATIO)


def _zero_values() -> dict[str, Decimal | int]:
    return {key: _as_stored_unit(key, None) for key in FIGURES}


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
        rows = [FiguresRow(group_key="", group_label=TOTAL_LABEL, values=_zero_values())] if not grouping else []
        return FiguresTable(version=None, as_of=as_of, group_by=group_by, rows=rows)

    # One row per stored group (its last step), each with an indexed lookup of the id of
    # the group's last step on or before `as_of`; then those steps' values by id.
    in_force = (
        FigureStep.objects.filter(
            version_id=version.pk, grouping=grouping, group_key=OuterRef("group_key"), valid_from__lte=as_of
        )
        .order_by("-valid_from")
        .values("pk")[:1]
    )
    groups = list(
        FigureStep.objects.filter(version_id=version.pk, grouping=grouping, valid_until__isnull=True)
        .annotate(in_force=Subquery(in_force))
        .values_list("group_key", "group_label", "in_force")
    )
    step_ids = [step_id for _key, _label, step_id in groups if step_id is not None]
    values_by_step = {step["pk"]: step for step in FigureStep.objects.filter(pk__in=step_ids).values("pk", *FIGURES)}
    rows: dict[str, FiguresRow] = {}
    for group_key, group_label, step_id in groups:
        row = rows[group_key] = FiguresRow(group_key=group_key, group_label=group_label, values=_zero_values())
        step = values_by_step.get(step_id)
        if step is not None:
            row.values = {figure: _as_stored_unit(figure, step[figure]) for figure in FIGURES}
    if not grouping and not rows:
        rows[""] = FiguresRow(group_key="", group_label=TOTAL_LABEL, values=_zero_values())
    ordered = sorted(rows.values(), key=lambda row: _sort_key(grouping, row))
    return FiguresTable(version=version, as_of=as_of, group_by=group_by, rows=ordered)


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
    steps = FigureStep.objects.filter(version_id=version.pk, grouping=grouping)
    if group_keys is not None:
        steps = steps.filter(group_key__in=list(group_keys))
    if end is not None:
        steps = steps.filter(valid_from__lte=end)
    # A group's row holds every figure, so a row is a step of `figure` only where its value
    # differs from the one before (every series starts at zero).
    series: dict[str, list[SeriesPoint]] = {}
    previous: dict[str, Decimal | int] = {}
    for group_key, group_label, valid_from, value in steps.order_by("group_key", "valid_from").values_list(
        "group_key", "group_label", "valid_from", figure
    ):
        value = _as_stored_unit(figure, value)
        if value == previous.get(group_key, 0):
            continue
        previous[group_key] = value
        points = series.setdefault(group_key, [])
        if start is not None and valid_from <= start:
            # Only the step in force on `start` is shown before it, dated `start`.
            points[:] = [SeriesPoint(group_key=group_key, group_label=group_label, date=start, value=value)]
        else:
            points.append(SeriesPoint(group_key=group_key, group_label=group_label, date=valid_from, value=value))
    return [point for points in series.values() for point in points]
