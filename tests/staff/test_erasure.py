"""Personal data kept only as long as promised: erasure on request and the retention rule (issue 14)."""

import datetime as dt

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from funding.figures import engine
from funding.figures.selectors import figures_for
from projects import services
from projects.erasure import apply_retention, due_for_retention
from projects.models import RequestStatus, RequestStatusChange, TransferRequest
from tests.factories import MunicipalityFactory, ProjectFactory
from tests.staff.conftest import login

SECRET = "Erika.Mustermann@Gemeinde-Hille.example"


def whole_database_mentions(text: str) -> list[str]:
    """Every table and column in which `text` occurs (any case), history tables included."""
    found = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            for column in connection.introspection.get_table_description(cursor, table):
                cursor.execute(
                    f"SELECT COUNT(*) FROM {quote(table)} WHERE LOWER(CAST({quote(column.name)} AS TEXT)) LIKE %s",  # noqa: S608
                    [f"%{text.lower()}%"],
                )
                if cursor.fetchone()[0]:
                    found.append(f"{table}.{column.name}")
    return found


@pytest.fixture
def asked(db, clerk):
    project = ProjectFactory()
    hille = MunicipalityFactory(ags="05770012", name="Hille")
    request = services.request_submit(
        project=project,
        municipality=hille,
        kind="transfer",
        contact_name="Erika Mustermann",
        contact_email=SECRET,
        message=f"Bitte an {SECRET} antworten.",
        consent=True,
    )
    request.message = request.message + " (ergänzt)"
    request.save()  # a second history version
    services.request_change_status(
        transfer_request=request, user=clerk, to_status=RequestStatus.CLARIFICATION, note=f"Rückruf an {SECRET}"
    )
    engine.recompute_figures()
    return request


def test_erasing_a_requester_leaves_no_trace_of_the_address_anywhere(asked):
    assert whole_database_mentions(SECRET)  # the search finds it before

    call_command("erase_requester_data", "--email", SECRET.upper())

    assert whole_database_mentions(SECRET) == []
    assert whole_database_mentions("Erika Mustermann") == []
    asked.refresh_from_db()
    assert asked.personal_data_erased_at is not None
    assert (asked.contact_name, asked.contact_email, asked.message) == ("", "", "")
    # The audit trail says that it was erased, not what.
    assert asked.history.first().history_change_reason == "Löschung personenbezogener Daten"
    assert RequestStatusChange.objects.get(request=asked).note == "Rückruf an [gelöscht]"


def test_an_erasure_changes_no_public_count(asked):
    before = figures_for(as_of=dt.date.today()).rows[0].values

    call_command("erase_requester_data", "--request", str(asked.pk))
    engine.recompute_figures()

    after = figures_for(as_of=dt.date.today()).rows[0].values
    assert after == before
    assert TransferRequest.objects.filter(pk=asked.pk, municipality_id="05770012").exists()


def test_staff_erase_from_the_request_page_only_when_confirmed(asked, client, clerk):
    login(client, clerk)
    url = f"/intern/anfragen/{asked.pk}/daten-loeschen/"

    unconfirmed = client.post(url)
    asked.refresh_from_db()
    assert unconfirmed.status_code == 302 and asked.contact_email == SECRET

    client.post(url, {"confirm": "yes"})
    asked.refresh_from_db()
    assert asked.contact_email == ""
    assert asked.history.first().history_user == clerk
    assert "wurden am" in client.get(f"/intern/anfragen/{asked.pk}/").content.decode()
    assert client.get(url).status_code == 405  # never by a link


def test_the_retention_rule_erases_closed_requests_after_the_period(asked, clerk, settings):
    settings.REQUEST_RETENTION_DAYS = 730
    services.request_change_status(transfer_request=asked, user=clerk, to_status=RequestStatus.DECLINED, note="")
    open_request = services.request_submit(
        project=asked.project,
        municipality=asked.municipality,
        kind="consultation",
        contact_name="Max",
        contact_email="max@hille.example",
        message="",
        consent=True,
    )

    assert apply_retention() == 0  # closed today: kept
    later = timezone.now() + dt.timedelta(days=731)
    assert list(due_for_retention(now=later).values_list("pk", flat=True)) == [asked.pk]
    assert apply_retention(now=later) == 1

    asked.refresh_from_db()
    open_request.refresh_from_db()
    assert asked.contact_email == "" and open_request.contact_email == "max@hille.example"
    assert (
        settings.CELERY_BEAT_SCHEDULE["erase-expired-personal-data-nightly"]["task"] == "projects.tasks.apply_retention"
    )
