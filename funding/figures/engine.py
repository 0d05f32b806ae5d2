"""Recompute the stored figures from the ledgers, in the database, and publish them at once.

The facts queries (funding.figures.ledgers) give one row per released decision, project
and request; one SQL statement then fans the facts out into the groupings, sums them per
group and day, turns the daily changes into running values (window functions) and inserts
the step rows: one per group and day on which any figure changed, with every stored figure
as a column (money in whole cents). Each group then gets one FigureGroup row with its key
and label. Nothing loops over the ledger in Python.

A recompute writes new versions (one per programme) and makes them current in the same
transaction, under a database lock, so readers see the old set or the new one and two
recomputes publish one after the other (publish_figures); then it deletes the versions no
longer kept, in a transaction of its own (prune_figure_versions). Whether the published
figures are behind the ledger is funding.figures.freshness; when a recompute runs is
funding.figures.scheduling.
"""

import logging
import time
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from funding.figures.definitions import (
    GROUPING_NUMBERS,
    NO_AUTHORITY_KEY,
    NO_AUTHORITY_LABEL,
    NO_TOPIC_KEY,
    NO_TOPIC_LABEL,
    STORED_FIGURES,
    TOTAL_LABEL,
)
from funding.figures.freshness import LEDGER_STATE_ID, figures_freshness, ledger_change_count
from funding.figures.increments import Increment, plan_increment
from funding.figures.ledgers import (
    FLOW_CHANGES,
    POSTGRESQL_EXACT_SUM,
    WHOLE_LEDGER,
    Scope,
    decision_facts,
    ledger_watermark,
    payment_flow_facts,
    project_facts,
    request_facts,
    rows_read,
)
from funding.figures.models import FigureGroup, FigureStep, FiguresVersion, LedgerChange, LedgerState
from funding.models import GrantingAuthority, Programme
from projects.models import ProjectKind, RequestKind, Strand, Topic
from regions.models import Region
from regions.selectors import nrw_directory_totals, programme_area_population, region_area_populations

logger = logging.getLogger(__name__)


# Any constant bigint: the key of the PostgreSQL advisory lock that serialises publication.
ADVISORY_LOCK_KEY = 7_305_118_424


@dataclass
class PublishedVersion:
    version: FiguresVersion
    steps_written: int


# Groups are keyed by integers: a grouping's number and a member (an id, a year or a
# number of a choice). Integers hash, sort and join much faster than text, and steps
# store them; the groups' keys and labels are written once per group (see _labels).
STRAND_NUMBER = {value: number for number, value in enumerate(Strand.values, start=1)}


# The raw key of "no topic" and "no granting authority": ids start at 1.
NO_ID = 0


def _group_keys(*, authority: str, year: str) -> dict[str, str]:
    """Grouping -> the SQL expression of its raw key, an integer."""
    strand = " ".join(f"WHEN '{value}' THEN {number}" for value, number in STRAND_NUMBER.items())
    return {
        "authority": f"COALESCE({authority}, {NO_ID})",
        "region": f"COALESCE(f_region, {NO_ID})",
        "strand": f"CASE f_strand {strand} ELSE {NO_ID} END",
        "topic": f"COALESCE(f_topic, {NO_ID})",
        "year": f"COALESCE({year}, 0)",
    }


def _fan_out(source: str, columns: str, *, authority: str, year: str) -> str:
    """One row per fact and grouping: (grp, raw_key, columns)."""
    keys = {"": "0", **_group_keys(authority=authority, year=year)}
    return "\nUNION ALL\n".join(
        f"SELECT {GROUPING_NUMBERS[grouping]} AS grp, {key} AS raw_key, {columns} FROM {source}"  # noqa: S608
        for grouping, key in keys.items()
    )


