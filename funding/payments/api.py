"""API of the payments ledger: released payments and recoveries, as JSON or complete CSV.

Drafts never show. Money is an exact decimal string; each entry names its grant (the
initial decision), the project, the recipient and the granting authority, so a journalist
can join it to the decisions without a second request.
"""

import django_filters
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets

from funding.api import (
    DecisionAuthoritySerializer,
    DecisionProjectSerializer,
    DecisionRecipientSerializer,
    ProgrammeRefSerializer,
)
from funding.choices import RecoveryKind
from funding.models import GrantingAuthority, Programme
from funding.payments.models import Payment, Recovery
from modellregionen.api.base import ApiMixin
from modellregionen.api.fields import ExactDecimalField
from modellregionen.api.filtering import StrictOrderingFilter
from regions.models import Region


class EntrySerializer(serializers.ModelSerializer):
    decision = serializers.CharField(source="decision.reference", help_text="Aktenzeichen of the grant.")
    programme = ProgrammeRefSerializer(source="decision.project.programme")
    project = DecisionProjectSerializer(source="decision.project")
    recipient = DecisionRecipientSerializer(source="decision.recipient")
    authority = DecisionAuthoritySerializer(source="decision.authority")
    amount = ExactDecimalField()


class PaymentSerializer(EntrySerializer):
    """A released payment (Auszahlung); a correction has a negative amount and names the payment it corrects."""

    corrects = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    request_reference = serializers.CharField(
        source="payment_request.reference",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Reference of the payment request (Mittelanforderung) it was paid on; null for a correction.",
    )
    requested_on = serializers.DateField(
        source="payment_request.received_on",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Day that payment request came in.",
    )

    class Meta:
        model = Payment
        fields = [
            "reference",
            "decision",
            "programme",
            "project",
            "recipient",
            "authority",
            "amount",
            "value_date",
            "corrects",
            "request_reference",
            "requested_on",
            "released_at",
            "source",
        ]


class RecoverySerializer(EntrySerializer):
    """A released claim (Rückforderung) or repayment (Erstattung)."""

    class Meta:
        model = Recovery
        fields = [
            "reference",
            "decision",
            "programme",
            "project",
            "recipient",
            "authority",
            "kind",
            "amount",
            "booked_on",
            "reason",
            "released_at",
            "source",
        ]


def _entry_filter(model, date_field: str, date_label: str):
    """A FilterSet over released entries of `model`, by grant, project, region, authority and date."""

    class EntryFilter(django_filters.FilterSet):
        programme = django_filters.ModelChoiceFilter(
            label=_("Förderprogramm"),
            field_name="decision__project__programme",
            queryset=Programme.objects.all(),
            to_field_name="slug",
        )
        decision = django_filters.CharFilter(label=_("Zuwendungsbescheid"), field_name="decision__reference")
        project = django_filters.CharFilter(label=_("Projekt"), field_name="decision__project__slug")
        region = django_filters.ModelChoiceFilter(
            label=_("Modellregion"),
            field_name="decision__project__region",
            queryset=Region.objects.all(),
            to_field_name="slug",
        )
        authority = django_filters.ModelChoiceFilter(
            label=_("Bewilligungsbehörde"),
            field_name="decision__authority",
            queryset=GrantingAuthority.objects.all(),
            to_field_name="slug",
        )
        year = django_filters.NumberFilter(
            label=_("Jahr"), field_name=date_field, lookup_expr="year", min_value=1, max_value=9999, decimal_places=0
        )
        date_from = django_filters.DateFilter(label=f"{date_label} ab", field_name=date_field, lookup_expr="gte")
        date_to = django_filters.DateFilter(label=f"{date_label} bis", field_name=date_field, lookup_expr="lte")

        class Meta:
            fields = ["programme", "decision", "project", "region", "authority", "year", "date_from", "date_to"]

    EntryFilter.Meta.model = model
    return EntryFilter


PaymentFilter = _entry_filter(Payment, "value_date", "Wertstellung")


class RecoveryFilter(_entry_filter(Recovery, "booked_on", "Datum")):
    kind = django_filters.ChoiceFilter(label=_("Art"), choices=RecoveryKind.choices)

    class Meta:
        model = Recovery
        fields = ["programme", "decision", "project", "region", "authority", "year", "date_from", "date_to", "kind"]


class EntryViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    lookup_field = "reference"
    model = Payment

    def get_queryset(self):
        return (
            self.model.objects.released()
            .select_related(
                "decision__project__programme",
                "decision__project__region",
                "decision__recipient",
                "decision__authority",
            )
            .order_by(self.date_field, "id")
        )


@extend_schema(tags=["payments"])
class PaymentViewSet(EntryViewSet):
    """Released payments (Auszahlungen) on the grants, by value date; corrections are negative entries."""

    model = Payment
    date_field = "value_date"
    serializer_class = PaymentSerializer
    filterset_class = PaymentFilter
    ordering_fields = ["value_date", "amount", "reference"]
    basename = "payments"

    def get_queryset(self):
        return super().get_queryset().select_related("corrects", "payment_request")

    def csv_filename(self) -> str:
        return f"auszahlungen-{timezone.localdate().isoformat()}.csv"


@extend_schema(tags=["payments"])
class RecoveryViewSet(EntryViewSet):
    """Released claims (Rückforderungen) and repayments (Erstattungen) on the grants."""

    model = Recovery
    date_field = "booked_on"
    serializer_class = RecoverySerializer
    filterset_class = RecoveryFilter
    ordering_fields = ["booked_on", "amount", "reference"]
    basename = "recoveries"

    def csv_filename(self) -> str:
        return f"rueckforderungen-{timezone.localdate().isoformat()}.csv"
