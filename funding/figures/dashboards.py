"""Reads for the public dashboards: stored figures, shaped for the pages.

Everything here comes from a stored figures version through `funding.figures.selectors`; nothing
re-aggregates the ledger, so a page costs the same few queries however many projects
there are.
"""

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils.translation import get_language
from django.utils.translation import gettext as _

from funding.figures import charts
from funding.figures.templatetags import day
from funding.models import Programme
from modellregionen.collation import in_german_order
from projects.models import Strand, Topic
from regions.models import Region

if TYPE_CHECKING:
    from funding.figures.definitions import Figure

# The headline tiles, in the order the issue lists them.
TILE_KEYS = (
    "funded_projects",
    "project_offices",
    "funding_granted",
    "private_investment",
    "total_volume",
    "eligible_investment",
    "budget_committed",
    "paid_out",
    "outflow_rate",
    "applications",
    "transfer_requests",
    "requesting_municipalities",
    "funding_per_inhabitant",
    "requesting_gemeinden",
    "reach_population_share",
)
REGION_TILE_KEYS = (
    "funded_projects",
    "funding_granted",
    "paid_out",
    "outflow_rate",
    "funding_per_inhabitant",
    "private_investment",
    "total_volume",
    "eligible_investment",
    "applications",
    "transfer_requests",
    "requesting_municipalities",
)
# The columns of the breakdown tables.
BREAKDOWN_KEYS = (
    "funded_projects",
    "funding_granted",
    "private_investment",
    "total_volume",
    "outflow_rate",
    "transfer_requests",
)


@dataclass
class Tile:
    figure: "Figure"
    value: object
    # The share of the value that rests on illustrative records (None: not known); shown as a mark.
    illustrative_share: Decimal | None = Decimal(0)

    @property
    def label(self) -> str:
        return self.figure.label_de if _german() else self.figure.label_en

    @property
    def definition(self) -> str:
        return self.figure.definition_de if _german() else self.figure.definition_en


@dataclass
class BreakdownRow:
    key: str
    label: str
    values: dict
    url: str = ""


@dataclass
class Breakdown:
    group_by: str
    title: str
    group_title: str
    rows: list[BreakdownRow]
    chart: charts.Chart
    columns: list["Figure"] = field(default_factory=list)
    # Whether any value shown rests on illustrative records (or on records of unknown source).
    rests_on_illustrative: bool = False


@dataclass
class TimeSeries:
    figure: "Figure"
    points: list[tuple[dt.date, object]]
    chart: charts.Chart
    yearly: bool = False

    @property
    def label(self) -> str:
        return self.figure.label_de if _german() else self.figure.label_en


def _selectors():
    """funding.figures.selectors, imported late so the URLconf loads even before the figures engine does."""
    from funding.figures import selectors

    return selectors


def _definitions() -> dict:
    from funding.figures.definitions import FIGURES

    return FIGURES


def _german() -> bool:
    return (get_language() or "de").startswith("de")


def figure_label(figure: "Figure") -> str:
    return figure.label_de if _german() else figure.label_en


def glossary() -> list[Tile]:
    """Every figure with its label and definition, in display order."""
    return [Tile(figure=figure, value=None) for figure in _definitions().values()]