def _per_group(source: str, columns: str, aggregates: str, *, authority: str, year: str, by: str = "f_day") -> str:
    """`aggregates` of `source` per grouping, raw key and `by`: (grp, raw_key, by, aggregates)."""
    keys = _group_keys(authority=authority, year=year)
    if connection.vendor != "postgresql":
        return f"""SELECT grp, raw_key, {by}, {aggregates}
    FROM ({_fan_out(source, columns, authority=authority, year=year)}) t
    GROUP BY grp, raw_key, {by}"""  # noqa: S608
    # PostgreSQL aggregates every grouping in one pass over the facts (GROUPING SETS)
    # instead of materialising a copy of them per grouping. GROUPING(key) = 0 marks the
    # set a row belongs to.
    grp = " ".join(f"WHEN GROUPING({key}) = 0 THEN {GROUPING_NUMBERS[grouping]}" for grouping, key in keys.items())
    raw_key = " ".join(f"WHEN GROUPING({key}) = 0 THEN {key}" for key in keys.values())
    sets = ", ".join([f"({by})", *(f"({key}, {by})" for key in keys.values())])
    return f"""SELECT CASE {grp} ELSE 0 END AS grp, CASE {raw_key} ELSE 0 END AS raw_key, {by}, {aggregates}
    FROM {source}
    GROUP BY GROUPING SETS ({sets})"""  # noqa: S608


# Figure -> the column of the facts stream (see steps_statement) that holds its change,
# one bigint per fact: cents for money, +1/-1 for counts, NULL for no change. Requesting
# municipalities are not summed from the stream but joined from first_requests_daily.
FACT_COLUMNS = {
    "funded_projects": "c_funded",
    "project_offices": "c_offices",
    "funding_granted": "c_amount",
    "private_investment": "c_private",
    "eligible_investment": "c_eligible",
    "own_share": "c_own",
    "applications": "c_applications",
    "transfer_requests": "c_transfer",
    "consultation_requests": "c_consultation",
    # From the payments ledger's flow (funding.figures.ledgers.payment_flow_facts).
    "paid_out": "c_paid",
    "reclaimed": "c_reclaimed",
    "proofs_due": "c_due",
    "proofs_received": "c_received",
    "proofs_overdue": "c_overdue",
}


# Joined from first_requests_daily: the stored figure and its column there.
FIRST_REQUEST_COLUMNS = {
    "requesting_municipalities": "m_municipalities",
    "requesting_gemeinden": "m_gemeinden",
    "reach_population": "m_population",
}


# Total volume, budget share, reach shares and funding per inhabitant are derived from these
# when read (funding.figures).
assert {*FACT_COLUMNS, *FIRST_REQUEST_COLUMNS} == set(STORED_FIGURES), "every stored figure needs its daily change"  # noqa: S101


def _exact_sum() -> str:
    """The aggregate that sums bigints exactly into a bigint, skipping NULLs.

    Every figure is summed as bigints: money in whole cents (exact, also on SQLite, which
    stores decimals as floats), counts as +1/-1. PostgreSQL's SUM(bigint) answers a numeric
    from a 128-bit state allocated per group, and its SUM(integer) is called even for a
    NULL; `bigint_sum` (migration funding.0008) keeps a plain bigint, is skipped for a NULL
    and raises on overflow, which together halved the cost of the aggregate. SQLite's SUM
    of integers is already a 64-bit sum that raises on overflow.
    """
    return POSTGRESQL_EXACT_SUM if connection.vendor == "postgresql" else "SUM"


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


def _write_groups(version: FiguresVersion, present: list[tuple[int, int]]) -> None:
    """One FigureGroup, with its key, label and area population, for each (grouping, member) in `present`.

    A region's group divides by the inhabitants of that region's area, every other group by
    those of all regions together (funding_per_inhabitant).
    """
    labels = _labels()
    region_populations = region_area_populations()
    all_regions = programme_area_population()
    groups = []
    for grouping, member in present:
        key, label = labels.get((grouping, member), (str(member), str(member)))
        is_region = grouping == GROUPING_NUMBERS["region"]
        population = region_populations.get(member, 0) if is_region else all_regions
        groups.append(
            FigureGroup(version=version, grouping=grouping, member=member, key=key, label=label, population=population)
        )
    FigureGroup.objects.bulk_create(groups)


