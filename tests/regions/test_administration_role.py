import pytest

from modellregionen import roles
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_administration_manages_users_and_roles_in_the_admin(client):
    admin_user = UserFactory(username="ada", is_staff=True, roles=[roles.ADMINISTRATION])
    client.force_login(admin_user)

    users_page = client.get("/admin/auth/user/")
    groups_page = client.get("/admin/auth/group/")

    assert users_page.status_code == 200
    assert "ada" in users_page.content.decode()
    assert groups_page.status_code == 200
    assert "Sachbearbeitung" in groups_page.content.decode()


def test_a_clerk_cannot_manage_users(client):
    clerk = UserFactory(username="clara", is_staff=True, roles=[roles.CLERK])
    client.force_login(clerk)

    assert client.get("/admin/auth/user/").status_code == 403
