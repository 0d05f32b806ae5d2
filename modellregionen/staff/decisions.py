"""Staff workspace: overview, grant decisions (draft, correct, release), import, figures recompute.

Views stay thin: they check the role for the page, hand the data to funding.services
(which checks again, for every entry path) and show the result.
"""

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from funding import services
from funding.figures.freshness import figures_freshness
from funding.figures.selectors import current_figures_version
from funding.figures.tasks import recompute_figures
from funding.four_eyes import review_digest
from funding.import_previews import drop_previews, keep_preview, take_preview
from funding.importing import ImportFailed, import_decisions, preview_decision_import, read_decision_file
from funding.models import ZERO, DecisionKind, DecisionState, FundingDecision
from funding.rules import RATE_CAPS
from modellregionen import roles
from modellregionen.staff.access import add_service_errors, attempt_release, history_entries, staff_view
from modellregionen.staff.decision_forms import DecisionForm, DecisionImportForm
from modellregionen.staff.ledger_selectors import (
    decision_list,
    drafts_awaiting_release_by,
    drafts_by,
    project_ledger,
    project_totals,
)
from modellregionen.staff.payments import drafts_awaiting_release as payment_drafts_awaiting_release
from modellregionen.staff.request_selectors import may_see_requests, requests_visible_to
from projects.models import ApplicationStatus, Project, RequestStatus

RECOMPUTE_SESSION_KEY = "staff_figures_recompute"
IMPORT_KIND = "decisions"


# --- Overview and figures ------------------------------------------------------------------


@staff_view
def overview(request):
    user = request.user
    context = {
        "my_drafts": drafts_by(user=user) if roles.can_draft_decisions(user) else None,
        "awaiting_release": drafts_awaiting_release_by(user=user) if roles.can_release_decisions(user) else None,
        "entries_awaiting_release": payment_drafts_awaiting_release(user=user)
        if roles.can_release_decisions(user)
        else None,
        "new_requests": requests_visible_to(user=user).filter(status=RequestStatus.RECEIVED)[:50]
        if may_see_requests(user)
        else None,
        "figures": _figures_status(request),
        "freshness": figures_freshness(),
        "check_seconds": settings.FIGURES_FRESHNESS_CHECK_SECONDS,
    }
    return render(request, "staff/overview.html", context)


@require_POST
@staff_view
def figures_recompute(request):
    """Ask the workers for a fresh figures version; the overview shows how far it got."""
    request.session[RECOMPUTE_SESSION_KEY] = {"requested_at": timezone.now().isoformat(), "task_id": "", "outcome": ""}
    try:
        result = recompute_figures.delay()
    except Exception:  # noqa: BLE001 - a broker outage must reach the user as a message, not a 500
        request.session[RECOMPUTE_SESSION_KEY]["outcome"] = "failed"
        request.session.modified = True
        messages.error(request, _("Die Neuberechnung konnte nicht gestartet werden."))
        return redirect("staff-overview")
    state = request.session[RECOMPUTE_SESSION_KEY]
    state["task_id"] = result.id or ""
    # In-process (eager) tasks are done at once; their outcome is not stored in a result backend.
    if result.ready():
        state["outcome"] = "failed" if result.failed() else "done"
    request.session.modified = True
    messages.success(request, _("Die Neuberechnung der Kennzahlen wurde angestoßen."))
    return redirect("staff-overview")


@staff_view
def figures_status(request):
    """JSON for the overview's progress line, polled by static/staff/overview.js."""
    status = _figures_status(request)
    return JsonResponse(
        {
            "state": status["state"],
            "label": status["label"],
            "version": status["version_id"],
            "computed_at": status["computed_at_text"],
        }
    )


STATE_LABELS = {
    "idle": "",
    "running": "Neuberechnung läuft …",
    "done": "Neuberechnung abgeschlossen.",
    "failed": "Die Neuberechnung ist fehlgeschlagen.",
}


