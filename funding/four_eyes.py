"""The four-eyes machinery every ledger shares: decisions, payment requests, payments, recoveries.

A draft is written by one person (Sachbearbeitung) and released by a second (Freigabe).
Each ledger describes itself once as a `Ledger` (its model, editable fields, words, the row
its rules read, the rules) and its services call the five writes here; nothing else writes.

- Only Sachbearbeitung drafts, changes and deletes drafts, and only its own.
- Only Freigabe releases, never a draft it wrote itself, and exactly what it reviewed: the
  confirmation page (or the API) hands out a digest of the draft as stored, and a release
  that names another digest is refused, because the draft changed in between.
- A released entry is never changed or deleted (the database refuses it too).

Lock order, the same on every write: first the row the ledger's rules read (a decision's
project, an entry's grant), then the entry itself, and the ledger's change count last (each
write records what it changed, modellregionen.ledger_changes, after it saved). Two writers on
one project therefore queue on the project row instead of each holding a lock the other one
needs (a draft that locked the change count first and the project only at commit deadlocked
with a release that did it the other way round). The row locks are FOR NO KEY UPDATE, which the
foreign-key checks of other writers (FOR KEY SHARE, at their commit) do not wait for. Should
the database still abort a write for another writer's sake, the write runs again from the start
a few times, and then is refused in words (modellregionen.write_conflicts).
"""

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from funding.choices import DecisionState
from modellregionen import ledger_changes, roles
from modellregionen.write_conflicts import retry_write_conflicts

# What changes on release or on every save without changing what the approver reviews.
_NOT_REVIEWED = {"state", "released_by", "released_at", "created_at", "updated_at"}


@dataclass(frozen=True)
class Ledger:
    """How the machinery writes one ledger."""

    model: type[models.Model]
    fields: tuple[str, ...]  # what a draft may set
    what: Callable[[], str]  # "Bescheide", "Buchungen": the ledger's entries in the messages
    correct_by: Callable[[], str]  # how a released entry is corrected instead
    parent: str  # the foreign key to the row the rules read, locked first
    check: Callable  # the rules, re-checked against the ledger on release
    # What releasing an entry does to the figures (modellregionen.ledger_changes): one the
    # figures add without a full recompute, or none where no figure reads the ledger.
    released_kind: str
    project_of: Callable  # the entry's project id, which the figures of a released entry name
    # Decisions leave the table's CHECK constraints to the database (check() says each rule in
    # words; Django would test each constraint again with a query of its own).
    validate_constraints: bool = True

    def lock_parent(self, parent_id) -> None:
        parent_model = self.model._meta.get_field(self.parent).related_model
        # FOR NO KEY UPDATE: it queues writers on one project or grant, but not the check of a
        # foreign key to it at another writer's commit (FOR KEY SHARE), which FOR UPDATE would block.
        parent_model.objects.select_for_update(no_key=True).filter(pk=parent_id).first()


class DraftChangedSinceReview(ValidationError):
    """The draft is not the one the approver reviewed (or the release named no review at all)."""


class AlreadyReleased(ValidationError):
    """Someone released the entry already (a second click, a replayed form): a conflict of state, not of input."""

    status_code = 409


def lock_parents(parents) -> None:
    """Lock the rows many writes' rules read (projects, grants), lowest id first: what an import does first.

    Each write locks its parent again (already held); taking them all up front, in one order,
    before any write takes the change count, keeps an import in the machinery's lock order.
    """
    by_model: dict[type, set] = {}
    for parent in parents:
        if parent is not None and parent.pk is not None:
            by_model.setdefault(type(parent), set()).add(parent.pk)
    for model, ids in sorted(by_model.items(), key=lambda item: item[0]._meta.label):
        list(model.objects.select_for_update(no_key=True).filter(pk__in=ids).order_by("pk").values_list("pk"))


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


def _refuse_unless_own_draft(ledger: Ledger, entry, user) -> None:
    """Only the author changes or deletes a draft, and nobody changes a released entry."""
    refuse_unless_clerk(user, what=ledger.what())
    if entry.is_released:
        raise ValidationError(
            _("%(ref)s ist freigegeben und wird nicht mehr geändert; %(correct_by)s")
            % {"ref": entry.reference, "correct_by": ledger.correct_by()}
        )
    if entry.drafted_by_id != user.pk:
        raise PermissionDenied(_("Nur die Person, die den Entwurf erfasst hat, kann ihn ändern oder löschen."))


def _refuse_unknown_fields(ledger: Ledger, fields: dict) -> None:
    unknown = set(fields) - set(ledger.fields)
    if unknown:
        raise ValidationError({name: _("Unbekanntes Feld.") for name in sorted(unknown)})


