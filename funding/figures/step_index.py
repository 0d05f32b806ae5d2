"""A published version's steps, read once per worker and looked up in memory.

Every as-of read (the figures API, the dashboard, a region's page, a chart) needs, for each
group of one grouping, the step in force on a day. A version never changes once published,
and a group's steps belong to the version its `steps_from` names, so what was read for a
group stays right for as long as the group exists: a later version that an increment derived
takes most of its groups' steps from its base, and only the groups the change touched are read
again. A version is named by its id and computation time (a database that was emptied may hand
out an id again), so a kept index can never answer for another version: nothing here needs to
be emptied when the data change, and every read still starts from the current version in the
database.

Each worker keeps the indexes of its last few (version, grouping) reads; a cold read of a new
day or grouping of a kept version is a binary search per group and no query at all.
"""

import bisect
import datetime as dt
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Q

from funding.figures.definitions import STORED_KEYS, Denominators, figure_values, illustrative_shares
from funding.models import FigureGroup, FigureStep, FiguresVersion

# The stored columns of a step, in STORED_KEYS order.
STEP_COLUMNS = tuple(FigureStep.column_of(key) for key in STORED_KEYS)
# How many (version, grouping) indexes a worker keeps: the current version's six groupings,
# and room for the versions a reader cites. Untouched groups are shared between versions.
KEPT_INDEXES = 24


def version_identity(version: FiguresVersion) -> tuple[int, str]:
    return (version.pk, version.computed_at.isoformat())


@dataclass
class GroupSteps:
    """One group's steps: the days on which any figure changed, ascending, and the stored values from then on."""

    days: list[int]  # date ordinals
    stored: list[tuple[int | None, ...]]  # per day, the STORED_KEYS values (money in cents)
    # Every figure and share of a step, computed once per step and denominators (see values_at).
    _computed: dict = field(default_factory=dict, repr=False)

    def index_on(self, day: dt.date) -> int | None:
        """The position of the step in force at the end of `day`; None before the first."""
        position = bisect.bisect_right(self.days, day.toordinal())
        return position - 1 if position else None

    def stored_at(self, position: int) -> dict[str, int | None]:
        return dict(zip(STORED_KEYS, self.stored[position], strict=True))

    def values_at(self, position: int, denominators: Denominators) -> tuple[dict, dict]:
        """Every figure and every illustrative share of the step at `position` (read-only dicts)."""
        key = (position, denominators)
        found = self._computed.get(key)
        if found is None:
            stored = self.stored_at(position)
            found = (figure_values(stored, budget=denominators), illustrative_shares(stored))
            self._computed[key] = found
        return found


@dataclass(frozen=True)
class Group:
    member: int
    key: str
    label: str
    population: int | None
    steps: GroupSteps


@dataclass(frozen=True)
class GroupingIndex:
    """The groups of one version and grouping, in the order they were stored, with their steps."""

    version_identity: tuple[int, str]
    grouping: int
    budget: Decimal
    nrw_gemeinden: int | None
    nrw_population: int | None
    groups: tuple[Group, ...]

    def denominators(self, group: Group) -> Denominators:
        return Denominators(
            budget=self.budget,
            nrw_gemeinden=self.nrw_gemeinden,
            nrw_population=self.nrw_population,
            area_population=group.population,
        )

    def group_by_key(self, keys) -> Group | None:
        keys = set(keys)
        return next((group for group in self.groups if group.key in keys), None)


_kept: OrderedDict[tuple, GroupingIndex] = OrderedDict()
# Steps of groups by (identity of the version they belong to, grouping, member): shared by every kept index.
_kept_steps: dict[tuple, GroupSteps] = {}
_lock = threading.Lock()


def grouping_index(version: FiguresVersion, grouping: int) -> GroupingIndex:
    """The index of `version`'s groups of `grouping` (a number of GROUPING_NUMBERS), read at most once per worker."""
    name = (*version_identity(version), grouping)
    with _lock:
        index = _kept.get(name)
        if index is not None:
            _kept.move_to_end(name)
            return index
    index = _read_index(version, grouping)
    with _lock:
        _kept[name] = index
        while len(_kept) > KEPT_INDEXES:
            _kept.popitem(last=False)
        # Forget the steps no kept index uses any more.
        used = {id(group.steps) for kept in _kept.values() for group in kept.groups}
        for steps_name in [name for name, steps in _kept_steps.items() if id(steps) not in used]:
            del _kept_steps[steps_name]
    return index


def _read_index(version: FiguresVersion, grouping: int) -> GroupingIndex:
    groups = list(
        FigureGroup.objects.filter(version_id=version.pk, grouping=grouping)
        .order_by("id")
        .values_list("member", "key", "label", "population", "steps_from_id", "steps_from__computed_at")
    )
    steps_names = {
        member: (steps_from, computed_at.isoformat() if computed_at else "", grouping, member)
        for member, _key, _label, _population, steps_from, computed_at in groups
    }
    with _lock:
        known = {member: _kept_steps.get(name) for member, name in steps_names.items()}
    missing = [member for member, steps in known.items() if steps is None]
    if missing:
        read = _read_steps(grouping, [(steps_names[member][0], member) for member in missing])
        with _lock:
            for member in missing:
                steps = read.get(member) or GroupSteps(days=[], stored=[])
                known[member] = _kept_steps.setdefault(steps_names[member], steps)
    return GroupingIndex(
        version_identity=version_identity(version),
        grouping=grouping,
        budget=version.budget,
        nrw_gemeinden=version.nrw_gemeinden,
        nrw_population=version.nrw_population,
        groups=tuple(
            Group(member=member, key=key, label=label, population=population, steps=known[member])
            for member, key, label, population, _steps_from, _computed_at in groups
        ),
    )


def _read_steps(grouping: int, members: list[tuple[int, int]]) -> dict[int, GroupSteps]:
    """The steps of the given (steps_from version, member) pairs of `grouping`, in one query."""
    by_version: dict[int, list[int]] = {}
    for steps_from, member in members:
        by_version.setdefault(steps_from, []).append(member)
    of_groups = Q(pk__in=[])
    for steps_from, version_members in by_version.items():
        of_groups |= Q(version_id=steps_from, member__in=version_members)
    read: dict[int, GroupSteps] = {}
    rows = (
        FigureStep.objects.filter(of_groups, grouping=grouping)
        .order_by("member", "valid_from")
        .values_list("member", "valid_from", *STEP_COLUMNS)
    )
    for member, valid_from, *stored in rows:
        steps = read.get(member)
        if steps is None:
            steps = read[member] = GroupSteps(days=[], stored=[])
        steps.days.append(valid_from.toordinal())
        steps.stored.append(tuple(stored))
    return read