def _figures_status(request) -> dict:
    version = current_figures_version()
    computed_at = version.computed_at if version else None
    state = "idle"
    pending = request.session.get(RECOMPUTE_SESSION_KEY)
    if pending:
        requested_at = dt.datetime.fromisoformat(pending["requested_at"])
        if pending.get("outcome") == "failed":
            state = "failed"
        elif pending.get("outcome") == "done" or (computed_at and computed_at >= requested_at):
            state = "done"
        else:
            state = _task_state(pending.get("task_id", ""))
    return {
        "version": version,
        "version_id": version.pk if version else None,
        "computed_at": computed_at,
        "computed_at_text": formats.date_format(timezone.localtime(computed_at), "SHORT_DATETIME_FORMAT")
        if computed_at
        else "",
        "state": state,
        "label": STATE_LABELS[state],
    }


def _task_state(task_id: str) -> str:
    if not task_id or not settings.CELERY_RESULT_BACKEND:
        return "running"
    from celery.result import AsyncResult

    result = AsyncResult(task_id)
    if result.state == "FAILURE":
        return "failed"
    if result.state == "SUCCESS":
        return "done"
    return "running"


# --- Decisions -----------------------------------------------------------------------------


def _get_decision(pk: int) -> FundingDecision:
    return get_object_or_404(
        FundingDecision.objects.select_related(
            "project", "project__region", "recipient", "authority", "amends", "drafted_by", "released_by"
        ),
        pk=pk,
    )


def _is_own_draft(user, decision: FundingDecision) -> bool:
    return roles.can_draft_decisions(user) and not decision.is_released and decision.drafted_by_id == user.pk


@staff_view
def decision_list_view(request):
    state = request.GET.get("status", "")
    if state not in DecisionState.values:
        state = ""
    context = {
        "decisions": decision_list(state=state or None)[:500],
        "state": state,
        "states": DecisionState.choices,
        "can_draft": roles.can_draft_decisions(request.user),
    }
    return render(request, "staff/decision_list.html", context)


@staff_view
def decision_detail(request, pk: int):
    decision = _get_decision(pk)
    user = request.user
    context = {
        "decision": decision,
        "rate_percent": _percent(decision.funding_rate),
        "ledger": project_ledger(project=decision.project),
        "may_edit": _is_own_draft(user, decision),
        "may_release": roles.can_release_decisions(user)
        and not decision.is_released
        and decision.drafted_by_id != user.pk,
        "may_correct": roles.can_draft_decisions(user) and decision.is_released,
        "own_draft_needs_second_person": not decision.is_released and decision.drafted_by_id == user.pk,
    }
    return render(request, "staff/decision_detail.html", context)


def _percent(rate):
    return None if rate is None else (rate * 100).quantize(Decimal("0.01"))


def _render_decision_form(request, form, *, project, title: str, decision=None, amended=None, status=200):
    context = {
        "form": form,
        "title": title,
        "decision": decision,
        "amended": amended,
        "project": project,
        "ledger": project_ledger(project=project) if project else None,
        "totals_before": _totals_before(project, decision),
        "ledger_url_template": reverse("staff-project-ledger-json", kwargs={"pk": 0}),
    }
    return render(request, "staff/decision_form.html", context, status=status)


def _totals_before(project, decision):
    """The project's released totals the live checks compare against (this draft does not count yet)."""
    if project is None:
        return None
    return project_totals(project_id=project.pk)


def _form_project(form, fallback):
    project = form.cleaned_data.get("project") if form.is_bound and hasattr(form, "cleaned_data") else None
    return project or fallback


@staff_view
def decision_create(request):
    if not roles.can_draft_decisions(request.user):
        raise PermissionDenied(_("Nur die Sachbearbeitung erfasst Bescheide."))
    project = None
    project_id = request.GET.get("projekt", "")
    if project_id.isdigit():
        project = Project.objects.filter(pk=project_id).first()
    form = DecisionForm(request.POST or None, initial={"project": project, "kind": DecisionKind.INITIAL})
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_create_draft(user=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request,
                _("Entwurf %(ref)s gespeichert. Er zählt erst, wenn eine zweite Person ihn freigibt.")
                % {"ref": decision.reference},
            )
            return redirect("staff-decision-detail", pk=decision.pk)
    return _render_decision_form(
        request, form, project=_form_project(form, project), title=_("Neuer Zuwendungsbescheid")
    )


