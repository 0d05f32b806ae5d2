"""Importing the payments ledger: a preview with every row and error, then all rows or none (issue 17)."""

from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from funding.payments.models import Payment, ProofOfUse, Recovery
from tests.factories import DecisionFactory, release_reviewed_decision, release_reviewed_entry
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db
HEADER = "reference,decision,amount,value_date,corrects,payment_request,source\n"


@pytest.fixture
def grant(approver):
    decision = DecisionFactory(reference="AZ-IMP-1", amount=Decimal("100000.00"), eligible_costs=Decimal("125000.00"))
    return release_reviewed_decision(decision=decision, user=approver)


def upload(client, text: str, name: str = "auszahlungen.csv", kind: str = "auszahlungen"):
    file = SimpleUploadedFile(name, text.encode("utf-8"), content_type="text/csv")
    return client.post(f"/intern/{kind}/import/", {"file": file})


def test_a_valid_file_is_previewed_then_imported_as_drafts(client, clerk, grant):
    login(client, clerk)
    preview = upload(
        client,
        HEADER
        + "AUS-I1,AZ-IMP-1,40000.00,2019-09-02,,,Kassenbeleg 1\n"
        + "AUS-I2,AZ-IMP-1,20000.00,2020-02-03,,,Kassenbeleg 2\n",
    )
    assert preview.status_code == 200
    assert "Alle 2 Zeilen sind fehlerfrei" in preview.content.decode()
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
        + "AUS-I1,AZ-IMP-1,40000.00,2019-09-02,,,Kassenbeleg 1\n"
        + "AUS-I2,AZ-IMP-1,100000.01,2019-10-01,,,Kassenbeleg 2\n"
        + "AUS-I3,AZ-GIBT-ES-NICHT,1.00,2019-10-01,,,Kassenbeleg 3\n",
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


def test_claims_and_repayments_and_proofs_of_use_import_the_same_way(client, clerk, approver, grant):
    from funding.payments import services

    paid = services.entry_create_draft(
        Payment,
        source="Testbeleg",
        user=clerk,
        reference="AUS-0",
        decision=grant,
        amount=Decimal("50000.00"),
        value_date=grant.decision_date,
    )
    release_reviewed_entry(entry=paid, user=approver)
    login(client, clerk)
    recoveries = upload(
        client,
        "reference,decision,kind,amount,booked_on,reason,source\n"
        "RF-1,AZ-IMP-1,claim,1000.00,2020-05-04,Prüfung des Verwendungsnachweises,Bescheid 1\n",
        kind="rueckforderungen",
    )
    client.post("/intern/rueckforderungen/import/bestaetigen/", {"token": recoveries.context["token"]})
    proofs = upload(
        client,
        "decision,due_on,received_on,checked_on,result,source\nAZ-IMP-1,,2021-12-01,2022-02-01,accepted,Eingang\n",
        kind="verwendungsnachweise",
    )
    client.post("/intern/verwendungsnachweise/import/bestaetigen/", {"token": proofs.context["token"]})

    # A repayment needs a released claim: in the same file the claim is still a draft.
    early_repayment = upload(
        client,
        "reference,decision,kind,amount,booked_on,reason,source\nER-1,AZ-IMP-1,repayment,1000.00,2020-06-02,,Konto\n",
        kind="rueckforderungen",
    )

    assert [(r.reference, r.kind, r.is_released) for r in Recovery.objects.all()] == [("RF-1", "claim", False)]
    assert early_repayment.status_code == 400 and "zurückgefordert sind" in early_repayment.content.decode()
    proof = ProofOfUse.objects.get(decision=grant)
    assert proof.due_on.isoformat() == "2021-12-30" and proof.result == "accepted" and proof.reviewer == clerk


def test_an_unknown_import_is_not_found(client, clerk):
    login(client, clerk)

    assert client.get("/intern/bescheide-und-mehr/import/").status_code == 404


def test_payment_requests_import_then_payments_on_them(client, clerk, approver, grant):
    """Requests come in as drafts; once released, a payments file names them, and their sum is checked."""
    from funding.payments.models import PaymentRequest

    login(client, clerk)
    requests = upload(
        client,
        "reference,decision,amount,received_on,purpose,source\n"
        "MA-1,AZ-IMP-1,40000.00,2019-08-20,1. Teilbetrag,Schreiben vom 19.08.2019\n",
        kind="mittelanforderungen",
    )
    assert requests.status_code == 200, requests.content.decode()
    client.post("/intern/mittelanforderungen/import/bestaetigen/", {"token": requests.context["token"]})
    request = PaymentRequest.objects.get()
    assert (request.amount, request.is_released, request.drafted_by) == (Decimal("40000.00"), False, clerk)

    early = upload(client, HEADER + "AUS-I1,AZ-IMP-1,40000.00,2019-09-02,,MA-1,Kassenbeleg 1\n")
    assert early.status_code == 400
    assert "Spalte payment_request" in early.content.decode()  # not yet released

    release_reviewed_entry(entry=request, user=approver)
    too_much = upload(
        client,
        HEADER
        + "AUS-I1,AZ-IMP-1,30000.00,2019-09-02,,MA-1,Kassenbeleg 1\n"
        + "AUS-I2,AZ-IMP-1,40000.01,2019-09-03,,MA-1,Kassenbeleg 2\n",
    )
    text = too_much.content.decode()
    assert too_much.status_code == 400, text
    assert "Zeile 3, Spalte amount" in text and "angefordert sind 40.000,00" in text
    assert "Zeile 2" not in text  # drafts count at their release, where the sum is checked

    ok = upload(client, HEADER + "AUS-I1,AZ-IMP-1,30000.00,2019-09-02,,MA-1,Kassenbeleg 1\n")
    assert ok.status_code == 200
    client.post("/intern/auszahlungen/import/bestaetigen/", {"token": ok.context["token"]})
    assert Payment.objects.get().payment_request == request
