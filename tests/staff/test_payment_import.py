"""Importing payments: a preview with every row and error, then all rows as drafts or none (issue 17)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from funding import services as decision_services
from funding.payments.models import Payment
from tests.factories import DecisionFactory
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db
HEADER = "reference,decision,amount,value_date,corrects,request_reference,requested_on,source\n"


@pytest.fixture
def grant(approver):
    decision = DecisionFactory(reference="AZ-IMP-1", amount=Decimal("100000.00"), eligible_costs=Decimal("125000.00"))
    return decision_services.decision_release(decision=decision, user=approver)


def upload(client, text: str, name: str = "auszahlungen.csv"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post("/intern/auszahlungen/import/", {"file": file})


def test_a_valid_file_is_previewed_then_imported_as_drafts(client, clerk, grant):
    login(client, clerk)
    preview = upload(
        client,
        HEADER
        + "AUS-I1,AZ-IMP-1,40000.00,2019-09-02,,MA-1,2019-08-20,Kassenbeleg 1\n"
        + "AUS-I2,AZ-IMP-1,20000.00,2020-02-03,,MA-2,2020-01-20,Kassenbeleg 2\n",
    )
    assert preview.status_code == 200
    assert "Alle 2 Auszahlungen sind fehlerfrei" in preview.content.decode()
    assert not Payment.objects.exists()  # nothing before the confirmation

    token = preview.context["token"]
    done = client.post("/intern/auszahlungen/import/bestaetigen/", {"token": token})

    assert done.status_code == 302
    payments = list(Payment.objects.order_by("reference"))
    assert [p.reference for p in payments] == ["AUS-I1", "AUS-I2"]
    assert all(not p.is_released and p.drafted_by == clerk for p in payments)


def test_one_bad_row_refuses_the_whole_file_and_names_line_and_column(client, clerk, grant):
    login(client, clerk)
    preview = upload(
        client,
        HEADER
        + "AUS-I1,AZ-IMP-1,40000.00,2019-09-02,,,,Kassenbeleg 1\n"
        + "AUS-I2,AZ-IMP-1,100000.01,2019-10-01,,,,Kassenbeleg 2\n"
        + "AUS-I3,AZ-GIBT-ES-NICHT,1.00,2019-10-01,,,,Kassenbeleg 3\n",
    )
    text = preview.content.decode()

    assert preview.status_code == 400
    assert "Zeile 3, Spalte amount" in text and "mehr als die bewilligte Zuwendung" in text
    assert "Zeile 4, Spalte decision" in text and "AZ-GIBT-ES-NICHT" in text
    assert not preview.context["token"]
    assert not Payment.objects.exists()


def test_a_file_without_the_required_columns_is_refused_as_a_whole(client, clerk, grant):
    login(client, clerk)
    response = upload(client, "reference,amount\nAUS-1,10.00\n")

    assert response.status_code == 400
    assert "Spalte decision: Diese Spalte fehlt in der Kopfzeile." in response.content.decode()
    assert not Payment.objects.exists()


def test_an_approver_cannot_import(client, approver, grant):
    login(client, approver)

    assert client.get("/intern/auszahlungen/import/").status_code == 403
