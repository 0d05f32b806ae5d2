"""Staff workspace: projects with their ledger, project edits, the requests inbox of a region.

Object scoping: a Projektbüro changes only its own region's projects (403 otherwise) and
sees only its own region's requests (404 otherwise, so ids reveal nothing).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funding.choices import DecisionKind
from modellregionen import roles
from modellregionen.staff.access import add_service_errors, history_entries, staff_view
from modellregionen.staff.ledger_selectors import project_ledger
from modellregionen.staff.payments import grant_summary
from modellregionen.staff.project_forms import ProjectForm, RequestStatusForm
from modellregionen.staff.request_selectors import may_see_requests, requests_visible_to
from projects import services
from projects.erasure import erase_personal_data
from projects.filters import ProjectFilter, TransferRequestFilter
from projects.models import Project, TransferRequest


def _get_project(pk: int) -> Project:
    return get_object_or_404(Project.objects.select_related("region", "topic", "programme"), pk=pk)


@staff_view
def project_list(request):
    projects = Project.objects.select_related("region", "topic").order_by("region__name", "title")
    filterset = ProjectFilter(request.GET or None, queryset=projects)
    context = {
        "filter": filterset,
        "projects": filterset.qs[:500],
        "office_region_id": roles.office_region_id(request.user),
        "is_clerk": roles.can_draft_decisions(request.user),
    }
    return render(request, "staff/project_list.html", context)


@staff_view
def project_detail(request, pk: int):
    """The project's ledger: every decision in order with running totals, who drafted and released it."""
    project = _get_project(pk)
    context = {
        "project": project,
        "ledger": project_ledger(project=project),
        "grants": [
            grant_summary(grant)
            for grant in project.decisions.released()
            .filter(kind=DecisionKind.INITIAL)
            .select_related("recipient")
            .order_by("decision_date", "id")
        ],
        "may_edit": roles.can_edit_project(request.user, project),
        "may_draft": roles.can_draft_decisions(request.user),
        "may_release": roles.can_release_decisions(request.user),
    }
    return render(request, "staff/project_detail.html", context)


@staff_view
def project_edit(request, pk: int):
    project = _get_project(pk)
    if not roles.can_edit_project(request.user, project):
        raise PermissionDenied(_("Sie dürfen nur Projekte Ihrer eigenen Modellregion ändern."))
    form = ProjectForm(request.POST or None, instance=project)
    if request.method == "POST" and form.is_valid():
        try:
            services.project_update(project=_get_project(pk), user=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Projekt gespeichert."))
            return redirect("staff-project-detail", pk=pk)
    return render(request, "staff/project_form.html", {"form": form, "project": project})


@staff_view
def project_history(request, pk: int):
    project = _get_project(pk)
    context = {
        "object": project,
        "title": _("Verlauf des Projekts „%(title)s“") % {"title": project.title},
        "back_url": reverse("staff-project-detail", kwargs={"pk": pk}),
        "entries": history_entries(obj=project),
    }
    return render(request, "staff/history.html", context)


def _refuse_unless_request_handler(user) -> None:
    if not may_see_requests(user):
        raise PermissionDenied(_("Anfragen bearbeiten die Sachbearbeitung und die Projektbüros."))


@staff_view
def request_inbox(request):
    _refuse_unless_request_handler(request.user)
    filterset = TransferRequestFilter(request.GET or None, queryset=requests_visible_to(user=request.user))
    context = {
        "filter": filterset,
        "requests": filterset.qs[:500],
        "region": _office_region(request.user),
    }
    return render(request, "staff/request_inbox.html", context)


def _office_region(user):
    profile = getattr(user, "staff_profile", None)
    return profile.region if profile and roles.office_region_id(user) else None


@staff_view
def request_detail(request, pk: int):
    _refuse_unless_request_handler(request.user)
    transfer_request = get_object_or_404(requests_visible_to(user=request.user), pk=pk)
    allowed = transfer_request.allowed_next_statuses()
    form = RequestStatusForm(request.POST or None, allowed=allowed)
    if request.method == "POST" and form.is_valid():
        try:
            services.request_change_status(
                transfer_request=transfer_request,
                user=request.user,
                to_status=form.cleaned_data["to_status"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Status der Anfrage geändert."))
            return redirect("staff-request-detail", pk=pk)
    context = {
        "transfer_request": transfer_request,
        "form": form if allowed else None,
        "changes": transfer_request.status_changes.select_related("changed_by"),
    }
    return render(request, "staff/request_detail.html", context)


@require_POST
@staff_view
def request_erase_personal_data(request, pk: int):
    """Erase the requester's name, e-mail and message (record and history), on the requester's demand."""
    _refuse_unless_request_handler(request.user)
    transfer_request = get_object_or_404(requests_visible_to(user=request.user), pk=pk)
    if not roles.can_handle_request(request.user, transfer_request):
        raise PermissionDenied(_("Diese Anfrage gehört zu einer anderen Modellregion."))
    if request.POST.get("confirm") != "yes":
        messages.error(request, _("Bitte bestätigen Sie die Löschung."))
        return redirect("staff-request-detail", pk=pk)
    erase_personal_data(requests=TransferRequest.objects.filter(pk=pk), user=request.user)
    messages.success(
        request,
        _(
            "Name, E-Mail-Adresse und Nachricht wurden gelöscht, auch aus dem Verlauf. Die Anfrage selbst bleibt gezählt."
        ),
    )
    return redirect("staff-request-detail", pk=pk)


@staff_view
def request_history(request, pk: int):
    _refuse_unless_request_handler(request.user)
    transfer_request = get_object_or_404(requests_visible_to(user=request.user), pk=pk)
    context = {
        "object": transfer_request,
        "title": _("Verlauf der Anfrage von %(municipality)s") % {"municipality": transfer_request.municipality.name},
        "back_url": reverse("staff-request-detail", kwargs={"pk": pk}),
        "entries": history_entries(obj=transfer_request),
        "status_changes": transfer_request.status_changes.select_related("changed_by"),
    }
    return render(request, "staff/history.html", context)
