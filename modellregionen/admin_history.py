"""The one base class for every admin with a history: django-simple-history, with its write paths guarded.

simple-history's history form ("revert to this version") saves on POST after checking only the
*view* permission, so a read-only role could rewrite a record through it. Here the form saves
only for someone the admin lets change the record as it stands now, through the admin's own
`save_model` (which writes through the services where a model has them); everyone else gets a
403 and nothing changes. Every admin with a history inherits from `GuardedHistoryAdmin`
(tests/staff/test_admin_paths.py checks that, and walks every admin URL for every role).
"""

from django.core.exceptions import PermissionDenied
from django.db import transaction
from simple_history.admin import SimpleHistoryAdmin

from modellregionen import ledger_changes


class GuardedHistoryAdmin(SimpleHistoryAdmin):
    # Every record these admins keep may be read by a figure (a project's topic, a region, a
    # population, a programme's dates): a change through the admin, the history's "revert"
    # included, is recorded as a ledger change. The four-eyes ledgers' admins write through
    # their services instead, which record what they change themselves.
    @transaction.atomic
    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        ledger_changes.record()

    @transaction.atomic
    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        ledger_changes.record()

    @transaction.atomic
    def delete_queryset(self, request, queryset):
        super().delete_queryset(request, queryset)
        ledger_changes.record()

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            current = self.get_object(request, object_id)
            if current is None or not self.has_change_permission(request, current):
                raise PermissionDenied
        return super().history_form_view(request, object_id, version_id, extra_context)

    def revert_disabled(self, request, obj=None):
        current = self.model._default_manager.filter(pk=getattr(obj, "pk", None)).first()
        return (
            current is None or not self.has_change_permission(request, current) or super().revert_disabled(request, obj)
        )
