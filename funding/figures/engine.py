"""Recompute the stored figures from the ledgers, in the database, and publish them at once.

A recompute writes new versions (one per programme) with one SQL statement each
(funding.figures.statements: the whole ledger, or an increment of the current version),
then one FigureGroup row per group with its key and label. Nothing loops over the ledger
in Python. A new version whose figures equal the current one's is dropped again (nothing to
publish, nothing to cite); otherwise it becomes current in the same transaction, under a
database lock, so readers see the old set or the new one and two recomputes publish one
after the other (publish_figures). Published versions are never deleted: a citation lasts. Whether the published figures are behind the ledger is
funding.figures.freshness; when a recompute runs is funding.figures.scheduling.
"""

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from funding.figures.definitions import (
    GROUPING_NUMBERS,
    NO_AUTHORITY_KEY,
    NO_AUTHORITY_LABEL,
    NO_TOPIC_KEY,
    NO_TOPIC_LABEL,
    TOTAL_LABEL,
)
from funding.figures.freshness import LEDGER_STATE_ID, figures_freshness, ledger_change_count
from funding.figures.increments import Increment, plan_increment
from funding.figures.ledgers import ledger_watermark, rows_read
from funding.figures.models import FigureGroup, FigureStep, FiguresVersion, LedgerChange, LedgerState
from funding.figures.statements import NO_ID, STRAND_NUMBER, increment_statement, steps_statement
from funding.models import GrantingAuthority, Programme
from projects.models import Strand, Topic
from regions.models import Region
from regions.selectors import nrw_directory_totals, programme_area_population, region_area_populations

logger = logging.getLogger(__name__)


# Any constant bigint: the key of the PostgreSQL advisory lock that serialises publication.
ADVISORY_LOCK_KEY = 7_305_118_424


@dataclass
class PublishedVersion:
    version: FiguresVersion
    steps_written: int


def _labels() -> dict[tuple[int, int], tuple[str, str]]:
    """(grouping number, member) -> (group key, group label) of every labelled group.

    Years have no label: their key and label are the year itself.
    """
    region, strand, topic, authority = (GROUPING_NUMBERS[name] for name in ("region", "strand", "topic", "authority"))
    labels = {(GROUPING_NUMBERS[""], 0): ("", TOTAL_LABEL)}
    labels |= {(region, pk): (slug, name) for pk, slug, name in Region.objects.values_list("pk", "slug", "name")}
    labels |= {(strand, STRAND_NUMBER[value]): (value, str(label)) for value, label in Strand.choices}
    labels |= {(topic, pk): (slug, name) for pk, slug, name in Topic.objects.values_list("pk", "slug", "name")}
    labels[(topic, NO_ID)] = (NO_TOPIC_KEY, NO_TOPIC_LABEL)
    labels |= {
        (authority, pk): (slug, name) for pk, slug, name in GrantingAuthority.objects.values_list("pk", "slug", "name")
    }
    labels[(authority, NO_ID)] = (NO_AUTHORITY_KEY, NO_AUTHORITY_LABEL)
    return labels


def _write_groups(
    version: FiguresVersion, present: list[tuple[int, int]], *, steps_from: dict[tuple[int, int], int] | None = None
) -> None:
    """One FigureGroup, with its key, label and area population, for each (grouping, member) in `present`.

    A region's group divides by the inhabitants of that region's area, every other group by
    those of all regions together (funding_per_inhabitant). `steps_from` names, per group, the
    version whose steps it uses where that is not `version` itself.
    """
    steps_from = steps_from or {}
    labels = _labels()
    region_populations = region_area_populations()
    all_regions = programme_area_population()
    groups = []
    for grouping, member in present:
        key, label = labels.get((grouping, member), (str(member), str(member)))
        is_region = grouping == GROUPING_NUMBERS["region"]
        population = region_populations.get(member, 0) if is_region else all_regions
        groups.append(
            FigureGroup(
                version=version,
                grouping=grouping,
                member=member,
                key=key,
                label=label,
                population=population,
                steps_from_id=steps_from.get((grouping, member), version.pk),
            )
        )
    FigureGroup.objects.bulk_create(groups)


