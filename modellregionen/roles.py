"""Staff roles (Django groups, created by a migration) and what each may do.

The one place that answers "may this user do that to this object?"; services, views,
the API and the admin all ask here. See the permission table in the README.
"""

from django.contrib.auth.models import AnonymousUser, User

CLERK = "Sachbearbeitung"  # drafts decisions, edits projects, imports
APPROVER = "Freigabe"  # releases decisions drafted by someone else
PROJECT_OFFICE = "Projektbüro"  # edits its region's projects, handles its requests
ADMINISTRATION = "Administration"  # users and roles

ALL_ROLES = (CLERK, APPROVER, PROJECT_OFFICE, ADMINISTRATION)

# The account that loads and releases the programme data (funding.programme_data). It holds both
# ledger roles for that, so no person may ever log in as it: it has no usable password, and
# nobody can give it one (regions.accounts refuses a password link, the admin a change).
SYSTEM_ACCOUNT = "programmdaten"


def roles_of(user: User | AnonymousUser) -> set[str]:
    if not user.is_authenticated or not user.is_active:
        return set()
    cached = getattr(user, "_role_names", None)
    if cached is None:
        cached = set(user.groups.values_list("name", flat=True))
        user._role_names = cached  # type: ignore[union-attr]
    return cached


def office_region_id(user: User | AnonymousUser) -> int | None:
    """The region whose project office this user works for, if any."""
    if PROJECT_OFFICE not in roles_of(user):
        return None
    profile = getattr(user, "staff_profile", None)
    return profile.region_id if profile else None


def is_staff_member(user) -> bool:
    return bool(roles_of(user))


def can_draft_decisions(user) -> bool:
    return CLERK in roles_of(user)


def can_release_decisions(user) -> bool:
    return APPROVER in roles_of(user)


def can_import_decisions(user) -> bool:
    return CLERK in roles_of(user)


def can_edit_project(user, project) -> bool:
    if CLERK in roles_of(user):
        return True
    region_id = office_region_id(user)
    return region_id is not None and region_id == project.region_id


def can_handle_request(user, transfer_request) -> bool:
    if CLERK in roles_of(user):
        return True
    region_id = office_region_id(user)
    return region_id is not None and region_id == transfer_request.project.region_id


def can_manage_users(user) -> bool:
    return ADMINISTRATION in roles_of(user) or getattr(user, "is_superuser", False)


# What the Administration role may manage in the admin (see regions/migrations/0004).
ADMINISTRATION_MODELS = [("auth", "user"), ("auth", "group"), ("regions", "staffprofile")]


def ensure_role_groups() -> None:
    """Create the role groups and the Administration permissions if they are missing.

    The migrations create them; this puts them back where a test database was emptied
    between transactional tests.
    """
    from django.contrib.auth.models import Group, Permission

    for name in ALL_ROLES:
        Group.objects.get_or_create(name=name)
    administration = Group.objects.get(name=ADMINISTRATION)
    for app_label, model in ADMINISTRATION_MODELS:
        administration.permissions.add(
            *Permission.objects.filter(content_type__app_label=app_label, content_type__model=model)
        )
