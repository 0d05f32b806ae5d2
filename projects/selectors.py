"""Reads for projects and their requests, shared by the public pages and the API.

A project's decisions are read through the reverse relation that the funding app declares
(`project.decisions`, `decisions__amount`): the projects app imports nothing of funding,
which sits above it (its decisions point at projects).
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, QuerySet, Sum

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


@dataclass(frozen=True)
class Stand:
    """What a citable page shows: the records dated up to `as_of` that the figures version includes.

    `included_until` is the newest ledger change the version includes (None: every record so
    far, before any figures were published). Released entries are never changed or deleted, so
    the same stand shows the same records and sums for as long as they exist.
    """

    as_of: dt.date
    included_until: dt.datetime | None = None

    @classmethod
    def of(cls, *, as_of: dt.date, version) -> "Stand":
        if version is None:
            return cls(as_of=as_of)
        return cls(as_of=as_of, included_until=version.includes_watermark or version.ledger_watermark)

    def released(self, *, date_field: str, prefix: str = "") -> Q:
        """The entries (reached through `prefix`) dated by `as_of` and released in time for the version."""
        condition = Q(**{f"{prefix}{date_field}__lte": self.as_of})
        if self.included_until is not None:
            condition &= Q(**{f"{prefix}released_at__lte": self.included_until})
        return condition


def project_released_decisions(*, project: Project, stand: Stand | None = None) -> QuerySet:
    """The released decisions of a project (as of `stand`), oldest first; drafts never show.

    `.money_totals()` on the answer sums exactly these decisions (and fills its cache).
    """
    decisions = project.decisions.released()
    if stand is not None:
        decisions = decisions.filter(stand.released(date_field="decision_date"))
    return decisions.select_related("recipient", "authority", "amends").order_by("decision_date", "id")


def project_request_counts(*, project: Project, stand: Stand | None = None) -> dict:
    """How many municipalities asked for this project (confirmed requests, as of `stand`), by kind and in all."""
    requests = TransferRequest.objects.counted().filter(project=project)
    if stand is not None:
        requests = requests.filter(received_on__lte=stand.as_of)
        if stand.included_until is not None:
            requests = requests.filter(confirmed_at__lte=stand.included_until)
    return {
        "municipalities": requests.values("municipality").distinct().count(),
        "transfer": requests.filter(kind="transfer").values("municipality").distinct().count(),
        "consultation": requests.filter(kind="consultation").values("municipality").distinct().count(),
    }


def region_projects(*, region, programme, stand: Stand) -> list[Project]:
    """A region's projects in a programme (without its project office), each with its net released grant.

    `granted` sums the project's released decisions as of `stand` (all recipients, amendments and
    revocations included), as `funded_projects` counts them: a project is funded when it is above zero.
    """
    released = Q(decisions__state="released") & stand.released(date_field="decision_date", prefix="decisions__")
    projects = list(
        Project.objects.filter(region=region, programme=programme, kind=ProjectKind.PROJECT)
        .select_related("topic")
        .annotate(granted=Sum("decisions__amount", filter=released))
    )
    for project in projects:
        project.granted = project.granted or ZERO
    return projects


def region_project_office(*, region) -> Project | None:
    return Project.objects.filter(region=region, kind=ProjectKind.PROJECT_OFFICE).order_by("submitted_on").first()


def municipality_profile(*, municipality, stand: Stand | None = None) -> dict:
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
    stand = stand or Stand(as_of=dt.date.max)
    involved = Project.objects.filter(Q(lead_municipality=municipality) | Q(partner_municipalities=municipality))
    # Sums over a query without the partner join, which would count a decision once per partner.
    released = Q(decisions__state="released") & stand.released(date_field="decision_date", prefix="decisions__")
    projects = list(
        Project.objects.filter(pk__in=involved.values("pk"))
        .select_related("region")
        .annotate(granted=Sum("decisions__amount", filter=released))
        .order_by("title")
    )
    for project in projects:
        project.role = "lead" if project.lead_municipality_id == municipality.ags else "partner"
        project.granted = project.granted or ZERO
    received = (
        Municipality.objects.filter(pk=municipality.pk).aggregate(
            total=Sum(
                "recipients__decisions__amount",
                filter=Q(recipients__decisions__state="released")
                & stand.released(date_field="decision_date", prefix="recipients__decisions__"),
            )
        )["total"]
        or ZERO
    )
    # Confirmed requests only, as the figures count them (an unconfirmed form is in the inbox only).
    requests = TransferRequest.objects.counted().filter(municipality=municipality, received_on__lte=stand.as_of)
    if stand.included_until is not None:
        requests = requests.filter(confirmed_at__lte=stand.included_until)
    requests = list(
        requests.select_related("project")
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


def request_counts_by_municipality(*, programme, stand: Stand) -> dict[str, int]:
    """Confirmed requests for a programme's solutions (as the figures count them) per asking municipality or Kreis."""
    requests = TransferRequest.objects.counted().filter(project__programme=programme, received_on__lte=stand.as_of)
    if stand.included_until is not None:
        requests = requests.filter(confirmed_at__lte=stand.included_until)
    return dict(requests.values("municipality").annotate(count=Count("id")).values_list("municipality", "count"))
