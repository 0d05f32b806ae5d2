"""Any committed change to a ledger (decisions, payments, recoveries, proofs of use, projects, requests) or the directory schedules a recompute."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from funding.choices import DecisionState
from funding.figures.freshness import mark_ledger_changed
from funding.figures.models import LedgerChange
from funding.figures.scheduling import schedule_figures_recompute
from funding.models import FundingDecision
from funding.payments.models import Payment, ProofOfUse, Recovery
from projects.models import Project, TransferRequest
from regions.signals import directory_changed

# A released entry of these models is only ever added, never changed or deleted (database
# triggers, funding.db_guards): the figures can add it without a full recompute.
ADDED_WHEN_RELEASED = {
    FundingDecision: LedgerChange.Kind.DECISION_RELEASED,
    Payment: LedgerChange.Kind.PAYMENT_RELEASED,
    Recovery: LedgerChange.Kind.RECOVERY_RELEASED,
}


def _what_changed(sender, instance, raw: bool) -> dict:
    """The LedgerChange fields of a saved or deleted record (see mark_ledger_changed)."""
    if raw or sender not in ADDED_WHEN_RELEASED:
        # A fixture load (raw) or a record whose change the figures cannot add.
        return {"kind": LedgerChange.Kind.OTHER}
    if instance.state != DecisionState.RELEASED:
        # A draft is in no figure. (A released entry cannot be deleted, so a deletion is a draft's.)
        return {"kind": LedgerChange.Kind.NO_FIGURES}
    # Saving a released entry can only be its release: the trigger refuses any later update.
    decision = instance if sender is FundingDecision else instance.decision
    return {"kind": ADDED_WHEN_RELEASED[sender], "entry_id": instance.pk, "project_id": decision.project_id}


@receiver(post_save, sender=FundingDecision, dispatch_uid="figures_on_decision_save")
@receiver(post_save, sender=Payment, dispatch_uid="figures_on_payment_save")
@receiver(post_delete, sender=Payment, dispatch_uid="figures_on_payment_delete")
@receiver(post_save, sender=Recovery, dispatch_uid="figures_on_recovery_save")
@receiver(post_delete, sender=Recovery, dispatch_uid="figures_on_recovery_delete")
@receiver(post_save, sender=ProofOfUse, dispatch_uid="figures_on_proof_of_use_save")
@receiver(post_delete, sender=ProofOfUse, dispatch_uid="figures_on_proof_of_use_delete")
@receiver(post_delete, sender=FundingDecision, dispatch_uid="figures_on_decision_delete")
@receiver(post_save, sender=Project, dispatch_uid="figures_on_project_save")
@receiver(post_delete, sender=Project, dispatch_uid="figures_on_project_delete")
@receiver(post_save, sender=TransferRequest, dispatch_uid="figures_on_request_save")
@receiver(post_delete, sender=TransferRequest, dispatch_uid="figures_on_request_delete")
def ledger_changed(sender, instance, raw: bool = False, **kwargs) -> None:
    # In the change's own transaction: the durable "figures are behind" (LedgerState), and
    # what changed (LedgerChange).
    mark_ledger_changed(**_what_changed(sender, instance, raw))
    # After commit: the fast path, a recompute in a few seconds. If the broker is down it is
    # lost, and the check every minute (refresh_figures_if_behind) catches up instead.
    schedule_figures_recompute()


@receiver(directory_changed, dispatch_uid="figures_on_directory_change")
def directory_changed_figures(sender, **kwargs) -> None:
    mark_ledger_changed(LedgerChange.Kind.OTHER)
    schedule_figures_recompute()
