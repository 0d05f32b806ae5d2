"""The SQL that turns the ledger facts into figure steps: a full recompute's and an increment's.

The facts queries (funding.figures.ledgers) give one row per released decision, project,
request and payment flow; steps_statement fans them out into the groupings, sums them per
group and day, turns the daily changes into running values (window functions) and inserts
the step rows of a new version: one per group and day on which any figure changed, with
every stored figure as a column (money in whole cents). increment_statement writes a new
version from a published one and the facts of the projects that changed since
(funding.figures.increments). funding.figures.engine runs them and publishes the version.
"""

from dataclasses import dataclass

from django.db import connection

from funding.figures.definitions import GROUPING_NUMBERS, ILLUSTRATIVE_PARTS, STORED_KEYS
from funding.figures.ledgers import (
    FLOW_CHANGES,
    POSTGRESQL_EXACT_SUM,
    WHOLE_LEDGER,
    Scope,
    decision_facts,
    payment_flow_facts,
    project_facts,
    request_facts,
)
from funding.figures.models import FigureGroup, FigureStep
from funding.models import Programme
from projects.models import ProjectKind, RequestKind, Strand

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

# Each figure's illustrative part (definitions.ILLUSTRATIVE_PARTS) changes in a column of its
# own: i_amount is c_amount on the facts of illustrative records (f_ill = 1), and so on.
FACT_COLUMNS |= {ILLUSTRATIVE_PARTS[figure]: f"i_{column[2:]}" for figure, column in list(FACT_COLUMNS.items())}
FIRST_REQUEST_COLUMNS |= {
    ILLUSTRATIVE_PARTS[figure]: f"i_{column[2:]}" for figure, column in list(FIRST_REQUEST_COLUMNS.items())
}


