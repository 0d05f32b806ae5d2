"""funding.0015 turns the request fields of payments into payment requests of their own.

A deployment that booked payments with a request reference and date must find each request
as a record, of the sum of its payments, with the payments pointing to it; released payments
and the new requests are guarded again afterwards.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from funding.payments.models import Payment, PaymentRequest
from tests.factories import DecisionFactory, release_reviewed_decision

BEFORE = ("funding", "0014_payments_figures")


def migrate(target=None):
    executor = MigrationExecutor(connection)
    executor.migrate([target] if target else executor.loader.graph.leaf_nodes())
    return executor.loader.project_state([target]).apps if target else None


@pytest.mark.django_db(transaction=True)
def test_request_fields_become_payment_requests(approver):
    grant = release_reviewed_decision(decision=DecisionFactory(reference="AZ-MIG"), user=approver)
    old_apps = migrate(BEFORE)
    try:
        OldPayment = old_apps.get_model("funding", "Payment")
        for reference, amount, day, request, requested_on in (
            ("AUS-1", "30000.00", dt.date(2019, 9, 2), "MA-1", dt.date(2019, 8, 20)),
            ("AUS-2", "10000.00", dt.date(2019, 9, 9), "MA-1", dt.date(2019, 8, 20)),
            ("AUS-3", "5000.00", dt.date(2020, 1, 7), "", None),
        ):
            OldPayment.objects.create(
                reference=reference,
                decision_id=grant.pk,
                amount=Decimal(amount),
                value_date=day,
                request_reference=request,
                requested_on=requested_on,
                state="released",
                released_by_id=approver.pk,
                released_at=dt.datetime(2019, 9, 1, tzinfo=dt.UTC),
                source="Kassenbeleg",
            )
    finally:
        migrate()

    payment_request = PaymentRequest.objects.get()
    assert (payment_request.reference, payment_request.amount, payment_request.received_on) == (
        "MA-1",
        Decimal("40000.00"),
        dt.date(2019, 8, 20),
    )
    assert payment_request.is_released and payment_request.decision_id == grant.pk
    linked = dict(Payment.objects.values_list("reference", "payment_request__reference"))
    assert linked == {"AUS-1": "MA-1", "AUS-2": "MA-1", "AUS-3": None}
    for model in (Payment, PaymentRequest):
        with pytest.raises(DatabaseError), transaction.atomic():
            model.objects.update(amount=Decimal("1.00"))
