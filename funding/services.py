"""Writes to the ledger of funding decisions.

Every entry path (staff forms, the API, the CSV/XLSX import, the admin) goes through
these functions, so the rules and the four-eyes principle hold the same way everywhere.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from funding.models import DecisionState, FundingDecision
from funding.rules import check_decision
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
)


def _validate_and_save(decision: FundingDecision) -> FundingDecision:
    decision.full_clean()  # field formats, uniqueness of the reference, and check_decision
    decision.save()
    return decision


@transaction.atomic
def decision_create_draft(*, user, **fields) -> FundingDecision:
    """Record a new draft decision by `user`; it counts only once someone else releases it."""
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unbekanntes Feld.") for name in sorted(unknown)})
    decision = FundingDecision(**fields, drafted_by=user, state=DecisionState.DRAFT)
    return _validate_and_save(decision)


@transaction.atomic
def decision_update_draft(*, decision: FundingDecision, user, **fields) -> FundingDecision:
    """Change a draft; only its author may, and never once it is released."""
    _refuse_unless_own_draft(decision, user)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Unbekanntes Feld.") for name in sorted(unknown)})
    for name, value in fields.items():
        setattr(decision, name, value)
    return _validate_and_save(decision)


@transaction.atomic
def decision_delete_draft(*, decision: FundingDecision, user) -> None:
    """Delete a draft; only its author may, and never once it is released."""
    _refuse_unless_own_draft(decision, user)
    decision.delete()


@transaction.atomic
def decision_release(*, decision: FundingDecision, user) -> FundingDecision:
    """Release a draft by a second person, re-checking the rules against the current ledger."""
    # Lock the project so that two releases for it cannot both pass the totals check.
    Project.objects.select_for_update().filter(pk=decision.project_id).first()
    decision = FundingDecision.objects.select_for_update().get(pk=decision.pk)
    if decision.is_released:
        raise ValidationError(_("Der Bescheid %(ref)s ist bereits freigegeben.") % {"ref": decision.reference})
    if decision.drafted_by_id is not None and decision.drafted_by_id == user.pk:
        raise PermissionDenied(_("Vier-Augen-Prinzip: Sie können Ihren eigenen Entwurf nicht freigeben."))
    check_decision(decision)
    decision.release(by=user, at=timezone.now())
    decision.save()
    return decision


def _refuse_unless_own_draft(decision: FundingDecision, user) -> None:
    if decision.is_released:
        raise ValidationError(
            _(
                "Der Bescheid %(ref)s ist freigegeben und kann nicht mehr geändert werden; "
                "erfassen Sie einen Änderungsbescheid oder Widerruf."
            )
            % {"ref": decision.reference}
        )
    if decision.drafted_by_id != user.pk:
        raise PermissionDenied(_("Nur die Person, die den Entwurf erfasst hat, kann ihn ändern oder löschen."))
