"""Reads for projects and their requests, shared by the public pages and the API."""

from django.db.models import QuerySet

from funding.models import MONEY_FIELDS, ZERO, FundingDecision
from projects.models import Project, ProjectKind, TransferRequest


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


def project_released_decisions(*, project: Project) -> list[FundingDecision]:
    """The released decisions of a project, oldest first; drafts never show."""
    return list(
        FundingDecision.objects.released()
        .filter(project=project)
        .select_related("recipient", "authority", "amends")
        .order_by("decision_date", "id")
    )


def decision_totals(*, decisions: list[FundingDecision]) -> dict:
    """The sum of each money column over exactly the decisions shown."""
    totals = {name: ZERO for name in MONEY_FIELDS}
    for decision in decisions:
        for name in MONEY_FIELDS:
            totals[name] += getattr(decision, name)
    return totals


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
    from django.db.models import Q, Sum

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
        FundingDecision.objects.released()
        .filter(recipient__municipality=municipality)
        .aggregate(total=Sum("amount"))["total"]
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
