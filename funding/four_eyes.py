"""The four-eyes release, shared by every ledger: decisions, payment requests, payments, recoveries.

A draft is written by one person (Sachbearbeitung) and released by a second (Freigabe). The
second person releases exactly what they reviewed: the confirmation page (or the API) hands
out a digest of the draft as stored, and a release that names another digest is refused,
because the draft changed in between. Each ledger's service calls `release_reviewed` with its
own lock and its own rules; nothing else releases.
"""

import hashlib
import json
from collections.abc import Callable

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from modellregionen import roles

# What changes on release or on every save without changing what the approver reviews.
_NOT_REVIEWED = {"state", "released_by", "released_at", "created_at", "updated_at"}


class DraftChangedSinceReview(ValidationError):
    """The draft is not the one the approver reviewed (or the release named no review at all)."""


def review_digest(entry) -> str:
    """A digest of every field of the draft as stored: what the approver sees and confirms."""
    stored = type(entry).objects.get(pk=entry.pk)
    values = [type(entry)._meta.label, stored.pk]
    for field in type(entry)._meta.concrete_fields:
        if field.name not in _NOT_REVIEWED:
            values.append([field.attname, field.value_to_string(stored)])
    return hashlib.sha256(json.dumps(values, ensure_ascii=False).encode()).hexdigest()[:32]


def refuse_unless_clerk(user, *, what: str) -> None:
    if user is None or not roles.can_draft_decisions(user):
        raise PermissionDenied(
            _("Nur die Sachbearbeitung kann %(what)s erfassen, ändern oder löschen.") % {"what": what}
        )


def refuse_unless_own_draft(entry, user, *, what: str, correct_by: str) -> None:
    """Only the author changes or deletes a draft, and nobody changes a released entry."""
    refuse_unless_clerk(user, what=what)
    if entry.is_released:
        raise ValidationError(
            _("%(ref)s ist freigegeben und wird nicht mehr geändert; %(correct_by)s")
            % {"ref": entry.reference, "correct_by": correct_by}
        )
    if entry.drafted_by_id != user.pk:
        raise PermissionDenied(_("Nur die Person, die den Entwurf erfasst hat, kann ihn ändern oder löschen."))


def release_reviewed(*, entry, user, reviewed: str | None, lock: Callable[[], None], check: Callable, what: str):
    """Release `entry` by `user` if it is still the draft they reviewed; call inside a transaction.

    `lock` locks what the ledger's rules read (the project, the grant) before the entry itself,
    so that two releases cannot both pass the totals check; `check` re-checks the rules.
    """
    if user is None or not roles.can_release_decisions(user):
        raise PermissionDenied(_("Nur die Freigabe kann %(what)s freigeben.") % {"what": what})
    lock()
    entry = type(entry).objects.select_for_update().get(pk=entry.pk)
    if entry.is_released:
        raise ValidationError(_("%(ref)s ist bereits freigegeben.") % {"ref": entry.reference})
    if entry.drafted_by_id is not None and entry.drafted_by_id == user.pk:
        raise PermissionDenied(_("Vier-Augen-Prinzip: Sie können Ihren eigenen Entwurf nicht freigeben."))
    if not reviewed or not constant_time_compare(str(reviewed), review_digest(entry)):
        raise DraftChangedSinceReview(
            _(
                "%(ref)s wurde geändert, seit Sie den Entwurf zur Freigabe geöffnet haben (oder die Freigabe "
                "nennt keinen geprüften Stand). Bitte prüfen Sie den aktuellen Stand und geben Sie ihn erneut frei."
            )
            % {"ref": entry.reference},
            code="changed_since_review",
        )
    check(entry)
    entry.release(by=user, at=timezone.now())
    entry._history_user = user
    entry.save()
    return entry
