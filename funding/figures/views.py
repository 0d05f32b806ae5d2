"""Public pages of the programme's figures: the dashboard, a region's page and the data page."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from funding.choices import ZERO
from funding.figures.dashboards import (
    glossary,
    programme_dashboard,
    published_record,
    region_dashboard,
    regions_overview,
)
from funding.figures.forms import AsOfForm, MapForm, as_of_status, page_citation, plain_refusal
from funding.figures.maps import map_svg, nrw_map
from funding.figures.open_data import FIGURES_DOWNLOADS, figures_download_path
from funding.figures.page_tables import TABLES, PageTableForm, page_table
from funding.figures.selectors import default_programme
from modellregionen.api.renderers import write_csv
from modellregionen.collation import german_key, in_german_order
from modellregionen.table_sorting import sorted_table
from projects.selectors import Stand, region_project_office, region_projects
from regions.models import Region
from regions.selectors import region_for_page, region_members


def dashboard(request: HttpRequest) -> HttpResponse:
    as_of_form = AsOfForm(request.GET or None)
    context = {
        "as_of_form": as_of_form,
        **programme_dashboard(as_of=as_of_form.as_of_or_today(), version=as_of_form.chosen_version()),
    }
    context.update(page_citation(request, context))
    context.update(map_section(request, context))
    return render(request, "funding/dashboard.html", context, status=page_status(as_of_form, context))


def region_list(request: HttpRequest) -> HttpResponse:
    as_of_form = AsOfForm(request.GET or None)
    context = {
        "as_of_form": as_of_form,
        **regions_overview(as_of=as_of_form.as_of_or_today(), version=as_of_form.chosen_version()),
    }
    context.update(page_citation(request, context))
    return render(request, "regions/region_list.html", context, status=as_of_status(as_of_form))


def map_section(request: HttpRequest, context: dict, *, region=None, highlight: str | None = None) -> dict:
    """The map of a page: the same date and version as the page's figures, its figure chosen in the URL."""
    version = context.get("version")
    map_form = MapForm(request.GET or None, programme=context.get("programme"))
    if version is None:
        return {"map_form": map_form}
    figure = map_form.chosen_map()
    drawn = nrw_map(
        figure=figure,
        as_of=context["as_of"],
        version=version,
        programme=version.programme,
        region=region,
        highlight=highlight,
    )
    # The picture names the page's version, so it shows what the page shows even after a new one.
    query = {"map": figure, "as_of": context["as_of"].isoformat(), "version": version.pk}
    if region is not None:
        query["region"] = region.slug
    if highlight:
        query["ags"] = highlight
    return {"map_form": map_form, "nrw_map": drawn, "map_src": f"{reverse('map-image')}?{urlencode(query)}"}


def page_status(as_of_form: AsOfForm, context: dict) -> int:
    """400 when the page's date, version or map choice in the URL is wrong (the page still shows, with the error)."""
    map_form = context.get("map_form")
    if map_form is not None and map_form.is_bound and "map" in map_form.errors:
        return 400
    return as_of_status(as_of_form)


