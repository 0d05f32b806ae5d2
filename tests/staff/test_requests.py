"""The requests inbox of a region: filter by status, change status with a note, see the history."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from projects import services
from projects.models import RequestStatus, RequestStatusChange
from tests.factories import TransferRequestFactory
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db


def test_the_inbox_filters_by_status(client, office_soest, project_soest):
    TransferRequestFactory(project=project_soest, contact_name="Erste Anfrage")
    TransferRequestFactory(project=project_soest, contact_name="Zweite Anfrage", status=RequestStatus.AGREED)

    response = login(client, office_soest).get("/intern/anfragen/?status=agreed")

    requests = list(response.context["requests"])
    assert [r.contact_name for r in requests] == ["Zweite Anfrage"]
    assert "Anfragen für die Modellregion Soest" in response.content.decode()


def test_the_inbox_of_a_project_office_shows_only_its_region(client, office_soest, request_soest, request_wuppertal):
    response = login(client, office_soest).get("/intern/anfragen/?region=wuppertal")

    assert list(response.context["requests"]) == []


def test_a_status_change_is_kept_with_its_note_and_shown(client, office_soest, request_soest):
    login(client, office_soest)

    response = client.post(
        f"/intern/anfragen/{request_soest.pk}/",
        {"to_status": "clarification", "note": "Telefonat am 12.03., Unterlagen folgen"},
        follow=True,
    )

    request_soest.refresh_from_db()
    assert request_soest.status == RequestStatus.CLARIFICATION
    change = RequestStatusChange.objects.get(request=request_soest)
    assert (change.from_status, change.to_status, change.changed_by) == ("received", "clarification", office_soest)
    content = response.content.decode()
    assert "Status der Anfrage geändert." in content
    assert "Telefonat am 12.03., Unterlagen folgen" in content
    assert "in Klärung" in content


def test_only_the_allowed_next_statuses_are_offered(client, office_soest, request_soest):
    login(client, office_soest)

    response = client.post(f"/intern/anfragen/{request_soest.pk}/", {"to_status": "implemented", "note": ""})

    assert "to_status" in response.context["form"].errors
    request_soest.refresh_from_db()
    assert request_soest.status == RequestStatus.RECEIVED
    assert not RequestStatusChange.objects.exists()


def test_the_service_refuses_a_step_the_flow_does_not_allow(office_soest, request_soest):
    with pytest.raises(ValidationError) as error:
        services.request_change_status(transfer_request=request_soest, user=office_soest, to_status="implemented")

    assert error.value.message_dict["to_status"] == [
        "Eine Anfrage im Status „eingegangen“ kann nicht nach „umgesetzt“ wechseln; "
        "möglich: in Klärung, vereinbart, abgelehnt, zurückgezogen."
    ]


def test_a_closed_request_stays_closed(office_soest, project_soest):
    closed = TransferRequestFactory(project=project_soest, status=RequestStatus.DECLINED)

    with pytest.raises(ValidationError, match="abgeschlossen"):
        services.request_change_status(transfer_request=closed, user=office_soest, to_status="agreed")


def test_the_service_refuses_another_regions_project_office(office_soest, request_wuppertal):
    with pytest.raises(PermissionDenied):
        services.request_change_status(transfer_request=request_wuppertal, user=office_soest, to_status="agreed")

    request_wuppertal.refresh_from_db()
    assert request_wuppertal.status == RequestStatus.RECEIVED


def test_the_service_refuses_an_approver(approver, request_soest):
    with pytest.raises(PermissionDenied):
        services.request_change_status(transfer_request=request_soest, user=approver, to_status="agreed")


def test_project_update_refuses_another_region_and_moving_a_project(office_soest, project_soest, project_wuppertal):
    with pytest.raises(PermissionDenied):
        services.project_update(project=project_wuppertal, user=office_soest, title="Gekapert")
    with pytest.raises(ValidationError) as error:
        services.project_update(project=project_soest, user=office_soest, region=project_wuppertal.region)

    assert "region" in error.value.message_dict
    project_soest.refresh_from_db()
    project_wuppertal.refresh_from_db()
    assert project_wuppertal.title == "Digitaler Aktenplan"
    assert project_soest.region.slug == "soest"


def test_user_html_in_a_request_is_shown_escaped(client, office_soest, project_soest):
    hostile = TransferRequestFactory(project=project_soest, message='<script>alert("x")</script><b>fett</b>')

    response = login(client, office_soest).get(f"/intern/anfragen/{hostile.pk}/")

    content = response.content.decode()
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;fett&lt;/b&gt;" in content
    assert '<script>alert("x")</script>' not in content
