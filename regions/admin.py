from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User

from modellregionen import roles
from modellregionen.admin_history import GuardedHistoryAdmin
from regions.models import Municipality, Region, RoleChange, StaffProfile


@admin.register(Region)
class RegionAdmin(GuardedHistoryAdmin):
    list_display = ("name", "slug", "administrative_district", "lead_municipality")
    prepopulated_fields = {"slug": ("name",)}
    autocomplete_fields = ("lead_municipality",)


@admin.register(Municipality)
class MunicipalityAdmin(GuardedHistoryAdmin):
    list_display = ("name", "ags", "kind", "parent", "region")
    list_filter = ("kind", "region")
    search_fields = ("name", "ags")
    autocomplete_fields = ("parent",)

    def has_view_permission(self, request, obj=None) -> bool:
        # The directory is public; staff look places up in it (the recipient form's seat).
        return roles.is_staff_member(request.user) or super().has_view_permission(request, obj)


@admin.register(StaffProfile)
class StaffProfileAdmin(admin.ModelAdmin):
    list_display = ("user", "region")
    list_filter = ("region",)


# --- Accounts: the Administration role manages others' accounts and roles, nothing more ----------

admin.site.unregister(User)
admin.site.unregister(Group)

# Fields only a superuser may change; regions.user_guard enforces the same on every path.
SUPERUSER_ONLY_FIELDS = ("is_superuser", "user_permissions")


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Superusers are made with `manage.py createsuperuser`; the Administration role cannot make one,
    cannot touch a superuser's account, and cannot change its own roles or permissions."""

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if request.user.is_superuser:
            return fields
        fields += [name for name in SUPERUSER_ONLY_FIELDS if name not in fields]
        if obj is not None and obj.pk == request.user.pk:
            fields += ["groups", "is_staff", "is_active"]
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False  # else a new password would make the account theirs
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_superuser or obj.pk == request.user.pk) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(Group)
class RoleAdmin(GroupAdmin):
    """The roles are fixed by migrations; only a superuser may change what a role is allowed to do."""

    def has_add_permission(self, request):
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_superuser


@admin.register(RoleChange)
class RoleChangeAdmin(admin.ModelAdmin):
    """Who changed whose roles, when, from what to what: read-only."""

    list_display = ("changed_at", "user", "before", "after", "changed_by")
    list_filter = ("changed_by",)
    search_fields = ("user__username",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return roles.can_manage_users(request.user)
