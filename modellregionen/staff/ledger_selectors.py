"""Reads for the staff workspace: the ledger of one project, drafts by and for a user."""

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import QuerySet, Sum

from funding.models import MONEY_FIELDS, ZERO, FundingDecision
from projects.models import Project


@dataclass
class LedgerTotals:
    eligible_costs: Decimal = ZERO
    amount: Decimal = ZERO
    own_share: Decimal = ZERO
    private_investment: Decimal = ZERO

    @property
    def funding_rate(self) -> Decimal | None:
        if not self.eligible_costs:
            return None
        return (self.amount / self.eligible_costs).quantize(Decimal("0.0001"))

    @property
    def funding_rate_percent(self) -> Decimal | None:
        rate = self.funding_rate
        return None if rate is None else (rate * 100).quantize(Decimal("0.01"))

    def as_json(self) -> dict[str, str]:
        return {name: str(getattr(self, name)) for name in MONEY_FIELDS}


@dataclass
class LedgerLine:
    decision: FundingDecision
    totals: LedgerTotals


@dataclass
class ProjectLedger:
    project: Project
    lines: list[LedgerLine] = field(default_factory=list)
    drafts: list[FundingDecision] = field(default_factory=list)
    totals: LedgerTotals = field(default_factory=LedgerTotals)


def _with_people(queryset: QuerySet) -> QuerySet:
    return queryset.select_related("project", "recipient", "authority", "amends", "drafted_by", "released_by")


def project_ledger(*, project: Project) -> ProjectLedger:
    """Released decisions in ledger order with running totals; drafts apart, since they do not count yet."""
    ledger = ProjectLedger(project=project)
    running = LedgerTotals()
    decisions = _with_people(FundingDecision.objects.filter(project=project)).order_by("decision_date", "id")
    for decision in decisions:
        if not decision.is_released:
            ledger.drafts.append(decision)
            continue
        running = LedgerTotals(**{name: getattr(running, name) + getattr(decision, name) for name in MONEY_FIELDS})
        ledger.lines.append(LedgerLine(decision=decision, totals=running))
    ledger.totals = running
    return ledger


def project_totals(*, project_id: int) -> LedgerTotals:
    """The project's current values: the sums over its released decisions."""
    sums = (
        FundingDecision.objects.released()
        .filter(project_id=project_id)
        .aggregate(**{name: Sum(name) for name in MONEY_FIELDS})
    )
    # SQLite returns sums without their scale ("800000"); the form's data attributes want cents.
    return LedgerTotals(**{name: (sums[name] or ZERO).quantize(ZERO) for name in MONEY_FIELDS})


def drafts_by(*, user) -> QuerySet:
    """The user's own drafts, oldest first."""
    return _with_people(FundingDecision.objects.drafts().filter(drafted_by=user)).order_by("created_at", "id")


def drafts_awaiting_release_by(*, user) -> QuerySet:
    """Drafts someone else wrote, which this user may release."""
    return _with_people(FundingDecision.objects.drafts().exclude(drafted_by=user)).order_by("created_at", "id")


def decision_list(*, state: str | None = None) -> QuerySet:
    queryset = _with_people(FundingDecision.objects.all()).order_by("-decision_date", "-id")
    if state:
        queryset = queryset.filter(state=state)
    return queryset
