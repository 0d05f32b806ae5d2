""" "Tabelle als CSV": each figures table of the public pages as a file, with exactly its rows and columns.

A table is rebuilt by the same function that builds it for the page, from the date and version
the page's link names; the file adds two columns in front, the Stand and the version, so a
copied row still says where it comes from. German spreadsheets read the default dialect
(`excel-de`: semicolons, decimal commas); `?dialect=rfc4180` gives commas and decimal points.
"""

import datetime as dt
from dataclasses import dataclass

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from funding.figures.dashboards import breakdown, figure_label, outflow_series, regions_by_key, time_series
from funding.figures.definitions import FIGURES
from funding.figures.forms import PlaceForm
from funding.figures.maps import MAP_FIGURES, nrw_map
from modellregionen.api.renderers import DIALECTS, CsvTable

TABLES = ("zeitverlauf", "mittelabfluss", "aufteilung", "karte")
SERIES_FIGURES = ("funding_granted", "funded_projects")
BREAKDOWNS = ("region", "strand", "topic")


class PageTableForm(PlaceForm):
    """What a table's link names besides its date and version; every field checked, none guessed."""

    figure = forms.ChoiceField(required=False, choices=[(key, key) for key in SERIES_FIGURES])
    group_by = forms.ChoiceField(required=False, choices=[(key, key) for key in BREAKDOWNS])
    map = forms.ChoiceField(required=False, choices=[(key, key) for key in MAP_FIGURES])
    dialect = forms.ChoiceField(
        required=False,
        choices=[(key, key) for key in DIALECTS],
        error_messages={"invalid_choice": gettext_lazy("Erlaubt: rfc4180, excel-de.")},
    )


@dataclass
class PageTable:
    filename: str
    table: CsvTable


def page_table(name: str, params: dict, *, version, as_of: dt.date) -> PageTable:
    """The table `name` as the page shows it on `as_of` from `version` (`params`: PageTableForm's data)."""
    programme = version.programme
    region = params.get("region")
    group_keys = {region.slug, str(region.pk)} if region else None
    group_by = "region" if region else None
    stand = [as_of.isoformat(), version.pk]
    head = [_("Stand"), _("Version")]
    if name == "zeitverlauf":
        figure = params.get("figure") or "funding_granted"
        series = time_series(
            figure_key=figure,
            as_of=as_of,
            programme=programme,
            version=version,
            group_by=group_by,
            group_key=group_keys,
        )
        label = _shown(FIGURES[figure])
        rows = [[*stand, day.isoformat(), value] for day, value in series.points]
        table = CsvTable(columns=[*head, _("Stichtag"), label], rows=rows, decimal_columns=_money({label: figure}))
        suffix = figure
    elif name == "mittelabfluss":
        outflow = outflow_series(
            as_of=as_of, programme=programme, version=version, group_by=group_by, group_key=group_keys
        )
        labels = {
            _shown(FIGURES["funding_granted"]): "funding_granted",
            _shown(FIGURES["paid_out"]): "paid_out",
            _shown(FIGURES["outflow_rate"]): "outflow_rate",
        }
        rows = [
            [*stand, day.isoformat(), granted, paid, rate]
            for day, granted, paid, rate in (outflow.rows if outflow else [])
        ]
        table = CsvTable(columns=[*head, _("Stichtag"), *labels], rows=rows, decimal_columns=_money(labels))
        suffix = "granted-paid"
    elif name == "aufteilung":
        grouping = params.get("group_by") or "region"
        shown = breakdown(
            group_by=grouping, as_of=as_of, programme=programme, version=version, regions=regions_by_key()
        )
        labels = {_shown(figure): figure.key for figure in shown.columns}
        rows = [[*stand, row.label, *(row.values.get(key) for key in labels.values())] for row in shown.rows]
        table = CsvTable(columns=[*head, shown.group_title, *labels], rows=rows, decimal_columns=_money(labels))
        suffix = grouping
    else:
        figure = params.get("map") or "funding"
        drawn = nrw_map(figure=figure, as_of=as_of, version=version, programme=programme, region=region)
        columns = list(drawn.columns)
        rows = [
            [*stand, row.name, row.kind, row.number, *([row.detail_number] if row.detail else [])] for row in drawn.rows
        ]
        money = set(columns[2:]) if figure == "funding" else set()
        table = CsvTable(columns=[*head, *columns], rows=rows, decimal_columns=money)
        suffix = figure
    place = f"-{region.slug}" if region else ""
    return PageTable(filename=f"{name}-{suffix}{place}-{as_of.isoformat()}-v{version.pk}.csv", table=table)


def _shown(figure) -> str:
    """A figure's name as a column head shows it."""
    return capfirst(figure_label(figure))


def _money(labels: dict[str, str]) -> set[str]:
    """The columns (by their label) that hold amounts or rates, written as decimals."""
    return {label for label, key in labels.items() if FIGURES[key].unit != "count"}
