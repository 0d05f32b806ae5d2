"""Public pages of the programme's figures: the dashboard and the data page."""

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from funding.dashboards import glossary, programme_dashboard, published_record
from projects.forms import AsOfForm


def dashboard(request: HttpRequest) -> HttpResponse:
    as_of_form = AsOfForm(request.GET or None)
    context = {"as_of_form": as_of_form, **programme_dashboard(as_of=as_of_form.as_of_or_today())}
    return render(request, "funding/dashboard.html", context)


def data_page(request: HttpRequest) -> HttpResponse:
    context = {
        "glossary": glossary(),
        "record": published_record(),
        "today": dt.date.today(),
        "downloads": complete_downloads(),
    }
    return render(request, "funding/data.html", context)


def complete_downloads() -> list[dict]:
    """The lists the API offers as complete CSV files, with how many rows each has now."""
    from django.utils.translation import gettext as _

    from funding.models import FundingDecision
    from projects.models import Project, TransferRequest
    from regions.models import Municipality

    return [
        {
            "url": "/api/v1/decisions/?format=csv",
            "label": _("Freigegebene Bescheide als CSV"),
            "rows": FundingDecision.objects.released().count(),
        },
        {"url": "/api/v1/projects/?format=csv", "label": _("Projekte als CSV"), "rows": Project.objects.count()},
        {
            "url": "/api/v1/requests/?format=csv",
            "label": _("Nachnutzungs- und Beratungsanfragen als CSV (ohne personenbezogene Daten)"),
            "rows": TransferRequest.objects.count(),
        },
        {
            "url": "/api/v1/municipalities/?format=csv",
            "label": _("Kommunen in NRW mit Einwohnerzahl als CSV"),
            "rows": Municipality.objects.count(),
        },
    ]