def _daily_ctes(programme: Programme, scope: Scope, *, prefix: str = "") -> tuple[list[str], list]:
    """The CTEs that give the daily change of every figure per group from the facts in `scope`.

    `{prefix}facts_daily` (grp, raw_key, f_day, d_<figure> per FACT_COLUMNS, NULL for no
    change) and `{prefix}first_requests_daily` (grp, raw_key, f_day, m_<column> per
    FIRST_REQUEST_COLUMNS); the prefix lets one statement hold two sets (an increment's
    facts with and without the added entries).
    """
    p = prefix
    dec_sql, dec_params = decision_facts(programme=programme, scope=scope).query.sql_with_params()
    prj_sql, prj_params = project_facts(programme=programme, scope=scope).query.sql_with_params()
    req_sql, req_params = request_facts(programme=programme, scope=scope).query.sql_with_params()
    flow_sql, flow_params = payment_flow_facts(programme=programme, scope=scope).query.sql_with_params()

    # A municipality's first request per group, the day it starts to count (with whether it
    # is a Gemeinde and its population, the same on every request of it).
    first_request_days = _per_group(
        f"{p}req_attr",
        "f_day, f_municipality, f_gemeinde, f_population",
        "MIN(f_day) AS f_day, MAX(f_gemeinde) AS f_gemeinde, MAX(f_population) AS f_population",
        authority="first_authority",
        year="f_year",
        by="f_municipality",
    )
    exact_sum = _exact_sum()
    # A figure's change per group and day; no change is NULL, which the running sum skips.
    changes = ", ".join(f"NULLIF({exact_sum}({fact}), 0) AS d_{figure}" for figure, fact in FACT_COLUMNS.items())
    fact_columns = ", ".join(
        ["f_day", "f_region", "f_strand", "f_topic", "g_year", "g_authority", *FACT_COLUMNS.values()]
    )
    # +1 when a decision makes its project funded (net grant above zero), -1 when it makes
    # it unfunded, else 0; f_running is the net grant after the decision.
    flip = "((CASE WHEN f_running > 0 THEN 1 ELSE 0 END) - (CASE WHEN f_running - c_amount > 0 THEN 1 ELSE 0 END))"
    funded_flip = f"CASE WHEN f_kind = '{ProjectKind.PROJECT}' THEN NULLIF({flip}, 0) END"
    office_flip = f"CASE WHEN f_kind = '{ProjectKind.PROJECT_OFFICE}' THEN NULLIF({flip}, 0) END"
    # The decision's authority and year are those of its project's first decision.
    in_first_groups = (
        f"(f_year = f_first_year AND COALESCE(f_authority, {NO_ID}) = COALESCE(f_first_authority, {NO_ID}))"
    )
    # The payments ledger's columns: NULL (no change) on the rows of the other sources.
    no_flow_as = ", ".join(f"CAST(NULL AS BIGINT) AS {column}" for column in FLOW_CHANGES)
    no_flow = ", ".join("NULL" for _column in FLOW_CHANGES)
    flow_changes = ", ".join(FLOW_CHANGES)
    # Only names and constants of this module are formatted in; every value is a parameter.
    ctes = [
        f"{p}dec AS ({dec_sql})",
        f"{p}prj AS ({prj_sql})",
        f"{p}req AS ({req_sql})",
        f"{p}flow AS ({flow_sql})",
        f"""{p}project_first AS (
    SELECT f_project, f_first_authority AS first_authority, f_first_year AS first_year FROM {p}dec WHERE f_rank = 1
)""",  # noqa: S608
        f"""{p}prj_attr AS (
    SELECT p.*, pf.first_authority FROM {p}prj p LEFT JOIN {p}project_first pf ON pf.f_project = p.f_project
)""",  # noqa: S608
        f"""{p}req_attr AS (
    SELECT r.*, pf.first_authority FROM {p}req r LEFT JOIN {p}project_first pf ON pf.f_project = r.f_project
)""",  # noqa: S608
        f"""-- Every fact that changes a figure, with the keys of its groups, in one stream: a decision
-- counts its money in its own authority and year; a project's flips (funded or not after a
-- decision), application and requests count in the authority of its first decision, a flip
-- also in the year of its first decision. A flip rides on its decision's row when the two
-- have the same groups (nearly always: most flips come with the first decision) and gets a
-- row of its own otherwise. One aggregate over the stream (GROUPING SETS on PostgreSQL)
-- gives the daily change of every figure at once.
{p}facts AS (
    SELECT f_day, f_region, f_strand, f_topic, f_year AS g_year, f_authority AS g_authority,
           c_amount, c_private, c_eligible, c_own,
           CAST(CASE WHEN {in_first_groups} THEN {funded_flip} END AS BIGINT) AS c_funded,
           CAST(CASE WHEN {in_first_groups} THEN {office_flip} END AS BIGINT) AS c_offices,
           CAST(NULL AS BIGINT) AS c_applications, CAST(NULL AS BIGINT) AS c_transfer,
           CAST(NULL AS BIGINT) AS c_consultation, {no_flow_as}
    FROM {p}dec
    UNION ALL
    SELECT f_day, f_region, f_strand, f_topic, f_first_year, f_first_authority, NULL, NULL, NULL, NULL,
           {funded_flip}, {office_flip}, NULL, NULL, NULL, {no_flow}
    FROM {p}dec
    WHERE {flip} <> 0 AND NOT {in_first_groups}
    UNION ALL
    SELECT f_day, f_region, f_strand, f_topic, f_year, first_authority, NULL, NULL, NULL, NULL,
           NULL, NULL, 1, NULL, NULL, {no_flow}
    FROM {p}prj_attr
    UNION ALL
    SELECT f_day, f_region, f_strand, f_topic, f_year, first_authority, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL,
           CASE WHEN f_kind = '{RequestKind.TRANSFER}' THEN 1 END,
           CASE WHEN f_kind = '{RequestKind.CONSULTATION}' THEN 1 END, {no_flow}
    FROM {p}req_attr
    UNION ALL
    -- The payments ledger: payments and claims under their grant's authority and in the
    -- year of their date, proofs of use in the year of their deadline.
    SELECT f_day, f_region, f_strand, f_topic, f_year, f_authority, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, {flow_changes}
    FROM {p}flow
)""",  # noqa: S608
        f"""{p}facts_daily AS (
    {_per_group(f"{p}facts", fact_columns, changes, authority="g_authority", year="g_year")}
)""",  # noqa: S608
        f"""{p}first_requests_daily AS (
    SELECT grp, raw_key, f_day, CAST(COUNT(*) AS BIGINT) AS m_municipalities,
           CAST(SUM(f_gemeinde) AS BIGINT) AS m_gemeinden,
           CAST(SUM(f_gemeinde * f_population) AS BIGINT) AS m_population
    FROM (
        {first_request_days}
    ) t
    GROUP BY grp, raw_key, f_day
)""",  # noqa: S608
    ]
    params = [*dec_params, *prj_params, *req_params, *flow_params]
    return ctes, params


