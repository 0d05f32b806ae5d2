"""The pages of one project and one municipality: records read from the ledgers, citable like the dashboard.

A page takes `as_of` and `version` from its URL like the figures pages: it shows the released
entries dated by then that the version includes (projects.selectors.Stand), says which version
it shows, and has a "Zitieren" element with its permalink.
"""

from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from funding.choices import ZERO
from funding.figures.forms import AsOfForm, as_of_status, page_citation
from funding.figures.views import map_section, page_status
from funding.models import FundingDecision
from funding.payments.models import Payment
from funding.payments.money import paid_out
from funding.provenance import illustrative_q, is_illustrative
from projects import selectors
from projects.models import Project
from projects.views import project_or_404
from regions.models import Municipality


def _stand(request: HttpRequest, *, programme) -> tuple[AsOfForm, dict, selectors.Stand]:
    """A citable page's "Stand": its date and figures version from the URL, what to show, and how to cite it."""
    as_of_form = AsOfForm(request.GET or None, programme=programme)
    as_of, version = as_of_form.as_of_or_today(), as_of_form.shown_version()
    context = {"as_of_form": as_of_form, "as_of": as_of, "version": version, "programme": programme}
    context.update(page_citation(request, context))
    # Unpinned, the page shows the ledger as it is now; a permalink pins the records its version includes.
    return as_of_form, context, selectors.Stand.of(as_of=as_of, version=as_of_form.chosen_version())


def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = project_or_404(slug)
    as_of_form, context, stand = _stand(request, programme=project.programme)
    decisions = selectors.project_released_decisions(project=project, stand=stand)
    for decision in decisions:
        decision.illustrative = is_illustrative(decision.source)
    context |= {
        "project": project,
        "decisions": decisions,
        "totals": decisions.money_totals(),
        "decisions_illustrative": any(decision.illustrative for decision in decisions),
        "payments": _project_payments(project=project, stand=stand),
        "payments_illustrative": Payment.objects.released()
        .filter(illustrative_q(), decision__project=project)
        .exists(),
        "request_counts": selectors.project_request_counts(project=project, stand=stand),
    }
    return render(request, "projects/project_detail.html", context, status=as_of_status(as_of_form))


def _project_payments(*, project: Project, stand: selectors.Stand) -> dict:
    """What was paid out on the project's grants and where each proof of use stands (no personal data).

    Paid out is funding/payments/money.py's, summed over the project's grants; the proof of use
    of each initial decision as known on the page's day. Three queries, however many entries.
    """
    released = project.decisions.filter(Q(state="released") & stand.released(date_field="decision_date"))
    grants = list(released.filter(kind="initial").select_related("proof_of_use").order_by("decision_date", "id"))
    proofs = [grant.proof_of_use for grant in grants if hasattr(grant, "proof_of_use")]
    for proof in proofs:
        # What was known about the proof on the day the page shows.
        proof.received_by_then = proof.received_on if proof.received_on and proof.received_on <= stand.as_of else None
        checked = proof.checked_on and proof.checked_on <= stand.as_of
        proof.result_by_then = proof.get_result_display() if checked and proof.result else ""
    paid = paid_out(grants, as_of=stand.as_of, released_until=stand.included_until) if grants else ZERO
    return {"paid_out": paid, "proofs": proofs}


def municipality_detail(request: HttpRequest, ags: str) -> HttpResponse:
    municipality = Municipality.objects.select_related("region", "parent").filter(ags=ags).first()
    if municipality is None:
        raise Http404(_("Zu diesem Gemeindeschlüssel ist keine Kommune in NRW verzeichnet."))
    as_of_form, context, stand = _stand(request, programme=None)
    context |= selectors.municipality_profile(municipality=municipality, stand=stand)
    # The grants shown rest on these decisions: marked where any of them is illustrative.
    involved = [project.pk for project in context["projects"]]
    context["grants_illustrative"] = (
        FundingDecision.objects.released()
        .filter(illustrative_q())
        .filter(Q(project_id__in=involved) | Q(recipient__municipality=municipality))
        .exists()
    )
    if municipality.is_district:
        context["members"] = list(municipality.members.listed().order_by("name"))
    context.update(map_section(request, context, highlight=municipality.ags))
    return render(request, "regions/municipality_detail.html", context, status=page_status(as_of_form, context))
