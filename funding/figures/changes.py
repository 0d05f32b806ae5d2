"""What changed: the figures between two dates or two versions, with the decisions that explain the
difference (`/api/v1/figures/changes/`), and an Atom feed of released decisions and new figures
versions (`/api/v1/feed.atom`) — "what changed since the last press release".
"""

from django.contrib.syndication.views import Feed
from django.utils import timezone
from django.utils.feedgenerator import Atom1Feed
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from funding.figures import selectors
from funding.figures.api import FiguresNotPublished, kept_version, programme_parameter, version_parameter
from funding.figures.definitions import FIGURES
from funding.figures.site_context import publisher_name
from funding.figures.templatetags import euro_cents
from funding.models import FiguresVersion, FundingDecision
from modellregionen.api.base import ApiMixin
from modellregionen.api.licence import LICENCE
from modellregionen.errors import method_not_allowed


class ProgrammeAndVersionsQuerySerializer(serializers.Serializer):
    programme = programme_parameter()
    from_version = version_parameter(
        "The first figures version (id); of `programme` (or the default programme), else a 400; default: the current one."
    )
    to_version = version_parameter(
        "The second figures version (id); of `programme` (or the default programme), else a 400; default: the current one."
    )


class ChangesQuerySerializer(ProgrammeAndVersionsQuerySerializer):
    # "from"/"to" are Python keywords: declared under other names, read from the query below.
    from_date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])
    to_date = serializers.DateField(required=False, input_formats=["%Y-%m-%d"])


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
    OpenApiParameter("from", OpenApiTypes.DATE, description="The first date (YYYY-MM-DD); default: today."),
    OpenApiParameter("to", OpenApiTypes.DATE, description="The second date (YYYY-MM-DD); default: today."),
]


@extend_schema(
    tags=["figures"],
    parameters=[ProgrammeAndVersionsQuerySerializer, *CHANGES_PARAMETERS],
    responses={200: {"type": "object"}},
    description="Each figure at both ends — `from_version` as of `from` and `to_version` as of `to` (two dates "
    "in the current version, two versions as of today, or both) —, its difference (`to` minus `from`, negative "
    "when the second end is earlier), and the released decisions that explain it: `added` where the second end "
    "counts a decision the first does not, `removed` the other way round.",
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
        programme = params.get("programme") or selectors.default_programme()
        current = selectors.current_figures_version(programme=programme) if programme else None
        if current is None:
            raise FiguresNotPublished()
        # Each end is a version as of a date; what is not given is the current version, today.
        # A version of another programme than the one asked for (or the default one) is a 400.
        today = timezone.localdate()
        first = self._version(params, "from_version", programme, current)
        second = self._version(params, "to_version", programme, current)
        start, end = params.get("from_date", today), params.get("to_date", today)
        before = selectors.figures_for(as_of=start, programme=programme, version=first).rows[0].values
        after = selectors.figures_for(as_of=end, programme=programme, version=second).rows[0].values
        added = self._decisions(programme, second, end).exclude(pk__in=self._decisions(programme, first, start))
        removed = self._decisions(programme, first, start).exclude(pk__in=self._decisions(programme, second, end))
        return Response(
            self._answer(
                programme,
                {"date": start, "version": first.pk, "computed_at": first.computed_at},
                {"date": end, "version": second.pk, "computed_at": second.computed_at},
                before,
                after,
                [*((d, "added") for d in added), *((d, "removed") for d in removed)],
            )
        )

    @staticmethod
    def _version(params, name: str, programme, current) -> FiguresVersion:
        return current if name not in params else kept_version(params[name], programme=programme, parameter=name)

    @staticmethod
    def _decisions(programme, version: FiguresVersion, as_of):
        """The released decisions `version` counts as of `as_of`: dated by then and included in the version."""
        decisions = FundingDecision.objects.released().filter(project__programme=programme, decision_date__lte=as_of)
        included_until = version.includes_watermark or version.ledger_watermark
        if included_until:
            decisions = decisions.filter(released_at__lte=included_until)
        return decisions.select_related("project", "recipient").order_by("decision_date", "reference")

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
            "decisions": [{**_decision_row(decision), "change": change} for decision, change in decisions],
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


_feed = ChangesFeed()


@csrf_exempt  # nothing is written: any other method than GET/HEAD gets its 405, not a CSRF page
def changes_feed(request):
    if request.method not in ("GET", "HEAD"):
        return method_not_allowed(request, ["GET", "HEAD"])
    return _feed(request)
