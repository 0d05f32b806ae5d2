import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction

from modellregionen import roles
from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db


def test_administration_manages_users_and_roles_in_the_admin(client):
    admin_user = UserFactory(username="ada", is_staff=True, roles=[roles.ADMINISTRATION])
    staff_login(client, admin_user)

    users_page = client.get("/admin/auth/user/")
    groups_page = client.get("/admin/auth/group/")

    assert users_page.status_code == 200
    assert "ada" in users_page.content.decode()
    assert groups_page.status_code == 200
    assert "Sachbearbeitung" in groups_page.content.decode()


def test_a_clerk_cannot_manage_users(client):
    clerk = UserFactory(username="clara", is_staff=True, roles=[roles.CLERK])
    staff_login(client, clerk)

    assert client.get("/admin/auth/user/").status_code == 403


# --- Separation of duties (issue 14) ----------------------------------------------------------

from django.contrib.auth.models import Group, User  # noqa: E402

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def admin_client(client, user):
    staff_login(client, user, backend=MODEL_BACKEND)
    return client


def change_form_data(client, user: User) -> dict:
    """What the admin's change form would post back unchanged, read from the form itself."""
    response = client.get(f"/admin/auth/user/{user.pk}/change/")
    form = response.context["adminform"].form
    data = {}
    for name, field in form.fields.items():
        if field.disabled:
            continue
        value = form.initial.get(name, field.initial)
        if isinstance(value, list | tuple) or hasattr(value, "all"):
            data[name] = [getattr(v, "pk", v) for v in (value.all() if hasattr(value, "all") else value)]
        elif value is None:
            data[name] = ""
        elif isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = value
    for key in ("last_login", "date_joined"):
        data.pop(key, None)
    data["date_joined_0"], data["date_joined_1"] = "2026-01-01", "10:00:00"
    return data


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", is_staff=True, roles=[roles.ADMINISTRATION])


def test_the_administration_role_cannot_make_itself_superuser_in_the_admin(client, ada):
    admin_client(client, ada)
    data = change_form_data(client, ada)
    data["is_superuser"] = "on"

    response = client.post(f"/admin/auth/user/{ada.pk}/change/", data)

    ada.refresh_from_db()
    assert response.status_code in (200, 302)
    assert ada.is_superuser is False
    page = client.get(f"/admin/auth/user/{ada.pk}/change/").content.decode()
    assert 'name="is_superuser"' not in page  # shown read-only
    assert 'name="groups"' not in page  # its own roles: read-only
    assert 'name="user_permissions"' not in page


def test_the_administration_role_cannot_give_itself_roles_on_any_path(ada, rf):
    from simple_history.models import HistoricalRecords

    request = rf.post("/")
    request.user = ada
    HistoricalRecords.context.request = request
    try:
        with pytest.raises(PermissionDenied), transaction.atomic():
            ada.groups.add(Group.objects.get(name=roles.APPROVER))
        ada.is_superuser = True
        with pytest.raises(PermissionDenied), transaction.atomic():
            ada.save()
    finally:
        del HistoricalRecords.context.request
    ada.refresh_from_db()
    assert not ada.is_superuser
    assert roles.APPROVER not in set(ada.groups.values_list("name", flat=True))


def test_the_admins_user_form_gives_no_role_roles_come_from_approved_requests(client, ada):
    colleague = UserFactory(username="bea", is_staff=True, roles=[roles.CLERK])
    admin_client(client, ada)
    data = change_form_data(client, colleague)
    data["groups"] = [Group.objects.get(name=roles.CLERK).pk, Group.objects.get(name=roles.APPROVER).pk]

    client.post(f"/admin/auth/user/{colleague.pk}/change/", data)

    assert set(colleague.groups.values_list("name", flat=True)) == {roles.CLERK}
    assert 'name="groups"' not in client.get(f"/admin/auth/user/{colleague.pk}/change/").content.decode()


def test_a_superusers_account_is_out_of_reach_of_the_administration_role(client, ada):
    root = User.objects.create_superuser("root", "root@example.org", "a-long-root-password")
    admin_client(client, ada)

    page = client.get(f"/admin/auth/user/{root.pk}/change/")
    edit = client.post(f"/admin/auth/user/{root.pk}/change/", {"username": "root", "email": "ada@example.org"})

    assert page.status_code == 200 and 'name="email"' not in page.content.decode()  # view only
    assert edit.status_code == 403
    assert (
        client.post(f"/admin/auth/user/{root.pk}/password/", {"password1": "x" * 20, "password2": "x" * 20}).status_code
        == 403
    )
    assert client.post(f"/admin/auth/user/{root.pk}/delete/", {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=root.pk, is_superuser=True).exists()
    root.refresh_from_db()
    assert root.check_password("a-long-root-password")
    assert root.email == "root@example.org"


def test_roles_themselves_cannot_be_changed_by_the_administration_role(client, ada):
    admin_client(client, ada)
    group = Group.objects.get(name=roles.ADMINISTRATION)

    response = client.post(f"/admin/auth/group/{group.pk}/change/", {"name": "Administration", "permissions": []})

    assert response.status_code == 403
    assert group.permissions.exists()


def test_createsuperuser_still_works_without_a_request(db):
    from django.core.management import call_command

    call_command("createsuperuser", username="root2", email="r@example.org", interactive=False, verbosity=0)

    assert User.objects.get(username="root2").is_superuser
