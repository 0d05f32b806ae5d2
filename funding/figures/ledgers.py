"""What the figures engine reads from the ledgers: the facts, their watermark and their size.

This is the engine's one interface to the ledgers. Each source (released decisions,
projects, requests, and the payments ledger's flow) is one "facts" query built with the ORM, with the columns the step
statement (funding.figures.engine) fans out into groupings; nothing else in the engine
names a ledger model. A new ledger (payments) adds its facts query here, its columns to
the statement, and its models to `ledger_watermark`.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import (
    Aggregate,
    BigIntegerField,
    Case,
    DateField,
    F,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.expressions import RowRange
from django.db.models.functions import Cast, Coalesce, ExtractYear, FirstValue, Round, RowNumber

from funding.choices import DecisionState, RecoveryKind
from funding.models import FundingDecision, Programme
from funding.payments.models import Payment, ProofOfUse, Recovery
from funding.provenance import illustrative_flag
from projects.models import Project, TransferRequest
from regions.models import MunicipalityKind

# Sums bigints into a bigint, exactly (migration funding.0008); see _exact_sum.
POSTGRESQL_EXACT_SUM = "bigint_sum"


DECISION_COLUMNS = (
    "f_project",
    "f_day",
    "f_region",
    "f_strand",
    "f_topic",
    "f_kind",
    "f_authority",
    "f_year",
    "c_amount",
    "c_private",
    "c_eligible",
    "c_own",
    "f_running",
    "f_rank",
    "f_first_authority",
    "f_first_year",
    "f_ill",
)


PROJECT_COLUMNS = ("f_project", "f_day", "f_region", "f_strand", "f_topic", "f_year", "f_ill")


REQUEST_COLUMNS = (
    "f_project",
    "f_day",
    "f_region",
    "f_strand",
    "f_topic",
    "f_year",
    "f_kind",
    "f_municipality",
    "f_gemeinde",
    "f_population",
    "f_ill",
)


class ExactSum(Aggregate):
    """A sum of integers that is an integer: `bigint_sum` on PostgreSQL, SUM elsewhere (see _exact_sum)."""

    function = "SUM"
    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=POSTGRESQL_EXACT_SUM, **extra_context)


@dataclass(frozen=True)
class Scope:
    """Which part of a programme's ledger the facts read.

    The whole ledger for a full recompute; for an increment (funding.figures.increments) the
    facts of some projects only, once with and once without the entries released since the
    version it starts from.
    """

    projects: frozenset[int] | None = None  # None: every project
    without_decisions: frozenset[int] = frozenset()
    without_payments: frozenset[int] = frozenset()
    without_recoveries: frozenset[int] = frozenset()

    def with_added_entries(self) -> "Scope":
        """The same projects with the entries this scope leaves out."""
        return Scope(projects=self.projects)


WHOLE_LEDGER = Scope()


def _in_scope(queryset: QuerySet, scope: Scope, *, project: str, without: frozenset[int]) -> QuerySet:
    if scope.projects is not None:
        queryset = queryset.filter(**{f"{project}__in": sorted(scope.projects)})
    if without:
        queryset = queryset.exclude(id__in=sorted(without))
    return queryset


def cents(field: str) -> Cast:
    """A money field in whole cents, a bigint: exact to add, also where decimals are floats (SQLite)."""
    return Cast(Round(F(field) * 100), BigIntegerField())


def decision_facts(*, programme: Programme, scope: Scope = WHOLE_LEDGER) -> QuerySet:
    """Released decisions of `programme` (money in cents), with their project's groups, running grant and first decision."""
    # Entry order within a day: the running grant at the day's last decision is the
    # project's net grant at the end of that day.
    entry_order = [F("decision_date").asc(), F("id").asc()]
    released = FundingDecision.objects.released().filter(project__programme=programme)
    return (
        _in_scope(released, scope, project="project_id", without=scope.without_decisions)
        .order_by()
        .annotate(
            f_project=F("project_id"),
            f_day=F("decision_date"),
            f_region=F("project__region_id"),
            f_strand=F("project__strand"),
            f_topic=F("project__topic_id"),
            f_kind=F("project__kind"),
            f_authority=F("authority_id"),
            f_year=Cast(ExtractYear("decision_date"), IntegerField()),
            c_amount=cents("amount"),
            c_private=cents("private_investment"),
            c_eligible=cents("eligible_costs"),
            c_own=cents("own_share"),
            f_running=Window(
                ExactSum(cents("amount")), partition_by=[F("project_id")], order_by=entry_order, frame=RowRange(None, 0)
            ),
            # The same window as f_running (ROW_NUMBER ignores the frame): one pass computes all.
            f_rank=Window(RowNumber(), partition_by=[F("project_id")], order_by=entry_order, frame=RowRange(None, 0)),
            f_first_authority=Window(
                FirstValue("authority_id"),
                partition_by=[F("project_id")],
                order_by=entry_order,
                frame=RowRange(None, 0),
            ),
            f_first_year=Window(
                FirstValue(Cast(ExtractYear("decision_date"), IntegerField())),
                partition_by=[F("project_id")],
                order_by=entry_order,
                frame=RowRange(None, 0),
            ),
            f_ill=illustrative_flag(),
        )
        .values(*DECISION_COLUMNS)
    )


