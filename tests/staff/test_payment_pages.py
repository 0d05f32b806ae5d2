"""Staff pages of the payments ledger: book a payment on a grant, release it, record the proof of use (issue 17)."""

import datetime as dt
from decimal import Decimal

import pytest

from funding.four_eyes import review_digest
from funding.payments import services
from funding.payments.models import Payment, PaymentRequest, ProofOfUse
from tests.factories import DecisionFactory, UserFactory, release_reviewed_decision, release_reviewed_entry
from tests.staff.conftest import confirm_release, login

pytestmark = pytest.mark.django_db


@pytest.fixture
def grant(approver):
    decision = DecisionFactory(reference="AZ-PAY-1", amount=Decimal("100000.00"), eligible_costs=Decimal("125000.00"))
    return release_reviewed_decision(decision=decision, user=approver)


def book(client, grant, **data):
    fields = {"reference": "AUS-1", "amount": "40.000,00", "value_date": "2019-09-02", "source": "Buchungsbeleg 4711"}
    return client.post(f"/intern/bescheide/{grant.pk}/auszahlung/neu/", {**fields, **data})


def test_a_clerk_books_a_payment_in_german_notation_as_a_draft(client, clerk, grant):
    login(client, clerk)
    page = client.get(f"/intern/projekte/{grant.project_id}/")
    response = book(client, grant)

    assert "Auszahlung erfassen" in page.content.decode()
    assert response.status_code == 302
    payment = Payment.objects.get(reference="AUS-1")
    assert payment.amount == Decimal("40000.00") and not payment.is_released and payment.drafted_by == clerk


def test_a_payment_above_the_grant_is_a_form_error_on_the_amount_and_nothing_is_saved(client, clerk, grant):
    login(client, clerk)
    response = book(client, grant, amount="100.000,01")

    assert response.status_code == 400
    assert "mehr als die bewilligte Zuwendung" in response.content.decode()
    assert not Payment.objects.exists()


def test_an_approver_releases_from_the_queue_but_never_their_own_draft(client, clerk, approver, grant):
    login(client, clerk)
    book(client, grant)
    payment = Payment.objects.get()
    refused = client.post(f"/intern/buchungen/auszahlung/{payment.pk}/freigeben/", {"reviewed": review_digest(payment)})
    payment.refresh_from_db()
    assert not payment.is_released and refused.status_code == 403

    login(client, approver)
    overview = client.get("/intern/").content.decode()
    assert "Buchungen, die auf meine Freigabe warten" in overview and "AUS-1" in overview
    confirmation = client.get(f"/intern/buchungen/auszahlung/{payment.pk}/freigeben/").content.decode()
    assert "AZ-PAY-1" in confirmation and "noch auszuzahlen nach dieser Auszahlung" in confirmation
    confirm_release(client, f"/intern/buchungen/auszahlung/{payment.pk}/freigeben/")
    payment.refresh_from_db()

    assert payment.is_released and payment.released_by == approver
    assert "AUS-1" not in client.get("/intern/").content.decode().split("Buchungen, die auf meine Freigabe")[1][:2000]


def test_the_proof_of_use_is_recorded_with_its_default_deadline_and_the_reviewer(client, clerk, grant):
    login(client, clerk)
    response = client.post(
        f"/intern/bescheide/{grant.pk}/verwendungsnachweis/",
        {"due_on": "", "received_on": "2021-12-01", "checked_on": "2022-01-20", "result": "accepted"},
    )
    proof = ProofOfUse.objects.get(decision=grant)

    assert response.status_code == 302
    assert proof.due_on == dt.date(2021, 12, 30)  # funding period until 30.06.2021, six months later
    assert proof.reviewer == clerk


def test_overdue_proofs_are_listed_per_granting_authority(client, clerk, grant):
    services.proof_of_use_record(decision=grant, user=clerk)
    login(client, clerk)
    text = client.get("/intern/verwendungsnachweise/ueberfaellig/").content.decode()

    assert grant.authority.name in text and "AZ-PAY-1" in text and "30.12.2021" in text


def test_someone_without_a_staff_role_cannot_book(client, grant):
    login(client, UserFactory())

    assert book(client, grant).status_code == 403
    assert not Payment.objects.exists()


