"""The admin of the payments ledger: the staff fallback, writing through funding.payments.services.

Registered by funding/admin.py. As for decisions, the permissions follow the roles: only
Sachbearbeitung drafts and changes its own drafts, released entries are read-only, and nothing
released is ever deleted. Releases happen on the staff confirmation pages (funding.four_eyes), not here.
"""

from django.contrib import admin

from funding.admin_roles import FourEyesAdminMixin
from funding.payments import services
from funding.payments.models import Payment, PaymentRequest, ProofOfUse, Recovery
from modellregionen import roles
from modellregionen.admin_history import GuardedHistoryAdmin


class EntryAdmin(FourEyesAdminMixin, GuardedHistoryAdmin):
    autocomplete_fields = ("decision",)
    search_fields = ("reference", "decision__reference", "decision__project__title", "decision__recipient__name")
    list_filter = ("state", "decision__authority", "decision__project__region")

    def four_eyes_ledger(self):
        return services.LEDGERS[self.model]


@admin.register(PaymentRequest)
class PaymentRequestAdmin(EntryAdmin):
    list_display = ("reference", "decision", "amount", "received_on", "state", "drafted_by", "released_by")
    date_hierarchy = "received_on"


@admin.register(Payment)
class PaymentAdmin(EntryAdmin):
    list_display = ("reference", "decision", "payment_request", "amount", "value_date", "state", "drafted_by")
    date_hierarchy = "value_date"
    autocomplete_fields = ("decision", "payment_request", "corrects")


@admin.register(Recovery)
class RecoveryAdmin(EntryAdmin):
    list_display = ("reference", "decision", "kind", "amount", "booked_on", "state", "drafted_by", "released_by")
    list_filter = ("kind", *EntryAdmin.list_filter)
    date_hierarchy = "booked_on"


@admin.register(ProofOfUse)
class ProofOfUseAdmin(GuardedHistoryAdmin):
    list_display = ("decision", "due_on", "received_on", "checked_on", "result", "reviewer")
    list_filter = ("result", "decision__authority")
    search_fields = ("decision__reference", "decision__project__title", "decision__recipient__name")
    autocomplete_fields = ("decision",)
    fields = ("decision", *services.PROOF_OF_USE_FIELDS)
    date_hierarchy = "due_on"

    def has_module_permission(self, request) -> bool:
        return roles.is_staff_member(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return roles.can_draft_decisions(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return roles.can_draft_decisions(request.user)

    def has_delete_permission(self, request, obj=None) -> bool:
        return False  # a proof of use is corrected, never removed; the history keeps every state

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.PROOF_OF_USE_FIELDS if name in form.cleaned_data}
        obj.pk = services.proof_of_use_record(decision=form.cleaned_data["decision"], user=request.user, **data).pk
