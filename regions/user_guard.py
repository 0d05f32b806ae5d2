"""Separation of duties for accounts, on every path: only a superuser makes a superuser, nobody
changes their own roles, a role is given only through an approved RoleGrant (regions.accounts),
and every change of roles is recorded (regions.RoleChange).

The admin shows these fields read-only to the Administration role (regions/admin.py); these
signal receivers are the rule itself, so a form, the shell in a request or any future view
cannot get around it. Superusers are created with `manage.py createsuperuser` (no request).
"""

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.db.models.signals import m2m_changed, post_save, pre_save
from django.dispatch import receiver
from simple_history.models import HistoricalRecords

SUPERUSER_LABEL = "Superuser"


def acting_user() -> User | None:
    """The logged-in user of the current request (simple-history's middleware keeps it), if any."""
    request = getattr(HistoricalRecords.context, "request", None)
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


def _is_superuser(actor: User) -> bool:
    """As stored, not as the instance says: the instance may be the very account being changed."""
    return User.objects.filter(pk=actor.pk, is_superuser=True).exists()


def _roles_text(user: User, *, superuser: bool | None = None) -> str:
    names = sorted(user.groups.values_list("name", flat=True)) if user.pk else []
    if user.is_superuser if superuser is None else superuser:
        names.insert(0, SUPERUSER_LABEL)
    return ", ".join(names)


def _record(user: User, before: str, after: str) -> None:
    from regions.models import RoleChange

    if before != after:
        RoleChange.objects.create(user=user, changed_by=acting_user(), before=before, after=after)


@receiver(pre_save, sender=User, dispatch_uid="guard_superuser_flag")
def guard_superuser_flag(sender, instance: User, raw=False, **kwargs) -> None:
    if raw or not instance.pk:
        if instance.is_superuser and not raw:
            actor = acting_user()
            if actor is not None and not _is_superuser(actor):
                raise PermissionDenied("Nur ein Superuser kann einen Superuser anlegen.")
        return
    was = User.objects.filter(pk=instance.pk).values_list("is_superuser", flat=True).first()
    if was == instance.is_superuser:
        return
    actor = acting_user()
    if actor is not None and not _is_superuser(actor):
        raise PermissionDenied("Nur ein Superuser kann den Superuser-Status ändern.")
    instance._superuser_before = was


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="guard_and_record_roles")
def guard_and_record_roles(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    users = [instance] if not reverse else list(User.objects.filter(pk__in=pk_set or []))
    if reverse and action == "pre_clear":
        users = list(instance.user_set.all())
    actor = acting_user()
    if action.startswith("pre_"):
        from regions.accounts import grant_in_progress

        for user in users:
            if actor is not None and actor.pk == user.pk and not _is_superuser(actor):
                raise PermissionDenied("Die eigenen Rollen kann nur eine andere Person ändern.")
            if action == "pre_add" and actor is not None and not grant_in_progress():
                raise PermissionDenied(
                    "Eine Rolle gibt es nur über einen Rollenantrag, den eine zweite Person genehmigt."
                )
            user._roles_before = _roles_text(user)
    elif action.startswith("post_"):
        for user in users:
            before = getattr(user, "_roles_before", None)
            if before is not None:
                _record(user, before, _roles_text(user))


@receiver(post_save, sender=User, dispatch_uid="record_superuser_change")
def record_superuser_change(sender, instance: User, created=False, **kwargs) -> None:
    before = getattr(instance, "_superuser_before", None)
    if before is None:
        return
    del instance._superuser_before
    _record(instance, _roles_text(instance, superuser=before), _roles_text(instance))