def project_facts(*, programme: Programme, scope: Scope = WHOLE_LEDGER) -> QuerySet:
    """Every application (project or project office) of `programme`."""
    return (
        _in_scope(Project.objects.filter(programme=programme), scope, project="id", without=frozenset())
        .order_by()
        .annotate(
            f_project=F("id"),
            f_day=F("submitted_on"),
            f_region=F("region_id"),
            f_strand=F("strand"),
            f_topic=F("topic_id"),
            f_year=Cast(ExtractYear("submitted_on"), IntegerField()),
            f_ill=illustrative_flag(),
        )
        .values(*PROJECT_COLUMNS)
    )


def request_facts(*, programme: Programme, scope: Scope = WHOLE_LEDGER) -> QuerySet:
    """Every counted (confirmed) transfer or consultation request for a project of `programme`."""
    requests = TransferRequest.objects.counted().filter(project__programme=programme)
    return (
        _in_scope(requests, scope, project="project_id", without=frozenset())
        .order_by()
        .annotate(
            f_project=F("project_id"),
            f_day=F("received_on"),
            f_region=F("project__region_id"),
            f_strand=F("project__strand"),
            f_topic=F("project__topic_id"),
            f_year=Cast(ExtractYear("received_on"), IntegerField()),
            f_kind=F("kind"),
            f_municipality=F("municipality_id"),
            # A Gemeinde (not a Kreis) with its population counts in the reach figures.
            f_gemeinde=Case(
                When(municipality__kind__in=MunicipalityKind.district_level(), then=Value(0)),
                default=Value(1),
                output_field=IntegerField(),
            ),
            f_population=Cast(Coalesce(F("municipality__population"), Value(0)), BigIntegerField()),
            f_ill=illustrative_flag(),
        )
        .values(*REQUEST_COLUMNS)
    )


FLOW_COLUMNS = (
    "f_day",
    "f_region",
    "f_strand",
    "f_topic",
    "f_year",
    "f_authority",
    "f_row",
    "f_ill",
    "c_paid",
    "c_reclaimed",
    "c_due",
    "c_received",
    "c_overdue",
)
FLOW_CHANGES = FLOW_COLUMNS[8:]


def _flow(queryset: QuerySet, *, day, year_from: str, counts_as_row: bool, **changes) -> QuerySet:
    """One row per entry of the payments ledger, in the columns of FLOW_COLUMNS.

    Groups come from the grant's project and decision; `changes` are the figure columns this
    entry changes (the others are NULL: no change). `f_row` is 1 on one row per ledger record,
    so that the statement can count the rows it read.
    """
    # Typed, so that PostgreSQL can match the UNION branches.
    nothing = Cast(Value(None), BigIntegerField())
    columns = {
        "f_day": day,
        "f_region": F("decision__project__region_id"),
        "f_strand": F("decision__project__strand"),
        "f_topic": F("decision__project__topic_id"),
        "f_year": Cast(ExtractYear(year_from), IntegerField()),
        "f_authority": F("decision__authority_id"),
        "f_row": Value(1 if counts_as_row else 0, output_field=IntegerField()),
        "f_ill": illustrative_flag(),
        **{name: changes.get(name, nothing) for name in FLOW_CHANGES},
    }
    return queryset.order_by().annotate(**columns).values(*FLOW_COLUMNS)