@staff_view
def decision_correct(request, pk: int, kind: str):
    """Start an amendment or revocation from a released decision."""
    if not roles.can_draft_decisions(request.user):
        raise PermissionDenied(_("Nur die Sachbearbeitung erfasst Änderungsbescheide und Widerrufe."))
    if kind not in (DecisionKind.AMENDMENT, DecisionKind.REVOCATION):
        raise Http404
    amended = _get_decision(pk)
    if not amended.is_released:
        messages.error(request, _("Nur ein freigegebener Bescheid kann geändert oder widerrufen werden."))
        return redirect("staff-decision-detail", pk=amended.pk)
    instance = FundingDecision(
        project=amended.project,
        kind=kind,
        amends=amended,
        recipient=amended.recipient,
        authority=amended.authority,
        financing_type=amended.financing_type,
        period_start=amended.period_start,
        period_end=amended.period_end,
        eligible_costs=ZERO,
        amount=None,
        own_share=ZERO,
        private_investment=ZERO,
    )
    form = DecisionForm(request.POST or None, instance=instance, fixed_correction=True)
    if request.method == "POST" and form.is_valid():
        try:
            decision = services.decision_create_draft(user=request.user, **form.service_fields())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Entwurf %(ref)s gespeichert.") % {"ref": decision.reference})
            return redirect("staff-decision-detail", pk=decision.pk)
    title = _("Änderungsbescheid zu %(ref)s") if kind == DecisionKind.AMENDMENT else _("Widerruf zu %(ref)s")
    return _render_decision_form(
        request, form, project=amended.project, title=title % {"ref": amended.reference}, amended=amended
    )


