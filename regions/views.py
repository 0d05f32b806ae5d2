"""Public pages of the regions app: the municipality search.

The list of the five regions and each region's page show figures (funding.figures.views); a
municipality's page lists its projects and requests (funding.figures.record_pages).
"""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from modellregionen.collation import in_german_order
from regions.lookup import closest_municipalities, search_municipalities
from regions.models import Municipality


def municipality_list(request: HttpRequest) -> HttpResponse:
    """Find a municipality's page by name or AGS; without a query, the Kreise and kreisfreie Städte."""
    query = request.GET.get("q", "").strip()[:100]
    if query:
        found = search_municipalities(query, limit=MUNICIPALITY_SEARCH_LIMIT)
        if len(found) == 1:
            return redirect(found[0])
        suggestions = [] if found else closest_municipalities(query)
    else:
        found = in_german_order(Municipality.objects.listed().filter(parent__isnull=True))
        suggestions = []
    context = {"query": query, "municipalities": found, "suggestions": suggestions}
    return render(request, "regions/municipality_list.html", context)


MUNICIPALITY_SEARCH_LIMIT = 100