@contextmanager
def _one_publication_at_a_time():
    """Wait until no other recompute is publishing, and hold that until this one has committed.

    On PostgreSQL a session-level advisory lock, taken before the publication's transaction
    begins: its snapshot (below) then starts after the previous publication committed.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_lock(%s)", [ADVISORY_LOCK_KEY])
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [ADVISORY_LOCK_KEY])


def _begin_publication(*, outermost: bool) -> None:
    """The first statements of the publication's transaction."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        if outermost:
            # One snapshot for the whole transaction: the change count it reads and the facts it
            # reads are of the same moment, so a version includes exactly the changes it claims
            # (LedgerState), which an increment relies on. (Inside an outer transaction, as in
            # the tests, the level is that transaction's.)
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        # The window sorts of a large ledger would spill to disk with the default.
        cursor.execute("SET LOCAL work_mem = '256MB'")
        # The planner's row estimates for the CTEs are far too high, so it would JIT-compile
        # the statement, which costs seconds and saves nothing at these sizes.
        cursor.execute("SET LOCAL jit = off")


def refresh_figures_if_behind() -> list[PublishedVersion]:
    """Publish when the published figures miss a committed change; the durable catch-up.

    Run every minute by beat and when a worker starts, so the figures converge after any fault
    (broker down at commit time, a worker killed mid-recompute, a database restart) without a
    person doing anything. Idempotent: when nothing is behind it does nothing.
    """
    if figures_freshness().is_current:
        return []
    return recompute_figures(full=False)


def _new_version(programme: Programme, *, computed_at, watermark, change_count: int, directory_totals, based_on=None):
    nrw_gemeinden, nrw_population, population_date = directory_totals
    return FiguresVersion.objects.create(
        programme=programme,
        computed_at=computed_at,
        ledger_watermark=watermark,
        ledger_change_count=change_count,
        includes_watermark=watermark,
        includes_change_count=change_count,
        budget=programme.budget,
        nrw_gemeinden=nrw_gemeinden,
        nrw_population=nrw_population,
        population_date=population_date,
        is_current=False,
        based_on=based_on,
    )


def _compute_version(programme: Programme, *, computed_at, watermark, change_count: int) -> PublishedVersion:
    started = time.monotonic()
    version = _new_version(
        programme,
        computed_at=computed_at,
        watermark=watermark,
        change_count=change_count,
        directory_totals=nrw_directory_totals(),
    )
    sql, params = steps_statement(programme=programme, version_id=version.pk)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        if connection.vendor == "postgresql":
            rows = cursor.fetchall()
            steps_written, version.rows_read = rows[0][:2]
            present = [(grouping, member) for _steps, _read, grouping, member in rows if grouping is not None]
        else:
            # SQLite has no INSERT in a WITH clause, nor a count of INSERT ... SELECT.
            steps_written = FigureStep.objects.filter(version=version).count()
            version.rows_read = rows_read(programme)
            present = _present_groups(version)
    _write_groups(version, present)
    version.duration_ms = round((time.monotonic() - started) * 1000)
    return PublishedVersion(version=version, steps_written=steps_written)


def _present_groups(version: FiguresVersion) -> list[tuple[int, int]]:
    """The groups with steps in `version` (a group's last step is the only one without an end)."""
    last_steps = FigureStep.objects.filter(version=version, valid_until__isnull=True)
    return list(last_steps.values_list("grouping", "member"))


def _increment_version(
    programme: Programme, increment: Increment, *, computed_at, watermark, change_count: int
) -> PublishedVersion:
    """The base version's figures plus the entries added since (funding.figures.increments)."""
    started = time.monotonic()
    version = _new_version(
        programme,
        computed_at=computed_at,
        watermark=watermark,
        change_count=change_count,
        directory_totals=(increment.base.nrw_gemeinden, increment.base.nrw_population, increment.base.population_date),
        based_on=increment.base,
    )
    statements = increment_statement(
        programme=programme, scope=increment.scope, base_version_id=increment.base.pk, version_id=version.pk
    )
    touched: set[tuple[int, int]] = set()
    if statements is not None:
        with connection.cursor() as cursor:
            cursor.execute(*statements.insert)
            cursor.execute(*statements.touched)
            touched = {(grouping, member) for grouping, member in cursor.fetchall()}
    # The ledger rows the increment read: its projects' facts with and without the new entries.
    scope = increment.scope
    version.rows_read = (
        rows_read(programme, scope) + rows_read(programme, scope.with_added_entries()) if scope.projects else 0
    )
    # The groups the increment touched have new steps (or none: their figures are gone); every
    # other group keeps using the steps of the base version's.
    kept = {
        (grouping, member): steps_from
        for grouping, member, steps_from in FigureGroup.objects.filter(version=increment.base).values_list(
            "grouping", "member", "steps_from_id"
        )
        if (grouping, member) not in touched
    }
    _write_groups(version, sorted(set(_present_groups(version)) | set(kept)), steps_from=kept)
    version.duration_ms = round((time.monotonic() - started) * 1000)
    return PublishedVersion(version=version, steps_written=FigureStep.objects.filter(version=version).count())


