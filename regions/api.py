"""API of the model regions and the municipalities of NRW."""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from funding import selectors as figures
from funding.api import LICENCE, FiguresVersionSerializer, FigureValuesSerializer
from modellregionen.api.base import ApiMixin
from modellregionen.api.filtering import StrictOrderingFilter
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
    administrative_district = serializers.CharField(read_only=True)

    class Meta:
        model = Municipality
        fields = ["ags", "name", "kind", "parent", "region", "administrative_district"]


@extend_schema(tags=["regions"])
class MunicipalityViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The municipalities and Kreise of NRW with their AGS (filter by AGS prefix, kind, region)."""

    queryset = Municipality.objects.select_related("region").order_by("ags")
    serializer_class = MunicipalitySerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = MunicipalityFilter
    ordering_fields = ["ags", "name"]
    basename = "municipalities"

    def csv_filename(self) -> str:
        return "kommunen.csv"
