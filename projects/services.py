"""Writes for projects and the requests municipalities send about them."""

import datetime as dt
import logging

from django.conf import settings
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from modellregionen import ledger_changes, roles
from projects.models import (
    REQUEST_STATUS_FLOW,
    Project,
    RequestKind,
    RequestStatus,
    RequestStatusChange,
    TransferRequest,
)
from regions.models import Municipality

logger = logging.getLogger(__name__)


def request_submit(
    *,
    project: Project,
    municipality: Municipality,
    kind: str,
    contact_name: str,
    contact_email: str,
    message: str,
    consent: bool,
    received_on: dt.date | None = None,
    site_url: str = "",
) -> TransferRequest:
    """Record a municipality's reuse or consultation request and e-mail both sides.

    `site_url` ("https://host") makes the link in the confirmation absolute.
    """
    if not consent:
        # Without consent we may not store the contact data at all (Art. 6 (1) a DSGVO).
        raise ValidationError(
            {
                "consent": _(
                    "Bitte stimmen Sie der Verarbeitung Ihrer Angaben zu, damit wir die Anfrage bearbeiten können."
                )
            }
        )
    if kind not in RequestKind.values:
        raise ValidationError({"kind": _("Bitte wählen Sie Nachnutzung oder Beratung.")})
    request = TransferRequest(
        project=project,
        municipality=municipality,
        kind=kind,
        contact_name=contact_name.strip(),
        contact_email=contact_email.strip(),
        message=message.strip(),
        consent_given_at=timezone.now(),
        received_on=received_on or timezone.localdate(),
        source="Anfrageformular",
    )
    request.full_clean()
    with transaction.atomic():
        request.save()
        ledger_changes.record()
    _send_request_emails(request, site_url=site_url)
    return request


CONFIRMATION_SALT = "projects.request-confirmation"
CONFIRMATION_MAX_AGE = 14 * 24 * 3600  # seconds: a link works for two weeks


def request_confirmation_token(transfer_request: TransferRequest) -> str:
    return signing.dumps({"request": transfer_request.pk}, salt=CONFIRMATION_SALT)


def request_for_token(token: str) -> TransferRequest | None:
    """The request a confirmation link names, if the link is genuine and not expired."""
    try:
        data = signing.loads(token, salt=CONFIRMATION_SALT, max_age=CONFIRMATION_MAX_AGE)
    except signing.BadSignature:
        return None
    return TransferRequest.objects.filter(pk=data.get("request")).select_related("project").first()


@transaction.atomic
def request_confirm(*, transfer_request: TransferRequest) -> TransferRequest:
    """The requester confirmed their address: from now on the request counts in the figures."""
    locked = TransferRequest.objects.select_for_update().get(pk=transfer_request.pk)
    if locked.confirmed_at is None:
        locked.confirmed_at = timezone.now()
        locked.save(update_fields=["confirmed_at"])
        ledger_changes.record()
    return locked


def _send_request_emails(request: TransferRequest, *, site_url: str = "") -> None:
    """Confirm to the requester and notify the project's contact; a mail failure keeps the request.

    The confirmation goes to an address anyone can type in, so it carries a fixed text with the
    project and the municipality chosen from our own lists and a link, and nothing the requester
    wrote (no name, no message): the form cannot relay a stranger's text from our address.
    """
    context = {
        "request_obj": request,
        "project": request.project,
        "municipality": request.municipality,
        "project_url": site_url + request.project.get_absolute_url(),
        "confirm_url": site_url + reverse("project-request-confirm", args=[request_confirmation_token(request)]),
    }
    subject = _("Ihre Anfrage %(reference)s zu „%(title)s“") % {
        "reference": request.reference,
        "title": request.project.title,
    }
    messages = [(subject, "projects/email/request_confirmation.txt", [request.contact_email])]
    if request.project.contact_email:
        if request.kind == RequestKind.CONSULTATION:
            notice = _("Neue Beratungsanfrage zu „%(title)s“ von %(municipality)s")
        else:
            notice = _("Neue Nachnutzungsanfrage zu „%(title)s“ von %(municipality)s")
        notice %= {"title": request.project.title, "municipality": request.municipality.name}
        messages.append((notice, "projects/email/request_notification.txt", [request.project.contact_email]))
    for subject_line, template, recipients in messages:
        try:
            send_mail(
                subject_line,
                render_to_string(template, context),
                settings.DEFAULT_FROM_EMAIL,
                recipients,
            )
        except OSError:
            # The request is saved and visible to the project office; a lost mail must not undo it.
            logger.exception("Could not send %s for transfer request %s", template, request.pk)


