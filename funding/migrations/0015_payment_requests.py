"""Payment requests (Mittelanforderungen) become records of their own, instead of two fields on a payment.

Each distinct request reference of a grant's payments becomes a released PaymentRequest of
the sum of those payments, received on the date the payment named; the payment then points
to it. Released payments are immutable (funding.db_guards), so the guard on the payment
table is lifted for this migration and set again at its end, with one on the new table.
"""

import django.db.models.deletion
import django_fsm
import simple_history.models
from django.conf import settings
from django.db import migrations, models
from django.db.models import Sum

from funding.db_guards import ENTRY_TABLES, create_entry_guards, drop_entry_guards

PAYMENT_TABLE = ("funding_payment",)


def drop_payment_guard(apps, schema_editor):
    drop_entry_guards(apps, schema_editor, tables=PAYMENT_TABLE)


def create_payment_guard(apps, schema_editor):
    create_entry_guards(apps, schema_editor, tables=PAYMENT_TABLE)


def create_guards(apps, schema_editor):
    create_entry_guards(apps, schema_editor, tables=ENTRY_TABLES)


def drop_guards(apps, schema_editor):
    drop_entry_guards(apps, schema_editor, tables=("funding_payment", "funding_paymentrequest"))


def requests_from_payment_fields(apps, schema_editor):
    Payment = apps.get_model("funding", "Payment")
    PaymentRequest = apps.get_model("funding", "PaymentRequest")
    if schema_editor.connection.vendor == "postgresql":
        # Check the new foreign keys now, not at commit: PostgreSQL refuses to alter a table
        # with pending trigger events, and the payment table is altered right after this.
        schema_editor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    groups = (
        Payment.objects.exclude(request_reference="")
        .values("decision_id", "request_reference")
        .annotate(total=Sum("amount"))
        .order_by("decision_id", "request_reference")
    )
    for group in groups:
        payments = Payment.objects.filter(
            decision_id=group["decision_id"], request_reference=group["request_reference"]
        )
        first = payments.order_by("value_date", "id").first()
        reference = group["request_reference"]
        if PaymentRequest.objects.filter(reference=reference).exists():
            reference = f"{reference}-{group['decision_id']}"  # the same reference on two grants
        payment_request = PaymentRequest.objects.create(
            reference=reference,
            decision_id=group["decision_id"],
            amount=group["total"],
            received_on=first.requested_on or first.value_date,
            source=first.source,
            state=first.state,
            drafted_by_id=first.drafted_by_id,
            released_by_id=first.released_by_id,
            released_at=first.released_at,
        )
        payments.update(payment_request=payment_request)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("SET CONSTRAINTS ALL DEFERRED")