def test_a_release_ends_on_the_grants_project_page_whatever_next_says(client, clerk, approver, grant):
    login(client, clerk)
    book(client, grant)
    payment = Payment.objects.get()
    login(client, approver)

    response = confirm_release(
        client, f"/intern/buchungen/auszahlung/{payment.pk}/freigeben/", next="https://evil.example/intern/"
    )

    assert response["Location"] == f"/intern/projekte/{grant.project_id}/"


def test_the_admin_view_on_site_link_leads_to_the_grants_project_page(client, clerk, approver, grant):
    login(client, clerk)
    book(client, grant)
    payment = Payment.objects.get()
    clerk.is_staff = True
    clerk.save()
    login(client, clerk)

    admin_page = client.get(f"/admin/funding/payment/{payment.pk}/change/")
    shortcut = client.get(f"/admin/r/{admin_page.context['content_type_id']}/{payment.pk}/")

    assert admin_page.status_code == 200
    assert shortcut.status_code == 302 and shortcut["Location"].endswith(f"/intern/projekte/{grant.project_id}/")


def test_a_payment_request_is_recorded_released_paid_and_leaves_the_open_list(client, clerk, approver, grant):
    login(client, clerk)
    created = client.post(
        f"/intern/bescheide/{grant.pk}/mittelanforderung/neu/",
        {
            "reference": "MA-1",
            "amount": "40.000,00",
            "received_on": "2019-08-20",
            "purpose": "1. Teilbetrag",
            "source": "Schreiben",
        },
    )
    assert created.status_code == 302
    payment_request = PaymentRequest.objects.get()
    assert not payment_request.is_released and payment_request.drafted_by == clerk

    login(client, approver)
    confirm_release(client, f"/intern/buchungen/mittelanforderung/{payment_request.pk}/freigeben/")
    open_page = client.get("/intern/mittelanforderungen/offen/").content.decode()
    assert "MA-1" in open_page and "40.000,00 €" in open_page

    login(client, clerk)
    refused = book(client, grant, amount="40.000,01", payment_request=payment_request.pk)
    assert refused.status_code == 400 and "angefordert sind 40.000,00 €" in refused.content.decode()
    book(client, grant, amount="25.000,00", payment_request=payment_request.pk)
    release_reviewed_entry(entry=Payment.objects.get(), user=approver)

    login(client, approver)
    partly = client.get("/intern/mittelanforderungen/offen/").content.decode()
    ledger = client.get(f"/intern/projekte/{grant.project_id}/").content.decode()
    assert "15.000,00 €" in partly  # still open on the request
    assert "auf MA-1" in ledger and "15.000,00 €" in ledger

    login(client, clerk)
    book(client, grant, reference="AUS-2", amount="15.000,00", payment_request=payment_request.pk)
    release_reviewed_entry(entry=Payment.objects.get(reference="AUS-2"), user=approver)
    assert (
        "Keine Mittelanforderung wartet auf Geld" in client.get("/intern/mittelanforderungen/offen/").content.decode()
    )


@pytest.mark.parametrize("kind", ["rueckforderung", "erstattung", "mittelanforderung"])
def test_a_negative_amount_is_a_german_form_error_that_names_no_database_constraint(client, clerk, grant, kind):
    login(client, clerk)
    fields = {
        "reference": "X-1",
        "amount": "-5,00",
        "booked_on": "2019-09-02",
        "received_on": "2019-09-02",
        "reason": "Teilwiderruf",
        "source": "Beleg",
    }
    response = client.post(f"/intern/bescheide/{grant.pk}/{kind}/neu/", fields)

    page = response.content.decode()
    assert response.status_code == 400
    assert "Bitte geben Sie einen Betrag über 0,00 € an." in page
    assert "Constraint" not in page and "_positive" not in page
    assert not PaymentRequest.objects.exists() and not grant.recoveries.exists()


def test_every_check_constraint_explains_itself_in_german():
    """Django's model validation shows a constraint's message to users: never its technical name."""
    from django.apps import apps
    from django.db.models import CheckConstraint

    for model in apps.get_models():
        for constraint in model._meta.constraints:
            if isinstance(constraint, CheckConstraint):
                message = str(constraint.violation_error_message)
                assert message != str(constraint.default_violation_error_message), constraint.name
                assert constraint.name not in message
