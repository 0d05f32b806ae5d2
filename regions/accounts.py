"""Separation of duties for accounts: roles are given by two administrators, passwords only by their owner.

OWASP ASVS V1.4/V4.1 ask that no one person can give themselves (or an account they control)
the right to both draft and release money. So:

- An administrator (the Administration role or a superuser) *asks* for a role for someone
  (`role_grant_request`); a second administrator *approves* it (`role_grant_approve`). The
  approver is neither the one who asked, nor the person it is for, nor whoever created that
  account (who may know how it was set up). Taking a role away takes one administrator and
  applies at once (`role_revoke`): removing a right must never wait.
- Nobody sets another person's password. A new account has no password; its owner sets one
  through a link sent to their e-mail address (`send_password_link`), which is also how a
  forgotten password is replaced.
- Every step is recorded: the request and decision here (RoleGrant), the change of roles itself
  in RoleChange (regions.user_guard), the account's creation in the admin log.

A role given any other way while someone is logged in (the admin's user form, the shell inside a
request) is refused by regions.user_guard; management commands run without a request and are
the operator's path (like createsuperuser), documented in the README.
"""

import contextlib
import contextvars

from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.auth.models import Group, User
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from modellregionen import roles
from regions.models import RoleGrant

# Set while a grant is applied, so that regions.user_guard lets exactly this change through.
_applying_grant: contextvars.ContextVar[bool] = contextvars.ContextVar("applying_role_grant", default=False)


def grant_in_progress() -> bool:
    return _applying_grant.get()


@contextlib.contextmanager
def _applying():
    token = _applying_grant.set(True)
    try:
        yield
    finally:
        _applying_grant.reset(token)


def _refuse_unless_administrator(user) -> None:
    if user is None or not roles.can_manage_users(user):
        raise PermissionDenied(_("Nur die Administration verwaltet Rollen."))


def account_creator_id(user: User) -> int | None:
    """Who created `user`'s account in the admin, if anyone did."""
    return (
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(user.pk), action_flag=ADDITION
        )
        .values_list("user_id", flat=True)
        .first()
    )


def _check_role(role: Group) -> None:
    if role.name not in roles.ALL_ROLES:
        raise ValidationError({"role": _("Unbekannte Rolle.")})


@transaction.atomic
def role_grant_request(*, user: User, role: Group, requested_by: User, reason: str = "") -> RoleGrant:
    """Ask for `role` for `user`; it applies once a second administrator approves."""
    _refuse_unless_administrator(requested_by)
    _check_role(role)
    if user.pk == requested_by.pk:
        raise PermissionDenied(_("Die eigenen Rollen beantragt und genehmigt nur eine andere Person."))
    if user.groups.filter(pk=role.pk).exists():
        raise ValidationError({"role": _("%(user)s hat diese Rolle bereits.") % {"user": user.username}})
    if RoleGrant.objects.filter(user=user, role=role, state=RoleGrant.State.PENDING).exists():
        raise ValidationError({"role": _("Diese Rolle ist für %(user)s schon beantragt.") % {"user": user.username}})
    return RoleGrant.objects.create(
        user=user, role=role, change=RoleGrant.Change.GRANT, reason=reason, requested_by=requested_by
    )


@transaction.atomic
def role_grant_approve(*, grant: RoleGrant, approver: User) -> RoleGrant:
    """Approve a pending grant as a second administrator, and give the role."""
    _refuse_unless_administrator(approver)
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.state != RoleGrant.State.PENDING:
        raise ValidationError(_("Über diesen Antrag ist schon entschieden."))
    if approver.pk == grant.requested_by_id:
        raise PermissionDenied(_("Vier-Augen-Prinzip: Ihren eigenen Antrag genehmigt eine zweite Person."))
    if approver.pk == grant.user_id:
        raise PermissionDenied(_("Eigene Rollen genehmigt eine andere Person."))
    if approver.pk == account_creator_id(grant.user):
        raise PermissionDenied(_("Wer ein Konto angelegt hat, genehmigt dessen Rollen nicht."))
    grant.state = RoleGrant.State.APPROVED
    grant.decided_by = approver
    grant.decided_at = timezone.now()
    grant.save()
    with _applying():
        grant.user.groups.add(grant.role)
    return grant


@transaction.atomic
def role_grant_refuse(*, grant: RoleGrant, approver: User) -> RoleGrant:
    _refuse_unless_administrator(approver)
    grant = RoleGrant.objects.select_for_update().get(pk=grant.pk)
    if grant.state != RoleGrant.State.PENDING:
        raise ValidationError(_("Über diesen Antrag ist schon entschieden."))
    grant.state = RoleGrant.State.REFUSED
    grant.decided_by = approver
    grant.decided_at = timezone.now()
    grant.save()
    return grant


@transaction.atomic
def role_revoke(*, user: User, role: Group, revoked_by: User, reason: str = "") -> RoleGrant:
    """Take `role` from `user` at once, recorded like a grant."""
    _refuse_unless_administrator(revoked_by)
    _check_role(role)
    if not user.groups.filter(pk=role.pk).exists():
        raise ValidationError({"role": _("%(user)s hat diese Rolle nicht.") % {"user": user.username}})
    now = timezone.now()
    record = RoleGrant.objects.create(
        user=user,
        role=role,
        change=RoleGrant.Change.REVOKE,
        reason=reason,
        requested_by=revoked_by,
        state=RoleGrant.State.APPROVED,
        decided_by=revoked_by,
        decided_at=now,
    )
    user.groups.remove(role)
    return record


def password_link(*, user: User, request) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    return request.build_absolute_uri(reverse("password-set", args=[uid, token]))


def send_password_link(*, user: User, request) -> bool:
    """E-mail `user` a link to set their own password; False if the account has no address or is the system's."""
    if not user.email or user.username == roles.SYSTEM_ACCOUNT:
        return False
    body = render_to_string(
        "staff/email/password_link.txt", {"user": user, "link": password_link(user=user, request=request)}
    )
    send_mail(_("Passwort für den internen Bereich setzen"), body, None, [user.email])
    return True
