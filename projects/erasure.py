"""Personal data of requests kept no longer than promised (privacy page): erasure on request and
a retention rule applied every night.

A request's personal data are the name or office, the e-mail address and the message. Erasing
them empties those fields in the record **and in every earlier version in its history**, and
saves the request once more with the change reason "Löschung personenbezogener Daten", so the
audit trail says who erased what and when, without saying what it was. The anonymous facts stay:
which municipality asked for which solution, when, and how it was answered. So no public count
changes because of an erasure.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.db.models import Max, Q, QuerySet
from django.utils import timezone

from modellregionen import ledger_changes
from projects.models import RequestStatus, RequestStatusChange, TransferRequest

PERSONAL_FIELDS = ("contact_name", "contact_email", "message")
ERASURE_REASON = "Löschung personenbezogener Daten"
RETENTION_REASON = "Löschung personenbezogener Daten nach Ablauf der Aufbewahrungsfrist"
ERASED_MARK = "[gelöscht]"
# A request with one of these statuses is closed: nothing more happens to it.
CLOSED_STATUSES = (RequestStatus.IMPLEMENTED, RequestStatus.DECLINED, RequestStatus.WITHDRAWN)


def erase_personal_data(
    *, requests: QuerySet, user=None, reason: str = ERASURE_REASON, skip_erased: bool = False
) -> int:
    """Erase the personal data of `requests` in the records and their history; returns how many.

    `skip_erased`: leave out requests erased already, as they stand once locked (another run of
    the nightly retention may have erased them while this one waited for the locks).
    """
    with transaction.atomic():
        locked = list(requests.select_for_update().order_by("pk"))
        erased_ids = []
        for transfer_request in locked:
            if skip_erased and transfer_request.personal_data_erased_at is not None:
                continue
            secrets = [value for value in (transfer_request.contact_email, transfer_request.contact_name) if value]
            for name in PERSONAL_FIELDS:
                setattr(transfer_request, name, "")
            transfer_request.personal_data_erased_at = timezone.now()
            transfer_request._change_reason = reason
            if user is not None:
                transfer_request._history_user = user
            transfer_request.save()
            erased_ids.append(transfer_request.pk)
            # A note on the request's status may quote the requester.
            for change in RequestStatusChange.objects.filter(request=transfer_request):
                note = change.note
                for secret in secrets:
                    note = note.replace(secret, ERASED_MARK)
                if note != change.note:
                    RequestStatusChange.objects.filter(pk=change.pk).update(note=note)
        # Every earlier version of these requests in the history table, the new erasure record included.
        TransferRequest.history.filter(id__in=erased_ids).update(**dict.fromkeys(PERSONAL_FIELDS, ""))
        if erased_ids:
            # No figure reads a requester's name or address: the figures stay as they are.
            ledger_changes.record(ledger_changes.NO_FIGURES)
    return len(erased_ids)


def erase_requester(*, email: str, user=None) -> int:
    """Erase everything a requester (by e-mail address, any case) left with any request."""
    email = email.strip()
    matches = TransferRequest.objects.filter(contact_email__iexact=email)
    in_history = TransferRequest.history.filter(contact_email__iexact=email).values_list("id", flat=True)
    return erase_personal_data(
        requests=TransferRequest.objects.filter(Q(pk__in=matches.values("pk")) | Q(pk__in=list(in_history))), user=user
    )


def due_for_retention(*, now: dt.datetime | None = None) -> QuerySet:
    """Closed requests whose last status change is older than the retention period, not yet erased."""
    now = now or timezone.now()
    cutoff = now - dt.timedelta(days=settings.REQUEST_RETENTION_DAYS)
    return (
        TransferRequest.objects.filter(status__in=CLOSED_STATUSES, personal_data_erased_at__isnull=True)
        .annotate(closed_at=Max("status_changes__changed_at"))
        .filter(Q(closed_at__lt=cutoff) | Q(closed_at__isnull=True, created_at__lt=cutoff))
    )


def apply_retention(*, now: dt.datetime | None = None) -> int:
    """Erase the personal data of every closed request past the retention period (nightly)."""
    due = due_for_retention(now=now).values("pk")
    return erase_personal_data(
        requests=TransferRequest.objects.filter(pk__in=due), reason=RETENTION_REASON, skip_erased=True
    )
