"""Staff workspace: the payments ledger of a grant, its release queue, its import, open payment requests and overdue proofs of use.

Sachbearbeitung records payment requests and books payments, claims and repayments as drafts
on a grant and records its proof of use; Freigabe releases other people's drafts. Every write goes through
funding.payments.services, so the same rules hold here as in the admin and the import.
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import DecimalField, F, OuterRef, Subquery, Sum, Value
from django.db.models.functions import Coalesce
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from funding.choices import ZERO, DecisionKind, RecoveryKind
from funding.four_eyes import review_digest
from funding.import_previews import drop_previews, keep_preview, take_preview
from funding.importing import ImportFailed, preview_import, read_import_file, run_import
from funding.models import FundingDecision
from funding.payments import services
from funding.payments.importing import PAYMENT_REQUESTS, PAYMENTS, PROOFS_OF_USE, RECOVERIES
from funding.payments.models import Payment, PaymentRequest, ProofOfUse, Recovery
from funding.payments.money import net_granted, paid_out
from funding.payments.rules import paid_on_request
from modellregionen import roles
from modellregionen.staff.access import add_service_errors, attempt_release, staff_view
from modellregionen.staff.decision_forms import DecisionImportForm, import_limits_text
from modellregionen.staff.payment_forms import PaymentForm, PaymentRequestForm, ProofOfUseForm, RecoveryForm

# URL word -> (model, form, recovery kind, title)
ENTRY_KINDS = {
    "mittelanforderung": (PaymentRequest, PaymentRequestForm, None, gettext_lazy("Mittelanforderung erfassen")),
    "auszahlung": (Payment, PaymentForm, None, gettext_lazy("Auszahlung erfassen")),
    "rueckforderung": (Recovery, RecoveryForm, RecoveryKind.CLAIM, gettext_lazy("Rückforderung erfassen")),
    "erstattung": (Recovery, RecoveryForm, RecoveryKind.REPAYMENT, gettext_lazy("Erstattung erfassen")),
}
MODELS = {
    "mittelanforderung": PaymentRequest,
    "auszahlung": Payment,
    "rueckforderung": Recovery,
    "erstattung": Recovery,
}

KIND_LABELS = {
    "mittelanforderung": gettext_lazy("Mittelanforderung"),
    "auszahlung": gettext_lazy("Auszahlung"),
    "rueckforderung": gettext_lazy("Rückforderung"),
    "erstattung": gettext_lazy("Erstattung"),
}


def _grant(pk: int) -> FundingDecision:
    return get_object_or_404(
        FundingDecision.objects.released().filter(kind=DecisionKind.INITIAL).select_related("project", "recipient"),
        pk=pk,
    )


def _refuse_unless_clerk(user) -> None:
    if not roles.can_draft_decisions(user):
        raise PermissionDenied(_("Nur die Sachbearbeitung bucht Auszahlungen, Rückforderungen und Nachweise."))


def grant_summary(grant: FundingDecision) -> dict:
    """The grant as of today: granted, paid (net of repayments), requests, entries and proof of use."""
    today = timezone.localdate()
    payment_requests = list(
        grant.payment_requests.select_related("drafted_by", "released_by").order_by("received_on", "id")
    )
    payments = list(
        grant.payments.select_related("drafted_by", "released_by", "corrects", "payment_request").order_by(
            "value_date", "id"
        )
    )
    recoveries = list(grant.recoveries.select_related("drafted_by", "released_by").order_by("booked_on", "id"))
    for entry in [*payment_requests, *payments, *recoveries]:
        entry.url_kind = entry_kind_word(entry)
    for payment_request in payment_requests:
        payment_request.paid = paid_on_request(payment_request)
        payment_request.open_amount = payment_request.amount - payment_request.paid
    return {
        "grant": grant,
        "granted": net_granted(grant, as_of=today),
        "paid": paid_out(grant, as_of=today),
        "payment_requests": payment_requests,
        "payments": payments,
        "recoveries": recoveries,
        "proof": ProofOfUse.objects.filter(decision=grant).first(),
    }


@staff_view
def entry_create(request, grant_pk: int, kind: str):
    """A draft payment, claim or repayment on a grant (Sachbearbeitung)."""
    _refuse_unless_clerk(request.user)
    grant = _grant(grant_pk)
    _model_for(kind)
    model, form_class, recovery_kind, title = ENTRY_KINDS[kind]
    form = form_class(request.POST or None, grant=grant)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            fields = dict(form.cleaned_data)
            if recovery_kind:
                fields["kind"] = recovery_kind
            try:
                entry = services.entry_create_draft(model, user=request.user, decision=grant, **fields)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(
                    request, _("Entwurf %(ref)s gespeichert; er zählt nach der Freigabe.") % {"ref": entry.reference}
                )
                return redirect("staff-project-detail", pk=grant.project_id)
        status = 400
    context = {"form": form, "title": title, "summary": grant_summary(grant)}
    return render(request, "staff/entry_form.html", context, status=status)


def _model_for(kind: str):
    """The ledger model a URL word names; an unknown word is a 404, not a 500."""
    if kind not in MODELS:
        raise Http404(_("Unbekannte Buchungsart."))
    return MODELS[kind]


def _entry_date(entry):
    return getattr(entry, "value_date", None) or getattr(entry, "received_on", None) or entry.booked_on


@staff_view
def entry_release(request, kind: str, pk: int):
    """A confirmation page (GET) and the release (POST) of a draft payment request, payment or recovery.

    Only Freigabe, never the author; the page shows the grant and what the approver checks, and
    carries a digest of the draft: a release of a draft that changed since is refused.
    """
    if not roles.can_release_decisions(request.user):
        raise PermissionDenied(_("Nur die Freigabe kann Buchungen freigeben."))
    model = _model_for(kind)
    entry = get_object_or_404(model.objects.select_related("decision__project", "drafted_by"), pk=pk)
    if entry.is_released:
        messages.info(request, _("%(ref)s ist bereits freigegeben.") % {"ref": entry.reference})
        return redirect("staff-project-detail", pk=entry.decision.project_id)
    attempt = attempt_release(
        request,
        entry=entry,
        release=lambda reviewed: services.entry_release(entry=entry, user=request.user, reviewed=reviewed),
    )
    if attempt.released:
        return redirect("staff-project-detail", pk=entry.decision.project_id)
    if attempt.changed:
        entry = get_object_or_404(model.objects.select_related("decision__project", "drafted_by"), pk=pk)
    errors, status = attempt.errors, attempt.status
    entry.url_kind = kind
    context = {
        "entry": entry,
        "kind_label": KIND_LABELS[kind],
        "entry_date": _entry_date(entry),
        "summary": grant_summary(entry.decision),
        "errors": errors,
        "reviewed": review_digest(entry),
    }
    summary = context["summary"]
    rate = summary["grant"].funding_rate
    context["rate"] = None if rate is None else rate * 100
    context["still_to_pay"] = summary["granted"] - summary["paid"]
    if isinstance(entry, Payment):
        context["still_to_pay_after"] = context["still_to_pay"] - entry.amount
    return render(request, "staff/entry_confirm_release.html", context, status=status)


@require_POST
@staff_view
def entry_delete(request, kind: str, pk: int):
    entry = get_object_or_404(_model_for(kind), pk=pk)
    project_id = entry.decision.project_id
    try:
        services.entry_delete_draft(entry=entry, user=request.user)
    except (PermissionDenied, ValidationError) as error:
        text = " ".join(error.messages) if isinstance(error, ValidationError) else str(error)
        messages.error(request, f"{entry.reference}: {text}")
    else:
        messages.success(request, _("Entwurf %(ref)s gelöscht.") % {"ref": entry.reference})
    return redirect("staff-project-detail", pk=project_id)


@staff_view
def proof_of_use_edit(request, grant_pk: int):
    """Record when the proof of use is due, when it came in, and the result of its check."""
    _refuse_unless_clerk(request.user)
    grant = _grant(grant_pk)
    proof = ProofOfUse.objects.filter(decision=grant).first()
    form = ProofOfUseForm(request.POST or None, instance=proof)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                services.proof_of_use_record(decision=grant, user=request.user, **form.cleaned_data)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("Verwendungsnachweis zu %(ref)s gespeichert.") % {"ref": grant.reference})
                return redirect("staff-project-detail", pk=grant.project_id)
        status = 400
    context = {"form": form, "title": _("Verwendungsnachweis"), "summary": grant_summary(grant)}
    return render(request, "staff/entry_form.html", context, status=status)


def drafts_awaiting_release(*, user) -> list:
    """Draft payment requests, payments and recoveries someone else wrote: the release queue of `user`."""
    entries = [
        *PaymentRequest.objects.drafts().exclude(drafted_by=user).select_related("decision__project", "drafted_by"),
        *Payment.objects.drafts().exclude(drafted_by=user).select_related("decision__project", "drafted_by"),
        *Recovery.objects.drafts().exclude(drafted_by=user).select_related("decision__project", "drafted_by"),
    ]
    for entry in entries:
        entry.url_kind = entry_kind_word(entry)
    return sorted(entries, key=lambda entry: entry.created_at)


def entry_kind_word(entry) -> str:
    if isinstance(entry, PaymentRequest):
        return "mittelanforderung"
    if isinstance(entry, Payment):
        return "auszahlung"
    return "rueckforderung" if entry.kind == RecoveryKind.CLAIM else "erstattung"


def open_payment_requests():
    """Released payment requests whose payments do not yet add up to the amount asked for, oldest first.

    `paid` is what paid_on_request counts (payments on the request less their corrections),
    computed in the database for all requests at once.
    """
    released = Payment.objects.released()
    paid_on_it = released.filter(payment_request=OuterRef("pk")).values("payment_request").annotate(total=Sum("amount"))
    corrected = (
        released.filter(corrects__payment_request=OuterRef("pk"))
        .values("corrects__payment_request")
        .annotate(total=Sum("amount"))
    )
    zero = Value(ZERO, output_field=DecimalField(max_digits=14, decimal_places=2))
    return (
        PaymentRequest.objects.released()
        .annotate(
            paid=Coalesce(Subquery(paid_on_it.values("total")), zero)
            + Coalesce(Subquery(corrected.values("total")), zero)
        )
        .annotate(open_amount=F("amount") - F("paid"))
        .filter(open_amount__gt=0)
        .select_related("decision__authority", "decision__project", "decision__recipient")
        .order_by("received_on", "id")
    )


@staff_view
def open_requests(request):
    """Payment requests still waiting for (all of) their money: what the paying office has to do."""
    open_list = list(open_payment_requests())
    context = {
        "open_requests": open_list,
        "today": timezone.localdate(),
        "total": sum((r.open_amount for r in open_list), 0),
    }
    return render(request, "staff/open_payment_requests.html", context)


@staff_view
def overdue_proofs(request):
    """Proofs of use past their deadline and not yet received, per granting authority."""
    today = timezone.localdate()
    overdue = (
        ProofOfUse.objects.filter(due_on__lt=today, received_on__isnull=True, decision__state="released")
        .select_related("decision__authority", "decision__project", "decision__recipient")
        .order_by("decision__authority__name", "due_on")
    )
    by_authority: dict = {}
    for proof in overdue:
        by_authority.setdefault(proof.decision.authority, []).append(proof)
    context = {"by_authority": by_authority, "today": today, "count": sum(len(p) for p in by_authority.values())}
    return render(request, "staff/overdue_proofs.html", context)


# --- Import of payments, recoveries and proofs of use -----------------------------------------

# URL word -> (format, page title, column help, preview columns)
IMPORTS = {
    "mittelanforderungen": (
        PAYMENT_REQUESTS,
        gettext_lazy("Mittelanforderungen importieren"),
        gettext_lazy(
            "Spalten (Kopfzeile): reference, decision (Aktenzeichen des Zuwendungsbescheids), amount, received_on, "
            "purpose, source. Beträge mit Punkt als Dezimaltrennzeichen (1234.56); Datum als JJJJ-MM-TT."
        ),
        ("reference", "decision", "received_on", "amount"),
    ),
    "auszahlungen": (
        PAYMENTS,
        gettext_lazy("Auszahlungen importieren"),
        gettext_lazy(
            "Spalten (Kopfzeile): reference, decision (Aktenzeichen des Zuwendungsbescheids), amount, value_date, "
            "payment_request (Zeichen der Mittelanforderung), corrects, source. Beträge mit Punkt als "
            "Dezimaltrennzeichen (1234.56), "
            "eine Korrektur negativ mit corrects; Datum als JJJJ-MM-TT."
        ),
        ("reference", "decision", "value_date", "amount", "payment_request", "corrects"),
    ),
    "rueckforderungen": (
        RECOVERIES,
        gettext_lazy("Rückforderungen und Erstattungen importieren"),
        gettext_lazy(
            "Spalten (Kopfzeile): reference, decision (Aktenzeichen des Zuwendungsbescheids), kind (claim oder "
            "repayment), amount, booked_on, reason, source. Beträge mit Punkt als Dezimaltrennzeichen (1234.56); "
            "Datum als JJJJ-MM-TT."
        ),
        ("reference", "decision", "kind", "booked_on", "amount"),
    ),
    "verwendungsnachweise": (
        PROOFS_OF_USE,
        gettext_lazy("Verwendungsnachweise importieren"),
        gettext_lazy(
            "Spalten (Kopfzeile): decision (Aktenzeichen des Zuwendungsbescheids), due_on (leer: Regel des "
            "Programms), received_on, checked_on, result (accepted, reclaim oder rejected), source. Datum als "
            "JJJJ-MM-TT. Ein vorhandener Nachweis wird aktualisiert."
        ),
        ("decision", "due_on", "received_on", "checked_on", "result"),
    ),
}


def _import_context(kind: str, **context) -> dict:
    fmt, title, columns_help, preview_columns = IMPORTS[kind]
    return {
        "kind": kind,
        "title": title,
        "columns_help": columns_help,
        "noun": fmt.noun,
        "labels": [fmt.labels[column] for column in preview_columns],
        "preview_columns": preview_columns,
        **context,
    }


@staff_view
def ledger_import(request, kind: str):
    """Upload, then a preview of every row and every error; nothing is saved yet."""
    _refuse_unless_clerk(request.user)
    if kind not in IMPORTS:
        raise Http404(_("Diesen Import gibt es nicht."))
    fmt = IMPORTS[kind][0]
    form = DecisionImportForm(request.POST or None, request.FILES or None)
    form.fields["file"].help_text = _("Eine Zeile je Buchung, mit der Kopfzeile des Importformats.") + (
        " " + import_limits_text()
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            rows = read_import_file(file=upload, filename=upload.name, fmt=fmt)
        except ImportFailed as failure:
            context = _import_context(kind, form=form, file_errors=failure.errors, filename=upload.name)
            return render(request, "staff/ledger_import_upload.html", context, status=400)
        preview = preview_import(rows=rows, fmt=fmt, user=request.user)
        token = ""
        if preview.is_valid:
            token = keep_preview(user=request.user, kind=kind, filename=upload.name, rows=rows)
        else:
            drop_previews(user=request.user, kind=kind)
        context = _import_context(kind, preview=_preview_rows(preview, kind), filename=upload.name, token=token)
        return render(request, "staff/ledger_import_preview.html", context, status=200 if token else 400)
    return render(request, "staff/ledger_import_upload.html", _import_context(kind, form=form))


def _preview_rows(preview, kind: str):
    """The preview with each row's values in the order of the preview columns."""
    for row in preview.rows:
        row.cells = [row.raw.get(column, "") for column in IMPORTS[kind][3]]
    return preview


