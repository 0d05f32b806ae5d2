"""API of the figures: current and as-of values by grouping, their series over time.

Figures come from the stored, published versions (funding.figures.selectors), never from
the ledger. A rendered answer is kept in the shared cache under its version and query and
served with its ETag (see FiguresApiView); the reverse proxy keeps repeated reads.
"""

import datetime as dt
import functools
import hashlib
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_field
from rest_framework import exceptions, serializers, status
from rest_framework.views import APIView

from funding.api import ProgrammeRefSerializer
from funding.figures import selectors
from funding.figures.definitions import FIGURES, GROUPINGS
from funding.figures.freshness import LedgerPosition, current_version_and_ledger, ledger_position
from funding.figures.models import FiguresVersion
from funding.models import Programme
from modellregionen.api.base import ApiMixin
from modellregionen.api.errors import ErrorSerializer, validation_error
from modellregionen.api.fields import DECIMAL_SCHEMA, MAX_ID, ExactDecimalField, KnownKeyField
from modellregionen.api.licence import LICENCE, citation
from modellregionen.api.renderers import CsvTable
from regions.api import RegionMembersSerializer, RegionViewSet
from regions.models import Region


@extend_schema_field({"oneOf": [{"type": "integer"}, DECIMAL_SCHEMA]})
class FigureValueField(serializers.Field):
    """A count as an integer, an amount or a ratio as an exact decimal string."""

    def to_representation(self, value):
        return value if isinstance(value, int) else format(value, "f")


def _value_field(figure) -> serializers.Field:
    label = f"{figure.label_en}: {figure.definition_en}"
    if figure.unit == "count":
        return serializers.IntegerField(help_text=label)
    return ExactDecimalField(
        allow_null=True,
        help_text=f"{label} ({'euros' if figure.unit == 'eur' else 'ratio'}); null where it is undefined "
        "(a share of nothing: no grant to pay out of, no inhabitants to divide by) or not known.",
    )


# One property per figure, typed by its unit, so the schema documents every key.
FigureValuesSerializer = type(
    "FigureValuesSerializer",
    (serializers.Serializer,),
    {key: _value_field(figure) for key, figure in FIGURES.items()},
)


class FigureDefinitionSerializer(serializers.Serializer):
    key = serializers.ChoiceField(choices=list(FIGURES))
    label_de = serializers.CharField()
    label_en = serializers.CharField()
    definition_de = serializers.CharField()
    definition_en = serializers.CharField()
    unit = serializers.ChoiceField(choices=["count", "eur", "ratio"])


class FiguresVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    computed_at = serializers.DateTimeField()
    ledger_watermark = serializers.DateTimeField(
        allow_null=True, help_text="Time of the last ledger change this version includes."
    )
    is_current = serializers.BooleanField(help_text="Whether this is the programme's newest published version.")
    includes_latest_change = serializers.SerializerMethodField(
        help_text="Whether this version includes every committed change to the ledger. False means the "
        "figures are behind: a recompute catches up within about a minute (see behind_since)."
    )
    behind_since = serializers.SerializerMethodField(
        help_text="For the current version while it is behind: the time of the first ledger change it does "
        "not include yet; null otherwise."
    )

    def _ledger(self) -> LedgerPosition:
        # A figures answer reads the ledger's position once and passes it in the context.
        if "ledger" not in self.context:
            self.context["ledger"] = ledger_position()
        return self.context["ledger"]

    @staticmethod
    def _field(version, name: str):
        # A version arrives as a model instance or as the dict of a figures answer (_meta).
        return version.get(name) if isinstance(version, dict) else getattr(version, name, None)

    def get_includes_latest_change(self, version) -> bool:
        return self._ledger().includes(self._field(version, "includes_change_count"))

    def get_behind_since(self, version) -> dt.datetime | None:
        if not self._field(version, "is_current") or self.get_includes_latest_change(version):
            return None
        since = self._ledger().unpublished_since
        return serializers.DateTimeField().to_representation(since) if since else None


class LicenceSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField()


class SourceSerializer(serializers.Serializer):
    programme = serializers.CharField()
    ministry = serializers.CharField()
    url = serializers.CharField(allow_blank=True)


class FiguresMetaSerializer(serializers.Serializer):
    """What every figures answer carries so that a cited number can be reproduced."""

    programme = ProgrammeRefSerializer()
    version = FiguresVersionSerializer()
    licence = LicenceSerializer()
    source = SourceSerializer()
    permalink = serializers.URLField(help_text="This answer, pinned to its version and date.")
    citation = serializers.CharField(help_text="How to cite these figures.")