# Every column of a step but its version: two versions have the same figures when these rows agree.
_STEP_COLUMNS = [field.column for field in FigureStep._meta.concrete_fields if field.name != "version"]
_GROUP_COLUMNS = ["grouping", "member", "key", "label", "population"]
_VERSION_FIELDS = ("budget", "nrw_gemeinden", "nrw_population", "population_date")


def _differ(select: str, columns: list[str], first_id: int, second_id: int) -> bool:
    """Do the rows `select` gives for the two versions differ? Checked in the database.

    `select` is a FROM ... WHERE clause with one %s for the version id.
    """
    listed = ", ".join(columns)
    # Table and column names come from the models, never from input.
    one_way = f"SELECT {listed} {select} EXCEPT SELECT {listed} {select}"  # noqa: S608
    sql = f"SELECT EXISTS ({one_way}) OR EXISTS ({one_way})"  # noqa: S608
    with connection.cursor() as cursor:
        cursor.execute(sql, [first_id, second_id, second_id, first_id])
        return bool(cursor.fetchone()[0])


def _steps_of_version() -> str:
    """FROM ... WHERE of every step a version's figures use: its own and those its groups refer to."""
    step, group = FigureStep._meta.db_table, FigureGroup._meta.db_table
    return (
        f'FROM "{step}" s JOIN "{group}" g ON s.version_id = g.steps_from_id '  # noqa: S608
        "AND s.grouping = g.grouping AND s.member = g.member WHERE g.version_id = %s"
    )


def same_figures(new: FiguresVersion, current: FiguresVersion | None) -> bool:
    """Would publishing `new` change any figure, label or denominator that `current` publishes?"""
    if current is None:
        return False
    if any(getattr(new, name) != getattr(current, name) for name in _VERSION_FIELDS):
        return False
    groups = f'FROM "{FigureGroup._meta.db_table}" WHERE version_id = %s'
    if _differ(groups, _GROUP_COLUMNS, new.pk, current.pk):
        return False
    # Every step each version's figures use, its own or referred to.
    return not _differ(_steps_of_version(), [f"s.{column}" for column in _STEP_COLUMNS], new.pk, current.pk)


def _confirm_unchanged(new: FiguresVersion, current: FiguresVersion) -> None:
    """The figures did not change: drop the new version and note what the current one now includes."""
    FigureStep.objects.filter(version=new).delete()
    FigureGroup.objects.filter(version=new).delete()
    new.delete()
    FiguresVersion.objects.filter(pk=current.pk).update(
        includes_change_count=new.includes_change_count, includes_watermark=new.includes_watermark
    )


def _publish(published: PublishedVersion) -> None:
    version = published.version
    FiguresVersion.objects.filter(programme_id=version.programme_id, is_current=True).update(is_current=False)
    version.is_current = True
    version.save(update_fields=["is_current", "rows_read", "duration_ms"])


def prune_figure_versions(*, keep: int) -> int:
    """Delete all but the newest `keep` versions of each programme; for `make bench` only.

    The app never calls this: every published version stays citable (a version is published
    only when a figure changed, see same_figures). The benchmark throws away its own versions
    with it, to keep a database of 1 M decisions small. A current version is never deleted.
    """
    deleted = 0
    with transaction.atomic():
        for programme_id in Programme.objects.order_by("id").values_list("id", flat=True):
            newest_first = FiguresVersion.objects.filter(programme_id=programme_id).order_by("-id")
            kept = list(newest_first.values_list("id", flat=True)[:keep])
            stale = set(newest_first.exclude(id__in=kept).exclude(is_current=True).values_list("id", flat=True))
            # A kept version's groups may use an older version's steps: that version stays, and so
            # does any version whose steps it in turn uses.
            while used := set(
                FigureGroup.objects.exclude(version_id__in=stale)
                .filter(steps_from_id__in=stale)
                .values_list("steps_from_id", flat=True)
            ):
                stale -= used
            if stale:
                FigureGroup.objects.filter(version_id__in=stale).delete()
                FigureStep.objects.filter(version_id__in=stale).delete()
                FiguresVersion.objects.filter(id__in=stale).delete()
                deleted += len(stale)
    return deleted