def table_csv(request: HttpRequest, name: str) -> HttpResponse:
    """A figures table of a page as a CSV file: its rows and columns, with the page's Stand and version."""
    if name not in TABLES:
        raise Http404(_("Diese Tabelle gibt es nicht."))
    form = PageTableForm(request.GET or None)
    refusal = plain_refusal(form)
    if refusal is not None:
        return refusal
    params = form.cleaned_data if form.is_bound else {}
    shown = page_table(name, params, version=form.shown_version(), as_of=form.as_of_or_today())
    dialect = params.get("dialect") or "excel-de"
    response = HttpResponse(write_csv(shown.table, dialect=dialect), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{shown.filename}"'
    return response


def map_image(request: HttpRequest) -> HttpResponse:
    """The map as an SVG picture; the page that links it shows its legend and its values as text."""
    form = MapForm(request.GET or None)
    refusal = plain_refusal(form)
    if refusal is not None:
        return refusal
    params = form.cleaned_data if form.is_bound else {}
    version = form.shown_version()
    drawn = nrw_map(
        figure=form.chosen_map(),
        as_of=form.as_of_or_today(),
        version=version,
        programme=version.programme,
        region=params.get("region"),
        highlight=params.get("ags") or None,
    )
    return HttpResponse(map_svg(drawn), content_type="image/svg+xml; charset=utf-8")


def data_page(request: HttpRequest) -> HttpResponse:
    context = {
        "glossary": glossary(),
        "record": published_record(),
        "today": dt.date.today(),
        "downloads": complete_downloads(),
        "figures_downloads": [
            {"url": figures_download_path(grouping), "label": title} for grouping, title in FIGURES_DOWNLOADS
        ],
    }
    return render(request, "funding/data.html", context)


def complete_downloads() -> list[dict]:
    """The lists the API offers as complete CSV files, with how many rows each has now."""
    from django.utils.translation import gettext as _

    from funding.models import FundingDecision
    from funding.payments.models import Payment, Recovery
    from projects.models import Project, TransferRequest
    from regions.models import Municipality

    return [
        {
            "url": "/api/v1/decisions/?format=csv",
            "label": _("Freigegebene Bescheide als CSV"),
            "rows": FundingDecision.objects.released().count(),
        },
        {
            "url": "/api/v1/payments/?format=csv",
            "label": _("Freigegebene Auszahlungen als CSV (illustrativ)"),
            "rows": Payment.objects.released().count(),
        },
        {
            "url": "/api/v1/recoveries/?format=csv",
            "label": _("Freigegebene Rückforderungen und Erstattungen als CSV (illustrativ)"),
            "rows": Recovery.objects.released().count(),
        },
        {"url": "/api/v1/projects/?format=csv", "label": _("Projekte als CSV"), "rows": Project.objects.count()},
        {
            "url": "/api/v1/requests/?format=csv",
            "label": _("Nachnutzungs- und Beratungsanfragen als CSV (ohne personenbezogene Daten)"),
            "rows": TransferRequest.objects.counted().count(),
        },
        {
            "url": "/api/v1/municipalities/?format=csv",
            "label": _("Kommunen in NRW mit Einwohnerzahl als CSV"),
            "rows": Municipality.objects.count(),
        },
    ]


# A region page lists this many projects of each kind; the catalogue, filtered by region, has all.
REGION_PAGE_PROJECTS = 50


def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        region = region_for_page(slug=slug)
    except Region.DoesNotExist:
        raise Http404(_("Diese Modellregion gibt es nicht.")) from None
    as_of_form = AsOfForm(request.GET or None)
    as_of = as_of_form.as_of_or_today()
    context = {
        "region": region,
        "as_of_form": as_of_form,
        "members": list(region_members(region=region)),
        "project_office": region_project_office(region=region),
        **region_dashboard(region=region, as_of=as_of, version=as_of_form.chosen_version()),
    }
    context.update(page_citation(request, context))
    context.update(map_section(request, context, region=region))
    context.update(_region_project_tables(request, region=region, context=context, as_of_form=as_of_form))
    status = 400 if context["funded"].error else page_status(as_of_form, context)
    return render(request, "regions/region_detail.html", context, status=status)


def _region_project_tables(request: HttpRequest, *, region: Region, context: dict, as_of_form: AsOfForm) -> dict:
    """The region's funded projects with their grant (sortable), apart from those not (or no longer) funded."""
    programme = context.get("programme") or default_programme()
    stand = Stand.of(as_of=context["as_of"], version=as_of_form.chosen_version())
    projects = region_projects(region=region, programme=programme, stand=stand) if programme else []
    # As the figure `funded_projects` counts them: a net released grant above zero on the page's day.
    funded = [project for project in projects if project.granted > 0]
    others = in_german_order([project for project in projects if project.granted <= 0], name=lambda p: p.title)
    table = sorted_table(
        funded,
        query=request.GET,
        keys={
            "title": lambda project: german_key(project.title),
            "topic": lambda project: german_key(str(project.topic or "")),
            "granted": lambda project: project.granted,
        },
        labels={"title": _("Projekt"), "topic": _("Themenfeld"), "granted": _("Zuwendung")},
        default="title",
        anchor="funded-projects",
        numeric=frozenset({"granted"}),
    )
    shown = table.rows[:REGION_PAGE_PROJECTS]
    return {
        "funded": table,
        "funded_shown": shown,
        "funded_sum": sum((project.granted for project in funded), ZERO),
        "others": others[:REGION_PAGE_PROJECTS],
        "others_total": len(others),
        "projects_cut": len(shown) < len(funded) or len(others) > REGION_PAGE_PROJECTS,
        "projects_limit": REGION_PAGE_PROJECTS,
    }
