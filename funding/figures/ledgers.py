"""What the figures engine reads from the ledgers: the facts, their watermark and their size.

This is the engine's one interface to the ledgers. Each source (released decisions,
projects, requests) is one "facts" query built with the ORM, with the columns the step
statement (funding.figures.engine) fans out into groupings; nothing else in the engine
names a ledger model. A new ledger (payments) adds its facts query here, its columns to
the statement, and its models to `ledger_watermark`.
"""

from django.db.models import Aggregate, BigIntegerField, Case, F, IntegerField, Max, QuerySet, Value, When, Window
from django.db.models.expressions import RowRange
from django.db.models.functions import Cast, Coalesce, ExtractYear, FirstValue, Round, RowNumber

from funding.models import FundingDecision, Programme
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
)


PROJECT_COLUMNS = ("f_project", "f_day", "f_region", "f_strand", "f_topic", "f_year")


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
)


class ExactSum(Aggregate):
    """A sum of integers that is an integer: `bigint_sum` on PostgreSQL, SUM elsewhere (see _exact_sum)."""

    function = "SUM"
    output_field = BigIntegerField()

    def as_postgresql(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function=POSTGRESQL_EXACT_SUM, **extra_context)


def cents(field: str) -> Cast:
    """A money field in whole cents, a bigint: exact to add, also where decimals are floats (SQLite)."""
    return Cast(Round(F(field) * 100), BigIntegerField())


def decision_facts(*, programme: Programme) -> QuerySet:
    """Released decisions of `programme` (money in cents), with their project's groups, running grant and first decision."""
    # Entry order within a day: the running grant at the day's last decision is the
    # project's net grant at the end of that day.
    entry_order = [F("decision_date").asc(), F("id").asc()]
    return (
        FundingDecision.objects.released()
        .filter(project__programme=programme)
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
        )
        .values(*DECISION_COLUMNS)
    )


def project_facts(*, programme: Programme) -> QuerySet:
    """Every application (project or project office) of `programme`."""
    return (
        Project.objects.filter(programme=programme)
        .order_by()
        .annotate(
            f_project=F("id"),
            f_day=F("submitted_on"),
            f_region=F("region_id"),
            f_strand=F("strand"),
            f_topic=F("topic_id"),
            f_year=Cast(ExtractYear("submitted_on"), IntegerField()),
        )
        .values(*PROJECT_COLUMNS)
    )


def request_facts(*, programme: Programme) -> QuerySet:
    """Every transfer or consultation request for a project of `programme`."""
    return (
        TransferRequest.objects.filter(project__programme=programme)
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
        )
        .values(*REQUEST_COLUMNS)
    )


def ledger_watermark():
    """The time of the latest change to a decision, project or request (None if none)."""
    candidates = [
        FundingDecision.history.aggregate(latest=Max("history_date"))["latest"],
        Project.history.aggregate(latest=Max("history_date"))["latest"],
        TransferRequest.history.aggregate(latest=Max("history_date"))["latest"],
        # Bulk loads write no history rows; these columns still date them.
        FundingDecision.objects.aggregate(latest=Max("updated_at"))["latest"],
        TransferRequest.objects.aggregate(latest=Max("created_at"))["latest"],
    ]
    present = [moment for moment in candidates if moment is not None]
    return max(present) if present else None


def rows_read(programme: Programme) -> int:
    """The released decisions, projects and requests of `programme`: the facts a recompute reads."""
    return (
        FundingDecision.objects.released().filter(project__programme=programme).count()
        + Project.objects.filter(programme=programme).count()
        + TransferRequest.objects.filter(project__programme=programme).count()
    )
