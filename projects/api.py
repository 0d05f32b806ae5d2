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

from funding.api import ExactDecimalField
from modellregionen.api.base import ApiMixin
from modellregionen.api.filtering import StrictOrderingFilter
from projects import selectors, services
from projects.filters import ProjectFilter, TransferRequestFilter
from projects.models import Project, RequestStatus, Topic, TransferRequest


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
        project.released_totals = selectors.decision_totals(decisions=project.released_decisions)
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


class TransferRequestSerializer(serializers.ModelSerializer):
    """A request as the public may see it: who (the municipality), what, when, where it stands."""

    project = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    region = serializers.CharField(source="project.region.slug", read_only=True)
    municipality = RequestMunicipalitySerializer(read_only=True)

    class Meta:
        model = TransferRequest
        # Deliberately no contact_name, contact_email, message, consent or notes.
        fields = ["id", "project", "region", "municipality", "kind", "received_on", "status"]


class RequestStatusChangeSerializer(serializers.Serializer):
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
        return TransferRequest.objects.select_related("project__region", "municipality").order_by("-received_on", "-id")

    @extend_schema(request=RequestStatusChangeSerializer, responses={200: TransferRequestSerializer})
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