# --- Staff workspace: project edits and request handling ---------------------------------

# What staff may change on a project. Region, programme, kind and slug are left out on
# purpose: moving a project to another region would take it out of a project office's
# reach; the application status changes only through its own transitions.
PROJECT_EDITABLE_FIELDS = (
    "title",
    "summary",
    "description",
    "lead_municipality",
    "partner_municipalities",
    "strand",
    "topic",
    "ozg_field",
    "implementation_status",
    "implementation_start",
    "implementation_end",
    "transferable",
    "licence",
    "maturity",
    "documentation_url",
    "contact_role",
    "contact_email",
    "source",
)


@transaction.atomic
def project_update(*, project: Project, user, **fields) -> Project:
    """Change a project; Sachbearbeitung may change any, a Projektbüro only its region's."""
    locked = Project.objects.select_for_update().get(pk=project.pk)
    if user is None or not roles.can_edit_project(user, locked):
        raise PermissionDenied(_("Sie dürfen nur Projekte Ihrer eigenen Modellregion ändern."))
    unknown = set(fields) - set(PROJECT_EDITABLE_FIELDS)
    if unknown:
        raise ValidationError({name: _("Dieses Feld kann hier nicht geändert werden.") for name in sorted(unknown)})
    partners = fields.pop("partner_municipalities", None)
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.full_clean()
    locked._history_user = user
    locked.save()
    if partners is not None:
        locked.partner_municipalities.set(partners)
    ledger_changes.record()
    return locked


@transaction.atomic
class RequestStatusConflict(ValidationError):
    """The request's current status does not lead to the one asked for (the API answers 409)."""

    status_code = 409


def request_change_status(
    *, transfer_request: TransferRequest, user, to_status: str, note: str = ""
) -> TransferRequest:
    """Move a request to an allowed next status and record the step, with its note, in its history."""
    locked = TransferRequest.objects.select_for_update().select_related("project").get(pk=transfer_request.pk)
    if user is None or not roles.can_handle_request(user, locked):
        raise PermissionDenied(_("Sie dürfen nur Anfragen zu Projekten Ihrer eigenen Modellregion bearbeiten."))
    if to_status not in RequestStatus.values:
        raise ValidationError({"to_status": _("Unbekannter Status „%(status)s“.") % {"status": to_status}})
    allowed = REQUEST_STATUS_FLOW[locked.status]
    if to_status not in allowed:
        current = RequestStatus(locked.status).label
        target = RequestStatus(to_status).label
        if allowed:
            possible = ", ".join(str(RequestStatus(value).label) for value in allowed)
            message = _(
                "Eine Anfrage im Status „%(current)s“ kann nicht nach „%(target)s“ wechseln; möglich: %(possible)s."
            )
            message %= {"current": current, "target": target, "possible": possible}
        else:
            message = _("Die Anfrage ist abgeschlossen („%(current)s“); ihr Status ändert sich nicht mehr.")
            message %= {"current": current}
        raise RequestStatusConflict({"to_status": message})
    from_status = locked.status
    locked.status = to_status
    locked._history_user = user
    fields = ["status"]
    if locked.confirmed_at is None:
        # Staff taking a request up is the other way it becomes real (see TransferRequest).
        locked.confirmed_at = timezone.now()
        fields.append("confirmed_at")
    locked.save(update_fields=fields)
    RequestStatusChange.objects.create(
        request=locked, from_status=from_status, to_status=to_status, note=note.strip(), changed_by=user
    )
    ledger_changes.record()
    return locked
