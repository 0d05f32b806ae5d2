"""Public pages of the programme's figures: the dashboard, a region's page and the data page."""

import datetime as dt

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from funding.figures.dashboards import glossary, programme_dashboard, published_record, region_dashboard
from funding.figures.forms import AsOfForm, as_of_status, page_citation
from funding.figures.open_data import FIGURES_DOWNLOADS, figures_download_path
from projects.selectors import region_project_office, region_projects
from regions.models import Region
from regions.selectors import region_for_page, region_members


def dashboard(request: HttpRequest) -> HttpResponse:
    as_of_form = AsOfForm(request.GET or None)
    context = {
        "as_of_form": as_of_form,
        **programme_dashboard(as_of=as_of_form.as_of_or_today(), version=as_of_form.chosen_version()),
    }
    context.update(page_citation(request, context))
    return render(request, "funding/dashboard.html", context, status=as_of_status(as_of_form))


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


# A region page lists this many projects; the catalogue, filtered by region, pages through all.
REGION_PAGE_PROJECTS = 50


def region_detail(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        region = region_for_page(slug=slug)
    except Region.DoesNotExist:
        raise Http404(_("Diese Modellregion gibt es nicht.")) from None
    as_of_form = AsOfForm(request.GET or None)
    projects = region_projects(region=region)
    context = {
        "region": region,
        "as_of_form": as_of_form,
        "members": list(region_members(region=region)),
        "projects": list(projects[:REGION_PAGE_PROJECTS]),
        "projects_total": projects.count(),
        "project_office": region_project_office(region=region),
        **region_dashboard(region=region, as_of=as_of_form.as_of_or_today(), version=as_of_form.chosen_version()),
    }
    context.update(page_citation(request, context))
    return render(request, "regions/region_detail.html", context, status=as_of_status(as_of_form))
