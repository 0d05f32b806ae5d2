"""Writes to the ledger of funding decisions.

Every entry path (staff forms, the API, the CSV/XLSX import, the admin) goes through
these functions, so the rules, the roles and the four-eyes principle hold the same way
everywhere: only Sachbearbeitung drafts, changes and deletes (its own) drafts, only
Freigabe releases, and never a draft it wrote itself.
"""

from django.utils.translation import gettext as _

from funding import four_eyes
from funding.models import FundingDecision
from funding.rules import check_decision
from modellregionen import ledger_changes

EDITABLE_FIELDS = (
    "reference",
    "project",
    "recipient",
    "authority",
    "kind",
    "amends",
    "decision_date",
    "financing_type",
    "eligible_costs",
    "amount",
    "own_share",
    "private_investment",
    "period_start",
    "period_end",
    "source",
    "rate_exception_reason",
)


DECISIONS = four_eyes.Ledger(
    model=FundingDecision,
    fields=EDITABLE_FIELDS,
    what=lambda: _("Bescheide"),
    correct_by=lambda: _("erfassen Sie einen Änderungsbescheid oder Widerruf."),
    parent="project",
    check=check_decision,
    released_kind=ledger_changes.DECISION_RELEASED,
    project_of=lambda decision: decision.project_id,
    validate_constraints=False,
)


def decision_create_draft(*, user, **fields) -> FundingDecision:
    """Record a new draft decision by `user`; it counts only once someone else releases it."""
    return four_eyes.create_draft(DECISIONS, user=user, **fields)


def decision_record_released(*, released_by, **fields) -> FundingDecision:
    """Record a historical decision, released outside this app, as released by `released_by`
    (the import of historical data: `import_decisions --released-by`)."""
    return four_eyes.record_released(DECISIONS, released_by=released_by, **fields)


def decision_update_draft(*, decision: FundingDecision, user, **fields) -> FundingDecision:
    return four_eyes.update_draft(DECISIONS, entry=decision, user=user, **fields)


def decision_delete_draft(*, decision: FundingDecision, user) -> None:
    four_eyes.delete_draft(DECISIONS, entry=decision, user=user)


def decision_release(*, decision: FundingDecision, user, reviewed: str | None) -> FundingDecision:
    """Release a draft by a second person if it is what they reviewed, re-checking the rules against the ledger."""
    return four_eyes.release(DECISIONS, entry=decision, user=user, reviewed=reviewed)
