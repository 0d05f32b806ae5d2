"""API of the model regions and the municipalities of NRW."""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from funding import selectors as figures
from funding.api import LICENCE, ExactDecimalField, FiguresVersionSerializer, FigureValuesSerializer
from modellregionen.api.base import ApiMixin
from modellregionen.api.filtering import StrictOrderingFilter
from modellregionen.api.renderers import CsvTable
from projects.selectors import municipality_profile
from regions import selectors
from regions.filters import MunicipalityFilter
from regions.models import AdministrativeDistrict, Municipality, Region


class MunicipalityRefSerializer(serializers.Serializer):
    ags = serializers.CharField()
    name = serializers.CharField()


class RegionSerializer(serializers.ModelSerializer):
    administrative_district = serializers.ChoiceField(
        choices=AdministrativeDistrict.choices, help_text="Regierungsbezirk: its digit in the AGS."
    )
    administrative_district_name = serializers.CharField(source="get_administrative_district_display")
    lead_municipality = MunicipalityRefSerializer(allow_null=True)

    class Meta:
        model = Region
        fields = ["slug", "name", "administrative_district", "administrative_district_name", "lead_municipality"]


class RegionFiguresSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    version = FiguresVersionSerializer()
    licence = serializers.DictField(child=serializers.CharField())
    values = FigureValuesSerializer()


class RegionDetailSerializer(RegionSerializer):
    members = MunicipalityRefSerializer(many=True, help_text="Member municipalities and Kreise.")
    figures = RegionFiguresSerializer(
        allow_null=True, help_text="The region's current figures as of today; null before the first computation."
    )

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "description", "members", "figures"]


def _current_region_figures(region: Region) -> dict | None:
    version = figures.current_figures_version()
    if version is None:
        return None
    table = figures.figures_for(as_of=timezone.localdate(), group_by="region", version=version)
    for row in table.rows:
        if row.group_key in {region.slug, str(region.pk)}:
            return {"as_of": table.as_of, "version": version, "licence": LICENCE, "values": row.values}
    return None


@extend_schema(tags=["regions"])
class RegionViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The five model regions; a region's page also carries its current figures."""

    queryset = Region.objects.select_related("lead_municipality").order_by("name", "id")
    lookup_field = "slug"
    basename = "regions"

    def get_serializer_class(self):
        return RegionDetailSerializer if self.action == "retrieve" else RegionSerializer

    def retrieve(self, request, slug=None):
        region = self.get_object()
        region.members = list(selectors.region_members(region=region))
        region.figures = _current_region_figures(region)
        return Response(RegionDetailSerializer(region).data)

    def csv_filename(self) -> str:
        return "regionen.csv"


class MunicipalitySerializer(serializers.ModelSerializer):
    parent = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True, help_text="AGS of the Kreis.")
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    administrative_district = serializers.CharField(read_only=True, help_text="Regierungsbezirk.")
    short_name = serializers.CharField(read_only=True, help_text="The name without its official suffix.")
    population = serializers.IntegerField(
        read_only=True, allow_null=True, help_text="Einwohnerzahl (Destatis GV100AD; a Kreis: sum of its Gemeinden)."
    )
    area_hectares = serializers.IntegerField(read_only=True, allow_null=True)
    directory_date = serializers.DateField(read_only=True, allow_null=True, help_text="Gebietsstand of the values.")
    in_directory = serializers.BooleanField(
        read_only=True,
        help_text="False for a municipality the current directory no longer lists (kept for references).",
    )

    class Meta:
        model = Municipality
        fields = [
            "ags",
            "name",
            "short_name",
            "kind",
            "parent",
            "region",
            "administrative_district",
            "population",
            "area_hectares",
            "postcode",
            "directory_date",
            "in_directory",
        ]


class MunicipalityProjectSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    role = serializers.ChoiceField(choices=["lead", "partner"])
    status = serializers.CharField(help_text="Application status.")
    granted = ExactDecimalField(help_text="Net released grant of the project, all recipients (€).")


class MunicipalityRequestSerializer(serializers.Serializer):
    project = serializers.CharField(source="project.slug")
    project_title = serializers.CharField(source="project.title")
    kind = serializers.CharField()
    received_on = serializers.DateField()
    status = serializers.CharField()


class MunicipalityDetailSerializer(MunicipalitySerializer):
    region_via_kreis = serializers.SerializerMethodField(
        help_text="The model region of the municipality or of its Kreis (slug), null if none."
    )
    received = ExactDecimalField(help_text="Net released grant to the municipality itself as recipient (€).")
    projects = MunicipalityProjectSerializer(many=True)
    requests = MunicipalityRequestSerializer(many=True, help_text="Its requests, without personal data.")
    licence = serializers.DictField(child=serializers.CharField())

    class Meta(MunicipalitySerializer.Meta):
        fields = [
            *MunicipalitySerializer.Meta.fields,
            "region_via_kreis",
            "received",
            "projects",
            "requests",
            "licence",
        ]

    def get_region_via_kreis(self, obj) -> str | None:
        return obj.profile_region.slug if obj.profile_region else None


@extend_schema(tags=["regions"])
class MunicipalityViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The municipalities and Kreise of NRW with their AGS and population (filter by AGS prefix, name, kind, region).

    `?q=` finds by name with or without suffix ("Paderborn", "Paderborn, Stadt") or by AGS,
    best match first: the same lookup as the request form. A municipality's own page
    (`/municipalities/<ags>/`) adds its projects, its grant and its requests.
    """

    queryset = Municipality.objects.select_related("region").order_by("ags")
    serializer_class = MunicipalitySerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = MunicipalityFilter
    ordering_fields = ["ags", "name", "population"]
    lookup_field = "ags"
    basename = "municipalities"
    csv_actions = ("list", "retrieve")

    def get_serializer_class(self):
        return MunicipalityDetailSerializer if self.action == "retrieve" else MunicipalitySerializer

    def retrieve(self, request, ags=None):
        municipality = self.get_object()
        profile = municipality_profile(municipality=municipality)
        municipality.profile_region = profile["region"]
        municipality.received = profile["received"]
        municipality.projects = profile["projects"]
        municipality.requests = profile["requests"]
        municipality.licence = LICENCE
        return Response(MunicipalityDetailSerializer(municipality).data)

    def csv_table(self, data):
        if self.action != "retrieve":
            return super().csv_table(data)
        # One row per project and per request of the municipality.
        columns = ["ags", "name", "record", "project", "project_title", "role_or_kind", "status", "date", "granted"]
        rows = [
            [data["ags"], data["name"], "project", p["slug"], p["title"], p["role"], p["status"], None, p["granted"]]
            for p in data["projects"]
        ]
        rows += [
            [
                data["ags"],
                data["name"],
                "request",
                r["project"],
                r["project_title"],
                r["kind"],
                r["status"],
                r["received_on"],
                None,
            ]
            for r in data["requests"]
        ]
        return CsvTable(columns=columns, rows=rows, decimal_columns={"granted"})

    def csv_filename(self) -> str:
        if self.action == "retrieve":
            return f"kommune-{self.kwargs.get('ags', '')}.csv"
        return "kommunen.csv"
