"""Every admin URL, for every role: the admin lets nobody do what their role does not allow.

Walks each registered model's list, change, history and history-form ("revert") pages and
POSTs a changed record to the history form, the way the attack in issue 26 did: a read-only
role gets a 403 and the record stays as it was; nothing answers a 500.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth.models import User
from django.forms.models import model_to_dict
from django.test import RequestFactory
from simple_history.admin import SimpleHistoryAdmin

from funding.payments import services as payment_services
from funding.payments.models import Payment, ProofOfUse
from modellregionen import roles
from modellregionen.admin_history import GuardedHistoryAdmin
from regions.models import StaffProfile
from tests.factories import (
    DecisionFactory,
    MunicipalityFactory,
    TopicFactory,
    TransferRequestFactory,
    UserFactory,
    release_reviewed_decision,
    release_reviewed_entry,
)
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db

ROLES = {
    "clerk": [roles.CLERK],
    "approver": [roles.APPROVER],
    "office": [roles.PROJECT_OFFICE],
    "administration": [roles.ADMINISTRATION],
    "no_role": [],
}


def _staff(name: str, role_names: list[str], region) -> User:
    user = UserFactory(username=f"admin-{name}", roles=role_names, is_staff=True)
    if roles.PROJECT_OFFICE in role_names:
        StaffProfile.objects.create(user=user, region=region)
    return user


@pytest.fixture
def world(clerk, approver, project_soest, recipient, authority, region_soest):
    """One record of every model with a history, each with at least one historical version."""
    municipality = MunicipalityFactory(ags="05974040", name="Soest", population=47776)
    grant = release_reviewed_decision(
        decision=DecisionFactory(
            reference="AZ-ADM-1",
            project=project_soest,
            recipient=recipient,
            authority=authority,
            eligible_costs=Decimal("1000.00"),
            amount=Decimal("800.00"),
            own_share=Decimal("200.00"),
            drafted_by=clerk,
        ),
        user=approver,
    )
    payment = release_reviewed_entry(
        entry=payment_services.entry_create_draft(
            Payment,
            user=clerk,
            reference="AUS-ADM-1",
            decision=grant,
            amount=Decimal("100.00"),
            value_date=dt.date(2019, 9, 1),
            source="Beleg",
        ),
        user=approver,
    )
    payment_services.proof_of_use_record(decision=grant, user=clerk)
    TopicFactory()
    TransferRequestFactory(project=project_soest, municipality=municipality)
    return {"municipality": municipality, "grant": grant, "payment": payment}


def _history_admins():
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if isinstance(model_admin, SimpleHistoryAdmin)
    ]


def test_every_admin_with_a_history_guards_its_history_form():
    unguarded = [
        model.__name__ for model, model_admin in _history_admins() if not isinstance(model_admin, GuardedHistoryAdmin)
    ]

    assert unguarded == []


def _snapshot(obj) -> dict:
    return {field.attname: getattr(obj, field.attname) for field in obj._meta.concrete_fields}


def _tampered_payload(obj, model_admin, request) -> dict:
    """The record's form fields as posted by a browser, with every text and number field changed."""
    form_fields = model_admin.get_form(request, obj).base_fields
    data = {}
    for name, value in model_to_dict(obj, fields=list(form_fields)).items():
        if isinstance(value, list):
            data[name] = [getattr(item, "pk", item) for item in value]
        elif isinstance(value, bool):
            data[name] = "on" if value else ""
        elif isinstance(value, int | Decimal) and not name.endswith("_id"):
            data[name] = "1"
        elif isinstance(value, str) and value and name not in {"kind", "state", "status", "slug", "ags"}:
            data[name] = value + " (geändert)"
        elif value is None:
            data[name] = ""
        else:
            data[name] = str(getattr(value, "pk", value))
    return data


@pytest.mark.parametrize("role", sorted(ROLES) + ["superuser"])
def test_each_role_meets_exactly_its_permissions_on_every_admin_url(client, role, world, region_soest):
    if role == "superuser":
        user = UserFactory(username="admin-root", is_staff=True, is_superuser=True)
    else:
        user = _staff(role, ROLES[role], region_soest)
    login(client, user)
    request = RequestFactory().get("/admin/")
    request.user = User.objects.get(pk=user.pk)
    walked = 0
    for model, model_admin in _history_admins():
        obj = model._default_manager.order_by("pk").first()
        if obj is None:
            continue
        opts = model._meta
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        version = obj.history.order_by("-history_id").first()
        urls = [base, f"{base}{obj.pk}/change/", f"{base}{obj.pk}/history/"]
        if version is not None:
            urls.append(f"{base}{obj.pk}/history/{version.history_id}/")
        for url in urls:
            assert client.get(url).status_code in (200, 302, 403), url
        if version is None:
            continue
        before = _snapshot(model._default_manager.get(pk=obj.pk))
        may_change = model_admin.has_change_permission(request, obj)
        response = client.post(
            f"{base}{obj.pk}/history/{version.history_id}/", _tampered_payload(obj, model_admin, request)
        )
        walked += 1
        assert response.status_code != 500, opts.label
        if not may_change:
            assert response.status_code == 403, (opts.label, role)
            assert _snapshot(model._default_manager.get(pk=obj.pk)) == before, (opts.label, role)
    assert walked >= 10


@pytest.mark.parametrize("role", ["approver", "office", "administration"])
def test_read_only_staff_cannot_rewrite_a_town_or_a_recipient_through_the_history_form(
    client, role, world, recipient, region_soest
):
    """The attack as reported: population 47 776 -> 1, a recipient's kind moved to raise its rate cap."""
    login(client, _staff(role, ROLES[role], region_soest))
    town = world["municipality"]
    town_version = town.history.order_by("-history_id").first()
    recipient_version = recipient.history.order_by("-history_id").first()

    town_post = client.post(
        f"/admin/regions/municipality/{town.pk}/history/{town_version.history_id}/",
        {"name": "Umbenannt", "ags": town.ags, "kind": town.kind, "population": "1"},
    )
    recipient_post = client.post(
        f"/admin/funding/recipient/{recipient.pk}/history/{recipient_version.history_id}/",
        {"name": "Umbenannt", "kind": "university", "org_id": recipient.org_id or ""},
    )

    town.refresh_from_db()
    recipient.refresh_from_db()
    assert (town_post.status_code, recipient_post.status_code) == (403, 403)
    assert town.population == 47776 and town.name == "Soest"
    assert recipient.name != "Umbenannt" and recipient.kind != "university"


def test_the_revert_of_a_released_decision_is_refused_not_a_500(client, clerk, approver, world):
    grant = world["grant"]
    draft_version = grant.history.order_by("history_id").first()
    for user in (clerk, approver):
        user.is_staff = True
        user.save()
        login(client, user)
        page = client.get(f"/admin/funding/fundingdecision/{grant.pk}/history/{draft_version.history_id}/")
        response = client.post(
            f"/admin/funding/fundingdecision/{grant.pk}/history/{draft_version.history_id}/",
            {"reference": grant.reference, "amount": "1.00"},
        )
        assert page.status_code == 200 and response.status_code == 403
    grant.refresh_from_db()
    assert grant.amount == Decimal("800.00") and grant.is_released
    assert ProofOfUse.objects.filter(decision=grant).exists()
