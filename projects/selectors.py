"""Reads for projects and their requests, shared by the public pages and the API.

A project's decisions are read through the reverse relation that the funding app declares
(`project.decisions`, `decisions__amount`): the projects app imports nothing of funding,
which sits above it (its decisions point at projects).
"""

from decimal import Decimal

from django.db.models import Q, QuerySet, Sum

from projects.models import Project, ProjectKind, TransferRequest

ZERO = Decimal("0.00")


def project_catalogue() -> QuerySet:
    """Every project with what a catalogue line shows, ready for `ProjectFilter`."""
    return Project.objects.select_related("region", "topic").order_by("title")


def project_for_page(*, slug: str) -> Project:
    """One project with its region, topic and lead municipality; raises DoesNotExist."""
    return (
        Project.objects.select_related("region", "topic", "lead_municipality", "programme")
        .prefetch_related("partner_municipalities")
        .get(slug=slug)
    )


def project_released_decisions(*, project: Project) -> QuerySet:
    """The released decisions of a project, oldest first; drafts never show.

    `.money_totals()` on the answer sums exactly these decisions (and fills its cache).
    """
    return (
        project.decisions.released().select_related("recipient", "authority", "amends").order_by("decision_date", "id")
    )


def project_payments(*, project: Project) -> dict:
    """What was paid out on the project's grants and where each proof of use stands (no personal data).

    Read through the reverse relations the funding app declares (decisions -> payments,
    recoveries, proof_of_use): released payments and corrections less released repayments,
    and the proof of use of each initial decision. Two queries, however many entries.
    """
    released = project.decisions.filter(state="released")
    grants = list(
        released.filter(kind="initial")
        .select_related("proof_of_use", "recipient")
        .annotate(paid=Sum("payments__amount", filter=Q(payments__state="released")))
        .order_by("decision_date", "id")
    )
    repaid = released.aggregate(
        total=Sum("recoveries__amount", filter=Q(recoveries__state="released", recoveries__kind="repayment"))
    )["total"]
    return {
        "paid_out": sum((grant.paid or ZERO for grant in grants), ZERO) - (repaid or ZERO),
        "proofs": [grant.proof_of_use for grant in grants if hasattr(grant, "proof_of_use")],
    }


def project_request_counts(*, project: Project) -> dict:
    """How many municipalities asked for this project, by kind and in all."""
    requests = TransferRequest.objects.filter(project=project)
    return {
        "municipalities": requests.values("municipality").distinct().count(),
        "transfer": requests.filter(kind="transfer").values("municipality").distinct().count(),
        "consultation": requests.filter(kind="consultation").values("municipality").distinct().count(),
    }


def region_projects(*, region) -> QuerySet:
    """A region's projects (without its project office), for its page."""
    return Project.objects.filter(region=region, kind=ProjectKind.PROJECT).select_related("topic").order_by("title")


def region_project_office(*, region) -> Project | None:
    return Project.objects.filter(region=region, kind=ProjectKind.PROJECT_OFFICE).order_by("submitted_on").first()


def municipality_profile(*, municipality) -> dict:
    """What a municipality's public page and API show: no personal data.

    - `projects`: the projects it leads or partners in, each with its role and its net
      released grant (all recipients together);
    - `received`: the net released grant paid to the municipality itself as a recipient;
    - `requests`: the solutions it asked for, with kind, date and status (never the contact).
    """
    from regions.models import Municipality

    region = municipality.region
    if region is None and municipality.parent_id:
        region = Municipality.objects.select_related("region").get(ags=municipality.parent_id).region
    involved = Project.objects.filter(Q(lead_municipality=municipality) | Q(partner_municipalities=municipality))
    # Sums over a query without the partner join, which would count a decision once per partner.
    projects = list(
        Project.objects.filter(pk__in=involved.values("pk"))
        .select_related("region")
        .annotate(
            granted=Sum("decisions__amount", filter=Q(decisions__state="released")),
        )
        .order_by("title")
    )
    for project in projects:
        project.role = "lead" if project.lead_municipality_id == municipality.ags else "partner"
        project.granted = project.granted or ZERO
    received = (
        Municipality.objects.filter(pk=municipality.pk).aggregate(
            total=Sum("recipients__decisions__amount", filter=Q(recipients__decisions__state="released"))
        )["total"]
        or ZERO
    )
    requests = list(
        TransferRequest.objects.filter(municipality=municipality)
        .select_related("project")
        .only("project__slug", "project__title", "kind", "received_on", "status")
        .order_by("-received_on", "-id")
    )
    return {
        "municipality": municipality,
        "region": region,
        "projects": projects,
        "received": received,
        "requests": requests,
        "got_nothing": not projects and not received,
    }
