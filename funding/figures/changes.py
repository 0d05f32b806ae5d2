"""What changed: the figures between two dates or two versions, with the decisions that explain the
difference (`/api/v1/figures/changes/`), and an Atom feed of released decisions and new figures
versions (`/api/v1/feed.atom`) — "what changed since the last press release".
"""

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from funding.figures import selectors
from funding.figures.api import FiguresNotPublished, kept_version
from funding.figures.definitions import FIGURES
from funding.figures.scope import memoised_current_version, memoised_default_programme
from funding.figures.templatetags import euro_cents
from funding.models import FiguresVersion, FundingDecision, Programme
from modellregionen.api.base import ApiMixin
from modellregionen.api.errors import validation_error
from modellregionen.api.fields import MAX_ID
from modellregionen.api.licence import LICENCE, publisher_name


class ChangesQuerySerializer(serializers.Serializer):
    programme = serializers.SlugRelatedField(
        slug_field="slug", queryset=Programme.objects.all(), required=False, help_text="Programme slug."
    )
    # "from"/"to" are Python keywords: declared under other names, read from the query below.
    from_date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    to_date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    from_version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    to_version = serializers.IntegerField(required=False, min_value=1, max_value=MAX_ID)


PARAMETER_NAMES = {"from": "from_date", "to": "to_date", "from_version": "from_version", "to_version": "to_version"}


def _decision_row(decision: FundingDecision) -> dict:
    return {
        "reference": decision.reference,
        "project": decision.project.slug,
        "project_title": decision.project.title,
        "recipient": decision.recipient.name,
        "kind": decision.kind,
        "decision_date": decision.decision_date,
        "released_at": decision.released_at,
        "amount": format(decision.amount, "f"),
        "private_investment": format(decision.private_investment, "f"),
    }


# The parameters as the server reads them ("from"/"to", not the serializer's field names), so a
# client generated from the schema can ask for a range.
CHANGES_PARAMETERS = [
    OpenApiParameter("programme", str, description="Programme slug; default: the earliest programme."),
    OpenApiParameter("from", OpenApiTypes.DATE, description="First date (YYYY-MM-DD), with `to`."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="Second date (YYYY-MM-DD), with `from`."),
    OpenApiParameter("from_version", int, description="First figures version (id), with `to_version`."),
    OpenApiParameter("to_version", int, description="Second figures version (id), with `from_version`."),
]


@extend_schema(
    tags=["figures"],
    parameters=CHANGES_PARAMETERS,
    responses={200: {"type": "object"}},
    description="Each figure at both ends (two dates `from`/`to` in the current version, or two versions "
    "`from_version`/`to_version` as of today), its difference, and the released decisions that explain it.",
)
class FiguresChangesView(ApiMixin, APIView):
    pagination_class = None
    extra_query_parameters = tuple(PARAMETER_NAMES) + ("programme",)

    def get(self, request):
        raw = {
            PARAMETER_NAMES.get(name, name): value for name, value in request.query_params.items() if name != "format"
        }
        query = ChangesQuerySerializer(data=raw)
        if not query.is_valid():
            # Answer with the names the client used ("from", not "from_date").
            back = {value: key for key, value in PARAMETER_NAMES.items()}
            raise serializers.ValidationError({back.get(name, name): errors for name, errors in query.errors.items()})
        params = query.validated_data
        programme = params.get("programme")
        by_date = "from_date" in params or "to_date" in params
        by_version = "from_version" in params or "to_version" in params
        if by_date == by_version:
            raise validation_error(
                "from", _("Bitte entweder from und to (Daten) oder from_version und to_version angeben.")
            )
        if by_date:
            return Response(self._between_dates(request, params, programme))
        return Response(self._between_versions(params, programme))

    def _between_dates(self, request, params, programme) -> dict:
        for name in ("from_date", "to_date"):
            if name not in params:
                raise validation_error(name.removesuffix("_date"), _("Fehlt: bitte ein Datum JJJJ-MM-TT angeben."))
        start, end = params["from_date"], params["to_date"]
        if start > end:
            raise validation_error("from", _("from liegt nach to."))
        programme = programme or memoised_default_programme()
        version = memoised_current_version(programme=programme) if programme else None
        if version is None:
            raise FiguresNotPublished()
        before = selectors.figures_for(as_of=start, programme=programme, version=version).rows[0].values
        after = selectors.figures_for(as_of=end, programme=programme, version=version).rows[0].values
        decisions = (
            FundingDecision.objects.released()
            .filter(project__programme=programme, decision_date__gt=start, decision_date__lte=end)
            .select_related("project", "recipient")
            .order_by("decision_date", "reference")
        )
        return self._answer(
            programme,
            {"date": start, "version": version.pk},
            {"date": end, "version": version.pk},
            before,
            after,
            decisions,
        )

    def _between_versions(self, params, programme) -> dict:
        for name in ("from_version", "to_version"):
            if name not in params:
                raise validation_error(name, _("Fehlt: bitte eine Versionsnummer angeben."))
        first = kept_version(params["from_version"], programme=programme, parameter="from_version")
        second = kept_version(params["to_version"], programme=programme, parameter="to_version")
        if first.programme_id != second.programme_id:
            raise validation_error("to_version", _("Die beiden Versionen gehören zu verschiedenen Programmen."))
        if first.computed_at > second.computed_at:
            raise validation_error("from_version", _("from_version ist neuer als to_version."))
        today = timezone.localdate()
        before = selectors.figures_for(as_of=today, programme=first.programme, version=first).rows[0].values
        after = selectors.figures_for(as_of=today, programme=second.programme, version=second).rows[0].values
        # The decisions one version includes and the other does not: released in between.
        decisions = FundingDecision.objects.released().filter(project__programme=first.programme)
        if first.ledger_watermark:
            decisions = decisions.filter(released_at__gt=first.ledger_watermark)
        if second.ledger_watermark:
            decisions = decisions.filter(released_at__lte=second.ledger_watermark)
        decisions = decisions.select_related("project", "recipient").order_by("released_at", "reference")
        return self._answer(
            first.programme,
            {"version": first.pk, "computed_at": first.computed_at},
            {"version": second.pk, "computed_at": second.computed_at},
            before,
            after,
            decisions,
        )

    @staticmethod
    def _answer(programme, start: dict, end: dict, before: dict, after: dict, decisions) -> dict:
        figures = []
        for key, figure in FIGURES.items():
            old, new = before.get(key), after.get(key)
            difference = None if old is None or new is None else new - old
            render = (lambda v: v) if figure.unit == "count" else (lambda v: None if v is None else format(v, "f"))
            figures.append(
                {
                    "key": key,
                    "label_de": figure.label_de,
                    "label_en": figure.label_en,
                    "unit": figure.unit,
                    "from": render(old),
                    "to": render(new),
                    "difference": render(difference),
                }
            )
        return {
            "programme": {"slug": programme.slug, "name": programme.name},
            "from": start,
            "to": end,
            "figures": figures,
            "decisions": [_decision_row(decision) for decision in decisions],
            "licence": LICENCE,
        }


