"""API of the programmes and the ledger of funding decisions (the figures' API is funding.figures.api).

Writes to the ledger go through `funding.services`, so the API obeys the same rules and
roles as the staff pages and the import.
"""

from django.core.exceptions import PermissionDenied
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from funding import services
from funding.entries import REFERENCE_VALIDATOR
from funding.filters import DecisionFilter
from funding.four_eyes import DraftChangedSinceReview, review_digest
from funding.models import (
    DecisionKind,
    FinancingType,
    FundingDecision,
    GrantingAuthority,
    Programme,
    Recipient,
)
from modellregionen import roles
from modellregionen.api.base import ApiMixin
from modellregionen.api.copy_csv import DATE, DATETIME, DECIMAL, CopyColumn, SqlTemplate
from modellregionen.api.errors import ErrorSerializer, StrictSerializer, reject_unknown_fields, validation_error
from modellregionen.api.fields import ExactDecimalField
from modellregionen.api.filtering import StrictOrderingFilter
from modellregionen.api.renderers import serializer_columns
from projects.models import Project
from regions.models import DISTRICT_KEY_URI, MUNICIPALITY_KEY_URI, key_uri


class ProgrammeSerializer(serializers.ModelSerializer):
    budget = ExactDecimalField()

    class Meta:
        model = Programme
        fields = [
            "slug",
            "name",
            "funder",
            "funder_org_id",
            "budget",
            "start_date",
            "end_date",
            "guideline_date",
            "description",
            "url",
        ]


# --- Programmes ------------------------------------------------------------------------------


