"""The map of NRW: every Gemeinde coloured by a figure as of a date, drawn on the server as SVG.

Two figures can colour the map (MAP_FIGURES):

- `funding`: funding per inhabitant of each model region, the figures engine's
  `funding_per_inhabitant` grouped by region, from the same version and date as the page;
  every Gemeinde of a region's area takes its region's colour, the rest of NRW stays grey.
- `requests`: the confirmed requests each Gemeinde sent for the programme's solutions, as the
  figures count them (`requesting_municipalities`), up to the same date and version. A Kreis
  that asked itself is hatched over its Gemeinden.

The page shows the legend, the source and a table with the same values as text; the picture
itself (`map_svg`) is an image the page links, so a page does not carry 250 KB of outlines.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import ROUND_FLOOR, Decimal

from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.figures.templatetags import count, euro_cents
from modellregionen.collation import in_german_order
from projects.selectors import Stand, request_counts_by_municipality
from regions.map_shapes import Box, box_around, kreis_key, outlines
from regions.models import Municipality, Region
from regions.selectors import region_slug_by_gemeinde

MAP_FIGURES = {
    "funding": gettext_lazy("Förderung je Einwohner der Modellregion"),
    "requests": gettext_lazy("Anfragen von Kommunen"),
}
DEFAULT_MAP_FIGURE = "funding"

# ColorBrewer "Blues" (5 classes): light to dark, each step visibly darker than the last.
SCALE = ("#c6dbef", "#9ecae1", "#6baed6", "#3182bd", "#08519c")
NO_VALUE = "#eeeeee"
REQUEST_CLASSES = ((1, 1), (2, 3), (4, 9), (10, None))


@dataclass
class LegendEntry:
    colour: str
    label: str
    hatched: bool = False


@dataclass
class MapRow:
    name: str
    url: str
    kind: str
    value: str  # as the page shows it
    detail: str = ""
    number: Decimal | int | None = None  # the value itself, for the table's CSV
    detail_number: Decimal | int | None = None


@dataclass
class NrwMap:
    figure: str
    title: str
    as_of: dt.date
    description: str  # the text alternative of the picture
    legend: list[LegendEntry]
    fills: dict[str, str]  # 8-digit AGS -> colour
    hatched: set[str] = field(default_factory=set)  # 5-digit keys of Kreise that asked themselves
    rows: list[MapRow] = field(default_factory=list)
    columns: tuple[str, ...] = ()
    illustrative_share: Decimal | None = Decimal(0)
    box: Box | None = None
    highlight: str | None = None  # the key of the municipality the page is about

    @property
    def image_height(self) -> int:
        """The picture's height at a width of 1000, so the page keeps its place while it loads."""
        box = self.box or outlines().whole
        return round(1000 * box.height / box.width)

    @property
    def attribution(self) -> str:
        return outlines().attribution


def nrw_map(
    *, figure: str, as_of: dt.date, version, programme, region: Region | None = None, highlight: str | None = None
) -> NrwMap:
    """The map of `figure` as of the end of `as_of` from `version`; zoomed to `region`, marking `highlight`."""
    regions = region_slug_by_gemeinde()
    if figure == "funding":
        drawn = _funding_map(as_of=as_of, version=version, programme=programme, region_of=regions)
    else:
        drawn = _requests_map(as_of=as_of, version=version, programme=programme)
    drawn.highlight = highlight
    drawn.box = _box(region=region, highlight=highlight, regions=regions)
    return drawn


def _box(*, region: Region | None, highlight: str | None, regions: dict[str, str]) -> Box:
    if highlight:
        # The municipality within its Kreis, so its neighbours show where it lies.
        return box_around([kreis_key(highlight)], margin=0.35)
    if region is not None:
        return box_around([ags for ags, slug in regions.items() if slug == region.slug], margin=0.12)
    return outlines().whole


def _funding_map(*, as_of: dt.date, version, programme, region_of: dict[str, str]) -> NrwMap:
    """`region_of`: the region (slug) of each Gemeinde in a model region's area."""
    from funding.figures.selectors import figures_for

    table = figures_for(as_of=as_of, group_by="region", programme=programme, version=version)
    regions = {region.slug: region for region in Region.objects.all()}
    by_id = {str(region.pk): region for region in regions.values()}
    values: dict[str, Decimal | None] = {}
    rows, shares = [], []
    for row in table.rows:
        region = regions.get(row.group_key) or by_id.get(row.group_key)
        if region is None:
            continue
        value = row.values.get("funding_per_inhabitant")
        values[region.slug] = value
        shares.append(row.illustrative_shares.get("funding_per_inhabitant"))
        rows.append(
            MapRow(
                name=region.name,
                url=region.get_absolute_url(),
                kind=_("Modellregion"),
                value=euro_cents(value),
                detail=euro_cents(row.values.get("funding_granted")),
                number=value,
                detail_number=row.values.get("funding_granted"),
            )
        )
    top = max((value for value in values.values() if value), default=Decimal(0))
    step = _nice_step(top / len(SCALE)) if top else Decimal(1)
    colour = {slug: _class_colour(value, step) for slug, value in values.items()}
    fills = {ags: colour.get(slug, NO_VALUE) for ags, slug in region_of.items()}
    used = sorted({_class_index(value, step) for value in values.values() if value is not None})
    legend = [LegendEntry(SCALE[index], _funding_label(index, step)) for index in used]
    legend.append(LegendEntry(NO_VALUE, _("keine Modellregion oder nicht definiert")))
    title = str(MAP_FIGURES["funding"])
    return NrwMap(
        figure="funding",
        title=title,
        as_of=as_of,
        description=_(
            "Karte von Nordrhein-Westfalen mit den Gemeinden der fünf Modellregionen, eingefärbt nach der "
            "Förderung je Einwohner ihrer Region am %(day)s; die Werte stehen in der Tabelle unter der Karte."
        )
        % {"day": as_of.strftime("%d.%m.%Y")},
        legend=legend,
        fills=fills,
        rows=in_german_order(rows, name=lambda row: row.name),
        columns=(_("Modellregion"), _("Art"), _("Förderung je Einwohner"), _("Fördermittel bewilligt")),
        illustrative_share=_largest_share(shares),
    )