# Per figure, the share of its value that rests on illustrative records (funding.provenance).
FigureSharesSerializer = type(
    "FigureSharesSerializer",
    (serializers.Serializer,),
    {
        key: ExactDecimalField(
            allow_null=True,
            help_text=f"Share (0 to 1) of {figure.label_en} that rests on illustrative records, "
            "not on published ones; null: not known (a version from before shares were stored).",
        )
        for key, figure in FIGURES.items()
    },
)


class FiguresRowSerializer(serializers.Serializer):
    group_key = serializers.CharField(allow_blank=True)
    group_label = serializers.CharField()
    values = FigureValuesSerializer()
    illustrative_shares = FigureSharesSerializer()


class FiguresResponseSerializer(FiguresMetaSerializer):
    as_of = serializers.DateField()
    group_by = serializers.ChoiceField(choices=list(GROUPINGS), allow_null=True)
    figures = FigureDefinitionSerializer(many=True)
    rows = FiguresRowSerializer(many=True)


class SeriesPointSerializer(serializers.Serializer):
    group_key = serializers.CharField(allow_blank=True)
    group_label = serializers.CharField()
    date = serializers.DateField()
    value = FigureValueField()


class SeriesResponseSerializer(FiguresMetaSerializer):
    group_by = serializers.ChoiceField(choices=list(GROUPINGS), allow_null=True)
    figure = FigureDefinitionSerializer()
    points = SeriesPointSerializer(many=True)


def kept_version(version_id: int, *, programme: Programme | None, parameter: str) -> FiguresVersion:
    """A kept figures version of `programme` (any, if None): 404 if there is none, 400 naming both programmes if it is another's."""
    version = selectors.figures_version_by_id(version_id=version_id)
    if version is None:
        # The cited thing does not exist: 404, naming the parameter.
        raise exceptions.NotFound(
            _("%(parameter)s: Die Version %(id)d gibt es nicht.") % {"parameter": parameter, "id": version_id}
        )
    if programme is not None and version.programme_id != programme.pk:
        raise validation_error(
            parameter,
            _(
                "Die Version %(id)d gehört zum Programm „%(its)s“ (programme=%(its_slug)s), nicht zu „%(asked)s“ "
                "(programme=%(asked_slug)s)."
            )
            % {
                "id": version_id,
                "its": version.programme.name,
                "its_slug": version.programme.slug,
                "asked": programme.name,
                "asked_slug": programme.slug,
            },
        )
    return version


# --- Query parameters of the figures endpoints ---------------------------------------------


def programme_parameter() -> KnownKeyField:
    """The `programme` of a figures query: a programme's slug, the earliest programme when absent."""
    return KnownKeyField(
        slug_field="slug",
        queryset=Programme.objects.all(),
        required=False,
        help_text="Programme slug; default: the earliest programme.",
    )