@require_POST
@staff_view
def ledger_import_confirm(request, kind: str):
    """Import all previewed rows (payments and recoveries as drafts), or none of them."""
    _refuse_unless_clerk(request.user)
    if kind not in IMPORTS:
        raise Http404(_("Diesen Import gibt es nicht."))
    fmt = IMPORTS[kind][0]
    pending = take_preview(user=request.user, kind=kind, token=request.POST.get("token", ""))
    if pending is None:
        messages.error(request, _("Die Vorschau ist abgelaufen; bitte laden Sie die Datei erneut hoch."))
        return redirect("staff-ledger-import", kind=kind)
    try:
        created = run_import(rows=pending.rows, fmt=fmt, user=request.user)
    except ImportFailed:
        # The ledger changed since the preview (a reference taken, a payment released): show why.
        preview = preview_import(rows=pending.rows, fmt=fmt, user=request.user)
        context = _import_context(
            kind, preview=_preview_rows(preview, kind), filename=pending.filename, token="", import_failed=True
        )
        return render(request, "staff/ledger_import_preview.html", context, status=409)
    messages.success(
        request,
        _("%(count)d %(noun)s importiert. Buchungen zählen erst nach der Freigabe durch eine zweite Person.")
        % {"count": len(created), "noun": fmt.noun},
    )
    return redirect("staff-overview")