def _parent_id(ledger: Ledger, fields: dict):
    return getattr(fields.get(ledger.parent), "pk", None)


def _validate_and_save(ledger: Ledger, entry, user):
    entry.full_clean(validate_constraints=ledger.validate_constraints)
    # The history names the acting user on every path, also where no web request is around.
    entry._history_user = user
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError as error:
        raise ValidationError(
            _("Die Datenbank lehnt diesen Eintrag (%(kind)s) ab: %(error)s")
            % {"kind": entry._meta.verbose_name, "error": error}
        ) from error
    return entry


def _locked_draft(ledger: Ledger, entry):
    """The entry as stored, locked in the one order: its parent, then itself.

    So an edit racing a release waits for it and then sees the released state (a clear
    refusal), instead of writing over a row the database no longer lets change (a 500).
    """
    ledger.lock_parent(getattr(entry, f"{ledger.parent}_id"))
    return ledger.model.objects.select_for_update(no_key=True).get(pk=entry.pk)


@retry_write_conflicts
@transaction.atomic
def create_draft(ledger: Ledger, *, user, **fields):
    """Record a new draft by `user`; it counts only once someone else releases it."""
    refuse_unless_clerk(user, what=ledger.what())
    _refuse_unknown_fields(ledger, fields)
    ledger.lock_parent(_parent_id(ledger, fields))
    entry = _validate_and_save(ledger, ledger.model(**fields, drafted_by=user, state=DecisionState.DRAFT), user)
    ledger_changes.record(ledger_changes.NO_FIGURES)  # a draft is in no figure
    return entry


@retry_write_conflicts
@transaction.atomic
def record_released(ledger: Ledger, *, released_by, **fields):
    """Record an entry released outside this app (an import of historical data) as released by `released_by`.

    It was drafted and signed on paper, so it has no author here; the history names the importer.
    """
    if released_by is None or not roles.can_release_decisions(released_by):
        raise PermissionDenied(_("Nur die Freigabe kann freigegebene %(what)s übernehmen.") % {"what": ledger.what()})
    _refuse_unknown_fields(ledger, fields)
    ledger.lock_parent(_parent_id(ledger, fields))
    entry = ledger.model(
        **fields, drafted_by=None, state=DecisionState.RELEASED, released_by=released_by, released_at=timezone.now()
    )
    _validate_and_save(ledger, entry, released_by)
    _record_release(ledger, entry)
    return entry


@retry_write_conflicts
@transaction.atomic
def update_draft(ledger: Ledger, *, entry, user, **fields):
    """Change a draft; only its author may, and never once it is released."""
    entry = _locked_draft(ledger, entry)
    _refuse_unless_own_draft(ledger, entry, user)
    _refuse_unknown_fields(ledger, fields)
    for name, value in fields.items():
        setattr(entry, name, value)
    _validate_and_save(ledger, entry, user)
    ledger_changes.record(ledger_changes.NO_FIGURES)
    return entry


@retry_write_conflicts
@transaction.atomic
def delete_draft(ledger: Ledger, *, entry, user) -> None:
    """Delete a draft; only its author may, and never once it is released."""
    entry = _locked_draft(ledger, entry)
    _refuse_unless_own_draft(ledger, entry, user)
    entry._history_user = user
    entry.delete()
    ledger_changes.record(ledger_changes.NO_FIGURES)


@retry_write_conflicts
@transaction.atomic
def release(ledger: Ledger, *, entry, user, reviewed: str | None):
    """Release `entry` by a second person if it is still the draft they reviewed, re-checking the rules.

    The parent is locked first, so two releases on one project or grant cannot both pass the
    totals check.
    """
    if user is None or not roles.can_release_decisions(user):
        raise PermissionDenied(_("Nur die Freigabe kann %(what)s freigeben.") % {"what": ledger.what()})
    entry = _locked_draft(ledger, entry)
    if entry.is_released:
        raise AlreadyReleased(_("%(ref)s ist bereits freigegeben.") % {"ref": entry.reference})
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
    ledger.check(entry)
    entry.release(by=user, at=timezone.now())
    entry._history_user = user
    entry.save()
    _record_release(ledger, entry)
    return entry


def _record_release(ledger: Ledger, entry) -> None:
    """A released entry is only ever added, never changed (funding.db_guards): the figures add it."""
    if ledger.released_kind == ledger_changes.NO_FIGURES:
        ledger_changes.record(ledger_changes.NO_FIGURES)
    else:
        ledger_changes.record(ledger.released_kind, entry_id=entry.pk, project_id=ledger.project_of(entry))
