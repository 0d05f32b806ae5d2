"""Separation of duties for accounts (issue 26): two administrators give a role, nobody sets another's password.

The attack as reported: one Administration account created a second Administration account, which
then gave the first Sachbearbeitung and Freigabe; it could also set any non-superuser's password
and log in as them.
"""

import re

import pytest
from django.contrib.auth.models import Group, User
from django.core import mail
from django.test import Client

from modellregionen import roles
from regions.models import RoleChange, RoleGrant
from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db


@pytest.fixture
def ada(db):
    return UserFactory(username="ada", is_staff=True, roles=[roles.ADMINISTRATION], email="ada@example.org")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", is_staff=True, roles=[roles.ADMINISTRATION], email="bob@example.org")


def _as(user) -> Client:
    return staff_login(Client(), user)


def _request(client, user: User, role_name: str, change: str = "grant"):
    role = Group.objects.get(name=role_name)
    return client.post(
        "/admin/regions/rolegrant/add/", {"user": user.pk, "role": role.pk, "change": change, "reason": "Vertretung"}
    )


def _decide(client, grant: RoleGrant, action: str = "approve_selected"):
    return client.post("/admin/regions/rolegrant/", {"action": action, "_selected_action": [grant.pk]}, follow=True)


def _roles(user: User) -> set[str]:
    return set(User.objects.get(pk=user.pk).groups.values_list("name", flat=True))


def test_a_role_is_given_only_when_a_second_administrator_approves(ada, bob):
    clara = UserFactory(username="clara2", is_staff=True)
    ada_client = _as(ada)

    _request(ada_client, clara, roles.APPROVER)
    grant = RoleGrant.objects.get()
    assert grant.state == RoleGrant.State.PENDING and _roles(clara) == set()

    own = _decide(ada_client, grant)
    assert "Vier-Augen-Prinzip" in own.content.decode() and _roles(clara) == set()

    _decide(_as(bob), grant)
    grant.refresh_from_db()
    assert grant.state == RoleGrant.State.APPROVED and grant.decided_by == bob
    assert _roles(clara) == {roles.APPROVER}
    change = RoleChange.objects.filter(user=clara).first()
    assert (change.before, change.after, change.changed_by) == ("", roles.APPROVER, bob)


def test_the_reported_attack_one_administrator_cannot_become_both_pairs_of_eyes(ada):
    """ada creates a second Administration account; it cannot give ada roles, nor ada it."""
    ada_client = _as(ada)
    ada_client.post(
        "/admin/auth/user/add/", {"username": "sock", "first_name": "S", "last_name": "P", "email": "sock@example.org"}
    )
    sock = User.objects.get(username="sock")
    assert not sock.has_usable_password()

    _request(ada_client, sock, roles.ADMINISTRATION)
    assert _roles(sock) == set()  # waits for a second administrator, who is not ada

    # Even were sock an administrator (given by the shell, outside any request), what it approves
    # for the account that created it, or what ada asked for, never applies without a third person.
    sock.groups.add(Group.objects.get(name=roles.ADMINISTRATION))
    sock.set_password("a-long-test-password")
    sock.is_staff = True
    sock.save()
    _request(_as(sock), ada, roles.CLERK)
    pending_for_ada = RoleGrant.objects.get(user=ada, state=RoleGrant.State.PENDING)
    _decide(_as(ada), pending_for_ada)
    assert _roles(ada) == {roles.ADMINISTRATION}
    _request(ada_client, ada, roles.APPROVER)
    assert not RoleGrant.objects.filter(user=ada, role__name=roles.APPROVER).exists()

    grant_for_sock = RoleGrant.objects.get(user=sock, role__name=roles.ADMINISTRATION)
    _decide(_as(sock), grant_for_sock)  # its own grant: refused
    assert RoleGrant.objects.get(pk=grant_for_sock.pk).state == RoleGrant.State.PENDING


def test_the_creator_of_an_account_cannot_approve_its_roles(ada, bob):
    ada_client = _as(ada)
    ada_client.post(
        "/admin/auth/user/add/", {"username": "neu", "first_name": "N", "last_name": "U", "email": "neu@example.org"}
    )
    newcomer = User.objects.get(username="neu")
    _request(_as(bob), newcomer, roles.CLERK)

    refused = _decide(ada_client, RoleGrant.objects.get())

    assert "angelegt" in refused.content.decode() and _roles(newcomer) == set()