def _flow_sources(programme: Programme, scope: Scope) -> tuple[QuerySet, QuerySet, QuerySet]:
    """The released payments and recoveries and the counted proofs of use of `programme` in `scope`."""
    of_programme = {"decision__project__programme": programme}
    project = "decision__project_id"
    payments = _in_scope(
        Payment.objects.released().filter(**of_programme), scope, project=project, without=scope.without_payments
    )
    recoveries = _in_scope(
        Recovery.objects.released().filter(**of_programme), scope, project=project, without=scope.without_recoveries
    )
    proofs = _in_scope(
        ProofOfUse.objects.filter(decision__state=DecisionState.RELEASED, **of_programme),
        scope,
        project=project,
        without=frozenset(),
    )
    # A proof of use counts once its grant is released: not yet where that release is left out.
    if scope.without_decisions:
        proofs = proofs.exclude(decision_id__in=sorted(scope.without_decisions))
    return payments, recoveries, proofs


def payment_flow_facts(*, programme: Programme, scope: Scope = WHOLE_LEDGER) -> QuerySet:
    """The payments ledger of `programme` as daily changes: payments, claims and proofs of use.

    - a released payment (or correction) changes `paid_out` on its value date, a released
      repayment lowers it on its date;
    - a released claim (Rückforderung) changes `reclaimed` on its date;
    - a proof of use counts as due on its deadline, as received on the day it came in, and as
      overdue from the day after its deadline until the day it came in.
    """
    one = Value(1, output_field=BigIntegerField())
    released_payments, recoveries, proofs = _flow_sources(programme, scope)
    payments = _flow(
        released_payments, day=F("value_date"), year_from="value_date", counts_as_row=True, c_paid=cents("amount")
    )
    # Money repaid (Erstattung) flows back: it lowers what was paid out, on its value date.
    repayments = _flow(
        recoveries.filter(kind=RecoveryKind.REPAYMENT),
        day=F("booked_on"),
        year_from="booked_on",
        counts_as_row=True,
        c_paid=Cast(Round(F("amount") * -100), BigIntegerField()),
    )
    claims = _flow(
        recoveries.filter(kind=RecoveryKind.CLAIM),
        day=F("booked_on"),
        year_from="booked_on",
        counts_as_row=True,
        c_reclaimed=cents("amount"),
    )
    due = _flow(proofs, day=F("due_on"), year_from="due_on", counts_as_row=True, c_due=one)
    late = _flow(
        proofs.filter(Q(received_on__isnull=True) | Q(received_on__gt=F("due_on"))),
        day=Cast(F("due_on") + dt.timedelta(days=1), DateField()),
        year_from="due_on",
        counts_as_row=False,
        c_overdue=one,
    )
    received = _flow(
        proofs.filter(received_on__isnull=False),
        day=F("received_on"),
        year_from="due_on",
        counts_as_row=False,
        c_received=one,
        c_overdue=Case(When(received_on__gt=F("due_on"), then=Value(-1)), default=None, output_field=BigIntegerField()),
    )
    return payments.union(repayments, claims, due, late, received, all=True)


def ledger_watermark():
    """The time of the latest change to any ledger record the figures read (None if none)."""
    candidates = [
        FundingDecision.history.aggregate(latest=Max("history_date"))["latest"],
        Payment.history.aggregate(latest=Max("history_date"))["latest"],
        Recovery.history.aggregate(latest=Max("history_date"))["latest"],
        ProofOfUse.history.aggregate(latest=Max("history_date"))["latest"],
        Project.history.aggregate(latest=Max("history_date"))["latest"],
        TransferRequest.history.aggregate(latest=Max("history_date"))["latest"],
        # Bulk loads write no history rows; these columns still date them.
        FundingDecision.objects.aggregate(latest=Max("updated_at"))["latest"],
        TransferRequest.objects.aggregate(latest=Max("created_at"))["latest"],
        Payment.objects.aggregate(latest=Max("updated_at"))["latest"],
        Recovery.objects.aggregate(latest=Max("updated_at"))["latest"],
        ProofOfUse.objects.aggregate(latest=Max("updated_at"))["latest"],
    ]
    present = [moment for moment in candidates if moment is not None]
    return max(present) if present else None


def rows_read(programme: Programme, scope: Scope = WHOLE_LEDGER) -> int:
    """The released decisions, projects, requests, payments, claims and proofs of use of `programme` in `scope`."""
    return (
        decision_facts(programme=programme, scope=scope).count()
        + project_facts(programme=programme, scope=scope).count()
        + request_facts(programme=programme, scope=scope).count()
        + sum(source.count() for source in _flow_sources(programme, scope))
    )
