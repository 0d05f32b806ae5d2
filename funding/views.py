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
    context = {"glossary": glossary(), "record": published_record(), "today": dt.date.today()}
    return render(request, "funding/data.html", context)
