import django_filters
from django.utils.translation import gettext_lazy as _

from funding.models import DecisionKind, FundingDecision, GrantingAuthority, Programme
from regions.models import Region


class DecisionFilter(django_filters.FilterSet):
    programme = django_filters.ModelChoiceFilter(
        label=_("Förderprogramm"),
        field_name="project__programme",
        queryset=Programme.objects.all(),
        to_field_name="slug",
    )
    project = django_filters.CharFilter(label=_("Projekt"), field_name="project__slug")
    region = django_filters.ModelChoiceFilter(
        label=_("Modellregion"), field_name="project__region", queryset=Region.objects.all(), to_field_name="slug"
    )
    authority = django_filters.ModelChoiceFilter(
        label=_("Bewilligungsbehörde"), queryset=GrantingAuthority.objects.all(), to_field_name="slug"
    )
    # Bounded: a year outside 1..9999 is not a date, and the lookup would fail with a 500.
    year = django_filters.NumberFilter(
        label=_("Jahr"), field_name="decision_date", lookup_expr="year", min_value=1, max_value=9999, decimal_places=0
    )
    kind = django_filters.ChoiceFilter(label=_("Art"), choices=DecisionKind.choices)
    date_from = django_filters.DateFilter(label=_("Bescheiddatum ab"), field_name="decision_date", lookup_expr="gte")
    date_to = django_filters.DateFilter(label=_("Bescheiddatum bis"), field_name="decision_date", lookup_expr="lte")
    amount_min = django_filters.NumberFilter(label=_("Zuwendung ab (€)"), field_name="amount", lookup_expr="gte")
    amount_max = django_filters.NumberFilter(label=_("Zuwendung bis (€)"), field_name="amount", lookup_expr="lte")

    class Meta:
        model = FundingDecision
        fields = [
            "programme",
            "project",
            "region",
            "authority",
            "year",
            "kind",
            "date_from",
            "date_to",
            "amount_min",
            "amount_max",
        ]
