"""Reads for the staff workspace: which requests a staff member may see and handle."""

from django.db.models import QuerySet

from modellregionen import roles
from projects.models import TransferRequest


def may_see_requests(user) -> bool:
    """Requests carry a contact person's data: only those who handle them see them."""
    return roles.CLERK in roles.roles_of(user) or roles.office_region_id(user) is not None


def requests_visible_to(*, user) -> QuerySet:
    """Sachbearbeitung sees every request; a Projektbüro those for its own region's projects."""
    queryset = TransferRequest.objects.select_related("project", "project__region", "municipality")
    if roles.CLERK in roles.roles_of(user):
        return queryset
    region_id = roles.office_region_id(user)
    if region_id is None:
        return queryset.none()
    return queryset.filter(project__region_id=region_id)
