"""API of the projects, topics and the requests municipalities send about them.

Requests are public without any personal data: no names, no e-mail addresses, no message
text, no notes. Their status changes through `projects.services.request_change_status`.
"""

from django.utils import timezone
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from modellregionen.api.base import ApiMixin
from modellregionen.api.errors import ErrorSerializer, StrictSerializer
from modellregionen.api.fields import ExactDecimalField
from modellregionen.api.filtering import StrictOrderingFilter
from modellregionen.api.licence import LICENCE
from modellregionen.api.renderers import CsvTable
from projects import selectors, services
from projects.filters import ProjectFilter, TransferRequestFilter
from projects.models import Project, RequestStatus, Topic, TransferRequest
from regions.api import URI_HELP, MunicipalitySerializer, MunicipalityViewSet


class TopicSerializer(serializers.ModelSerializer):
    class Meta:
        model = Topic
        fields = ["slug", "name", "name_en"]


class ProjectSerializer(serializers.ModelSerializer):
    programme = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    topic = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    lead_municipality = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="AGS of the lead municipality."
    )

    class Meta:
        model = Project
        fields = [
            "slug",
            "title",
            "summary",
            "programme",
            "region",
            "lead_municipality",
            "strand",
            "topic",
            "ozg_field",
            "kind",
            "status",
            "submitted_on",
            "status_changed_on",
            "implementation_status",
            "implementation_start",
            "implementation_end",
            "transferable",
            "licence",
            "maturity",
            "documentation_url",
            "source",
        ]


class ProjectDecisionSerializer(serializers.Serializer):
    reference = serializers.CharField()
    kind = serializers.CharField()
    decision_date = serializers.DateField()
    amount = ExactDecimalField()


class ProjectTotalsSerializer(serializers.Serializer):
    eligible_costs = ExactDecimalField()
    amount = ExactDecimalField(help_text="Net grant: the sum of the released decisions.")
    own_share = ExactDecimalField()
    private_investment = ExactDecimalField()


class ProjectDetailSerializer(ProjectSerializer):
    partner_municipalities = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="AGS of the partner municipalities."
    )
    decisions = ProjectDecisionSerializer(
        source="released_decisions", many=True, read_only=True, help_text="Released decisions, oldest first."
    )
    totals = ProjectTotalsSerializer(
        source="released_totals", read_only=True, help_text="Sums over exactly the decisions listed."
    )

    class Meta(ProjectSerializer.Meta):
        fields = [
            *ProjectSerializer.Meta.fields,
            "description",
            "contact_role",
            "partner_municipalities",
            "decisions",
            "totals",
        ]


@extend_schema(tags=["projects"])
class ProjectViewSet(ApiMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Projects and project offices of the programme."""

    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = ProjectFilter
    ordering_fields = ["title", "submitted_on"]
    lookup_field = "slug"
    basename = "projects"

    def get_queryset(self):
        return Project.objects.select_related("programme", "region", "topic").order_by("title", "id")

    def get_serializer_class(self):
        return ProjectDetailSerializer if self.action == "retrieve" else ProjectSerializer

    def retrieve(self, request, slug=None):
        project = self.get_object()
        project.released_decisions = selectors.project_released_decisions(project=project)
        project.released_totals = project.released_decisions.money_totals()
        return Response(ProjectDetailSerializer(project).data)

    def csv_filename(self) -> str:
        return f"projekte-{timezone.localdate().isoformat()}.csv"


@extend_schema(tags=["projects"])
class TopicViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The Themenfelder projects are filed under."""

    queryset = Topic.objects.order_by("name", "id")
    serializer_class = TopicSerializer
    basename = "topics"


class RequestMunicipalitySerializer(serializers.Serializer):
    ags = serializers.CharField()
    name = serializers.CharField()
    uri = serializers.CharField(help_text=URI_HELP)


class TransferRequestSerializer(serializers.ModelSerializer):
    """A request as the public may see it: who (the municipality), what, when, where it stands."""

    programme = serializers.CharField(source="project.programme.slug", read_only=True)
    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="project.region.slug", read_only=True)
    municipality = RequestMunicipalitySerializer(read_only=True)

    class Meta:
        model = TransferRequest
        # Deliberately no contact_name, contact_email, message, consent or notes.
        fields = ["id", "programme", "project", "region", "municipality", "kind", "received_on", "status"]


class RequestStatusChangeSerializer(StrictSerializer):
    to_status = serializers.ChoiceField(choices=RequestStatus.choices)
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000)


@extend_schema(tags=["requests"])
class TransferRequestViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """Transfer and consultation requests, without personal data."""

    serializer_class = TransferRequestSerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = TransferRequestFilter
    ordering_fields = ["received_on"]
    basename = "requests"
    lookup_value_regex = "[0-9]{1,18}"

    def get_queryset(self):
        requests = TransferRequest.objects.select_related("project__programme", "project__region", "municipality")
        if self.action in ("list", "retrieve"):
            # The public list is what the figures count: confirmed requests only.
            requests = requests.counted()
        return requests.order_by("-received_on", "-id")

    @extend_schema(
        request=RequestStatusChangeSerializer,
        responses={200: TransferRequestSerializer, 409: ErrorSerializer},
        description="409: the request's current status does not lead to `to_status` (e.g. it is closed).",
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        """Move a request to its next status (Sachbearbeitung, or the project office of its region)."""
        body = RequestStatusChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        changed = services.request_change_status(
            transfer_request=self.get_object(),
            user=request.user,
            to_status=body.validated_data["to_status"],
            note=body.validated_data["note"],
        )
        return Response(TransferRequestSerializer(changed).data)

    def csv_filename(self) -> str:
        return f"anfragen-{timezone.localdate().isoformat()}.csv"


# --- A municipality's page: the directory's data with its projects, grant and requests ---


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


# Routed at /api/v1/municipalities/: regions.api.MunicipalityViewSet serves the directory's
# data; this adds what the municipality leads, received and asked for.
@extend_schema(tags=["regions"])
class MunicipalityProfileViewSet(MunicipalityViewSet):
    """The municipalities and Kreise of NRW with their AGS and population (filter by AGS prefix, name, kind, region).

    `?q=` finds by name with or without suffix ("Paderborn", "Paderborn, Stadt") or by AGS,
    best match first: the same lookup as the request form. A municipality's own page
    (`/municipalities/<ags>/`) adds its projects, its grant and its requests.
    """

    def get_serializer_class(self):
        return MunicipalityDetailSerializer if self.action == "retrieve" else MunicipalitySerializer

    def retrieve(self, request, ags=None):
        municipality = self.get_object()
        profile = selectors.municipality_profile(municipality=municipality)
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
