from axes.utils import reset as axes_reset
from django import forms
from django.contrib import admin, messages
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django_otp import devices_for_user

from modellregionen import roles
from modellregionen.admin_history import GuardedHistoryAdmin
from regions import accounts
from regions.models import Municipality, Region, RoleChange, RoleGrant, StaffProfile


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


class StaffAccountCreationForm(forms.ModelForm):
    """A new account: who it is for, without a password; its owner sets one through a link."""

    class Meta:
        model = User
        fields = ("username", "first_name", "last_name", "email")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].required = True

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_unusable_password()
        if commit:
            user.save()
        return user


@admin.register(User)
class StaffUserAdmin(UserAdmin):
    """Accounts, without the two things one administrator must not do alone (regions.accounts):
    roles are read-only here (a RoleGrant gives them, approved by a second administrator), and
    nobody sets another person's password (a link to the owner's address does).

    Superusers are made with `manage.py createsuperuser`; the Administration role cannot make one
    and cannot touch a superuser's account."""

    add_form = StaffAccountCreationForm
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("username", "first_name", "last_name", "email")}),)
    actions = ["send_password_links", "reset_second_factor", "lift_login_locks"]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        fields += [name for name in ("groups",) if name not in fields]
        if request.user.is_superuser:
            return fields
        fields += [name for name in SUPERUSER_ONLY_FIELDS if name not in fields]
        if obj is not None:
            # The address a password link goes to: changing it would let one administrator take
            # the account over (new address, link, password). Set once, at creation.
            fields.append("email")
        if obj is not None and obj.pk == request.user.pk:
            fields += ["is_staff", "is_active"]
        return fields

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not change and accounts.send_password_link(user=obj, request=request):
            self.message_user(request, _("Ein Link zum Setzen des Passworts ging an %(email)s.") % {"email": obj.email})

    def user_change_password(self, request, id, form_url=""):
        # Only the owner sets a password (via the link or their own account); nobody else.
        raise PermissionDenied

    @admin.action(description=_("Link zum Setzen des Passworts senden"), permissions=["change"])
    def send_password_links(self, request, queryset):
        for user in queryset:
            if user.is_superuser and not request.user.is_superuser:
                continue
            if accounts.send_password_link(user=user, request=request):
                self.message_user(request, f"{user.username}: {_('Link gesendet')}", messages.SUCCESS)
            else:
                self.message_user(request, f"{user.username}: {_('keine E-Mail-Adresse')}", messages.ERROR)

    @admin.action(description=_("Zweiten Faktor zurücksetzen (Gerät verloren)"), permissions=["change"])
    def reset_second_factor(self, request, queryset):
        """Delete the person's authenticator and recovery codes; they set up a new one at their next login."""
        for user in queryset:
            if user.pk == request.user.pk or (user.is_superuser and not request.user.is_superuser):
                self.message_user(request, f"{user.username}: {_('nicht erlaubt')}", messages.ERROR)
                continue
            for device in devices_for_user(user, confirmed=None):
                device.delete()
            self.log_change(request, user, _("Zweiten Faktor zurückgesetzt"))
            self.message_user(request, f"{user.username}: {_('zweiter Faktor zurückgesetzt')}", messages.SUCCESS)

    @admin.action(description=_("Anmeldesperre aufheben"), permissions=["change"])
    def lift_login_locks(self, request, queryset):
        for user in queryset:
            axes_reset(username=user.username)
            self.log_change(request, user, _("Anmeldesperre aufgehoben"))
            self.message_user(request, f"{user.username}: {_('Anmeldesperre aufgehoben')}", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        if obj is not None and obj.username == roles.SYSTEM_ACCOUNT:
            return False  # the programme data's account: read-only for everyone
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and (obj.is_superuser or obj.pk == request.user.pk) and not request.user.is_superuser:
            return False
        return super().has_delete_permission(request, obj)


@admin.register(RoleGrant)
class RoleGrantAdmin(admin.ModelAdmin):
    """Role requests: one administrator asks (add), a second approves or refuses (actions)."""

    list_display = ("requested_at", "user", "role", "change", "state", "requested_by", "decided_by", "decided_at")
    list_filter = ("state", "change", "role")
    search_fields = ("user__username",)
    fields = ("user", "role", "change", "reason")
    actions = ["approve_selected", "refuse_selected"]

    def has_module_permission(self, request):
        return roles.can_manage_users(request.user)

    def has_view_permission(self, request, obj=None):
        return roles.can_manage_users(request.user)

    def has_add_permission(self, request):
        return roles.can_manage_users(request.user)

    def has_change_permission(self, request, obj=None):
        return obj is None and roles.can_manage_users(request.user)  # the list's actions, never an edit

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if data["change"] == RoleGrant.Change.REVOKE:
                record = accounts.role_revoke(
                    user=data["user"], role=data["role"], revoked_by=request.user, reason=data["reason"]
                )
            else:
                record = accounts.role_grant_request(
                    user=data["user"], role=data["role"], requested_by=request.user, reason=data["reason"]
                )
        except (PermissionDenied, ValidationError) as error:
            raise ValidationError(error.messages if isinstance(error, ValidationError) else str(error)) from error
        obj.pk = record.pk

    def add_view(self, request, form_url="", extra_context=None):
        try:
            return super().add_view(request, form_url, extra_context)
        except ValidationError as error:
            self.message_user(request, " ".join(error.messages), messages.ERROR)
            return redirect(request.path)

    @admin.action(description=_("Ausgewählte Anträge genehmigen"), permissions=["change"])
    def approve_selected(self, request, queryset):
        self._decide(request, queryset, accounts.role_grant_approve, _("genehmigt"))

    @admin.action(description=_("Ausgewählte Anträge ablehnen"), permissions=["change"])
    def refuse_selected(self, request, queryset):
        self._decide(request, queryset, accounts.role_grant_refuse, _("abgelehnt"))

    def _decide(self, request, queryset, decide, done: str) -> None:
        for grant in queryset:
            try:
                decide(grant=grant, approver=request.user)
            except (PermissionDenied, ValidationError) as error:
                text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
                self.message_user(request, f"{grant}: {text}", messages.ERROR)
            else:
                self.message_user(request, f"{grant.user} – {grant.role}: {done}", messages.SUCCESS)


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
