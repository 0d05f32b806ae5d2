"""The app's routes plus `/bench/floor/`: the cheapest Django view, the benchmark's floor."""

from django.http import JsonResponse
from django.urls import include, path

FLOOR = {"status": "ok", "figures": [1, 2, 3]}


def floor(request):
    """A constant JSON object: what any Django request costs on this server."""
    return JsonResponse(FLOOR)


urlpatterns = [
    path("bench/floor/", floor),
    path("", include("modellregionen.urls")),
]