@staff_view
def decision_edit(request, pk: int):
    decision = _get_decision(pk)
    if decision.is_released:
        raise PermissionDenied(_("Ein freigegebener Bescheid ist schreibgeschützt; erfassen Sie eine Änderung."))
    if not _is_own_draft(request.user, decision):
        raise PermissionDenied(_("Nur die Person, die den Entwurf erfasst hat, kann ihn ändern."))
    form = DecisionForm(request.POST or None, instance=decision, fixed_correction=decision.kind != DecisionKind.INITIAL)
    if request.method == "POST" and form.is_valid():
        try:
            services.decision_update_draft(
                decision=FundingDecision.objects.get(pk=pk), user=request.user, **form.service_fields()
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Entwurf %(ref)s gespeichert.") % {"ref": form.cleaned_data["reference"]})
            return redirect("staff-decision-detail", pk=pk)
    return _render_decision_form(
        request,
        form,
        project=_form_project(form, decision.project),
        title=_("Entwurf %(ref)s bearbeiten") % {"ref": decision.reference},
        decision=decision,
        amended=decision.amends,
    )


@staff_view
def decision_delete(request, pk: int):
    decision = _get_decision(pk)
    if not _is_own_draft(request.user, decision):
        raise PermissionDenied(_("Nur die Person, die den Entwurf erfasst hat, kann ihn löschen."))
    if request.method == "POST":
        services.decision_delete_draft(decision=decision, user=request.user)
        messages.success(request, _("Entwurf %(ref)s gelöscht.") % {"ref": decision.reference})
        return redirect("staff-overview")
    return render(request, "staff/decision_confirm_delete.html", {"decision": decision})


@staff_view
def decision_release(request, pk: int):
    """A confirmation page (GET) and the release itself (POST), by a second person only.

    The page carries a digest of the draft it shows; the release is refused if the draft
    changed since, and the page shows the current draft to confirm again.
    """
    decision = _get_decision(pk)
    if not roles.can_release_decisions(request.user):
        raise PermissionDenied(_("Nur die Freigabe kann Bescheide freigeben."))
    if decision.is_released:
        messages.info(request, _("Der Bescheid %(ref)s ist bereits freigegeben.") % {"ref": decision.reference})
        return redirect("staff-decision-detail", pk=pk)
    attempt = attempt_release(
        request,
        entry=decision,
        release=lambda reviewed: services.decision_release(decision=decision, user=request.user, reviewed=reviewed),
    )
    if attempt.released:
        return redirect("staff-decision-detail", pk=pk)
    if attempt.changed:
        decision = _get_decision(pk)
    errors, status = attempt.errors, attempt.status
    totals = project_totals(project_id=decision.project_id)
    after = {
        "amount": totals.amount + decision.amount,
        "eligible_costs": totals.eligible_costs + decision.eligible_costs,
    }
    context = {
        "decision": decision,
        "errors": errors,
        "totals": totals,
        "after": after,
        "rate": _percent(decision.funding_rate),
        "rate_after": _percent(after["amount"] / after["eligible_costs"] if after["eligible_costs"] else None),
        "reviewed": review_digest(decision),
        "rate_cap": _percent(RATE_CAPS.get(decision.recipient.kind)),
        "project_not_approved": decision.project.status != ApplicationStatus.APPROVED,
    }
    return render(request, "staff/decision_confirm_release.html", context, status=status)


@staff_view
def decision_history(request, pk: int):
    decision = _get_decision(pk)
    context = {
        "object": decision,
        "title": _("Verlauf des Bescheids %(ref)s") % {"ref": decision.reference},
        "back_url": reverse("staff-decision-detail", kwargs={"pk": pk}),
        "entries": history_entries(obj=decision),
    }
    return render(request, "staff/history.html", context)


@staff_view
def project_ledger_json(request, pk: int):
    """The project's released totals and ledger lines, for the live checks of the decision form."""
    project = get_object_or_404(Project, pk=pk)
    ledger = project_ledger(project=project)
    return JsonResponse(
        {
            "project": project.title,
            "totals": ledger.totals.as_json(),
            "lines": [
                {
                    "reference": line.decision.reference,
                    "kind": line.decision.get_kind_display(),
                    "decision_date": formats.date_format(line.decision.decision_date, "SHORT_DATE_FORMAT"),
                    "amount": str(line.decision.amount),
                    "total_amount": str(line.totals.amount),
                }
                for line in ledger.lines
            ],
        }
    )


# --- Import --------------------------------------------------------------------------------


def _refuse_unless_importer(user) -> None:
    if not roles.can_import_decisions(user):
        raise PermissionDenied(_("Nur die Sachbearbeitung importiert Bescheide."))


@staff_view
def decision_import(request):
    """Upload, then a preview of every row and every error; nothing is saved yet."""
    _refuse_unless_importer(request.user)
    form = DecisionImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_decision_file(file=upload, filename=upload.name)
        except ImportFailed as failure:
            context = {"form": form, "file_errors": failure.errors, "filename": upload.name}
            return render(request, "staff/import_upload.html", context)
        preview = preview_decision_import(rows=rows, user=request.user)
        token = ""
        if preview.is_valid:
            token = keep_preview(user=request.user, kind=IMPORT_KIND, filename=upload.name, rows=rows)
        else:
            drop_previews(user=request.user, kind=IMPORT_KIND)
        return render(request, "staff/import_preview.html", _preview_context(preview, upload.name, token))
    return render(request, "staff/import_upload.html", {"form": form})


@require_POST
@staff_view
def decision_import_confirm(request):
    """Import all previewed rows as drafts, or none of them."""
    _refuse_unless_importer(request.user)
    pending = take_preview(user=request.user, kind=IMPORT_KIND, token=request.POST.get("token", ""))
    if pending is None:
        messages.error(request, _("Die Vorschau ist abgelaufen; bitte laden Sie die Datei erneut hoch."))
        return redirect("staff-decision-import")
    try:
        created = import_decisions(rows=pending.rows, user=request.user)
    except ImportFailed:
        # The ledger changed since the preview (a reference taken, a decision released): show why.
        preview = preview_decision_import(rows=pending.rows, user=request.user)
        context = _preview_context(preview, pending.filename, "")
        context["import_failed"] = True
        return render(request, "staff/import_preview.html", context)
    messages.success(
        request,
        _("%(count)d Bescheide als Entwürfe importiert. Sie zählen erst nach der Freigabe durch eine zweite Person.")
        % {"count": len(created)},
    )
    return redirect(reverse("staff-decision-list") + "?status=draft")


def _preview_context(preview, filename: str, token: str) -> dict:
    return {
        "preview": preview,
        "filename": filename,
        "token": token,
        "columns": ("reference", "project", "kind", "decision_date", "eligible_costs", "amount", "recipient"),
    }