def version_parameter(help_text: str) -> serializers.IntegerField:
    """A figures version id in a query (the current one when absent)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, required=False, help_text=help_text)


class FiguresScopeQuerySerializer(serializers.Serializer):
    group_by = serializers.ChoiceField(
        choices=list(GROUPINGS), required=False, help_text="Grouping; absent = the programme total."
    )
    programme = programme_parameter()
    version = version_parameter("A published figures version (id); default: the current one.")

    def validate(self, attrs):
        version_id = attrs.get("version")
        programme = attrs.get("programme")
        # Without programme=, the default programme's: a version of another one is a 400 naming both.
        if version_id is None:
            # One query: the current version with its programme (the default one's without programme=)
            # and the ledger's position, which every answer states.
            version, ledger = current_version_and_ledger(programme=programme)
            programme = version.programme if version is not None else programme
        else:
            programme = programme or selectors.default_programme()
            version = kept_version(version_id, programme=programme, parameter="version")
            ledger = ledger_position()
        if version is None:
            raise FiguresNotPublished()
        attrs["programme"] = programme
        attrs["version"] = version
        attrs["ledger"] = ledger
        return attrs


class FiguresQuerySerializer(FiguresScopeQuerySerializer):
    as_of = serializers.DateField(
        required=False, input_formats=["%Y-%m-%d"], help_text="YYYY-MM-DD; default: today. The end of that day counts."
    )


class SeriesQuerySerializer(FiguresScopeQuerySerializer):
    figure = serializers.ChoiceField(choices=list(FIGURES), help_text="The figure's key.")

    def get_fields(self):
        fields = super().get_fields()
        # "from" is a Python keyword, so these two are added here rather than as attributes.
        fields["from"] = serializers.DateField(
            required=False, input_formats=["%Y-%m-%d"], help_text="First day (YYYY-MM-DD)."
        )
        fields["to"] = serializers.DateField(required=False, input_formats=["%Y-%m-%d"], help_text="Last day.")
        return fields

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if attrs.get("from") and attrs.get("to") and attrs["to"] < attrs["from"]:
            raise serializers.ValidationError({"to": _("Das Ende liegt vor dem Anfang (from).")})
        return attrs


class FiguresNotPublished(exceptions.APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = "Für dieses Programm sind noch keine Kennzahlen berechnet; bitte später erneut versuchen."
    default_code = "figures_not_published"
    wait = 60


def _decimal_or_none(value):
    return None if value is None else format(value, "f")


COUNT_FIGURES = frozenset(key for key, figure in FIGURES.items() if figure.unit == "count")


def represent_row(row: selectors.FiguresRow) -> dict:
    """One row of a figures answer, exactly as FiguresRowSerializer represents it, at a fraction of its cost.

    A count is an IntegerField, anything else an ExactDecimalField; None stays None. The
    figures API answers every cold read through this, so it must stay cheap.
    """
    values = {}
    for key in FIGURES:
        value = row.values[key]
        if value is None:
            values[key] = None
        elif key in COUNT_FIGURES:
            values[key] = int(value)
        else:
            values[key] = format(value, "f")
    shares = {key: _decimal_or_none(row.illustrative_shares[key]) for key in FIGURES}
    return {"group_key": row.group_key, "group_label": row.group_label, "values": values, "illustrative_shares": shares}


_DATETIME = serializers.DateTimeField()


def represent_meta(meta: dict, *, ledger: LedgerPosition) -> dict:
    """A figures answer's head (_meta), exactly as FiguresMetaSerializer represents it, at a fraction of its cost."""
    version = meta["version"]
    includes_latest = ledger.includes(version["includes_change_count"])
    behind_since = None
    if version["is_current"] and not includes_latest and ledger.unpublished_since:
        behind_since = _DATETIME.to_representation(ledger.unpublished_since)
    return {
        "programme": {"slug": meta["programme"]["slug"], "name": meta["programme"]["name"]},
        "version": {
            "id": version["id"],
            "computed_at": _DATETIME.to_representation(version["computed_at"]),
            "ledger_watermark": _DATETIME.to_representation(version["ledger_watermark"]),
            "is_current": version["is_current"],
            "includes_latest_change": includes_latest,
            "behind_since": behind_since,
        },
        "licence": {"name": meta["licence"]["name"], "url": meta["licence"]["url"]},
        "source": dict(meta["source"]),
        "permalink": meta["permalink"],
        "citation": meta["citation"],
    }


def _figure_definition(figure) -> dict:
    return {
        "key": figure.key,
        "label_de": figure.label_de,
        "label_en": figure.label_en,
        "definition_de": figure.definition_de,
        "definition_en": figure.definition_en,
        "unit": figure.unit,
    }


FIGURE_DEFINITIONS = [_figure_definition(figure) for figure in FIGURES.values()]


def _meta(request, *, programme: Programme, version: FiguresVersion, path: str, pinned: dict, stand: str) -> dict:
    permalink = request.build_absolute_uri(f"{path}?{urlencode({**pinned, 'version': version.pk})}")
    return {
        "programme": {"slug": programme.slug, "name": programme.name},
        "version": {
            "id": version.pk,
            "computed_at": version.computed_at,
            "ledger_watermark": version.ledger_watermark,
            "is_current": version.is_current,
            "includes_change_count": version.includes_change_count,
        },
        "licence": LICENCE,
        "source": {"programme": programme.name, "ministry": programme.funder, "url": programme.url},
        "permalink": permalink,
        "citation": citation(programme=programme, version=version, stand=stand, permalink=permalink),
    }


