from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from funding import services
from funding.models import FundingDecision, GrantingAuthority, Programme, Recipient


@admin.register(Programme)
class ProgrammeAdmin(SimpleHistoryAdmin):
    list_display = ("name", "budget", "start_date", "end_date")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(GrantingAuthority)
class GrantingAuthorityAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Recipient)
class RecipientAdmin(SimpleHistoryAdmin):
    list_display = ("name", "kind", "municipality")
    list_filter = ("kind",)
    search_fields = ("name",)
    autocomplete_fields = ("municipality",)


@admin.register(FundingDecision)
class FundingDecisionAdmin(SimpleHistoryAdmin):
    """The staff fallback. Writes go through funding.services, like every other path."""

    list_display = ("reference", "project", "kind", "decision_date", "amount", "state", "drafted_by", "released_by")
    list_filter = ("state", "kind", "authority", "project__region")
    search_fields = ("reference", "project__title", "recipient__name")
    date_hierarchy = "decision_date"
    autocomplete_fields = ("project", "recipient", "authority", "amends")
    actions = ["release_selected"]
    fields = services.EDITABLE_FIELDS

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_released:
            return self.fields
        return ()

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_released:
            return False
        return super().has_delete_permission(request, obj)

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

    @admin.action(description=_("Ausgewählte Entwürfe freigeben"))
    def release_selected(self, request, queryset):
        for decision in queryset:
            try:
                services.decision_release(decision=decision, user=request.user)
            except (PermissionDenied, ValidationError) as error:
                self.message_user(request, f"{decision.reference}: {' '.join(_messages(error))}", messages.ERROR)
            else:
                self.message_user(request, f"{decision.reference}: {_('freigegeben')}", messages.SUCCESS)


def _messages(error: Exception) -> list[str]:
    if isinstance(error, ValidationError):
        return list(error.messages)
    return [str(error)]
