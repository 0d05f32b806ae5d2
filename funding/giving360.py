"""Export of the released decisions in the 360Giving Data Standard (JSON package, schema 1.4).

One grant per released initial decision. Its amendments and revocations are folded in, so
`amountAwarded` is the net grant and the sum over all grants equals the figure
"funding granted". From the payments ledger, `amountDisbursed` is what was paid out net of
repayments (the figure "paid out") and `disbursementTransaction` lists each released payment,
correction and repayment, so that they add up to it. Amounts are written as exact JSON numbers
from the Decimal, never via float. The package streams, grants and their transactions in
batches, so the export costs little memory however long the ledger is.
"""

import json
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import quote

from django.http import StreamingHttpResponse
from django.urls import reverse
from django.utils.text import slugify
from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.exceptions import NotFound
from rest_framework.views import APIView

from funding.choices import RecoveryKind
from funding.models import DecisionKind, FundingDecision
from funding.payments.models import Payment, Recovery
from modellregionen.api.base import ApiMixin
from modellregionen.api.caching import data_watermark
from modellregionen.api.errors import ErrorSerializer
from modellregionen.api.licence import LICENCE

SCHEMA_VERSION = "1.4"
PREFIX = "360G-modellregionen"
MEDIA_TYPE = "application/json"


@dataclass
class Corrections:
    """What the released amendments and revocations of one grant add up to."""

    amount: Decimal = Decimal("0.00")
    period: tuple | None = None
    released_at: object = None


def _json(value) -> str:
    """JSON text with Decimals as exact numbers (the standard wants numbers, we want no floats)."""
    if isinstance(value, Decimal):
        return format(value, "f")
    if isinstance(value, dict):
        return "{" + ",".join(f"{json.dumps(key)}:{_json(item)}" for key, item in value.items()) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(_json(item) for item in value) + "]"
    return json.dumps(value, ensure_ascii=False)


def _corrections_by_grant() -> dict[int, Corrections]:
    """Net changes per initial decision; an amendment may amend an amendment, so follow the chain."""
    rows = list(
        FundingDecision.objects.released()
        .exclude(kind=DecisionKind.INITIAL)
        .order_by("decision_date", "id")
        .values_list("id", "amends_id", "amount", "period_start", "period_end", "released_at")
    )
    parent = {row[0]: row[1] for row in rows}

    def root(decision_id: int) -> int:
        while decision_id in parent:
            decision_id = parent[decision_id]
        return decision_id

    totals: dict[int, Corrections] = {}
    for decision_id, _amends, amount, start, end, released_at in rows:
        entry = totals.setdefault(root(decision_id), Corrections())
        entry.amount += amount
        entry.period = (start, end)  # the latest decision's period is the one in force
        entry.released_at = max(filter(None, [entry.released_at, released_at]), default=None)
    return totals


def _recipient_organisation(recipient) -> dict:
    """The recipient with its org-id.guide identifier and, from the directory, where it sits.

    Without a known identifier we fall back to our own prefix, by AGS for municipalities so the
    identifier stays stable across databases.
    """
    if recipient.org_id:
        identifier = recipient.org_id
    elif recipient.municipality_id:
        identifier = f"{PREFIX}-AGS-{recipient.municipality_id}"
    else:
        identifier = f"{PREFIX}-recipient-{recipient.pk}"
    organisation = {"id": identifier, "name": recipient.name, "addressCountry": "DE"}
    seat = recipient.seat_municipality
    if seat:
        if seat.postcode:
            organisation["postalCode"] = seat.postcode
        organisation["addressLocality"] = seat.name
        organisation["location"] = [{"name": seat.name, "geoCode": seat.ags, "geoCodeType": "AGS", "countryCode": "DE"}]
    return organisation


def funder_id(programme) -> str:
    """One identifier per funder, however many programmes it runs (360Giving checks for that)."""
    return programme.funder_org_id or f"{PREFIX}-funder-{slugify(programme.funder)[:80]}"


# Grants read per query while streaming, with their payments.
BATCH = 2000


def _disbursements(grants: list[FundingDecision]) -> dict[int, list[dict]]:
    """Grant id -> its released payments, corrections and repayments as 360Giving transactions."""
    transactions: dict[int, list[dict]] = {grant.pk: [] for grant in grants}
    payments = Payment.objects.released().filter(decision__in=grants).order_by("value_date", "id")
    for payment in payments.values("decision_id", "reference", "amount", "value_date", "corrects__reference"):
        description = (
            _("Auszahlung")
            if payment["amount"] > 0
            else _("Korrektur von %(ref)s") % {"ref": payment["corrects__reference"]}
        )
        transactions[payment["decision_id"]].append(
            (payment["value_date"], payment["reference"], payment["amount"], description)
        )
    repayments = Recovery.objects.released().filter(decision__in=grants, kind=RecoveryKind.REPAYMENT)
    for repayment in repayments.order_by("booked_on", "id").values("decision_id", "reference", "amount", "booked_on"):
        transactions[repayment["decision_id"]].append(
            (repayment["booked_on"], repayment["reference"], -repayment["amount"], _("Erstattung"))
        )
    return {
        grant_id: [
            {
                "id": f"{PREFIX}-{reference}",
                "transactionDate": day.isoformat(),
                "value": amount,
                "currency": "EUR",
                "description": description,
            }
            for day, reference, amount, description in sorted(entries, key=lambda entry: (entry[0], entry[1]))
        ]
        for grant_id, entries in transactions.items()
    }