class FiguresApiView(ApiMixin, APIView):
    """Common part of the two figures endpoints: parameters parsed once, cached by version."""

    pagination_class = None
    query_serializer_class: type[serializers.Serializer] = FiguresQuerySerializer

    def build_data(self, request) -> dict:
        raise NotImplementedError

    def get(self, request):
        params = self.parse_parameters(request)
        renderer = request.accepted_renderer
        key = _rendered_key(
            request,
            version=params["version"],
            change_count=self.change_count,
            as_of=params.get("as_of") or timezone.localdate(),
            query=request.query_params,
            media_type=request.accepted_media_type,
            dialect=self.csv_dialect,
        )
        # Shared by every worker and server (Redis in production): one answer per key, whoever asked first.
        hit = cache.get(key) if settings.FIGURES_ANSWER_CACHE_SECONDS else None
        if hit is None:
            body = renderer.render(self.build_data(request), request.accepted_media_type, self.get_renderer_context())
            content_type = (
                f"{renderer.media_type}; charset={renderer.charset}" if renderer.charset else renderer.media_type
            )
            hit = (body, content_type)
            # A published version never changes and the key names it: the time only bounds the cache's size.
            if settings.FIGURES_ANSWER_CACHE_SECONDS:
                cache.set(key, hit, settings.FIGURES_ANSWER_CACHE_SECONDS)
        return HttpResponse(hit[0], content_type=hit[1])

    def offers_csv(self) -> bool:
        return True

    def allowed_query_parameters(self) -> set[str]:
        return super().allowed_query_parameters() | _parameter_names(self.query_serializer_class)

    def parse_parameters(self, request) -> dict:
        if not hasattr(self, "params"):
            query = self.query_serializer_class(data=request.query_params.dict())
            query.is_valid(raise_exception=True)
            self.params = query.validated_data
            # Read with the version: the answer says whether it includes the ledger's latest change.
            self.ledger = self.params["ledger"]
            self.change_count = self.ledger.change_count
        return self.params

    def cache_parts(self, request):
        params = self.parse_parameters(request)
        return _figures_parts(
            programme=params["programme"],
            version=params["version"],
            as_of=params.get("as_of") or timezone.localdate(),
            change_count=self.change_count,
        )


@functools.cache
def _parameter_names(query_serializer_class) -> frozenset[str]:
    # Building a serializer's fields costs more than answering from a kept version: once per class.
    return frozenset(query_serializer_class().fields)


def _figures_parts(
    *, programme: Programme, version: FiguresVersion, as_of: dt.date, change_count: int
) -> tuple[list[str], dt.datetime]:
    """What a figures answer depends on (for its ETag), and when it last changed."""
    # What the version includes moves when a recompute finds the figures unchanged (engine.same_figures).
    parts = [str(version.pk), str(version.includes_change_count), as_of.isoformat(), programme.slug]
    return [*parts, str(change_count)], version.computed_at


def _rendered_key(
    request, *, version: FiguresVersion, change_count: int, as_of: dt.date, query, media_type: str, dialect: str
) -> str:
    """The cache key of a rendered answer; the permalink in it is absolute, hence scheme and host."""
    parts = (
        request.scheme,
        request.get_host(),
        request.path,
        version.pk,
        version.computed_at.isoformat(),  # with the id: unique even if a database hands out an id again
        version.includes_change_count,  # moves when a recompute finds the figures unchanged
        change_count,  # the answer says whether the version is behind the ledger
        as_of.isoformat(),
        sorted(query.items()),
        media_type,
        dialect,
    )
    return "figures-answer:" + hashlib.sha256(repr(parts).encode()).hexdigest()


@extend_schema(
    tags=["figures"],
    parameters=[FiguresQuerySerializer],
    responses={200: FiguresResponseSerializer, 503: OpenApiResponse(ErrorSerializer, "No figures published yet.")},
)
class FiguresView(FiguresApiView):
    """The stored figures as of a date, for the programme or by group, from a published version."""

    def build_data(self, request) -> dict:
        params = self.parse_parameters(request)
        programme, version = params["programme"], params["version"]
        as_of = params.get("as_of") or timezone.localdate()
        group_by = params.get("group_by")
        table = selectors.figures_for(as_of=as_of, group_by=group_by, programme=programme, version=version)
        pinned = {"as_of": table.as_of.isoformat(), **({"group_by": group_by} if group_by else {})}
        meta = _meta(
            request,
            programme=programme,
            version=version,
            path=reverse("api:figures"),
            pinned=pinned,
            stand=f"Stand {table.as_of:%d.%m.%Y}",
        )
        # The fields in FiguresResponseSerializer's order; the rows are represented by
        # represent_row (the serializer's representation, without its per-field machinery).
        return {
            **represent_meta(meta, ledger=self.ledger),
            "as_of": table.as_of.isoformat(),
            "group_by": group_by,
            "figures": FIGURE_DEFINITIONS,
            "rows": [represent_row(row) for row in table.rows],
        }

    def csv_filename(self) -> str:
        params = self.params
        as_of = params.get("as_of") or timezone.localdate()
        grouping = params.get("group_by") or "gesamt"
        return f"kennzahlen-{as_of.isoformat()}-{grouping}-v{params['version'].pk}.csv"

    def csv_table(self, data) -> CsvTable:
        keys = list(FIGURES)
        shares = [f"{key}_illustrative_share" for key in keys]
        return CsvTable(
            columns=["as_of", "version", "group_key", "group_label", *keys, *shares],
            rows=[
                [data["as_of"], data["version"]["id"], row["group_key"], row["group_label"]]
                + [row["values"][key] for key in keys]
                + [row["illustrative_shares"][key] for key in keys]
                for row in data["rows"]
            ],
            decimal_columns={key for key, figure in FIGURES.items() if figure.unit != "count"} | set(shares),
        )