@extend_schema(tags=["programmes"])
class ProgrammeViewSet(ApiMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    """The funding programmes the app tracks."""

    queryset = Programme.objects.order_by("start_date", "id")
    serializer_class = ProgrammeSerializer
    basename = "programmes"


# --- Decisions -------------------------------------------------------------------------------


class ProgrammeRefSerializer(serializers.Serializer):
    """The programme a record belongs to: filter a download by it to reproduce a programme's figures."""

    slug = serializers.CharField(help_text="Programme slug; the lists take it as ?programme=.")
    name = serializers.CharField()


class DecisionProjectSerializer(serializers.Serializer):
    slug = serializers.CharField()
    title = serializers.CharField()
    region = serializers.CharField(source="region.slug")


class DecisionRecipientSerializer(serializers.Serializer):
    name = serializers.CharField()
    kind = serializers.ChoiceField(choices=Recipient._meta.get_field("kind").choices)
    ags = serializers.CharField(source="municipality_id", allow_null=True)
    uri = serializers.SerializerMethodField(help_text="The recipient municipality's political-geocoding URI, if any.")
    org_id = serializers.CharField(
        help_text="Organisationskennung nach org-id.guide (XI-ROR-, DE-CR-, XI-WIKIDATA-); leer, wenn keine bekannt ist."
    )

    def get_uri(self, recipient) -> str | None:
        return key_uri(recipient.municipality_id)


class DecisionAuthoritySerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()


class DecisionSerializer(serializers.ModelSerializer):
    """A released decision (or, for staff, a draft) with every amount, as published."""

    programme = ProgrammeRefSerializer(source="project.programme")
    project = DecisionProjectSerializer()
    recipient = DecisionRecipientSerializer()
    authority = DecisionAuthoritySerializer()
    amends = serializers.SlugRelatedField(slug_field="reference", read_only=True, allow_null=True)
    funding_rate = serializers.DecimalField(
        max_digits=7, decimal_places=4, read_only=True, allow_null=True, help_text="Grant / eligible costs."
    )

    class Meta:
        model = FundingDecision
        fields = [
            "reference",
            "programme",
            "project",
            "recipient",
            "authority",
            "kind",
            "amends",
            "decision_date",
            "financing_type",
            "eligible_costs",
            "amount",
            "own_share",
            "private_investment",
            "funding_rate",
            "period_start",
            "period_end",
            "state",
            "released_at",
            "source",
            "rate_exception_reason",
        ]


class ReleaseRequestSerializer(StrictSerializer):
    reviewed = serializers.CharField(
        max_length=64, help_text="The digest of the draft as reviewed, from GET on the same URL."
    )


class ReleaseReviewSerializer(serializers.Serializer):
    reviewed = serializers.CharField(help_text="Name this digest in the release (POST) to release this very draft.")
    draft = serializers.DictField(help_text="The draft as it stands.")


def release_as_reviewed(request, *, entry, release, serializer):
    """The API's four-eyes release of any ledger: GET shows the draft and its digest, POST releases it."""
    if not roles.can_release_decisions(request.user):
        raise PermissionDenied(_("Nur die Freigabe kann freigeben."))
    if request.method == "GET":
        return Response({"reviewed": review_digest(entry), "draft": serializer(entry).data})
    reject_unknown_fields(request.data, ReleaseRequestSerializer().fields)
    reviewed = request.data.get("reviewed") if hasattr(request.data, "get") else None
    if reviewed is not None and not isinstance(reviewed, str):
        raise validation_error("reviewed", _("Der geprüfte Stand ist die Zeichenkette aus GET auf dieser Adresse."))
    try:
        # The service checks the role and the author before the digest: an author learns "four eyes".
        released = release(reviewed)
    except DraftChangedSinceReview as error:
        if not reviewed:
            raise validation_error(
                "reviewed", _("Bitte nennen Sie den geprüften Stand (reviewed) aus GET auf dieser Adresse.")
            ) from None
        return Response(
            {
                "detail": " ".join(error.messages),
                "errors": {"reviewed": list(error.messages)},
                "reviewed": review_digest(entry),
            },
            status=status.HTTP_409_CONFLICT,
        )
    return Response(serializer(released).data)


@extend_schema_field(
    {"type": "string", "minLength": 1, "description": "Recipient name, or the AGS of the municipality it is."}
)
class RecipientField(serializers.RelatedField):
    """A recipient by its exact name or by the AGS of the municipality it is, as in the import."""

    default_error_messages = {
        "missing": "Kein Zuwendungsempfänger „{value}“ (Name oder Gemeindeschlüssel).",
        "ambiguous": "Mehrere Empfänger gehören zum Gemeindeschlüssel {value}; bitte den Namen angeben.",
    }

    def to_internal_value(self, data):
        text = str(data).strip()
        if text.isdigit():
            found = list(self.get_queryset().filter(municipality_id=text)[:2])
            if len(found) > 1:
                self.fail("ambiguous", value=text)
        else:
            found = list(self.get_queryset().filter(name=text)[:1])
        if not found:
            self.fail("missing", value=text)
        return found[0]

    def to_representation(self, value):
        return value.name


@extend_schema_field({"type": "string", "minLength": 1, "description": "Granting authority slug or name."})
class AuthorityField(serializers.RelatedField):
    """A granting authority by slug or by name, as in the import."""

    default_error_messages = {"missing": "Keine Bewilligungsbehörde „{value}“ (Kürzel oder Name)."}

    def to_internal_value(self, data):
        text = str(data).strip()
        found = self.get_queryset().filter(slug=text).first() or self.get_queryset().filter(name=text).first()
        if found is None:
            self.fail("missing", value=text)
        return found

    def to_representation(self, value):
        return value.slug


@extend_schema_field({"type": "string", "minLength": 1, "description": "Project slug."})
class ProjectSlugField(serializers.SlugRelatedField):
    """A project named by its slug."""


# A related field takes "" for null; the message says what the client sent.
NOT_EMPTY = {"null": gettext_lazy("Dieses Feld darf nicht leer sein.")}


class DecisionWriteSerializer(StrictSerializer):
    """A draft decision, with the column names of the CSV import."""

    reference = serializers.CharField(min_length=1, max_length=64, validators=[REFERENCE_VALIDATOR])
    project = ProjectSlugField(slug_field="slug", queryset=Project.objects.all(), error_messages=NOT_EMPTY)
    recipient = RecipientField(queryset=Recipient.objects.all(), error_messages=NOT_EMPTY)
    authority = AuthorityField(queryset=GrantingAuthority.objects.all(), error_messages=NOT_EMPTY)
    kind = serializers.ChoiceField(choices=DecisionKind.choices, default=DecisionKind.INITIAL)
    amends = serializers.SlugRelatedField(
        slug_field="reference", queryset=FundingDecision.objects.all(), allow_null=True, default=None
    )
    decision_date = serializers.DateField(input_formats=["%Y-%m-%d"])
    financing_type = serializers.ChoiceField(choices=FinancingType.choices, default=FinancingType.SHARE)
    eligible_costs = serializers.DecimalField(max_digits=14, decimal_places=2, default="0.00")
    amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    own_share = serializers.DecimalField(max_digits=14, decimal_places=2, default="0.00")
    private_investment = serializers.DecimalField(max_digits=14, decimal_places=2, default="0.00")
    period_start = serializers.DateField(input_formats=["%Y-%m-%d"])
    period_end = serializers.DateField(input_formats=["%Y-%m-%d"])
    source = serializers.CharField(min_length=1, max_length=300)
    rate_exception_reason = serializers.CharField(
        allow_blank=True,
        default="",
        max_length=2000,
        help_text="Why the funding rate may exceed the guideline's cap (50 %, municipalities and "
        "non-profits 80 %, research 90 %); without it such a decision is refused.",
    )


@extend_schema(tags=["decisions"])
class DecisionViewSet(
    ApiMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Released funding decisions (the ledger); staff draft, change, delete and release here too."""

    serializer_class = DecisionSerializer
    filter_backends = [DjangoFilterBackend, StrictOrderingFilter]
    filterset_class = DecisionFilter
    ordering_fields = ["decision_date", "amount", "reference"]
    lookup_field = "reference"
    basename = "decisions"

    def get_queryset(self):
        decisions = FundingDecision.objects.select_related(
            "project__programme", "project__region", "recipient", "authority", "amends"
        ).order_by("decision_date", "id")
        if self.action == "list":
            return decisions.released()
        if self.action == "retrieve":
            user = self.request.user
            if roles.can_draft_decisions(user) or roles.can_release_decisions(user):
                return decisions
            return decisions.released()
        return decisions  # writes: the services decide who may touch what

    def get_serializer_class(self):
        if self.action in {"create", "update", "partial_update"}:
            return DecisionWriteSerializer
        return DecisionSerializer

    @extend_schema(request=DecisionWriteSerializer, responses={201: DecisionSerializer})
    def create(self, request):
        """Draft a new decision (Sachbearbeitung); it counts once someone else releases it."""
        body = DecisionWriteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        decision = services.decision_create_draft(user=request.user, **body.validated_data)
        return Response(DecisionSerializer(decision).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=DecisionWriteSerializer, responses={200: DecisionSerializer})
    def update(self, request, reference=None):
        """Replace a draft; only its author may, never once released."""
        return self._update(request, partial=False)

    @extend_schema(request=DecisionWriteSerializer, responses={200: DecisionSerializer})
    def partial_update(self, request, reference=None):
        """Change some fields of a draft; only its author may, never once released."""
        return self._update(request, partial=True)

    def _update(self, request, *, partial: bool):
        decision = self.get_object()
        body = DecisionWriteSerializer(data=request.data, partial=partial)
        body.is_valid(raise_exception=True)
        # A partial body validates only the fields it names, so only those change.
        decision = services.decision_update_draft(decision=decision, user=request.user, **body.validated_data)
        return Response(DecisionSerializer(decision).data)

    @extend_schema(responses={204: None})
    def destroy(self, request, reference=None):
        """Delete a draft; only its author may, never once released."""
        services.decision_delete_draft(decision=self.get_object(), user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        methods=["GET"],
        request=None,
        responses={200: ReleaseReviewSerializer, 403: ErrorSerializer},
        description="The draft as it stands, with the digest a release must name (Freigabe).",
    )
    @extend_schema(
        methods=["POST"],
        request=ReleaseRequestSerializer,
        responses={200: DecisionSerializer, 400: ErrorSerializer, 403: ErrorSerializer, 409: ErrorSerializer},
    )
    @action(detail=True, methods=["get", "post"])
    def release(self, request, reference=None):
        """Release a draft (Freigabe), by someone other than its author, exactly as reviewed.

        GET shows the draft and its digest; POST {"reviewed": digest} releases it. A draft that
        changed since is refused with 409 and its new digest.
        """
        decision = self.get_object()
        return release_as_reviewed(
            request,
            entry=decision,
            release=lambda reviewed: services.decision_release(decision=decision, user=request.user, reviewed=reviewed),
            serializer=DecisionSerializer,
        )

    def csv_filename(self) -> str:
        return f"bescheide-{timezone.localdate().isoformat()}.csv"

    def copy_columns(self) -> list[CopyColumn]:
        """The CSV columns of DecisionSerializer as SQL, for the complete download on PostgreSQL."""
        ags = F("recipient__municipality_id")
        # regions.models.key_uri; the two prefixes are constants of ours, written into the statement.
        uri = SqlTemplate(
            f"CASE WHEN {{ags}} IS NULL OR {{ags}} = '' THEN NULL"
            f" WHEN length({{ags}}) = 8 THEN '{MUNICIPALITY_KEY_URI}' || {{ags}}"
            f" ELSE '{DISTRICT_KEY_URI}' || {{ags}} END",
            ags=ags,
        )
        # Decision.funding_rate: grant / eligible costs to four places, half to even as Decimal rounds.
        rate = SqlTemplate(
            "CASE WHEN {costs} = 0 THEN NULL ELSE (CASE"
            " WHEN abs({grant} * 10000 / {costs} - trunc({grant} * 10000 / {costs})) = 0.5"
            " THEN trunc({grant} * 10000 / {costs}) + CASE WHEN mod(trunc({grant} * 10000 / {costs}), 2) = 0"
            " THEN 0 ELSE sign({grant} * 10000 / {costs}) END"
            " ELSE round({grant} * 10000 / {costs}) END / 10000)::numeric(20, 4) END",
            grant=F("amount"),
            costs=F("eligible_costs"),
        )
        text = {
            "reference": F("reference"),
            "programme.slug": F("project__programme__slug"),
            "programme.name": F("project__programme__name"),
            "project.slug": F("project__slug"),
            "project.title": F("project__title"),
            "project.region": F("project__region__slug"),
            "recipient.name": F("recipient__name"),
            "recipient.kind": F("recipient__kind"),
            "recipient.ags": ags,
            "recipient.uri": uri,
            "recipient.org_id": F("recipient__org_id"),
            "authority.slug": F("authority__slug"),
            "authority.name": F("authority__name"),
            "kind": F("kind"),
            "amends": F("amends__reference"),
            "financing_type": F("financing_type"),
            "state": F("state"),
            "source": F("source"),
            "rate_exception_reason": F("rate_exception_reason"),
        }
        kinds = {
            "decision_date": (F("decision_date"), DATE),
            "period_start": (F("period_start"), DATE),
            "period_end": (F("period_end"), DATE),
            "released_at": (F("released_at"), DATETIME),
            "funding_rate": (rate, DECIMAL),
            **{name: (F(name), DECIMAL) for name in ("eligible_costs", "amount", "own_share", "private_investment")},
        }
        names = [name for name, _decimal in serializer_columns(DecisionSerializer())]
        return [CopyColumn(name, text[name]) if name in text else CopyColumn(name, *kinds[name]) for name in names]
