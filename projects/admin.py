from django.contrib import admin

from modellregionen.admin_history import GuardedHistoryAdmin
from modellregionen.forms import ADMIN_FORMFIELD_OVERRIDES
from projects.models import Project, RequestStatusChange, Topic, TransferRequest


@admin.register(Topic)
class TopicAdmin(GuardedHistoryAdmin):
    list_display = ("name", "name_en", "slug")
    prepopulated_fields = {"slug": ("name",)}
    search_fields = ("name",)


@admin.register(Project)
class ProjectAdmin(GuardedHistoryAdmin):
    list_display = ("title", "region", "strand", "topic", "kind", "status", "transferable")
    list_filter = ("region", "strand", "kind", "status", "topic", "transferable", "maturity")
    search_fields = ("title", "summary", "slug")
    prepopulated_fields = {"slug": ("title",)}
    autocomplete_fields = ("lead_municipality", "partner_municipalities", "topic")
    formfield_overrides = ADMIN_FORMFIELD_OVERRIDES


class RequestStatusChangeInline(admin.TabularInline):
    model = RequestStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ("from_status", "to_status", "note", "changed_by", "changed_at")

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(TransferRequest)
class TransferRequestAdmin(GuardedHistoryAdmin):
    list_display = ("project", "municipality", "kind", "received_on", "status")
    list_filter = ("kind", "status", "project__region")
    search_fields = ("project__title", "municipality__name", "municipality__ags")
    autocomplete_fields = ("project", "municipality")
    date_hierarchy = "received_on"
    inlines = [RequestStatusChangeInline]