def _joined(parts: list[str]) -> str:
    return ",\n".join(parts)


# Every stored figure, in the order of the step columns.
FIGURES_IN_ORDER = [*FACT_COLUMNS, *FIRST_REQUEST_COLUMNS]


def _steps_cte(daily: str) -> str:
    """`steps`: one row per group and day of `daily` on which any figure changed, with every running value."""
    exact_sum = _exact_sum()
    any_change = " OR ".join(f"d_{figure} IS NOT NULL" for figure in FIGURES_IN_ORDER)
    running = _joined(f"{exact_sum}(d_{figure}) OVER series AS r_{figure}" for figure in FIGURES_IN_ORDER)
    return f"""steps AS (
    SELECT grp, raw_key, f_day,
           {running},
           LEAD(f_day) OVER series AS next_day
    FROM {daily}
    WHERE {any_change}
    WINDOW series AS (PARTITION BY grp, raw_key ORDER BY f_day ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
)"""  # noqa: S608


def _step_columns() -> tuple[str, dict[str, str], str]:
    """The step table, its column per field, and the columns of every stored figure in FIGURES_IN_ORDER."""
    step = FigureStep._meta
    column = {field.name: field.column for field in step.concrete_fields}
    figure_columns = ", ".join(column[FigureStep.column_of(figure)] for figure in FIGURES_IN_ORDER)
    return step.db_table, column, figure_columns


def _insert_steps(version_id: int) -> str:
    """INSERT the rows of `steps` into `version_id` (before a figure's first change its running value is NULL: zero)."""
    table, column, figure_columns = _step_columns()
    figure_values = ", ".join(f"COALESCE(s.r_{figure}, 0)" for figure in FIGURES_IN_ORDER)
    return f"""INSERT INTO {table} ({column["version"]}, {column["grouping"]}, {column["member"]},
    {column["valid_from"]}, {column["valid_until"]}, {figure_columns})
SELECT {int(version_id)}, s.grp, s.raw_key, s.f_day, s.next_day, {figure_values}
FROM steps s"""  # noqa: S608