# --- The Atom feed ------------------------------------------------------------------------

FEED_DECISIONS = 50
FEED_VERSIONS = 20


class ChangesFeed(Feed):
    """Newly released decisions and new figures versions, newest first (Atom 1.0)."""

    feed_type = Atom1Feed
    title = "Digitale Modellregionen NRW: neue Bescheide und Kennzahlen"
    subtitle = "Freigegebene Zuwendungsbescheide und neu berechnete Kennzahlen des Förderprogramms."
    link = "/daten/"

    def author_name(self):
        # RFC 4287 asks for an author of the feed (or of every entry): the ministry that publishes it.
        return publisher_name() or "Digitale Modellregionen NRW"

    def items(self):
        decisions = list(
            FundingDecision.objects.released()
            .select_related("project", "recipient")
            .order_by("-released_at", "-id")[:FEED_DECISIONS]
        )
        versions = list(FiguresVersion.objects.select_related("programme").order_by("-computed_at")[:FEED_VERSIONS])
        entries = [("decision", d.released_at or timezone.now(), d) for d in decisions]
        entries += [("version", v.computed_at, v) for v in versions]
        entries.sort(key=lambda entry: entry[1], reverse=True)
        return entries

    def item_title(self, item):
        kind, _when, record = item
        if kind == "decision":
            return (
                f"{record.get_kind_display()} {record.reference}: {euro_cents(record.amount)} "
                f"für „{record.project.title}“ ({record.recipient.name})"
            )
        return f"Kennzahlen neu berechnet: Version {record.pk} ({record.programme.name})"

    def item_description(self, item):
        kind, _when, record = item
        if kind == "decision":
            return (
                f"Bescheiddatum {record.decision_date:%d.%m.%Y}; Zuwendung {euro_cents(record.amount)}, "
                f"private Investitionen {euro_cents(record.private_investment)}, zuwendungsfähige Ausgaben "
                f"{euro_cents(record.eligible_costs)}."
            )
        total = selectors.figures_for(as_of=timezone.localdate(), programme=record.programme, version=record).rows[0]
        return (
            f"Bewilligte Fördermittel {euro_cents(total.values['funding_granted'])}, "
            f"geförderte Projekte {total.values['funded_projects']}."
        )

    def item_link(self, item):
        kind, _when, record = item
        if kind == "decision":
            return record.project.get_absolute_url()
        return f"/api/v1/figures/?programme={record.programme.slug}&version={record.pk}"

    def item_guid(self, item):
        kind, _when, record = item
        return f"tag:modellregionen,2018:{kind}/{record.pk}"

    item_guid_is_permalink = False

    def item_updateddate(self, item):
        return item[1]

    def item_pubdate(self, item):
        return item[1]
