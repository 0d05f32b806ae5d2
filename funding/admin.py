from django.contrib import admin

from funding import services
from funding.admin_roles import FourEyesAdminMixin
from funding.models import FundingDecision, GrantingAuthority, Programme, Recipient
from modellregionen import roles
from modellregionen.admin_history import GuardedHistoryAdmin
from modellregionen.forms import ADMIN_FORMFIELD_OVERRIDES


@admin.register(Programme)
class ProgrammeAdmin(GuardedHistoryAdmin):
    list_display = ("name", "budget", "start_date", "end_date")
    prepopulated_fields = {"slug": ("name",)}
    formfield_overrides = ADMIN_FORMFIELD_OVERRIDES


@admin.register(GrantingAuthority)
class GrantingAuthorityAdmin(GuardedHistoryAdmin):
    list_display = ("name", "kind")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Recipient)
class RecipientAdmin(GuardedHistoryAdmin):
    """Recipients, with their organisation identifier: Sachbearbeitung keeps them up to date.

    The model's validators check the identifier against its scheme, so a bad one is a form
    error naming the field; every change is in the history.
    """

    list_display = ("name", "kind", "org_id", "municipality", "seat")
    list_filter = ("kind",)
    search_fields = ("name", "org_id")
    autocomplete_fields = ("municipality", "seat")

    def has_module_permission(self, request) -> bool:
        return roles.is_staff_member(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return roles.can_draft_decisions(request.user) or request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return roles.can_draft_decisions(request.user) or request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        # Decisions point at recipients (PROTECT); a recipient is corrected, never removed.
        return False


@admin.register(FundingDecision)
class FundingDecisionAdmin(FourEyesAdminMixin, GuardedHistoryAdmin):
    """The staff fallback for decisions (funding.admin_roles)."""

    list_display = ("reference", "project", "kind", "decision_date", "amount", "state", "drafted_by", "released_by")
    list_filter = ("state", "kind", "authority", "project__region")
    search_fields = ("reference", "project__title", "recipient__name")
    date_hierarchy = "decision_date"
    autocomplete_fields = ("project", "recipient", "authority", "amends")

    def four_eyes_ledger(self):
        return services.DECISIONS


# The payments ledger's admin registers its models (payments, recoveries, proofs of use).
from funding.payments import admin as payments_admin  # noqa: E402, F401