# Total volume, budget share, reach shares and funding per inhabitant are derived from these
# when read (funding.figures).
assert {*FACT_COLUMNS, *FIRST_REQUEST_COLUMNS} == set(STORED_KEYS), "every stored figure needs its daily change"  # noqa: S101


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
    # f_published_day: the day of its first published request in the group (NULL: none so far);
    # until then the municipality counts in the illustrative part.
    first_request_days = _per_group(
        f"{p}req_attr",
        "f_day, f_municipality, f_gemeinde, f_population, f_ill",
        "MIN(f_day) AS f_day, MAX(f_gemeinde) AS f_gemeinde, MAX(f_population) AS f_population, "
        "MIN(CASE WHEN f_ill = 0 THEN f_day END) AS f_published_day",
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
    # The illustrative part of each change: the change itself on an illustrative record's fact.
    illustrative_parts = ", ".join(
        f"CASE WHEN f_ill = 1 THEN {column} END AS i_{column[2:]}"
        for figure, column in FACT_COLUMNS.items()
        if figure in ILLUSTRATIVE_PARTS
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
    illustrative_first = "(CASE WHEN f_published_day IS NULL OR f_published_day > f_day THEN 1 ELSE 0 END)"
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
{p}facts_of_records AS (
    SELECT f_day, f_region, f_strand, f_topic, f_year AS g_year, f_authority AS g_authority,
           c_amount, c_private, c_eligible, c_own,
           CAST(CASE WHEN {in_first_groups} THEN {funded_flip} END AS BIGINT) AS c_funded,
           CAST(CASE WHEN {in_first_groups} THEN {office_flip} END AS BIGINT) AS c_offices,
           CAST(NULL AS BIGINT) AS c_applications, CAST(NULL AS BIGINT) AS c_transfer,
           CAST(NULL AS BIGINT) AS c_consultation, {no_flow_as}, f_ill
    FROM {p}dec
    UNION ALL
    SELECT f_day, f_region, f_strand, f_topic, f_first_year, f_first_authority, NULL, NULL, NULL, NULL,
           {funded_flip}, {office_flip}, NULL, NULL, NULL, {no_flow}, f_ill
    FROM {p}dec
    WHERE {flip} <> 0 AND NOT {in_first_groups}
    UNION ALL
    SELECT f_day, f_region, f_strand, f_topic, f_year, first_authority, NULL, NULL, NULL, NULL,
           NULL, NULL, 1, NULL, NULL, {no_flow}, f_ill
    FROM {p}prj_attr
    UNION ALL
    SELECT f_day, f_region, f_strand, f_topic, f_year, first_authority, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL,
           CASE WHEN f_kind = '{RequestKind.TRANSFER}' THEN 1 END,
           CASE WHEN f_kind = '{RequestKind.CONSULTATION}' THEN 1 END, {no_flow}, f_ill
    FROM {p}req_attr
    UNION ALL
    -- The payments ledger: payments and claims under their grant's authority and in the
    -- year of their date, proofs of use in the year of their deadline.
    SELECT f_day, f_region, f_strand, f_topic, f_year, f_authority, NULL, NULL, NULL, NULL,
           NULL, NULL, NULL, NULL, NULL, {flow_changes}, f_ill
    FROM {p}flow
)""",  # noqa: S608
        f"""{p}facts AS (
    SELECT f.*, {illustrative_parts} FROM {p}facts_of_records f
)""",  # noqa: S608
        f"""{p}facts_daily AS (
    {_per_group(f"{p}facts", fact_columns, changes, authority="g_authority", year="g_year")}
)""",  # noqa: S608
        f"""{p}first_requests AS (
    {first_request_days}
)""",  # noqa: S608
        f"""-- A municipality counts from its first request in a group; in the illustrative part from then
-- until its first published request there.
{p}first_requests_daily AS (
    SELECT grp, raw_key, f_day, CAST(SUM(m_municipalities) AS BIGINT) AS m_municipalities,
           CAST(SUM(m_gemeinden) AS BIGINT) AS m_gemeinden, CAST(SUM(m_population) AS BIGINT) AS m_population,
           CAST(SUM(i_municipalities) AS BIGINT) AS i_municipalities,
           CAST(SUM(i_gemeinden) AS BIGINT) AS i_gemeinden, CAST(SUM(i_population) AS BIGINT) AS i_population
    FROM (
        SELECT grp, raw_key, f_day, 1 AS m_municipalities, f_gemeinde AS m_gemeinden,
               f_gemeinde * f_population AS m_population, {illustrative_first} AS i_municipalities,
               {illustrative_first} * f_gemeinde AS i_gemeinden,
               {illustrative_first} * f_gemeinde * f_population AS i_population
        FROM {p}first_requests
        UNION ALL
        SELECT grp, raw_key, f_published_day, 0, 0, 0, -1, -f_gemeinde, -(f_gemeinde * f_population)
        FROM {p}first_requests
        WHERE f_published_day > f_day
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


@dataclass(frozen=True)
class IncrementStatements:
    insert: tuple[str, list]  # writes the touched groups' steps of the new version
    touched: tuple[str, list]  # answers the touched groups (grouping, member)


def increment_statement(
    *, programme: Programme, scope: Scope, base_version_id: int, version_id: int
) -> IncrementStatements | None:
    """The statements that write the steps of `version_id`: those of `base_version_id` plus the entries added since.

    None when no group changes (there is nothing to write).

    `scope` names the projects whose facts the added entries change and leaves out the
    entries themselves: the facts as the base version saw them (funding.figures.increments). The difference of their facts with and without
    the added entries is each group's daily change; the groups it touches get their steps
    again from the base version's daily changes plus that difference (the same running sums
    as a full recompute). Every other group keeps using the steps the base version's group
    uses (FigureGroup.steps_from, written by the engine): nothing is copied.
    """
    table, column, figure_columns = _step_columns()
    version, grouping, member, valid_from = (
        column["version"],
        column["grouping"],
        column["member"],
        column["valid_from"],
    )
    groups = FigureGroup._meta.db_table
    if not scope.projects:
        # Only drafts were saved or deleted, or entries of another programme released: no group
        # changes, every group of the new version uses the steps the base version's uses.
        return None
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
    delta = f"""
WITH
{_joined([*after, *before])},
-- The daily change of each touched group: the facts with the added entries less those without.
delta (grp, raw_key, f_day, {names}) AS (
    {delta_rows("a_", "")}
    UNION ALL
    {delta_rows("b_", "-")}
),
touched AS (SELECT DISTINCT grp, raw_key FROM delta)"""  # noqa: S608
    sql = f"""{delta},
-- The base version's daily changes of the touched groups (from the steps its groups use): each
-- step less the one before.
base_daily (grp, raw_key, f_day, {names}) AS (
    SELECT s.{grouping}, s.{member}, s.{valid_from}, {base_changes}
    FROM {table} s
    JOIN touched t ON t.grp = s.{grouping} AND t.raw_key = s.{member}
    JOIN {groups} g ON g.version_id = {int(base_version_id)} AND g.grouping = s.{grouping}
        AND g.member = s.{member} AND g.steps_from_id = s.{version}
    WINDOW earlier AS (PARTITION BY s.{grouping}, s.{member} ORDER BY s.{valid_from})
),
daily AS (
    SELECT grp, raw_key, f_day, {summed}
    FROM (SELECT * FROM base_daily UNION ALL SELECT * FROM delta) t
    GROUP BY grp, raw_key, f_day
),
{_steps_cte("daily")}
{_insert_steps(version_id)}
"""  # noqa: S608
    params = [*after_params, *before_params]
    # The groups the increment rewrote: a touched group without steps now has no figures left.
    return IncrementStatements(insert=(sql, params), touched=(f"{delta}\nSELECT grp, raw_key FROM touched", params))
