"""Public pages of the five model regions."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from funding.dashboards import region_dashboard
from projects.forms import AsOfForm
from projects.selectors import region_project_office, region_projects
from regions.models import Region
from regions.selectors import region_for_page, region_members, regions_for_navigation


def region_list(request: HttpRequest) -> HttpResponse:
    return render(request, "regions/region_list.html", {"regions": regions_for_navigation()})


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
        **region_dashboard(region=region, as_of=as_of_form.as_of_or_today()),
    }
    return render(request, "regions/region_detail.html", context)
