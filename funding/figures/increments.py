"""Which ledger changes the figures can add to the current version without reading the whole ledger.

Released decisions, payments and recoveries are only ever added: the database refuses to
change or delete them (funding.db_guards). So the published figures after such a change are
the current version's plus the difference the new entries make, and that difference lies in
the facts of a few projects: those of the new entries and, where a new decision becomes its
project's first, the projects requested by the same municipalities (a project's requests
count under the authority of its first decision, and a municipality counts once per group, on
its first request there). `plan_increment` finds those projects from the change log
(LedgerChange, one row per committed change); the figures engine computes their facts with and
without the new entries and writes the new version (statements.increment_statement).

Anything else since the current version (a project or request edited, a proof of use, the
directory, a budget, a change from before the log existed, or more than MAX_CHANGES changes)
gets a full recompute. Either way the new version's steps are the same, which the tests prove
over random ledgers and changes (tests/figures/test_increments.py); the nightly full recompute
and verify_figures stay as the backstop.
"""

from dataclasses import dataclass

from funding.figures.ledgers import Scope
from funding.figures.models import FiguresVersion, LedgerChange
from funding.figures.selectors import version_steps
from funding.models import FundingDecision, Programme
from projects.models import Project, TransferRequest

# Beyond this many changes one full recompute is as quick as the increment, and simpler.
MAX_CHANGES = 10_000


@dataclass(frozen=True)
class Increment:
    base: FiguresVersion
    scope: Scope
    changes: int


def plan_increment(
    programme: Programme, *, base: FiguresVersion | None, change_count: int, directory_totals: tuple
) -> Increment | None:
    """How to add the changes up to `change_count` to `base`, or None if a full recompute is needed."""
    if base is None or base.includes_change_count is None or base.includes_change_count > change_count:
        return None
    if base.budget != programme.budget or (base.nrw_gemeinden, base.nrw_population, base.population_date) != tuple(
        directory_totals
    ):
        return None
    if version_steps(base).filter(illustrative_applications__isnull=True).exists():
        return None  # computed before the illustrative parts were stored: they are not known to add to
    pending = change_count - base.includes_change_count
    if pending > MAX_CHANGES:
        return None
    changes = list(
        LedgerChange.objects.filter(number__gt=base.includes_change_count, number__lte=change_count).values_list(
            "kind", "entry_id", "project_id"
        )
    )
    # A change without its log row (committed before the log existed) cannot be added.
    if len(changes) != pending or any(kind == LedgerChange.Kind.OTHER for kind, _entry, _project in changes):
        return None
    added = {kind: set() for kind in LedgerChange.Kind.values}
    for kind, entry_id, _project_id in changes:
        added[kind].add(entry_id)
    projects = set(
        Project.objects.filter(
            programme=programme, id__in={project for kind, _entry, project in changes if project is not None}
        ).values_list("id", flat=True)
    )
    new_decisions = added[LedgerChange.Kind.DECISION_RELEASED]
    first_changed = _projects_with_a_new_first_decision(projects, new_decisions)
    if first_changed:
        municipalities = TransferRequest.objects.filter(project_id__in=first_changed).values("municipality_id")
        projects |= set(
            TransferRequest.objects.filter(project__programme=programme, municipality_id__in=municipalities)
            .values_list("project_id", flat=True)
            .distinct()
        )
    scope = Scope(
        projects=frozenset(projects),
        without_decisions=frozenset(new_decisions),
        without_payments=frozenset(added[LedgerChange.Kind.PAYMENT_RELEASED]),
        without_recoveries=frozenset(added[LedgerChange.Kind.RECOVERY_RELEASED]),
    )
    return Increment(base=base, scope=scope, changes=pending)


def _projects_with_a_new_first_decision(projects: set[int], new_decisions: set[int]) -> set[int]:
    """The projects whose first released decision (by date, then entry) is one of `new_decisions`."""
    first = {}
    released = FundingDecision.objects.released().filter(id__in=new_decisions, project_id__in=projects)
    of_those = FundingDecision.objects.released().filter(project_id__in=released.values("project_id"))
    for project_id, decision_id in of_those.order_by("project_id", "decision_date", "id").values_list(
        "project_id", "id"
    ):
        first.setdefault(project_id, decision_id)
    return {project_id for project_id, decision_id in first.items() if decision_id in new_decisions}
