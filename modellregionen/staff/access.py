"""Helpers shared by the staff workspace views of all apps: access and change history."""

import datetime as dt
import functools
from dataclasses import dataclass
from decimal import Decimal

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from modellregionen import roles

# Bookkeeping columns that change on every save and say nothing to an auditor.
HISTORY_SKIPPED_FIELDS = {"id", "created_at", "updated_at"}


def staff_view(view):
    """Login required, then any staff role; the view checks the object-level rights itself."""

    @login_required
    @functools.wraps(view)
    def wrapper(request, *args, **kwargs):
        if not roles.is_staff_member(request.user):
            raise PermissionDenied(_("Ihr Konto hat keine Rolle im internen Bereich."))
        return view(request, *args, **kwargs)

    return wrapper


@dataclass
class ReleaseAttempt:
    """What became of a release on a confirmation page: why not (errors, status), or released."""

    errors: list[str]
    status: int = 200
    released: bool = False
    changed: bool = False  # the draft changed since it was reviewed: show the current one


def attempt_release(request, *, entry, release) -> ReleaseAttempt:
    """The four-eyes release of any ledger's confirmation page: the author is refused, a POST
    calls `release(reviewed digest)` and says so, and every refusal comes back with its reason and status."""
    from funding.four_eyes import DraftChangedSinceReview

    if entry.drafted_by_id == request.user.pk:
        return ReleaseAttempt([_("Vier-Augen-Prinzip: Sie können Ihren eigenen Entwurf nicht freigeben.")], 403)
    if request.method != "POST":
        return ReleaseAttempt([])
    try:
        release(request.POST.get("reviewed"))
    except PermissionDenied as error:
        return ReleaseAttempt([str(error)], 403)
    except DraftChangedSinceReview as error:
        return ReleaseAttempt(list(error.messages), 409, changed=True)
    except ValidationError as error:
        # A write that kept meeting another writer (modellregionen.write_conflicts) says 409.
        return ReleaseAttempt(list(error.messages), getattr(error, "status_code", 400))
    messages.success(request, _("%(ref)s freigegeben; die Kennzahlen werden neu berechnet.") % {"ref": entry.reference})
    return ReleaseAttempt([], released=True)


def add_service_errors(form, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on the field it names, else above the form."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for field, field_messages in error.message_dict.items():
        form.add_error(field if field in form.fields else None, field_messages)


@dataclass
class FieldChange:
    label: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: str
    action: str
    reason: str
    changes: list[FieldChange]


ACTIONS = {"+": "angelegt", "~": "geändert", "-": "gelöscht"}


def history_entries(*, obj: models.Model) -> list[HistoryEntry]:
    """Every recorded change of `obj`, newest first: who, when, and each field's old → new value."""
    model = type(obj)
    records = list(obj.history.select_related("history_user").order_by("-history_date", "-history_id"))
    entries = []
    for index, record in enumerate(records):
        previous = records[index + 1] if index + 1 < len(records) else None
        changes = []
        for field in model._meta.concrete_fields:
            if field.name in HISTORY_SKIPPED_FIELDS:
                continue
            new = getattr(record, field.attname)
            old = getattr(previous, field.attname) if previous is not None else None
            if previous is not None and old == new:
                continue
            if previous is None and new in (None, ""):
                continue
            changes.append(
                FieldChange(
                    label=str(field.verbose_name),
                    old=display_value(field, old) if previous is not None else "",
                    new=display_value(field, new),
                )
            )
        user = record.history_user
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=(user.get_full_name() or user.get_username()) if user else _("System"),
                action=ACTIONS.get(record.history_type, record.history_type),
                reason=record.history_change_reason or "",
                changes=changes,
            )
        )
    return entries


def display_value(field: models.Field, value) -> str:
    """A stored value as a German reader expects it: labels, names, 1.234,56, 06.12.2019."""
    if value is None or value == "":
        return "—"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if field.is_relation:
        related = field.related_model._default_manager.filter(pk=value).first()
        return str(related) if related is not None else f"#{value} ({_('gelöscht')})"
    if isinstance(value, bool):
        return _("ja") if value else _("nein")
    if isinstance(value, Decimal):
        return formats.number_format(value, decimal_pos=2, use_l10n=True, force_grouping=True)
    if isinstance(value, dt.datetime):
        # Stored in UTC; an auditor reads the local time (Europe/Berlin), as everywhere else.
        return formats.date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")
    if isinstance(value, dt.date):
        return formats.date_format(value, "SHORT_DATE_FORMAT")
    return str(value)
