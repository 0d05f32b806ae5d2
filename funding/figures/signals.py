"""Any committed change to a ledger (decisions, payments, recoveries, proofs of use, projects, requests) or the directory schedules a recompute."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from funding.figures.freshness import mark_ledger_changed
from funding.figures.scheduling import schedule_figures_recompute
from funding.models import FundingDecision
from funding.payments.models import Payment, ProofOfUse, Recovery
from projects.models import Project, TransferRequest
from regions.signals import directory_changed


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
@receiver(directory_changed, dispatch_uid="figures_on_directory_change")
def ledger_changed(sender, **kwargs) -> None:
    # In the change's own transaction: the durable "figures are behind" (LedgerState).
    mark_ledger_changed()
    # After commit: the fast path, a recompute in a few seconds. If the broker is down it is
    # lost, and the check every minute (refresh_figures_if_behind) catches up instead.
    schedule_figures_recompute()
