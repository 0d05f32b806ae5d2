"""Rows of an import between its preview and its confirmation, kept in the database, not the session.

A preview may hold thousands of rows; in the session they were read and written again on every
page of that user (2 s a page after a large preview). Here they wait in one row keyed by a random
token, visible only to the user who uploaded them, for at most PREVIEW_LIFETIME; confirming or
uploading again removes them, and every new preview clears out the expired ones. Several app
servers see the same table.
"""

import datetime as dt
import secrets

from django.conf import settings
from django.db import models
from django.utils import timezone

PREVIEW_LIFETIME = dt.timedelta(hours=2)


class PendingImport(models.Model):
    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=32)
    filename = models.CharField(max_length=255)
    rows = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        app_label = "funding"

    def __str__(self) -> str:
        return f"{self.kind}: {self.filename}"


def keep_preview(*, user, kind: str, filename: str, rows: list[dict]) -> str:
    """Keep `rows` for `user` until they confirm; returns the token the confirmation names."""
    PendingImport.objects.filter(created_at__lt=timezone.now() - PREVIEW_LIFETIME).delete()
    PendingImport.objects.filter(user=user, kind=kind).delete()
    token = secrets.token_hex(16)
    PendingImport.objects.create(token=token, user=user, kind=kind, filename=filename[:255], rows=rows)
    return token


def take_preview(*, user, kind: str, token: str) -> PendingImport | None:
    """The kept preview of `user` named by `token`, removed from the table; None if gone or expired."""
    if not token or not isinstance(token, str):
        return None
    pending = PendingImport.objects.filter(
        token=token, user=user, kind=kind, created_at__gte=timezone.now() - PREVIEW_LIFETIME
    ).first()
    if pending is not None:
        pending.delete()
    return pending


def drop_previews(*, user, kind: str) -> None:
    PendingImport.objects.filter(user=user, kind=kind).delete()
