from django.conf import settings
from django.contrib import admin
from django.http import JsonResponse
from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt
from django.views.generic import RedirectView, TemplateView
from django.views.i18n import set_language

from funding.figures import record_pages
from funding.figures import views as figures_views
from projects import views as project_views
from regions import views as region_views


def healthz(request):
    """Liveness check for load balancers and docker-compose, with the figures' lag for monitoring.

    Always 200 while the process serves (a liveness check must not restart a web server
    because a worker is down); `figures.is_current` false with a growing `lag_seconds` is what
    to alert on. `database` says whether PostgreSQL/SQLite answered.
    """
    from django.db import DatabaseError

    from funding.figures.freshness import figures_freshness

    try:
        freshness = figures_freshness()
    except DatabaseError:
        return JsonResponse({"status": "degraded", "database": "unavailable", "figures": None})
    figures = {
        "is_current": freshness.is_current,
        "behind_since": freshness.behind_since.isoformat() if freshness.behind_since else None,
        "lag_seconds": round(freshness.lag_seconds, 1),
        "ledger_change_count": freshness.ledger_change_count,
        "published_change_count": freshness.published_change_count,
    }
    status = "ok" if freshness.is_current else "figures_behind"
    response = JsonResponse({"status": status, "database": "ok", "figures": figures})
    response["Cache-Control"] = "no-store"
    return response


def favicon(request):
    """Browsers ask for /favicon.ico whatever the page links: send them to the site's icon."""
    from django.http import HttpResponsePermanentRedirect
    from django.templatetags.static import static

    return HttpResponsePermanentRedirect(static("img/favicon.svg"))


urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("favicon.ico", favicon),
    # One login for staff, with its limits and the second factor: the admin's own login form redirects there.
    path("admin/login/", RedirectView.as_view(url="/intern/anmelden/?next=/admin/", query_string=False)),
    path("admin/", admin.site.urls),
    # The language switch is in every page's header. Without a CSRF token there, a page sets no
    # cookie and the proxy may keep it; a forged switch only changes a visitor's language.
    path("i18n/setlang/", csrf_exempt(set_language), name="set_language"),
    path("api/v1/", include("modellregionen.api_urls")),
    path("intern/", include("modellregionen.staff.urls")),  # staff workspace, with its login and logout
    # Public pages
    path("", figures_views.dashboard, name="dashboard"),
    path("daten/", figures_views.data_page, name="data"),
    path("karte.svg", figures_views.map_image, name="map-image"),
    path("tabellen/<slug:name>.csv", figures_views.table_csv, name="table-csv"),
    path("regionen/", figures_views.region_list, name="region-list"),
    path("regionen/<slug:slug>/", figures_views.region_detail, name="region-detail"),
    path("kommunen/", region_views.municipality_list, name="municipality-list"),
    path("kommunen/<str:ags>/", record_pages.municipality_detail, name="municipality-detail"),
    path("loesungen/", project_views.catalogue, name="project-list"),
    path("loesungen/<slug:slug>/", record_pages.project_detail, name="project-detail"),
    path("loesungen/<slug:slug>/anfrage/", project_views.request_form, name="project-request"),
    path("loesungen/<slug:slug>/anfrage/danke/", project_views.request_done, name="project-request-done"),
    path("anfrage/bestaetigen/<str:token>/", project_views.request_confirm, name="project-request-confirm"),
    path("impressum/", TemplateView.as_view(template_name="public/imprint.html"), name="imprint"),
    path(
        "datenschutz/",
        TemplateView.as_view(
            template_name="public/privacy.html", extra_context={"retention_days": settings.REQUEST_RETENTION_DAYS}
        ),
        name="privacy",
    ),
    path("leichte-sprache/", TemplateView.as_view(template_name="public/easy_language.html"), name="easy-language"),
    path(
        "barrierefreiheit/",
        TemplateView.as_view(template_name="public/accessibility.html"),
        name="accessibility",
    ),
]

# 503 with Retry-After while the database is unreachable; see modellregionen/errors.py.
handler500 = "modellregionen.errors.server_error"
# A 404 under /api/ is JSON in the API's error format, like every other API error.
handler404 = "modellregionen.errors.not_found"
handler400 = "modellregionen.errors.bad_request"