@extend_schema(
    tags=["figures"],
    parameters=[SeriesQuerySerializer],
    responses={200: SeriesResponseSerializer, 503: OpenApiResponse(ErrorSerializer, "No figures published yet.")},
)
class FiguresSeriesView(FiguresApiView):
    """The step series of one figure: each date its value changed, per group."""

    query_serializer_class = SeriesQuerySerializer

    def build_data(self, request) -> dict:
        params = self.parse_parameters(request)
        programme, version = params["programme"], params["version"]
        figure = FIGURES[params["figure"]]
        group_by = params.get("group_by")
        points = selectors.figure_series(
            figure=figure.key,
            group_by=group_by,
            programme=programme,
            version=version,
            start=params.get("from"),
            end=params.get("to"),
        )
        pinned = {"figure": figure.key}
        for name in ("group_by", "from", "to"):
            if params.get(name):
                pinned[name] = str(params[name])
        data = {
            **_meta(
                request,
                programme=programme,
                version=version,
                path=reverse("api:figures-series"),
                pinned=pinned,
                stand=f"Zeitreihe {figure.label_de}",
            ),
            "group_by": group_by,
            "figure": _figure_definition(figure),
            "points": [
                {"group_key": p.group_key, "group_label": p.group_label, "date": p.date, "value": p.value}
                for p in points
            ],
        }
        return SeriesResponseSerializer(data, context={"ledger": self.ledger}).data

    def csv_filename(self) -> str:
        return f"zeitreihe-{self.params['figure']}-v{self.params['version'].pk}.csv"

    def csv_table(self, data) -> CsvTable:
        figure = data["figure"]
        return CsvTable(
            columns=["figure", "version", "group_key", "group_label", "date", "value"],
            rows=[
                [figure["key"], data["version"]["id"], p["group_key"], p["group_label"], p["date"], p["value"]]
                for p in data["points"]
            ],
            decimal_columns={"value"} if figure["unit"] != "count" else set(),
        )


# --- A region's page: the directory's data with the region's current figures ---------


class RegionFiguresSerializer(serializers.Serializer):
    as_of = serializers.DateField()
    version = FiguresVersionSerializer()
    licence = serializers.DictField(child=serializers.CharField())
    values = FigureValuesSerializer()


class RegionDetailSerializer(RegionMembersSerializer):
    figures = RegionFiguresSerializer(
        allow_null=True, help_text="The region's current figures as of today; null before the first computation."
    )

    class Meta(RegionMembersSerializer.Meta):
        fields = [*RegionMembersSerializer.Meta.fields, "figures"]


def _current_region_figures(region: Region) -> dict | None:
    version = selectors.current_figures_version()
    if version is None:
        return None
    table = selectors.figures_for(as_of=timezone.localdate(), group_by="region", version=version)
    for row in table.rows:
        if row.group_key in {region.slug, str(region.pk)}:
            return {"as_of": table.as_of, "version": version, "licence": LICENCE, "values": row.values}
    return None


# Routed at /api/v1/regions/: regions.api.RegionViewSet serves the directory's data; this
# adds the region's current figures to its page.
@extend_schema(tags=["regions"])
class RegionWithFiguresViewSet(RegionViewSet):
    """The five model regions; a region's page also carries its current figures."""

    detail_serializer_class = RegionDetailSerializer

    def add_details(self, region: Region) -> None:
        region.figures = _current_region_figures(region)