def quarter_ends(*, start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every quarter from `start` up to `end`, and `end` itself."""
    days = []
    year, quarter = start.year, (start.month - 1) // 3 + 1
    while True:
        month = quarter * 3
        last = dt.date(year + month // 12, month % 12 + 1, 1) - dt.timedelta(days=1)
        if last >= end:
            break
        days.append(last)
        quarter += 1
        if quarter == 5:
            year, quarter = year + 1, 1
    days.append(end)
    return days


def year_ends(*, start: dt.date, end: dt.date) -> list[dt.date]:
    """The last day of every year from `start` up to `end`, and `end` itself."""
    days = [dt.date(year, 12, 31) for year in range(start.year, end.year) if dt.date(year, 12, 31) >= start]
    return [*days, end]


def _is_quarter_end(when: dt.date) -> bool:
    return when.month % 3 == 0 and (when + dt.timedelta(days=1)).day == 1


def _point_label(when: dt.date) -> str:
    if when.month == 12 and when.day == 31:
        return str(when.year)
    if _is_quarter_end(when):
        return _("Q%(quarter)s %(year)s") % {"quarter": when.month // 3, "year": when.year}
    return day(when)


def _ticks(days: list[dt.date], *, yearly: bool) -> list[tuple[str, str]]:
    """Two-line axis labels: each year, each quarter when there are few, and the as-of day."""
    ticks = []
    for index, when in enumerate(days):
        last = index == len(days) - 1
        if last and not _is_quarter_end(when):
            ticks.append((day(when)[:-4].rstrip(" ") if _german() else day(when)[:-5], str(when.year)))
        elif yearly or (len(days) > 10 and when.month == 12):
            ticks.append((str(when.year), ""))
        elif len(days) <= 10:
            ticks.append((_("Q%(quarter)s") % {"quarter": when.month // 3}, str(when.year)))
        else:
            ticks.append(("", ""))
    return ticks


def time_series(
    *, figure_key: str, as_of: dt.date, programme: Programme, version, group_by=None, group_key=None
) -> TimeSeries:
    """A figure at the end of each quarter (or year, over longer spans) from the start to `as_of`."""
    start = min(programme.start_date, as_of)
    days = quarter_ends(start=start, end=as_of)
    # More than three years of quarters make a long table; then the year ends tell the story.
    yearly = len(days) > 13
    if yearly:
        days = year_ends(start=start, end=as_of)
    values = _selectors().figure_on_days(
        figure=figure_key, days=days, group_by=group_by, group_keys=group_key, programme=programme, version=version
    )
    points = list(zip(days, values, strict=True))
    chart = charts.columns(
        points=[(_point_label(when), value) for when, value in points],
        ticks=_ticks([when for when, _value in points], yearly=yearly),
    )
    return TimeSeries(figure=_definitions()[figure_key], points=points, chart=chart, yearly=yearly)


@dataclass
class OutflowSeries:
    """Granted vs paid out (Mittelabfluss) at the end of each quarter or year, with the outflow rate."""

    rows: list[tuple[dt.date, object, object, object]]  # day, granted, paid out, outflow rate
    chart: charts.Chart
    yearly: bool = False

    @property
    def granted_label(self) -> str:
        return figure_label(_definitions()["funding_granted"])

    @property
    def paid_label(self) -> str:
        return figure_label(_definitions()["paid_out"])

    @property
    def rate_label(self) -> str:
        return figure_label(_definitions()["outflow_rate"])


def outflow_series(
    *, as_of: dt.date, programme: Programme, version, group_by=None, group_key=None
) -> OutflowSeries | None:
    """Funding granted next to funds paid out over time; None for a version without payment figures."""
    start = min(programme.start_date, as_of)
    days = quarter_ends(start=start, end=as_of)
    yearly = len(days) > 13
    if yearly:
        days = year_ends(start=start, end=as_of)
    values = _selectors().figures_on_days(
        figures=("funding_granted", "paid_out", "outflow_rate"),
        days=days,
        group_by=group_by,
        group_keys=group_key,
        programme=programme,
        version=version,
    )
    if all(value is None for value in values["paid_out"]):
        return None
    rows = list(zip(days, values["funding_granted"], values["paid_out"], values["outflow_rate"], strict=True))
    chart = charts.paired_columns(
        points=[(_point_label(when), granted, paid or 0) for when, granted, paid, _rate in rows],
        ticks=_ticks(days, yearly=yearly),
    )
    return OutflowSeries(rows=rows, chart=chart, yearly=yearly)


def _group_labels(group_by: str, rows) -> dict[str, str]:
    """Labels in the page's language; the stored labels are German."""
    labels = {row.group_key: row.group_label for row in rows}
    if _german():
        return labels
    if group_by == "strand":
        for key in labels:
            if key in Strand.values:
                labels[key] = str(Strand(key).label)
    elif group_by == "topic":
        for topic in Topic.objects.only("slug", "name", "name_en"):
            for key in (topic.slug, str(topic.pk)):
                if key in labels and topic.name_en:
                    labels[key] = topic.name_en
    return labels


def breakdown(*, group_by: str, as_of: dt.date, programme: Programme, version, regions: dict) -> Breakdown:
    """One stored figures row per group, with a bar chart of the funding granted."""
    table = _selectors().figures_for(as_of=as_of, group_by=group_by, programme=programme, version=version)
    labels = _group_labels(group_by, table.rows)
    rows = []
    rests_on_illustrative = False
    for row in table.rows:
        if not any(row.values.get(key) for key in BREAKDOWN_KEYS):
            continue  # a topic nobody has used yet would only add a line of zeros
        shares = [row.illustrative_shares.get(key) for key in BREAKDOWN_KEYS]
        rests_on_illustrative |= any(share is None or share > 0 for share in shares)
        region = regions.get(row.group_key) if group_by == "region" else None
        rows.append(
            BreakdownRow(
                key=row.group_key,
                label=labels.get(row.group_key) or row.group_label or _("ohne Zuordnung"),
                values=row.values,
                url=region.get_absolute_url() if region else "",
            )
        )
    rows.sort(key=lambda row: row.values.get("funding_granted", 0), reverse=True)
    titles = {
        "region": _("nach Modellregion"),
        "strand": _("nach Förderschwerpunkt"),
        "topic": _("nach Themenfeld"),
        "year": _("nach Jahr"),
        "authority": _("nach Bewilligungsbehörde"),
    }
    group_titles = {
        "region": _("Modellregion"),
        "strand": _("Förderschwerpunkt"),
        "topic": _("Themenfeld"),
        "year": _("Jahr"),
        "authority": _("Bewilligungsbehörde"),
    }
    chart = charts.horizontal_bars(rows=[(row.label, row.values.get("funding_granted", 0)) for row in rows])
    return Breakdown(
        group_by=group_by,
        title=titles[group_by],
        group_title=group_titles[group_by],
        rows=rows,
        chart=chart,
        columns=[_definitions()[key] for key in BREAKDOWN_KEYS],
        rests_on_illustrative=rests_on_illustrative,
    )


def regions_by_key() -> dict[str, Region]:
    """Regions under every key the figures may use for them (slug or id)."""
    keyed = {}
    for region in Region.objects.all():
        keyed[region.slug] = region
        keyed[str(region.pk)] = region
    return keyed


def _tiles(keys, values: dict, shares: dict, *, missing=None) -> list[Tile]:
    definitions = _definitions()
    return [
        Tile(figure=definitions[key], value=values.get(key, missing), illustrative_share=shares.get(key, Decimal(0)))
        for key in keys
    ]


def _version(programme, chosen):
    """The version a page shows: the one its URL names, else the programme's current one."""
    if chosen is not None:
        return chosen
    return _selectors().current_figures_version(programme=programme) if programme else None


def programme_dashboard(*, as_of: dt.date, version=None) -> dict:
    """Everything the programme dashboard shows as of the end of `as_of`, from `version` (default: current)."""
    programme = _selectors().default_programme()
    version = _version(programme, version)
    if version is None:
        return {"programme": programme, "version": None, "as_of": as_of, "glossary": glossary()}
    total = _selectors().figures_for(as_of=as_of, programme=programme, version=version)
    values = total.rows[0].values if total.rows else {}
    shares = total.rows[0].illustrative_shares if total.rows else {}
    regions = regions_by_key()
    return {
        "programme": programme,
        "version": version,
        "as_of": as_of,
        "tiles": _tiles(TILE_KEYS, values, shares),
        "illustrative_shares": shares,
        "series": [
            time_series(figure_key=key, as_of=as_of, programme=programme, version=version)
            for key in ("funding_granted", "funded_projects")
        ],
        "outflow": outflow_series(as_of=as_of, programme=programme, version=version),
        "breakdowns": [
            breakdown(group_by=group_by, as_of=as_of, programme=programme, version=version, regions=regions)
            for group_by in ("region", "strand", "topic")
        ],
        "glossary": glossary(),
    }


REGION_OVERVIEW_KEYS = ("funded_projects", "funding_granted", "funding_per_inhabitant", "paid_out", "transfer_requests")


def regions_overview(*, as_of: dt.date, version=None) -> dict:
    """Each model region with its headline figures as of the end of `as_of`, from `version` (default: current)."""
    programme = _selectors().default_programme()
    version = _version(programme, version)
    regions = in_german_order(Region.objects.select_related("lead_municipality"))
    if version is None:
        return {"programme": programme, "version": None, "as_of": as_of, "regions": regions}
    table = _selectors().figures_for(as_of=as_of, group_by="region", programme=programme, version=version)
    rows = {row.group_key: row for row in table.rows}
    for region in regions:
        row = rows.get(region.slug) or rows.get(str(region.pk))
        values = row.values if row else {}
        shares = row.illustrative_shares if row else {}
        region.tiles = _tiles(REGION_OVERVIEW_KEYS, values, shares, missing=0)
        marks = [tile.illustrative_share for tile in region.tiles]
        region.illustrative_share = None if None in marks else max(marks, default=Decimal(0))
    return {"programme": programme, "version": version, "as_of": as_of, "regions": regions}


def region_dashboard(*, region: Region, as_of: dt.date, version=None) -> dict:
    """One region's stored figures and its funding over time, as of the end of `as_of`, from `version`."""
    programme = _selectors().default_programme()
    version = _version(programme, version)
    if version is None:
        return {"version": None, "as_of": as_of}
    keys = {region.slug, str(region.pk)}
    table = _selectors().figures_for(as_of=as_of, group_by="region", programme=programme, version=version)
    row = next((row for row in table.rows if row.group_key in keys), None)
    values = row.values if row else {}
    shares = row.illustrative_shares if row else {}
    return {
        "programme": programme,
        "version": version,
        "as_of": as_of,
        "tiles": _tiles(REGION_TILE_KEYS, values, shares, missing=0),
        "illustrative_shares": shares,
        "series": [
            time_series(
                figure_key="funding_granted",
                as_of=as_of,
                programme=programme,
                version=version,
                group_by="region",
                group_key=keys,
            )
        ],
        "outflow": outflow_series(as_of=as_of, programme=programme, version=version, group_by="region", group_key=keys),
    }


@dataclass
class RecordLine:
    as_of: dt.date
    figure: "Figure"
    published: str
    source: str
    computed: object = None

    @property
    def label(self) -> str:
        return figure_label(self.figure)


# What the press and the ministry published (DESIGN.md); quoted as published, in German.
PUBLISHED_RECORD = (
    (dt.date(2019, 12, 6), "funded_projects", "42", "Kommune21, 06.12.2019"),
    (dt.date(2019, 12, 6), "funding_granted", "56,6 Mio. €", "Kommune21, 06.12.2019"),
    (dt.date(2019, 12, 6), "private_investment", "rund 24 Mio. €", "Kommune21, 06.12.2019"),
    (dt.date(2019, 12, 6), "total_volume", "80,9 Mio. €", "Kommune21, 06.12.2019"),
    (dt.date(2020, 3, 31), "transfer_requests", "über 270", "MWIDE, Monitoring März 2020"),
    (dt.date(2020, 10, 26), "applications", "110", "MWIDE, Programmseite"),
    (dt.date(2020, 10, 26), "project_offices", "5", "MWIDE, Programmseite"),
    (dt.date(2020, 10, 26), "funded_projects", "65", "MWIDE, Programmseite"),
    (dt.date(2020, 10, 26), "funding_granted", "rund 73 Mio. €", "MWIDE, Programmseite"),
    (dt.date(2020, 10, 26), "eligible_investment", "über 100 Mio. €", "MWIDE, Programmseite"),
)


def published_record() -> dict:
    """The published figures next to what the stored figures say on the same dates."""
    programme = _selectors().default_programme()
    version = _selectors().current_figures_version(programme=programme) if programme else None
    computed: dict[dt.date, dict] = {}
    if version is not None:
        for when in sorted({line[0] for line in PUBLISHED_RECORD}):
            table = _selectors().figures_for(as_of=when, programme=programme, version=version)
            computed[when] = table.rows[0].values if table.rows else {}
    lines = [
        RecordLine(
            as_of=when,
            figure=_definitions()[key],
            published=published,
            source=source,
            computed=computed.get(when, {}).get(key),
        )
        for when, key, published, source in PUBLISHED_RECORD
    ]
    return {"programme": programme, "version": version, "lines": lines}
