"""The payments ledger: its rules for every entry path, four eyes, and the database's own guard (issue 17)."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from funding.choices import DecisionKind, ProofOfUseResult, RecoveryKind
from funding.payments import services
from funding.payments.models import Payment, PaymentRequest, ProofOfUse, Recovery
from funding.payments.rules import net_granted, paid_on_request, proof_of_use_due_on
from tests.factories import DecisionFactory, release_reviewed_decision, release_reviewed_entry, staff_login

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def grant(approver):
    """A released grant of 100.000,00 € from 01.06.2019, funding period until 30.06.2021."""
    decision = DecisionFactory(amount=D("100000.00"), eligible_costs=D("125000.00"), own_share=D("25000.00"))
    return release_reviewed_decision(decision=decision, user=approver)


def pay(user, grant, amount, day, reference=None, **fields):
    return services.entry_create_draft(
        Payment,
        source="Testbeleg",
        user=user,
        reference=reference or f"AUS-{Payment.objects.count() + 1}",
        decision=grant,
        amount=D(amount),
        value_date=day,
        **fields,
    )


def released_payment(clerk, approver, grant, amount, day, **fields):
    return release_reviewed_entry(entry=pay(clerk, grant, amount, day, **fields), user=approver)


def revoke(grant, approver, amount, day):
    revocation = DecisionFactory(
        project=grant.project,
        recipient=grant.recipient,
        authority=grant.authority,
        kind=DecisionKind.REVOCATION,
        amends=grant,
        decision_date=day,
        amount=D(amount),
        eligible_costs=D("0.00"),
        own_share=D("0.00"),
    )
    return release_reviewed_decision(decision=revocation, user=approver)


def test_payments_never_exceed_the_grant_as_of_their_value_date(clerk, approver, grant):
    released_payment(clerk, approver, grant, "60000.00", dt.date(2019, 9, 2))

    with pytest.raises(ValidationError) as error:
        pay(clerk, grant, "40000.01", dt.date(2019, 10, 1))

    assert error.value.message_dict["amount"] == [
        "Damit wären zum 01.10.2019 100.000,01 € ausgezahlt, mehr als die bewilligte Zuwendung von "
        "100.000,00 € (Änderungen und Widerrufe eingerechnet)."
    ]
    assert Payment.objects.count() == 1


def test_a_back_dated_payment_may_not_break_a_later_payments_limit(clerk, approver, grant):
    revoke(grant, approver, "-50000.00", dt.date(2020, 1, 15))
    released_payment(clerk, approver, grant, "50000.00", dt.date(2020, 3, 1))

    # On 01.10.2019 the grant was still 100.000 €, but the payment of 01.03.2020 would then
    # bring the total paid by that date to 60.000 € against a grant of 50.000 €.
    with pytest.raises(ValidationError) as error:
        pay(clerk, grant, "10000.00", dt.date(2019, 10, 1))

    assert "zum 01.03.2020 60.000,00 € ausgezahlt" in error.value.message_dict["amount"][0]


def test_no_payment_before_the_decision_or_on_a_fully_revoked_grant(clerk, approver, grant):
    with pytest.raises(ValidationError) as before:
        pay(clerk, grant, "100.00", dt.date(2019, 5, 31))
    revoke(grant, approver, "-100000.00", dt.date(2020, 1, 15))
    with pytest.raises(ValidationError) as revoked:
        pay(clerk, grant, "100.00", dt.date(2020, 1, 15))

    assert before.value.message_dict["value_date"] == ["Die Wertstellung liegt vor dem Bescheiddatum (01.06.2019)."]
    assert "vollständig widerrufen" in revoked.value.message_dict["decision"][0]
    # Before the revocation the grant was whole: a payment dated then is fine.
    assert pay(clerk, grant, "100.00", dt.date(2020, 1, 14)).amount == D("100.00")


def test_payments_are_booked_on_the_released_initial_decision(clerk, approver, grant):
    amendment = revoke(grant, approver, "-10.00", dt.date(2020, 1, 15))
    draft = DecisionFactory(reference="AZ-DRAFT")

    with pytest.raises(ValidationError) as on_amendment:
        pay(clerk, amendment, "10.00", dt.date(2020, 2, 1))
    with pytest.raises(ValidationError) as on_draft:
        pay(clerk, draft, "10.00", dt.date(2020, 2, 1))

    assert "nicht auf Widerruf" in on_amendment.value.message_dict["decision"][0]
    assert on_draft.value.message_dict["decision"] == ["Der Bescheid AZ-DRAFT ist noch nicht freigegeben."]


def test_a_released_payment_is_corrected_only_by_a_counter_entry(clerk, approver, grant):
    payment = released_payment(clerk, approver, grant, "30000.00", dt.date(2019, 9, 2))

    with pytest.raises(ValidationError):
        services.entry_update_draft(entry=payment, user=clerk, amount=D("3000.00"))
    with pytest.raises(ValidationError) as without_target:
        pay(clerk, grant, "-100.00", dt.date(2019, 9, 3))
    with pytest.raises(ValidationError) as too_much:
        pay(clerk, grant, "-30000.01", dt.date(2019, 9, 3), corrects=payment)
    correction = release_reviewed_entry(
        entry=pay(clerk, grant, "-27000.00", dt.date(2019, 9, 3), corrects=payment), user=approver
    )

    assert "nennen Sie die Auszahlung" in without_target.value.message_dict["corrects"][0]
    assert "davon stehen noch 30.000,00 € aus" in too_much.value.message_dict["amount"][0]
    assert correction.is_released
    assert sum(p.amount for p in Payment.objects.released()) == D("3000.00")


def test_the_database_refuses_a_zero_or_an_unexplained_negative_payment(grant, clerk):
    for amount in ("0.00", "-5.00"):
        with pytest.raises(IntegrityError), transaction.atomic():
            Payment.objects.create(
                reference=f"X{amount}", decision=grant, amount=D(amount), value_date=grant.decision_date
            )


def test_claims_never_exceed_what_was_paid_and_repayments_never_what_was_claimed(clerk, approver, grant):
    released_payment(clerk, approver, grant, "50000.00", dt.date(2019, 9, 2))
    revoke(grant, approver, "-40000.00", dt.date(2021, 3, 1))

    def recovery(kind, amount, day, reason=""):
        return services.entry_create_draft(
            Recovery,
            source="Testbeleg",
            user=clerk,
            reference=f"RF-{Recovery.objects.count() + 1}",
            decision=grant,
            kind=kind,
            amount=D(amount),
            booked_on=day,
            reason=reason,
        )

    with pytest.raises(ValidationError) as no_reason:
        recovery(RecoveryKind.CLAIM, "1000.00", dt.date(2021, 3, 2))
    with pytest.raises(ValidationError) as too_much:
        recovery(RecoveryKind.CLAIM, "50000.01", dt.date(2021, 3, 2), reason="Teilwiderruf")
    claim = release_reviewed_entry(
        entry=recovery(RecoveryKind.CLAIM, "10000.00", dt.date(2021, 3, 2), reason="Teilwiderruf vom 01.03.2021"),
        user=approver,
    )
    with pytest.raises(ValidationError) as repaid_too_much:
        recovery(RecoveryKind.REPAYMENT, "10000.01", dt.date(2021, 4, 1))

    assert "Grund" in no_reason.value.message_dict["reason"][0]
    assert too_much.value.message_dict["amount"] == [
        "Zurückgefordert würden 50.000,01 €, ausgezahlt sind zum 02.03.2021 nur 50.000,00 €."
    ]
    assert claim.is_released
    assert "zurückgefordert sind zum 01.04.2021 nur 10.000,00 €" in repaid_too_much.value.message_dict["amount"][0]


def test_the_net_grant_follows_amendments_of_amendments(approver, grant):
    first = revoke(grant, approver, "-10000.00", dt.date(2020, 1, 15))
    second = DecisionFactory(
        project=grant.project,
        recipient=grant.recipient,
        authority=grant.authority,
        kind=DecisionKind.AMENDMENT,
        amends=first,
        decision_date=dt.date(2020, 6, 1),
        amount=D("-5000.00"),
        eligible_costs=D("-5000.00"),
        own_share=D("0.00"),
    )
    release_reviewed_decision(decision=second, user=approver)

    assert net_granted(grant, as_of=dt.date(2019, 12, 31)) == D("100000.00")
    assert net_granted(grant, as_of=dt.date(2020, 1, 15)) == D("90000.00")
    assert net_granted(grant, as_of=dt.date(2020, 6, 1)) == D("85000.00")


def test_the_proof_of_use_is_due_six_months_after_the_funding_period_by_default(clerk, grant):
    proof = services.proof_of_use_record(decision=grant, user=clerk)
    grant.project.programme.proof_of_use_months = 3
    grant.project.programme.save()
    grant.period_end = dt.date(2021, 11, 30)

    assert proof.due_on == dt.date(2021, 12, 30)  # 30.06.2021 + 6 months
    assert proof_of_use_due_on(grant) == dt.date(2022, 2, 28)  # 30.11.2021 + 3 months, end of February


def test_checking_a_proof_of_use_needs_its_arrival_and_a_result_and_names_the_reviewer(clerk, grant):
    with pytest.raises(ValidationError) as unchecked:
        services.proof_of_use_record(decision=grant, user=clerk, checked_on=dt.date(2022, 1, 10))
    proof = services.proof_of_use_record(
        decision=grant,
        user=clerk,
        received_on=dt.date(2021, 12, 20),
        checked_on=dt.date(2022, 1, 10),
        result=ProofOfUseResult.ACCEPTED,
    )

    assert "eingegangener Nachweis" in unchecked.value.message_dict["checked_on"][0]
    assert proof.reviewer == clerk and ProofOfUse.objects.count() == 1
    assert not proof.is_overdue(dt.date(2022, 3, 1))


def _admin(client, user):
    user.is_staff = True
    user.save()
    staff_login(client, user)
    return client


def test_the_admin_books_through_the_services_and_releases_nothing(client, clerk, approver, grant):
    _admin(client, clerk)
    over = client.post(
        "/admin/funding/payment/add/",
        {
            "reference": "AUS-ADM",
            "decision": grant.pk,
            "amount": "100000.01",
            "value_date": "2019-09-02",
            "source": "x",
        },
    )
    added = client.post(
        "/admin/funding/payment/add/",
        {"reference": "AUS-ADM", "decision": grant.pk, "amount": "1000.00", "value_date": "2019-09-02", "source": "x"},
    )
    payment = Payment.objects.get(reference="AUS-ADM")
    own = client.post(
        "/admin/funding/payment/", {"action": "release_selected", "_selected_action": [payment.pk]}, follow=True
    )
    payment.refresh_from_db()
    assert "mehr als die bewilligte Zuwendung" in over.content.decode()
    assert added.status_code == 302 and payment.drafted_by == clerk and not payment.is_released
    assert own.status_code == 200 and not payment.is_released  # a clerk is offered no release

    _admin(client, approver)
    client.post("/admin/funding/payment/", {"action": "release_selected", "_selected_action": [payment.pk]})
    payment.refresh_from_db()
    assert not payment.is_released  # releases happen on the confirmation page, which pins what was reviewed

    release_reviewed_entry(entry=payment, user=approver)
    change = client.post(f"/admin/funding/payment/{payment.pk}/change/", {"amount": "1.00"})
    assert change.status_code == 403


# --- Payment requests (Mittelanforderungen) ---------------------------------------------------


def request_money(clerk, approver, grant, amount, day, reference=None):
    """A released payment request of `amount`, received on `day`."""
    draft = services.entry_create_draft(
        PaymentRequest,
        source="Testbeleg",
        user=clerk,
        reference=reference or f"MA-{PaymentRequest.objects.count() + 1}",
        decision=grant,
        amount=D(amount),
        received_on=day,
        purpose="1. Teilbetrag",
    )
    return release_reviewed_entry(entry=draft, user=approver)


def test_a_request_asks_for_no_more_than_is_still_to_pay_and_not_before_the_decision(clerk, approver, grant):
    released_payment(clerk, approver, grant, "70000.00", dt.date(2019, 9, 2))

    with pytest.raises(ValidationError) as before:
        request_money(clerk, approver, grant, "10.00", dt.date(2019, 5, 31))
    with pytest.raises(ValidationError) as too_much:
        request_money(clerk, approver, grant, "30000.01", dt.date(2019, 9, 3))
    request_money(clerk, approver, grant, "30000.00", dt.date(2019, 9, 3))

    assert "vor dem Bescheid" in before.value.message_dict["received_on"][0]
    assert "nur noch 30.000,00 €" in too_much.value.message_dict["amount"][0]


def test_payments_on_a_request_stay_within_it_and_a_correction_frees_its_room(clerk, approver, grant):
    payment_request = request_money(clerk, approver, grant, "40000.00", dt.date(2019, 8, 20))
    first = released_payment(clerk, approver, grant, "30000.00", dt.date(2019, 9, 2), payment_request=payment_request)
    with pytest.raises(ValidationError) as over:
        pay(clerk, grant, "10000.01", dt.date(2019, 9, 3), payment_request=payment_request)
    # Two drafts that fit one by one: the second release is checked against the first.
    second, third = (pay(clerk, grant, "10000.00", dt.date(2019, 9, 3), payment_request=payment_request) for _ in "23")
    release_reviewed_entry(entry=second, user=approver)
    with pytest.raises(ValidationError):
        release_reviewed_entry(entry=third, user=approver)
    with pytest.raises(ValidationError) as too_early:
        pay(clerk, grant, "10.00", dt.date(2019, 8, 19), payment_request=payment_request)
    with pytest.raises(ValidationError) as correction_with_request:
        pay(clerk, grant, "-10.00", dt.date(2019, 9, 4), corrects=first, payment_request=payment_request)

    release_reviewed_entry(entry=pay(clerk, grant, "-5000.00", dt.date(2019, 9, 4), corrects=first), user=approver)
    services.entry_update_draft(entry=third, user=clerk, amount=D("5000.00"))
    release_reviewed_entry(entry=Payment.objects.get(pk=third.pk), user=approver)

    assert "angefordert sind 40.000,00 €" in over.value.message_dict["amount"][0]
    assert "vor dem Eingang der Mittelanforderung MA-1" in too_early.value.message_dict["value_date"][0]
    assert "payment_request" in correction_with_request.value.message_dict
    assert paid_on_request(payment_request) == D("40000.00")


def test_a_payment_is_made_on_a_released_request_of_the_same_grant(clerk, approver, grant):
    other = release_reviewed_decision(
        decision=DecisionFactory(reference="AZ-OTHER", amount=D("5000.00"), eligible_costs=D("6250.00")),
        user=approver,
    )
    elsewhere = request_money(clerk, approver, other, "5000.00", dt.date(2019, 8, 1))
    draft = services.entry_create_draft(
        PaymentRequest,
        source="Testbeleg",
        user=clerk,
        reference="MA-DRAFT",
        decision=grant,
        amount=D("10.00"),
        received_on=dt.date(2019, 8, 1),
    )

    for payment_request in (elsewhere, draft):
        with pytest.raises(ValidationError) as refused:
            pay(clerk, grant, "10.00", dt.date(2019, 9, 2), payment_request=payment_request)
        assert "freigegebene Mittelanforderung desselben Bescheids" in refused.value.message_dict["payment_request"][0]


def test_money_repaid_without_a_revocation_may_be_paid_again_as_the_staff_pages_say(clerk, approver, grant, client):
    """Still to pay is granted less paid out (payments less repayments) for the pages, the rules and the figures."""
    from funding.payments import money

    def book_recovery(kind, reference, day, **fields):
        entry = services.entry_create_draft(
            Recovery, source="Testbeleg", user=clerk, reference=reference, decision=grant, kind=kind,
            amount=D("20000.00"), booked_on=day, **fields,
        )  # fmt: skip
        return release_reviewed_entry(entry=entry, user=approver)

    released_payment(clerk, approver, grant, "100000.00", dt.date(2019, 9, 2))
    book_recovery(RecoveryKind.CLAIM, "RF-1", dt.date(2020, 1, 10), reason="Prüfung des Zwischennachweises")
    book_recovery(RecoveryKind.REPAYMENT, "ER-1", dt.date(2020, 2, 1))
    day = dt.date(2020, 3, 2)
    assert money.paid_out(grant, as_of=day) == D("80000.00")
    assert money.still_to_pay(grant, as_of=day) == D("20000.00")

    # The rules agree with the pages, to the cent, for a request and for a payment.
    with pytest.raises(ValidationError) as error:
        services.entry_create_draft(
            PaymentRequest, user=clerk, reference="MA-1", decision=grant, amount=D("20000.01"), received_on=day
        )
    assert "sind aber nur noch 20.000,00 € der Zuwendung auszuzahlen" in error.value.message_dict["amount"][0]
    with pytest.raises(ValidationError):
        pay(clerk, grant, "20000.01", day)
    payment = pay(clerk, grant, "20000.00", day)

    staff_login(client, clerk)
    card = client.get(f"/intern/projekte/{grant.project_id}/").content.decode()
    assert "data-paid>80.000,00 €" in card
    staff_login(client, approver)
    confirm = client.get(f"/intern/buchungen/auszahlung/{payment.pk}/freigeben/").content.decode()
    assert "noch auszuzahlen</dt><dd>20.000,00 €" in confirm
    assert "noch auszuzahlen nach dieser Auszahlung</dt><dd>0,00 €" in confirm
    release_reviewed_entry(entry=payment, user=approver)
    assert money.still_to_pay(grant, as_of=day) == D("0.00")