def grant(
    decision: FundingDecision, corrections: Corrections | None, *, source_url: str, disbursements: list[dict] = ()
) -> dict:
    """One 360Giving grant record for an initial decision, its corrections and its payments."""
    project = decision.project
    programme = project.programme
    corrections = corrections or Corrections()
    start, end = corrections.period or (decision.period_start, decision.period_end)
    modified = max(filter(None, [decision.released_at, corrections.released_at]))
    place = project.lead_municipality or project.region.lead_municipality
    location = {"name": place.name if place else project.region.name, "countryCode": "DE"}
    if place:
        location.update({"geoCode": place.ags, "geoCodeType": "AGS"})
    classifications = [
        {"vocabulary": "modellregionen:strand", "code": project.strand, "title": project.get_strand_display()}
    ]
    if project.topic_id:
        classifications.append(
            {"vocabulary": "modellregionen:topic", "code": project.topic.slug, "title": project.topic.name}
        )
    record = {
        "id": f"{PREFIX}-{decision.reference}",
        "title": project.title,
        "description": project.summary or project.description or project.title,
        "currency": "EUR",
        "amountAwarded": decision.amount + corrections.amount,
        "awardDate": decision.decision_date.isoformat(),
        "plannedDates": [{"startDate": start.isoformat(), "endDate": end.isoformat()}],
        "recipientOrganization": [_recipient_organisation(decision.recipient)],
        "fundingOrganization": [
            {
                "id": funder_id(programme),
                "name": programme.funder,
                "department": decision.authority.name,
            }
        ],
        "grantProgramme": [{"code": programme.slug, "title": programme.name, "url": programme.url or None}],
        "beneficiaryLocation": [location],
        "classifications": classifications,
        "dataSource": source_url,
        "dateModified": modified.isoformat(),
    }
    if disbursements:
        recipient_id = record["recipientOrganization"][0]["id"]
        record["amountDisbursed"] = sum((item["value"] for item in disbursements), Decimal("0.00"))
        record["disbursementTransaction"] = [
            {**item, "provider": record["fundingOrganization"][0]["id"], "recipient": recipient_id}
            for item in disbursements
        ]
    return record


def _released_initial_decisions():
    """The grants of the package: corrections are folded into the grant they amend."""
    return FundingDecision.objects.released().filter(kind=DecisionKind.INITIAL)


def _fully_revoked(corrections: dict[int, Corrections]) -> set[int]:
    """Grants whose revocations took back everything: a grant of 0 € is no grant.

    360Giving's quality checks flag a zero amount; such a decision stays in the ledger, in
    `/api/v1/decisions/` and in the figures, and the package's description says it is left out.
    """
    initial_amounts = _released_initial_decisions().filter(pk__in=corrections).values_list("pk", "amount")
    return {pk for pk, amount in initial_amounts if amount + corrections[pk].amount == 0}


def package_chunks(
    *, base_url: str, decision_url: str, corrections: dict[int, Corrections], revoked: set[int]
) -> Iterator[str]:
    """The whole package as JSON text, grant by grant (`revoked`: the grants left out)."""
    modified = data_watermark()
    description = "Freigegebene Zuwendungsbescheide des Programms, Änderungen und Widerrufe eingerechnet."
    if revoked:
        description += (
            f" Nicht enthalten: {len(revoked)} vollständig widerrufene Bescheide (Zuwendung 0 €);"
            " sie stehen mit ihrem Widerruf unter /api/v1/decisions/."
        )
    header = {
        "version": SCHEMA_VERSION,
        "title": "Digitale Modellregionen NRW: Zuwendungen",
        "description": description,
        "license": LICENCE["url"],
        "publisher": {"name": "Digitale Modellregionen NRW", "website": base_url},
    }
    if modified:
        header["modified"] = modified.isoformat()
    yield _json(header)[:-1] + ',"grants":['
    initials = (
        _released_initial_decisions()
        .select_related(
            "project__programme",
            "project__region__lead_municipality",
            "project__lead_municipality",
            "project__topic",
            "recipient__municipality",
            "recipient__seat",
            "authority",
        )
        .exclude(pk__in=revoked)
        .order_by("decision_date", "id")
    )
    first = True
    for batch in _batches(initials.iterator(chunk_size=BATCH), BATCH):
        disbursements = _disbursements(batch)
        for decision in batch:
            source_url = decision_url.replace("__reference__", quote(decision.reference, safe=""))
            record = grant(
                decision, corrections.get(decision.pk), source_url=source_url, disbursements=disbursements[decision.pk]
            )
            text = _json(record)
            yield text if first else "," + text
            first = False
    yield "]}"


