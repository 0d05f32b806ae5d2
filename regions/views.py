"""Public pages of the five model regions."""

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from funding.dashboards import region_dashboard
from projects.forms import AsOfForm
from projects.selectors import municipality_profile, region_project_office, region_projects
from regions.lookup import closest_municipalities, search_municipalities
from regions.models import Municipality, Region
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


def municipality_list(request: HttpRequest) -> HttpResponse:
    """Find a municipality's page by name or AGS; without a query, the Kreise and kreisfreie Städte."""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        found = search_municipalities(query, limit=MUNICIPALITY_SEARCH_LIMIT)
        if len(found) == 1:
            return redirect(found[0])
        suggestions = [] if found else closest_municipalities(query)
    else:
        found = list(Municipality.objects.listed().filter(parent__isnull=True).order_by("name"))
        suggestions = []
    context = {"query": query, "municipalities": found, "suggestions": suggestions}
    return render(request, "regions/municipality_list.html", context)


MUNICIPALITY_SEARCH_LIMIT = 100


def municipality_detail(request: HttpRequest, ags: str) -> HttpResponse:
    municipality = Municipality.objects.select_related("region", "parent").filter(ags=ags).first()
    if municipality is None:
        raise Http404(_("Zu diesem Gemeindeschlüssel ist keine Kommune in NRW verzeichnet."))
    context = municipality_profile(municipality=municipality)
    if municipality.is_district:
        context["members"] = list(municipality.members.listed().order_by("name"))
    return render(request, "regions/municipality_detail.html", context)