def _requests_map(*, as_of: dt.date, version, programme) -> NrwMap:
    from funding.figures.selectors import figures_for

    counts = request_counts_by_municipality(programme=programme, stand=Stand.of(as_of=as_of, version=version))
    asking = {
        municipality.ags: municipality
        for municipality in Municipality.objects.filter(ags__in=counts).only("ags", "name", "kind")
    }
    fills = {ags: _request_colour(number) for ags, number in counts.items() if len(ags) == 8}
    hatched = {ags for ags in counts if len(ags) == 5}
    legend = [
        LegendEntry(SCALE[index + 1], _request_label(low, high)) for index, (low, high) in enumerate(REQUEST_CLASSES)
    ]
    legend.append(LegendEntry(NO_VALUE, _("keine Anfrage")))
    if hatched:
        legend.append(LegendEntry("#ffffff", _("Kreis hat selbst angefragt (schraffiert)"), hatched=True))
    rows = [
        MapRow(
            name=municipality.name,
            url=municipality.get_absolute_url(),
            kind=municipality.get_kind_display(),
            value=count(counts[ags]),
            number=counts[ags],
        )
        for ags, municipality in asking.items()
    ]
    rows = in_german_order(rows, name=lambda row: row.name)
    total = figures_for(as_of=as_of, programme=programme, version=version)
    share = total.rows[0].illustrative_shares.get("requesting_municipalities") if total.rows else Decimal(0)
    return NrwMap(
        figure="requests",
        title=str(MAP_FIGURES["requests"]),
        as_of=as_of,
        description=_(
            "Karte von Nordrhein-Westfalen: die Gemeinden eingefärbt nach der Zahl ihrer bestätigten Anfragen "
            "nach Lösungen des Programms bis zum %(day)s, Kreise mit eigener Anfrage schraffiert; "
            "die Werte stehen in der Tabelle unter der Karte."
        )
        % {"day": as_of.strftime("%d.%m.%Y")},
        legend=legend,
        fills=fills,
        hatched=hatched,
        rows=rows,
        columns=(_("Kommune"), _("Art"), _("Bestätigte Anfragen")),
        illustrative_share=share,
    )


def _largest_share(shares) -> Decimal | None:
    if any(share is None for share in shares):
        return None
    return max(shares, default=Decimal(0))


def _nice_step(raw: Decimal) -> Decimal:
    """The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `raw`."""
    power = Decimal(10) ** (raw.adjusted())
    for factor in (1, 2, Decimal("2.5"), 5, 10):
        if power * factor >= raw:
            return (power * factor).normalize()
    return power * 10


def _class_index(value: Decimal, step: Decimal) -> int:
    return min(int((value / step).to_integral_value(rounding=ROUND_FLOOR)), len(SCALE) - 1)


def _class_colour(value: Decimal | None, step: Decimal) -> str:
    return NO_VALUE if value is None else SCALE[max(_class_index(value, step), 0)]


def _funding_label(index: int, step: Decimal) -> str:
    bounds = {"low": euro_cents(step * index), "high": euro_cents(step * (index + 1))}
    if index == len(SCALE) - 1:
        return _("%(low)s oder mehr je Einwohner") % bounds
    return _("%(low)s bis unter %(high)s je Einwohner") % bounds


def _request_colour(number: int) -> str:
    for index, (low, high) in enumerate(REQUEST_CLASSES):
        if number >= low and (high is None or number <= high):
            return SCALE[index + 1]
    return NO_VALUE


def _request_label(low: int, high: int | None) -> str:
    if high is None:
        return _("%(low)d oder mehr Anfragen") % {"low": low}
    if low == high:
        return _("1 Anfrage") if low == 1 else _("%(low)d Anfragen") % {"low": low}
    return _("%(low)d bis %(high)d Anfragen") % {"low": low, "high": high}


def map_svg(drawn: NrwMap) -> str:
    """The picture: the Gemeinden in their colours, the Kreise outlined, the page's municipality marked."""
    shapes = outlines()
    box = drawn.box or shapes.whole
    shown = {key for key, outline in shapes.boxes.items() if outline.overlaps(box)}
    scale = box.width / 1000  # user units per pixel at the map's usual width
    context = {
        "box": box,
        # As text: the template would write a German decimal comma into the SVG.
        "hatch": f"{8 * scale:.2f}",
        "hatch_line": f"{2.5 * scale:.2f}",
        "gemeinden": [(path, drawn.fills.get(ags, NO_VALUE)) for ags, path in shapes.gemeinden.items() if ags in shown],
        "kreise": [(path, key in drawn.hatched) for key, path in shapes.kreise.items() if key in shown],
        "highlight": _highlight_path(drawn.highlight),
        "title": drawn.description,
    }
    return render_to_string("public/map.svg", context)


def _highlight_path(key: str | None) -> str | None:
    if not key:
        return None
    shapes = outlines()
    return shapes.gemeinden.get(key) or shapes.kreise.get(key)