def _batches(items, size: int) -> Iterator[list]:
    batch = []
    for item in items:
        batch.append(item)
        if len(batch) == size:
            yield batch
            batch = []
    if batch:
        yield batch


def _organisation(name: str):
    return inline_serializer(
        name,
        {
            "id": serializers.CharField(),
            "name": serializers.CharField(),
            "department": serializers.CharField(required=False),
            "addressCountry": serializers.CharField(required=False),
            "postalCode": serializers.CharField(required=False),
            "addressLocality": serializers.CharField(required=False),
            "location": inline_serializer(
                f"{name}Location",
                {
                    "name": serializers.CharField(),
                    "geoCode": serializers.CharField(),
                    "geoCodeType": serializers.CharField(),
                    "countryCode": serializers.CharField(),
                },
                many=True,
                required=False,
            ),
        },
        many=True,
    )


GivingPackageSerializer = inline_serializer(
    "GivingPackage",
    {
        "version": serializers.CharField(),
        "title": serializers.CharField(),
        "description": serializers.CharField(),
        "license": serializers.URLField(),
        "modified": serializers.DateTimeField(required=False),
        "publisher": inline_serializer(
            "GivingPublisher", {"name": serializers.CharField(), "website": serializers.URLField()}
        ),
        "grants": inline_serializer(
            "GivingGrant",
            {
                "id": serializers.CharField(),
                "title": serializers.CharField(),
                "description": serializers.CharField(),
                "currency": serializers.ChoiceField(choices=["EUR"]),
                "amountAwarded": serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False),
                "awardDate": serializers.DateField(),
                "plannedDates": inline_serializer(
                    "GivingDates", {"startDate": serializers.DateField(), "endDate": serializers.DateField()}, many=True
                ),
                "recipientOrganization": _organisation("GivingRecipient"),
                "fundingOrganization": _organisation("GivingFunder"),
                "grantProgramme": inline_serializer(
                    "GivingProgramme",
                    {
                        "code": serializers.CharField(),
                        "title": serializers.CharField(),
                        "url": serializers.URLField(allow_null=True),
                    },
                    many=True,
                ),
                "beneficiaryLocation": inline_serializer(
                    "GivingLocation",
                    {
                        "name": serializers.CharField(),
                        "countryCode": serializers.CharField(),
                        "geoCode": serializers.CharField(required=False),
                        "geoCodeType": serializers.CharField(required=False),
                    },
                    many=True,
                ),
                "classifications": inline_serializer(
                    "GivingClassification",
                    {
                        "vocabulary": serializers.CharField(),
                        "code": serializers.CharField(),
                        "title": serializers.CharField(),
                    },
                    many=True,
                ),
                "dataSource": serializers.URLField(),
                "dateModified": serializers.DateTimeField(),
                "amountDisbursed": serializers.DecimalField(
                    max_digits=16, decimal_places=2, coerce_to_string=False, required=False
                ),
                "disbursementTransaction": inline_serializer(
                    "GivingTransaction",
                    {
                        "id": serializers.CharField(),
                        "transactionDate": serializers.DateField(),
                        "value": serializers.DecimalField(max_digits=16, decimal_places=2, coerce_to_string=False),
                        "currency": serializers.ChoiceField(choices=["EUR"]),
                        "description": serializers.CharField(),
                        "provider": serializers.CharField(),
                        "recipient": serializers.CharField(),
                    },
                    many=True,
                    required=False,
                ),
            },
            many=True,
        ),
    },
)


@extend_schema(
    tags=["decisions"],
    responses={
        200: GivingPackageSerializer,
        404: OpenApiResponse(ErrorSerializer, "No released grant yet: a 360Giving package needs at least one."),
    },
)
class Giving360View(ApiMixin, APIView):
    """Every released grant in the 360Giving Data Standard, as one JSON package."""

    pagination_class = None

    def allows_csv(self) -> bool:
        return False

    def get(self, request):
        corrections = _corrections_by_grant()
        revoked = _fully_revoked(corrections)
        if not _released_initial_decisions().exclude(pk__in=revoked).exists():
            # The standard requires at least one grant in a package: an empty file would not be one.
            raise NotFound(_("Es gibt noch keinen freigegebenen Zuwendungsbescheid, also nichts zu exportieren."))
        decision_url = request.build_absolute_uri(reverse("api:decision-detail", args=["__reference__"]))
        response = StreamingHttpResponse(
            package_chunks(
                base_url=request.build_absolute_uri("/"),
                decision_url=decision_url,
                corrections=corrections,
                revoked=revoked,
            ),
            content_type=f"{MEDIA_TYPE}; charset=utf-8",
        )
        response["Content-Disposition"] = 'inline; filename="modellregionen-360giving.json"'
        return response
