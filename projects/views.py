"""Public pages of the solution catalogue, the reuse request form and a municipality's projects and requests."""

from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods
from django_ratelimit.decorators import ratelimit

from modellregionen.collation import german_key
from projects import selectors, services
from projects.filters import CatalogueFilter
from projects.forms import TransferRequestForm, prepare_filter_form
from projects.models import Project, RequestKind, TransferRequest
from projects.search import closest_words, highlight
from regions.selectors import municipality_choices

CATALOGUE_PAGE_SIZE = 20
# Requests a single address may send per hour; enough for a municipality, not for a bot.
REQUEST_RATE = "5/h"


def project_or_404(slug: str) -> Project:
    try:
        return selectors.project_for_page(slug=slug)
    except Project.DoesNotExist:
        raise Http404(_("Diese Lösung gibt es nicht.")) from None


def catalogue(request: HttpRequest) -> HttpResponse:
    filterset = CatalogueFilter(request.GET, queryset=selectors.project_catalogue())
    prepare_filter_form(filterset.form)
    if "q" in filterset.errors:
        # A search that cannot run is said, not answered with the unsearched catalogue.
        context = {"filter": filterset, "filters_active": True, "search_error": True, "result_count": 0}
        return render(request, "projects/catalogue.html", context, status=400)
    searched = filterset.form.cleaned_data.get("q", "").strip() if filterset.is_valid() else ""
    order = request.GET.get("sort") or ("relevanz" if searched else "titel")
    sort_error = order not in CATALOGUE_ORDERS or (order == "relevanz" and not searched)
    if sort_error:
        order = "relevanz" if searched else "titel"
    paginator = Paginator(_in_order(filterset.qs, order), CATALOGUE_PAGE_SIZE)
    page = paginator.get_page(request.GET.get("page"))
    page.object_list = _projects_of_page(page.object_list)
    # The default status (approved) is not a filter the user set.
    active = bool(
        {
            key
            for key, value in request.GET.items()
            if value and key != "page" and (key, value) != ("status", "approved")
        }
    )
    for project in page.object_list:
        project.title_marked = highlight(project.title, searched)
        project.summary_marked = highlight(project.summary, searched)
    context = {
        "filter": filterset,
        "page": page,
        "result_count": paginator.count,
        "filters_active": active,
        "searched": searched,
        "other_filters": any(value for key, value in request.GET.items() if key not in {"q", "page", "status"}),
        # Nothing found: what was searched, what each of several words finds alone, and the
        # catalogue's nearest words to try instead.
        "closest_words": closest_words(selectors.project_catalogue(), searched)
        if searched and not paginator.count
        else [],
        "single_words": _single_words(filterset, searched) if searched and not paginator.count else [],
        "order": order,
        "orders": [(key, label) for key, label in CATALOGUE_ORDERS.items() if key != "relevanz" or searched],
        "sort_error": sort_error,
    }
    return render(request, "projects/catalogue.html", context, status=400 if sort_error else 200)


# How the catalogue can be ordered; "relevanz" only for a search. Names in German order (DIN 5007-1).
CATALOGUE_ORDERS = {
    "relevanz": gettext_lazy("beste Treffer zuerst"),
    "titel": gettext_lazy("Titel (A–Z)"),
    "region": gettext_lazy("Modellregion, dann Titel"),
    "neu": gettext_lazy("neueste Anträge zuerst"),
}


def _in_order(projects, order: str) -> list[int]:
    """The ids of `projects` in `order`: the search's ranking, the date, or German order of the names."""
    if order == "relevanz":
        return list(projects.values_list("pk", flat=True))
    if order == "neu":
        return list(projects.order_by("-submitted_on", "title", "pk").values_list("pk", flat=True))
    rows = projects.order_by().values_list("pk", "title", "region__name")
    if order == "region":
        ordered = sorted(rows, key=lambda row: (german_key(row[2] or ""), german_key(row[1]), row[0]))
    else:
        ordered = sorted(rows, key=lambda row: (german_key(row[1]), row[0]))
    return [pk for pk, _title, _region in ordered]


def _projects_of_page(ids: list[int]) -> list[Project]:
    """The projects of one page, in the page's order, with what a result line shows."""
    found = selectors.project_catalogue().in_bulk(ids)
    return [found[pk] for pk in ids if pk in found]


def _single_words(filterset: CatalogueFilter, searched: str) -> list[tuple[str, int]]:
    """For a search of several words that finds nothing: each word that finds something on its own, with how much."""
    words = list(dict.fromkeys(searched.split()))
    if len(words) < 2:
        return []
    found = []
    for word in words:
        data = filterset.data.copy()
        data["q"] = word
        count = CatalogueFilter(data, queryset=selectors.project_catalogue()).qs.count()
        if count:
            found.append((word, count))
    return found


@require_http_methods(["GET", "POST"])
@ratelimit(key="ip", rate=REQUEST_RATE, method="POST", block=False)
def request_form(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_or_404(slug)
    status = 200
    if request.method == "POST":
        form = TransferRequestForm(request.POST)
        if getattr(request, "limited", False):
            form.add_error(
                None,
                _(
                    "Von Ihrem Anschluss kamen in der letzten Stunde zu viele Anfragen. "
                    "Bitte versuchen Sie es später noch einmal oder schreiben Sie uns eine E-Mail."
                ),
            )
            status = 429
        elif form.is_spam():
            # Tell a bot nothing: it sees the usual confirmation, and nothing is stored or sent.
            return redirect("project-request-done", slug=project.slug)
        elif form.is_valid():
            data = form.cleaned_data
            try:
                submitted = services.request_submit(
                    project=project,
                    municipality=data["municipality"],
                    kind=data["kind"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    message=data["message"],
                    consent=data["consent"],
                    site_url=request.build_absolute_uri("/").rstrip("/"),
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                # Only this browser's session sees what it sent; the page's address shows nothing.
                request.session[SUBMITTED_KEY] = submitted.pk
                return redirect("project-request-done", slug=project.slug)
        if form.errors:
            status = status if status != 200 else 400
    else:
        kind = RequestKind.CONSULTATION if request.GET.get("art") == "beratung" else RequestKind.TRANSFER
        form = TransferRequestForm(initial={"kind": kind})
    context = {"project": project, "form": form, "municipalities": municipality_choices()}
    return render(request, "projects/request_form.html", context, status=status)


SUBMITTED_KEY = "submitted_request"


def request_done(request: HttpRequest, slug: str) -> HttpResponse:
    """Thanks, with the request's number and what was sent, to the browser that sent it (else thanks alone)."""
    project = project_or_404(slug)
    submitted_pk = request.session.get(SUBMITTED_KEY)
    submitted = (
        TransferRequest.objects.select_related("municipality").filter(pk=submitted_pk, project=project).first()
        if submitted_pk
        else None
    )
    return render(request, "projects/request_done.html", {"project": project, "submitted": submitted})


def request_confirm(request: HttpRequest, token: str) -> HttpResponse:
    """The link in the confirmation e-mail: a page with one button (GET changes nothing, so a mail
    scanner that follows links confirms nothing), and the confirmation itself (POST)."""
    transfer_request = services.request_for_token(token)
    if transfer_request is None:
        return render(request, "projects/request_confirm.html", {"invalid": True}, status=400)
    confirmed = transfer_request.confirmed_at is not None
    if request.method == "POST" and not confirmed:
        transfer_request = services.request_confirm(transfer_request=transfer_request)
        confirmed = True
    context = {"transfer_request": transfer_request, "project": transfer_request.project, "confirmed": confirmed}
    return render(request, "projects/request_confirm.html", context)