class Migration(migrations.Migration):
    dependencies = [
        ("funding", "0014_payments_figures"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        # Released payments are immutable: lift the guard while they are linked to their requests.
        migrations.RunPython(drop_payment_guard, create_payment_guard),
        migrations.CreateModel(
            name="HistoricalPaymentRequest",
            fields=[
                ("id", models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name="ID")),
                ("reference", models.CharField(db_index=True, max_length=64, verbose_name="Buchungszeichen")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="Betrag (€)")),
                (
                    "source",
                    models.CharField(
                        default="illustrative",
                        help_text="Buchungsbeleg oder „illustrative“.",
                        max_length=300,
                        verbose_name="Quelle",
                    ),
                ),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[("draft", "Entwurf"), ("released", "freigegeben")],
                        default="draft",
                        max_length=16,
                        verbose_name="Status",
                    ),
                ),
                ("released_at", models.DateTimeField(blank=True, null=True, verbose_name="freigegeben am")),
                ("created_at", models.DateTimeField(blank=True, editable=False, verbose_name="angelegt am")),
                ("updated_at", models.DateTimeField(blank=True, editable=False, verbose_name="geändert am")),
                ("received_on", models.DateField(verbose_name="eingegangen am")),
                (
                    "purpose",
                    models.TextField(
                        blank=True,
                        help_text="Wofür das Geld angefordert wird, z. B. der Zeitraum.",
                        verbose_name="Zweck",
                    ),
                ),
                ("history_id", models.AutoField(primary_key=True, serialize=False)),
                ("history_date", models.DateTimeField(db_index=True)),
                ("history_change_reason", models.CharField(max_length=100, null=True)),
                (
                    "history_type",
                    models.CharField(choices=[("+", "Created"), ("~", "Changed"), ("-", "Deleted")], max_length=1),
                ),
            ],
            options={
                "verbose_name": "historical Mittelanforderung",
                "verbose_name_plural": "historical Mittelanforderungen",
                "ordering": ("-history_date", "-history_id"),
                "get_latest_by": ("history_date", "history_id"),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
        migrations.CreateModel(
            name="PaymentRequest",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("reference", models.CharField(max_length=64, unique=True, verbose_name="Buchungszeichen")),
                ("amount", models.DecimalField(decimal_places=2, max_digits=14, verbose_name="Betrag (€)")),
                (
                    "source",
                    models.CharField(
                        default="illustrative",
                        help_text="Buchungsbeleg oder „illustrative“.",
                        max_length=300,
                        verbose_name="Quelle",
                    ),
                ),
                (
                    "state",
                    django_fsm.FSMField(
                        choices=[("draft", "Entwurf"), ("released", "freigegeben")],
                        default="draft",
                        max_length=16,
                        verbose_name="Status",
                    ),
                ),
                ("released_at", models.DateTimeField(blank=True, null=True, verbose_name="freigegeben am")),
                ("created_at", models.DateTimeField(auto_now_add=True, verbose_name="angelegt am")),
                ("updated_at", models.DateTimeField(auto_now=True, verbose_name="geändert am")),
                ("received_on", models.DateField(verbose_name="eingegangen am")),
                (
                    "purpose",
                    models.TextField(
                        blank=True,
                        help_text="Wofür das Geld angefordert wird, z. B. der Zeitraum.",
                        verbose_name="Zweck",
                    ),
                ),
            ],
            options={
                "verbose_name": "Mittelanforderung",
                "verbose_name_plural": "Mittelanforderungen",
                "ordering": ["received_on", "id"],
            },
        ),
        migrations.AddField(
            model_name="historicalpaymentrequest",
            name="decision",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                help_text="Der ursprüngliche Zuwendungsbescheid des Empfängers; Änderungen rechnen sich ein.",
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="funding.fundingdecision",
                verbose_name="Zuwendungsbescheid",
            ),
        ),
        migrations.AddField(
            model_name="historicalpaymentrequest",
            name="drafted_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="erfasst von",
            ),
        ),
        migrations.AddField(
            model_name="historicalpaymentrequest",
            name="history_user",
            field=models.ForeignKey(
                null=True, on_delete=django.db.models.deletion.SET_NULL, related_name="+", to=settings.AUTH_USER_MODEL
            ),
        ),
        migrations.AddField(
            model_name="historicalpaymentrequest",
            name="released_by",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
                verbose_name="freigegeben von",
            ),
        ),
        migrations.AddField(
            model_name="paymentrequest",
            name="decision",
            field=models.ForeignKey(
                help_text="Der ursprüngliche Zuwendungsbescheid des Empfängers; Änderungen rechnen sich ein.",
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payment_requests",
                to="funding.fundingdecision",
                verbose_name="Zuwendungsbescheid",
            ),
        ),
        migrations.AddField(
            model_name="paymentrequest",
            name="drafted_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="drafted_%(class)s_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="erfasst von",
            ),
        ),
        migrations.AddField(
            model_name="paymentrequest",
            name="released_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="released_%(class)s_entries",
                to=settings.AUTH_USER_MODEL,
                verbose_name="freigegeben von",
            ),
        ),
        migrations.AddField(
            model_name="historicalpayment",
            name="payment_request",
            field=models.ForeignKey(
                blank=True,
                db_constraint=False,
                null=True,
                on_delete=django.db.models.deletion.DO_NOTHING,
                related_name="+",
                to="funding.paymentrequest",
                verbose_name="Mittelanforderung",
            ),
        ),
        migrations.AddField(
            model_name="payment",
            name="payment_request",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="funding.paymentrequest",
                verbose_name="Mittelanforderung",
            ),
        ),
        migrations.RunPython(requests_from_payment_fields, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="payment",
            name="payment_not_before_its_request",
        ),
        migrations.RemoveField(
            model_name="historicalpayment",
            name="request_reference",
        ),
        migrations.RemoveField(
            model_name="historicalpayment",
            name="requested_on",
        ),
        migrations.RemoveField(
            model_name="payment",
            name="request_reference",
        ),
        migrations.RemoveField(
            model_name="payment",
            name="requested_on",
        ),
        migrations.AddConstraint(
            model_name="payment",
            constraint=models.CheckConstraint(
                condition=models.Q(("corrects__isnull", True), ("payment_request__isnull", True), _connector="OR"),
                name="payment_correction_without_request",
            ),
        ),
        migrations.AddIndex(
            model_name="paymentrequest",
            index=models.Index(fields=["decision", "state"], name="funding_pay_decisio_db42b3_idx"),
        ),
        migrations.AddConstraint(
            model_name="paymentrequest",
            constraint=models.CheckConstraint(
                condition=models.Q(("amount__gt", 0)), name="payment_request_amount_positive"
            ),
        ),
        # Guard payments again (SQLite rebuilt the table) and guard the payment requests too.
        migrations.RunPython(create_guards, drop_guards),
    ]