def steps_statement(*, programme: Programme, version_id: int) -> tuple[str, list]:
    """The statement that writes every step row of `programme` into `version_id`.

    On PostgreSQL it answers (steps written, ledger rows read, grouping, member) with one
    row per group written (one row with no group if none); see _compute_version.
    """
    ctes, params = _daily_ctes(programme, WHOLE_LEDGER)
    first_request_changes = ", ".join(f"f.{column} AS d_{figure}" for figure, column in FIRST_REQUEST_COLUMNS.items())
    _table, column, _figures = _step_columns()
    insert = _insert_steps(version_id)
    if connection.vendor == "postgresql":
        # The statement also answers how many steps it wrote, how many ledger rows it read
        # (counting the facts it has read anyway instead of reading the ledger again) and
        # which groups it wrote (a group's last step is the only one without an end).
        main = f""",
written AS (
{insert}
RETURNING {column["grouping"]} AS grp, {column["member"]} AS member, {column["valid_until"]} AS valid_until
)
SELECT counts.steps, counts.rows_read, last.grp, last.member
FROM (SELECT (SELECT COUNT(*) FROM written) AS steps,
             (SELECT COUNT(*) FROM dec) + (SELECT COUNT(*) FROM prj) + (SELECT COUNT(*) FROM req)
             + (SELECT COALESCE(SUM(f_row), 0) FROM flow) AS rows_read) counts
LEFT JOIN (SELECT grp, member FROM written WHERE valid_until IS NULL) last ON TRUE"""  # noqa: S608
    else:
        main = "\n" + insert
    sql = f"""
WITH
{_joined(ctes)},
-- A municipality's first request in a group is a request of that group on that day, so
-- its day is one of the group's days in `facts_daily`.
daily AS (
    SELECT d.*, {first_request_changes}
    FROM facts_daily d
    LEFT JOIN first_requests_daily f
        ON f.grp = d.grp AND f.raw_key = d.raw_key AND f.f_day = d.f_day
),
{_steps_cte("daily")}{main}
"""  # noqa: S608
    return sql, params


