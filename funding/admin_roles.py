"""The admin's permissions for four-eyes records (decisions, payments, recoveries), by role.

The permissions follow the roles, not Django's model permissions, so the admin offers exactly
what the services would allow (and the services check again): every staff member reads,
Sachbearbeitung adds and changes or deletes its own drafts, and a released record is read-only
for everyone (Freigabe releases on the staff confirmation pages, which pin what was reviewed).
"""

from modellregionen import roles


class FourEyesAdminMixin:
    def get_readonly_fields(self, request, obj=None):
        if obj is not None and not self._may_edit(request, obj):
            return self.get_fields(request, obj)
        return ()

    def has_module_permission(self, request) -> bool:
        return roles.is_staff_member(request.user) or request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return self.has_module_permission(request)

    def has_add_permission(self, request) -> bool:
        return roles.can_draft_decisions(request.user)

    def has_change_permission(self, request, obj=None) -> bool:
        return roles.can_draft_decisions(request.user) if obj is None else self._may_edit(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return roles.can_draft_decisions(request.user) if obj is None else self._may_edit(request, obj)

    def _may_edit(self, request, obj) -> bool:
        """Only the author's own draft; released records are read-only for everyone."""
        return roles.can_draft_decisions(request.user) and not obj.is_released and obj.drafted_by_id == request.user.pk