def publish_figures(*, full: bool = True, keep_unchanged: bool = False) -> list[PublishedVersion]:
    """Make every programme's figures of the ledger as it is now current, all at once.

    A programme whose figures come out the same as its current version's publishes nothing: the
    current version stays, and records that it includes the ledger up to now. Returns the
    versions actually published. `keep_unchanged` publishes them anyway: for the benchmark, which
    times recomputes of one ledger, and for the tests that compare an increment with a full run.

    With `full`, each programme's figures are computed from the whole ledger; otherwise a
    programme whose changes since its current version can be added (funding.figures.increments)
    gets that version plus them, which is the same figures for a fraction of the reading.
    """
    outermost = not connection.in_atomic_block
    with _one_publication_at_a_time():
        with transaction.atomic():
            _begin_publication(outermost=outermost)
            # Taken before reading the ledger: every change up to the watermark is visible to
            # the statements that follow.
            computed_at = timezone.now()
            watermark = ledger_watermark()
            # Read in the same snapshot as the facts (see _begin_publication): the version
            # includes exactly the changes up to this count.
            change_count = ledger_change_count()
            current = {version.programme_id: version for version in FiguresVersion.objects.filter(is_current=True)}
            programmes = list(Programme.objects.order_by("start_date", "id"))
            if not (full or keep_unchanged) and _already_published(
                programmes, current, moment=(change_count, watermark)
            ):
                # Another worker published these changes while this one waited for the lock (a
                # scheduled run and the check every minute, workers starting together, a
                # second beat): decided here, under the lock, so it happens once.
                return []
            directory_totals = nrw_directory_totals()
            published = []
            for programme in programmes:
                increment = None
                if not full:
                    increment = plan_increment(
                        programme,
                        base=current.get(programme.pk),
                        change_count=change_count,
                        directory_totals=directory_totals,
                    )
                moment = {"computed_at": computed_at, "watermark": watermark, "change_count": change_count}
                if increment is None:
                    published.append(_compute_version(programme, **moment))
                else:
                    published.append(_increment_version(programme, increment, **moment))
            changed = []
            for item in published:
                if not keep_unchanged and same_figures(item.version, current.get(item.version.programme_id)):
                    _confirm_unchanged(item.version, current[item.version.programme_id])
                else:
                    _publish(item)
                    changed.append(item)
        _after_publication(change_count, read_at=computed_at)
    return changed


def _already_published(programmes, current: dict, *, moment: tuple) -> bool:
    """Whether every programme's current version includes the ledger up to `moment` (count, watermark).

    Only for adding changes: a full recompute also picks up what no change count records (a
    renamed region, a new budget), and publishes only if a figure differs (same_figures).
    """
    change_count, watermark = moment
    for programme in programmes:
        version = current.get(programme.pk)
        if version is None or version.includes_change_count is None or version.includes_change_count < change_count:
            return False
        if watermark is not None and (version.includes_watermark is None or version.includes_watermark < watermark):
            return False
    return True


def _after_publication(change_count: int, *, read_at) -> None:
    """Move "behind since" on, and forget the changes every current version includes.

    Caught up when no change came in since the count was read. Otherwise every change the
    publication misses was committed after the ledger was read, after `read_at` (the count and
    the facts are of one snapshot): counting the lag from `read_at` never understates it, and
    no longer from a change this publication includes. Under steady writing /healthz would
    otherwise report a lag that only ever grows.
    """
    LedgerState.objects.filter(pk=LEDGER_STATE_ID, change_count=change_count).update(first_unpublished_at=None)
    LedgerState.objects.filter(
        pk=LEDGER_STATE_ID, change_count__gt=change_count, first_unpublished_at__lt=read_at
    ).update(first_unpublished_at=read_at)
    included = FiguresVersion.objects.filter(is_current=True).aggregate(lowest=Min("includes_change_count"))["lowest"]
    if included is not None:
        LedgerChange.objects.filter(number__lte=included).delete()


def recompute_figures(*, full: bool = True) -> list[PublishedVersion]:
    """Publish every programme's figures whose figures changed (publish_figures).

    Without `full` nothing is published when the current versions already include every
    change: a run scheduled for a change that an earlier run has taken in.
    """
    if not full and figures_freshness().is_current:
        return []
    published = publish_figures(full=full)
    if full and published:
        _refresh_planner_statistics()
    return published


def _refresh_planner_statistics() -> None:
    """Let PostgreSQL plan the reads of the new versions with statistics that know them.

    A full recompute writes whole versions at once. Until autovacuum gets round to analysing
    the step table, the planner may think a version has a handful of steps and read every
    step of a grouping to find the few in force (the dashboard's by-topic read at 10 k
    projects: 7 ms instead of 0.6 ms). ANALYZE samples a fixed number of rows, about 0.1 s.
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {FigureStep._meta.db_table}, {FigureGroup._meta.db_table}")
