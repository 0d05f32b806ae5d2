"""The one admin of every four-eyes ledger (decisions, payment requests, payments, recoveries).

Writes go through the ledger's four-eyes machinery (funding.four_eyes), like every other path.
The permissions follow the roles, not Django's model permissions, so the admin offers exactly
what the services would allow (and the services check again): every staff member reads,
Sachbearbeitung adds and changes or deletes its own drafts, and a released record is read-only
for everyone. There is no release here: Freigabe releases on the staff confirmation pages (or
the API), which pin what was reviewed.
"""

from funding import four_eyes
from modellregionen import roles


class FourEyesAdminMixin:
    def four_eyes_ledger(self) -> four_eyes.Ledger:
        raise NotImplementedError

    def get_fields(self, request, obj=None):
        return self.four_eyes_ledger().fields

    def save_model(self, request, obj, form, change):
        ledger = self.four_eyes_ledger()
        data = {name: form.cleaned_data[name] for name in ledger.fields if name in form.cleaned_data}
        if change:
            original = self.model.objects.get(pk=obj.pk)
            four_eyes.update_draft(ledger, entry=original, user=request.user, **data)
        else:
            obj.pk = four_eyes.create_draft(ledger, user=request.user, **data).pk

    def delete_model(self, request, obj):
        four_eyes.delete_draft(self.four_eyes_ledger(), entry=obj, user=request.user)

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