def test_nobody_sets_another_persons_password_the_owner_sets_it_by_link(ada):
    clara = UserFactory(username="clara3", is_staff=True, email="clara@example.org", roles=[roles.CLERK])
    ada_client = _as(ada)

    forced = ada_client.post(
        f"/admin/auth/user/{clara.pk}/password/", {"password1": "x-new-password-123", "password2": "x-new-password-123"}
    )
    assert forced.status_code == 403
    assert User.objects.get(pk=clara.pk).check_password("a-long-test-password")

    ada_client.post("/admin/auth/user/", {"action": "send_password_links", "_selected_action": [clara.pk]})
    link = re.search(r"http://testserver(/intern/passwort/\S+/)", mail.outbox[-1].body).group(1)
    assert mail.outbox[-1].to == ["clara@example.org"]
    owner = Client()
    form = owner.get(link, follow=True)
    set_url = form.redirect_chain[-1][0] if form.redirect_chain else link
    done = owner.post(set_url, {"new_password1": "Tannenbaum-Rhein-2026", "new_password2": "Tannenbaum-Rhein-2026"})
    assert done.status_code == 302
    assert User.objects.get(pk=clara.pk).check_password("Tannenbaum-Rhein-2026")


def test_taking_a_role_away_needs_one_administrator_and_is_recorded(ada):
    clara = UserFactory(username="clara4", is_staff=True, roles=[roles.CLERK, roles.APPROVER])

    _request(_as(ada), clara, roles.APPROVER, change="revoke")

    assert _roles(clara) == {roles.CLERK}
    record = RoleGrant.objects.get(user=clara)
    assert (record.change, record.state, record.decided_by) == ("revoke", "approved", ada)


@pytest.mark.parametrize("role", [roles.CLERK, roles.APPROVER, roles.PROJECT_OFFICE])
def test_other_roles_cannot_ask_for_or_approve_roles(role, ada):
    someone = UserFactory(username=f"x-{role}", is_staff=True, roles=[role])
    target = UserFactory(username="target", is_staff=True)

    answer = _request(_as(someone), target, roles.APPROVER)

    assert answer.status_code == 403 and not RoleGrant.objects.exists()


def test_an_administrator_resets_a_lost_second_factor_and_lifts_a_lock_but_not_their_own(ada):
    from django_otp.plugins.otp_totp.models import TOTPDevice

    frank = UserFactory(username="frank", is_staff=True, roles=[roles.APPROVER])
    TOTPDevice.objects.create(user=frank, name="App", confirmed=True)
    client = _as(ada)

    client.post("/admin/auth/user/", {"action": "reset_second_factor", "_selected_action": [frank.pk, ada.pk]})

    assert not TOTPDevice.objects.filter(user=frank).exists()
    assert TOTPDevice.objects.filter(user=ada).exists()  # made by the login helper; not reset by ada herself
    answer = client.post("/admin/auth/user/", {"action": "lift_login_locks", "_selected_action": [frank.pk]})
    assert answer.status_code == 302


def test_one_administrator_cannot_take_an_account_over_by_changing_its_address(ada):
    """The attack: change a clerk's e-mail to one's own, send the password link, log in as the clerk."""
    from tests.regions.test_administration_role import change_form_data

    clara = UserFactory(username="clara5", is_staff=True, email="clara@example.org", roles=[roles.CLERK])
    client = _as(ada)
    data = change_form_data(client, clara)
    data["email"] = "ada-private@example.org"

    client.post(f"/admin/auth/user/{clara.pk}/change/", data)

    assert User.objects.get(pk=clara.pk).email == "clara@example.org"


def test_nobody_can_give_the_programme_data_account_a_password(ada, db):
    from funding.programme_data import system_user

    system = system_user()
    system.email = "someone@example.org"
    system.save()
    client = _as(ada)

    client.post("/admin/auth/user/", {"action": "send_password_links", "_selected_action": [system.pk]})

    assert not any("passwort" in message.body for message in mail.outbox)
    assert client.get(f"/admin/auth/user/{system.pk}/change/").status_code == 200
    assert 'name="first_name"' not in client.get(f"/admin/auth/user/{system.pk}/change/").content.decode()
