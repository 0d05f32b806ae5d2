"""Writes to the ledger of funding decisions.

Every entry path (staff forms, the API, the CSV/XLSX import, the admin) goes through
these functions, so the rules, the roles and the four-eyes principle hold the same way
everywhere: only Sachbearbeitung drafts, changes and deletes (its own) drafts, only
Freigabe releases, and never a draft it wrote itself.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding import four_eyes
from funding.models import DecisionState, FundingDecision
from funding.rules import check_decision
from modellregionen import roles
from projects.models import Project

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


def _validate_and_save(decision: FundingDecision, user) -> FundingDecision:
    # Field formats, uniqueness of the reference, and check_decision, which says in words every
    # rule the table's CHECK constraints hold. Django would test each constraint again with a
    # query of its own (7 per row: most of an import's time); the database still enforces them.
    decision.full_clean(validate_constraints=False)
    if user is not None:
        # The history names the acting user on every path, also where no web request is around.
        decision._history_user = user
    try:
        with transaction.atomic():
            decision.save()
    except IntegrityError as error:
        raise ValidationError(_("Die Datenbank lehnt diesen Bescheid ab: %(error)s") % {"error": error}) from error
    return decision


@transaction.atomic
def decision_create_draft(*, user, **fields) -> FundingDecision:
    """Record a new draft decision by `user`; it counts only once someone else releases it."""
    _refuse_unless_clerk(user)
    _refuse_unknown_fields(fields)
    decision = FundingDecision(**fields, drafted_by=user, state=DecisionState.DRAFT)
    return _validate_and_save(decision, user)


@transaction.atomic
def decision_record_released(*, released_by, **fields) -> FundingDecision:
    """Record a historical decision, released outside this app, as released by `released_by`.

    Used by the import of historical data (`import_decisions --released-by`): the decision
    was drafted and signed on paper, so it has no author here, and the history names the
    person who imported it.
    """
    if released_by is None or not roles.can_release_decisions(released_by):
        raise PermissionDenied(_("Nur die Freigabe kann freigegebene Bescheide übernehmen."))
    _refuse_unknown_fields(fields)
    Project.objects.select_for_update().filter(pk=getattr(fields.get("project"), "pk", None)).first()
    decision = FundingDecision(
        **fields,
        drafted_by=None,
        state=DecisionState.RELEASED,
        released_by=released_by,
        released_at=timezone.now(),
    )
    return _validate_and_save(decision, released_by)


def _lock_draft(decision: FundingDecision) -> FundingDecision:
    """The decision as stored, locked in the order a release locks: its project, then itself.

    So an edit racing a release waits for it and then sees the released state (a clear
    refusal), instead of writing over a row the database no longer lets change (a 500).
    """
    Project.objects.select_for_update().filter(pk=decision.project_id).first()
    return FundingDecision.objects.select_for_update().get(pk=decision.pk)


@transaction.atomic
def decision_update_draft(*, decision: FundingDecision, user, **fields) -> FundingDecision:
    """Change a draft; only its author may, and never once it is released."""
    decision = _lock_draft(decision)
    _refuse_unless_own_draft(decision, user)
    _refuse_unknown_fields(fields)
    for name, value in fields.items():
        setattr(decision, name, value)
    return _validate_and_save(decision, user)


@transaction.atomic
def decision_delete_draft(*, decision: FundingDecision, user) -> None:
    """Delete a draft; only its author may, and never once it is released."""
    decision = _lock_draft(decision)
    _refuse_unless_own_draft(decision, user)
    decision._history_user = user
    decision.delete()


@transaction.atomic
def decision_release(*, decision: FundingDecision, user, reviewed: str | None) -> FundingDecision:
    """Release a draft by a second person if it is what they reviewed, re-checking the rules against the ledger."""

    def lock_project() -> None:
        # Two releases for one project must not both pass the totals check.
        Project.objects.select_for_update().filter(pk=decision.project_id).first()

    return four_eyes.release_reviewed(
        entry=decision, user=user, reviewed=reviewed, lock=lock_project, check=check_decision, what=_("Bescheide")
    )


def _refuse_unknown_fields(fields: dict) -> None:
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unbekanntes Feld.") for name in sorted(unknown)})


def _refuse_unless_clerk(user) -> None:
    four_eyes.refuse_unless_clerk(user, what=_("Bescheide"))


def _refuse_unless_own_draft(decision: FundingDecision, user) -> None:
    four_eyes.refuse_unless_own_draft(
        decision, user, what=_("Bescheide"), correct_by=_("erfassen Sie einen Änderungsbescheid oder Widerruf.")
    )
