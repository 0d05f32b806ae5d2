"""FilterSets shared by the HTML pages and the API, so both answer the same question."""

import django_filters
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from modellregionen.api.filtering import YesNoFilter
from projects.models import (
    ApplicationStatus,
    Licence,
    Maturity,
    OzgField,
    Project,
    ProjectKind,
    RequestKind,
    RequestStatus,
    Strand,
    Topic,
    TransferRequest,
)
from projects.search import MAX_QUERY_LENGTH, search_projects
from regions.models import Municipality, Region


class ProjectFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(label=_("Suche"), method="filter_search", max_length=MAX_QUERY_LENGTH)
    region = django_filters.ModelChoiceFilter(
        label=_("Modellregion"), queryset=Region.objects.all(), to_field_name="slug"
    )
    strand = django_filters.ChoiceFilter(label=_("Förderschwerpunkt"), choices=Strand.choices)
    topic = django_filters.ModelChoiceFilter(label=_("Themenfeld"), queryset=Topic.objects.all(), to_field_name="slug")
    ozg_field = django_filters.ChoiceFilter(label=_("OZG-Themenfeld"), choices=OzgField.choices)
    maturity = django_filters.ChoiceFilter(label=_("Reifegrad"), choices=Maturity.choices)
    licence = django_filters.ChoiceFilter(label=_("Lizenz"), choices=Licence.choices)
    # A choice of exactly "true"/"false": a BooleanFilter would quietly ignore any other value.
    transferable = YesNoFilter(label=_("nachnutzbar"), field_name="transferable")
    kind = django_filters.ChoiceFilter(label=_("Art"), choices=ProjectKind.choices)
    status = django_filters.ChoiceFilter(label=_("Antragsstatus"), choices=ApplicationStatus.choices)

    class Meta:
        model = Project
        fields = [
            "q",
            "region",
            "strand",
            "topic",
            "ozg_field",
            "maturity",
            "licence",
            "transferable",
            "kind",
            "status",
        ]

    def filter_search(self, queryset, name, value):
        return search_projects(queryset, value)


ALL_APPLICATIONS = "alle"


class CatalogueFilter(ProjectFilter):
    """The public catalogue: by default what can be reused, i.e. approved projects and offices.

    Rejected, withdrawn and pending applications show only when someone asks for them with
    the status filter ("alle" shows every application). The API keeps ProjectFilter, which
    lists every project unless a status is given.
    """

    status = django_filters.ChoiceFilter(
        label=_("Antragsstatus"),
        choices=[*ApplicationStatus.choices, (ALL_APPLICATIONS, _("alle Anträge"))],
        empty_label=None,
        method="filter_status",
    )

    def __init__(self, data=None, *args, **kwargs):
        data = data.copy() if data is not None else QueryDict(mutable=True)
        if not data.get("status"):
            data["status"] = ApplicationStatus.APPROVED
        super().__init__(data, *args, **kwargs)

    def filter_status(self, queryset, name, value):
        if value == ALL_APPLICATIONS:
            return queryset
        return queryset.filter(status=value)

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        if "status" in self.form.errors:
            # The form says the value is wrong; the list stays what can be reused, not everything.
            queryset = queryset.filter(status=ApplicationStatus.APPROVED)
        return queryset


class TransferRequestFilter(django_filters.FilterSet):
    project = django_filters.CharFilter(label=_("Projekt"), field_name="project__slug")
    region = django_filters.ModelChoiceFilter(
        label=_("Modellregion"), field_name="project__region", queryset=Region.objects.all(), to_field_name="slug"
    )
    # A key that names no municipality is a 400 naming the field, not an empty list.
    municipality = django_filters.ModelChoiceFilter(
        label=_("Kommune (AGS)"),
        field_name="municipality",
        queryset=Municipality.objects.all(),
        to_field_name="ags",
    )
    kind = django_filters.ChoiceFilter(label=_("Art"), choices=RequestKind.choices)
    status = django_filters.ChoiceFilter(label=_("Status"), choices=RequestStatus.choices)
    received_from = django_filters.DateFilter(label=_("eingegangen ab"), field_name="received_on", lookup_expr="gte")
    received_to = django_filters.DateFilter(label=_("eingegangen bis"), field_name="received_on", lookup_expr="lte")

    class Meta:
        model = TransferRequest
        fields = ["project", "region", "municipality", "kind", "status", "received_from", "received_to"]
