"""API of the model regions and the municipalities of NRW: the directory's own data.

What other apps add to a region's or a municipality's page (figures, projects, requests)
they add in subclasses next to their own code; modellregionen/api_urls.py routes those.
"""

from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from modellregionen.api.base import ApiMixin
from modellregionen.api.filtering import StrictOrderingFilter
from regions import selectors
from regions.filters import MunicipalityFilter
from regions.models import AdministrativeDistrict, Municipality, Region

URI_HELP = "The municipality's (8-digit key) or Kreis' (5-digit key) URI in DCAT-AP.de's political geocoding."


class MunicipalityRefSerializer(serializers.Serializer):
    ags = serializers.CharField()
    name = serializers.CharField()
    uri = serializers.CharField(help_text=URI_HELP)


class RegionSerializer(serializers.ModelSerializer):
    administrative_district = serializers.ChoiceField(
        choices=AdministrativeDistrict.choices, help_text="Regierungsbezirk: its digit in the AGS."
    )
    administrative_district_name = serializers.CharField(source="get_administrative_district_display")
    lead_municipality = MunicipalityRefSerializer(allow_null=True)

    class Meta:
        model = Region
        fields = ["slug", "name", "administrative_district", "administrative_district_name", "lead_municipality"]


class RegionMembersSerializer(RegionSerializer):
    members = MunicipalityRefSerializer(many=True, help_text="Member municipalities and Kreise.")

    class Meta(RegionSerializer.Meta):
        fields = [*RegionSerializer.Meta.fields, "description", "members"]


@extend_schema(tags=["regions"])
class RegionViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The five model regions; a region's own page adds its members.

    The routed endpoint is funding.figures.api.RegionWithFiguresViewSet, which adds the
    region's current figures to its page: the regions app imports nothing above it.
    """

    queryset = Region.objects.select_related("lead_municipality").order_by("name", "id")
    lookup_field = "slug"
    basename = "regions"
    detail_serializer_class = RegionMembersSerializer

    def get_serializer_class(self):
        return self.detail_serializer_class if self.action == "retrieve" else RegionSerializer

    def retrieve(self, request, slug=None):
        region = self.get_object()
        region.members = list(selectors.region_members(region=region))
        self.add_details(region)
        return Response(self.detail_serializer_class(region).data)

    def add_details(self, region: Region) -> None:
        """Hook for what a subclass adds to a region's page before it is serialized."""

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
    municipality_key = serializers.CharField(
        read_only=True, help_text="Amtlicher Gemeindeschlüssel (8 digits) of a Gemeinde; empty for a Kreis."
    )
    district_key = serializers.CharField(
        read_only=True, help_text="Kreisschlüssel (5 digits): the Kreis' own, or that of the Gemeinde's Kreis."
    )
    uri = serializers.CharField(read_only=True, help_text=URI_HELP)

    class Meta:
        model = Municipality
        fields = [
            "ags",
            "municipality_key",
            "district_key",
            "uri",
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
        extra_kwargs = {
            "ags": {
                "help_text": "The municipality's key: the 8-digit Amtlicher Gemeindeschlüssel of a Gemeinde, the "
                "5-digit Kreisschlüssel of a Kreis (apart in municipality_key and district_key)."
            }
        }


@extend_schema(tags=["regions"])
class MunicipalityViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The municipalities and Kreise of NRW with their AGS and population (filter by AGS prefix, name, kind, region).

    `?q=` finds by name with or without suffix ("Paderborn", "Paderborn, Stadt") or by AGS,
    best match first: the same lookup as the request form. The routed endpoint is
    projects.api.MunicipalityProfileViewSet, which adds a municipality's projects, its grant
    and its requests to its own page.
    """

    queryset = Municipality.objects.select_related("region").order_by("ags")
    serializer_class = MunicipalitySerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = MunicipalityFilter
    ordering_fields = ["ags", "name", "population"]
    lookup_field = "ags"
    basename = "municipalities"
    csv_actions = ("list", "retrieve")

    def csv_filename(self) -> str:
        if self.action == "retrieve":
            return f"kommune-{self.kwargs.get('ags', '')}.csv"
        return "kommunen.csv"