def increment_statement(
    *, programme: Programme, scope: Scope, base_version_id: int, version_id: int
) -> tuple[str, list]:
    """The statement that writes the steps of `version_id`: those of `base_version_id` plus the entries added since.

    `scope` names the projects whose facts the added entries change and leaves out the
    entries themselves: the facts as the base version saw them (funding.figures.increments). The difference of their facts with and without
    the added entries is each group's daily change; the groups it touches get their steps
    again from the base version's daily changes plus that difference (the same running sums
    as a full recompute), every other group's steps are copied as they are.
    """
    table, column, figure_columns = _step_columns()
    version, grouping, member, valid_from = (
        column["version"],
        column["grouping"],
        column["member"],
        column["valid_from"],
    )
    base_steps = f"""SELECT {int(version_id)}, s.{grouping}, s.{member}, s.{valid_from}, s.{column["valid_until"]}, {figure_columns}
FROM {table} s
WHERE s.{version} = {int(base_version_id)}"""  # noqa: S608
    if not scope.projects:
        # Only drafts were saved or deleted, or entries of another programme released.
        columns = f"{version}, {grouping}, {member}, {valid_from}, {column['valid_until']}, {figure_columns}"
        return f"INSERT INTO {table} ({columns})\n{base_steps}", []  # noqa: S608
    after, after_params = _daily_ctes(programme, scope.with_added_entries(), prefix="a_")
    before, before_params = _daily_ctes(programme, scope, prefix="b_")
    exact_sum = _exact_sum()
    facts_figures, first_figures = list(FACT_COLUMNS), list(FIRST_REQUEST_COLUMNS)
    nothing = "CAST(NULL AS BIGINT)"

    def delta_rows(prefix: str, sign: str) -> str:
        facts = ", ".join([*(f"{sign}d_{figure}" for figure in facts_figures), *(nothing for _f in first_figures)])
        firsts = ", ".join(
            [*(nothing for _f in facts_figures), *(f"{sign}{FIRST_REQUEST_COLUMNS[f]}" for f in first_figures)]
        )
        return f"""SELECT grp, raw_key, f_day, {facts} FROM {prefix}facts_daily
    UNION ALL
    SELECT grp, raw_key, f_day, {firsts} FROM {prefix}first_requests_daily"""  # noqa: S608

    names = ", ".join(f"d_{figure}" for figure in FIGURES_IN_ORDER)
    base_changes = ", ".join(f"s.{col} - COALESCE(LAG(s.{col}) OVER earlier, 0)" for col in figure_columns.split(", "))
    summed = ", ".join(f"NULLIF({exact_sum}(d_{figure}), 0) AS d_{figure}" for figure in FIGURES_IN_ORDER)
    sql = f"""
WITH
{_joined([*after, *before])},
-- The daily change of each touched group: the facts with the added entries less those without.
delta (grp, raw_key, f_day, {names}) AS (
    {delta_rows("a_", "")}
    UNION ALL
    {delta_rows("b_", "-")}
),
touched AS (SELECT DISTINCT grp, raw_key FROM delta),
-- The base version's daily changes of the touched groups: each step less the one before.
base_daily (grp, raw_key, f_day, {names}) AS (
    SELECT s.{grouping}, s.{member}, s.{valid_from}, {base_changes}
    FROM {table} s
    JOIN touched t ON t.grp = s.{grouping} AND t.raw_key = s.{member}
    WHERE s.{version} = {int(base_version_id)}
    WINDOW earlier AS (PARTITION BY s.{grouping}, s.{member} ORDER BY s.{valid_from})
),
daily AS (
    SELECT grp, raw_key, f_day, {summed}
    FROM (SELECT * FROM base_daily UNION ALL SELECT * FROM delta) t
    GROUP BY grp, raw_key, f_day
),
{_steps_cte("daily")}
{_insert_steps(version_id)}
UNION ALL
{base_steps}
  AND NOT EXISTS (SELECT 1 FROM touched t WHERE t.grp = s.{grouping} AND t.raw_key = s.{member})
"""  # noqa: S608
    return sql, [*after_params, *before_params]


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
    sql, params = increment_statement(
        programme=programme, scope=increment.scope, base_version_id=increment.base.pk, version_id=version.pk
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
    # The ledger rows the increment read: its projects' facts with and without the new entries.
    scope = increment.scope
    version.rows_read = (
        rows_read(programme, scope) + rows_read(programme, scope.with_added_entries()) if scope.projects else 0
    )
    _write_groups(version, _present_groups(version))
    version.duration_ms = round((time.monotonic() - started) * 1000)
    return PublishedVersion(version=version, steps_written=FigureStep.objects.filter(version=version).count())


def _publish(published: PublishedVersion) -> None:
    version = published.version
    FiguresVersion.objects.filter(programme_id=version.programme_id, is_current=True).update(is_current=False)
    version.is_current = True
    version.save(update_fields=["is_current", "rows_read", "duration_ms"])


def prune_figure_versions() -> int:
    """Delete all but the newest FIGURES_VERSIONS_KEPT versions of each programme.

    Runs after publication, in a transaction of its own: publishing does not wait for the
    deletes, and a failed prune leaves the new version published. A current version is
    never deleted. Returns the number of versions deleted.
    """
    deleted = 0
    with transaction.atomic():
        for programme_id in Programme.objects.order_by("id").values_list("id", flat=True):
            newest_first = FiguresVersion.objects.filter(programme_id=programme_id).order_by("-id")
            kept = list(newest_first.values_list("id", flat=True)[: settings.FIGURES_VERSIONS_KEPT])
            stale = list(newest_first.exclude(id__in=kept).exclude(is_current=True).values_list("id", flat=True))
            if stale:
                FigureStep.objects.filter(version_id__in=stale).delete()
                FiguresVersion.objects.filter(id__in=stale).delete()
                deleted += len(stale)
    return deleted


def publish_figures(*, full: bool = True) -> list[PublishedVersion]:
    """Make every programme's figures of the ledger as it is now current, all at once.

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
            directory_totals = nrw_directory_totals()
            published = []
            for programme in Programme.objects.order_by("start_date", "id"):
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
            for item in published:
                _publish(item)
        _after_publication(change_count)
    return published


def _after_publication(change_count: int) -> None:
    """Caught up, unless a change came in since the count was read ("behind since" stays); forget the changes every current version includes."""
    LedgerState.objects.filter(pk=LEDGER_STATE_ID, change_count=change_count).update(first_unpublished_at=None)
    included = FiguresVersion.objects.filter(is_current=True).aggregate(lowest=Min("ledger_change_count"))["lowest"]
    if included is not None:
        LedgerChange.objects.filter(number__lte=included).delete()


def recompute_figures(*, full: bool = True) -> list[PublishedVersion]:
    """Publish every programme's figures (publish_figures), then prune the old versions.

    Without `full` nothing is published when the current versions already include every
    change: a run scheduled for a change that an earlier run has taken in.
    """
    if not full and figures_freshness().is_current:
        return []
    published = publish_figures(full=full)
    prune_figure_versions()
    return published
