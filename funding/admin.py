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
    """The staff fallback. Writes go through funding.services, like every other path.

    The permissions follow the roles (funding.admin_roles), not Django's model permissions.
    There is no release here: an approver releases on the staff confirmation page (or the API),
    which pins the draft they reviewed (funding.four_eyes).
    """

    list_display = ("reference", "project", "kind", "decision_date", "amount", "state", "drafted_by", "released_by")
    list_filter = ("state", "kind", "authority", "project__region")
    search_fields = ("reference", "project__title", "recipient__name")
    date_hierarchy = "decision_date"
    autocomplete_fields = ("project", "recipient", "authority", "amends")
    fields = services.EDITABLE_FIELDS

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.EDITABLE_FIELDS if name in form.cleaned_data}
        if change:
            original = FundingDecision.objects.get(pk=obj.pk)
            services.decision_update_draft(decision=original, user=request.user, **data)
        else:
            saved = services.decision_create_draft(user=request.user, **data)
            obj.pk = saved.pk

    def delete_model(self, request, obj):
        services.decision_delete_draft(decision=obj, user=request.user)


# The payments ledger's admin registers its models (payments, recoveries, proofs of use).
from funding.payments import admin as payments_admin  # noqa: E402, F401
