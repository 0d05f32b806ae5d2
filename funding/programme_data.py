"""Load the programme data in fixtures/ into the database; safe to run again.

Records are found by their natural keys (slugs, names, AGS, Aktenzeichen). What exists is
left as it is, so staff edits survive a second run; only missing records are created.
Released decisions are immutable: an Aktenzeichen that exists is skipped when the file says
the same, and reported as a conflict when the file says something else.
Decisions go through `funding.importing`, released by the system user "programmdaten".
"""

import csv
import json
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from funding.importing import (
    IMPORT_COLUMNS,
    history_user,
    import_decisions,
    parse_decision_row,
    read_decision_file,
)
from funding.models import FundingDecision, GrantingAuthority, Programme, Recipient
from funding.org_ids import validate_org_id
from funding.payments import services as payment_services
from funding.payments.models import Payment, PaymentRequest, ProofOfUse, Recovery
from modellregionen import ledger_changes, roles
from projects.models import Project, RequestStatus, RequestStatusChange, Topic, TransferRequest
from regions.models import Municipality, Region

FIXTURES_DIR = Path(settings.BASE_DIR) / "fixtures"
# The official directory of every NRW Kreis and Gemeinde (Destatis, dl-de/by-2-0).
GEMEINDEVERZEICHNIS = Path("gemeindeverzeichnis") / "GV100AD_30112025_NRW.txt"
SYSTEM_USERNAME = roles.SYSTEM_ACCOUNT


@dataclass
class LoadReport:
    created: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)
    conflicts: list[str] = field(default_factory=list)

    def lines(self) -> list[str]:
        kinds = sorted(set(self.created) | set(self.unchanged))
        return [f"{kind}: {self.created[kind]} neu, {self.unchanged[kind]} vorhanden" for kind in kinds]


def system_user():
    """The account that imports and releases the programme data; it cannot log in."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME,
        defaults={"first_name": "Programmdaten", "email": "", "is_active": True},
    )
    if created or user.has_usable_password():
        user.set_unusable_password()
        user.save(update_fields=["password"])
    # The services check roles on every path; the system account drafts and releases history.
    user.groups.add(*Group.objects.filter(name__in=[roles.CLERK, roles.APPROVER]))
    return user


class ProgrammeDataError(Exception):
    """A row of the programme data that cannot be loaded; the message names file and line."""


@contextmanager
def _row_of(path: Path, line: int):
    """Turn what a bad row raises (an unknown reference, a bad value) into one clear error.

    The load runs in one transaction, so after the error nothing of it is saved.
    """
    try:
        yield
    except KeyError as unknown:
        raise ProgrammeDataError(
            f"{path.name}, Zeile {line}: „{unknown.args[0]}“ ist unbekannt (kein solcher Eintrag, keine solche Spalte)."
        ) from unknown
    except ObjectDoesNotExist as missing:
        raise ProgrammeDataError(
            f"{path.name}, Zeile {line}: verweist auf einen Eintrag, den es nicht gibt ({type(missing).__qualname__})."
        ) from missing
    except ValidationError as invalid:
        if hasattr(invalid, "error_dict"):
            why = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in invalid.message_dict.items())
        else:
            why = " ".join(invalid.messages)
        raise ProgrammeDataError(f"{path.name}, Zeile {line}: {why}") from invalid
    except (ValueError, InvalidOperation) as bad:
        raise ProgrammeDataError(f"{path.name}, Zeile {line}: ungültiger Wert ({bad}).") from bad


def _numbered_rows(path: Path):
    """(row number, row) for each row, numbered as a spreadsheet shows them (the header is 1).

    As in the decision import's messages: a description with line breaks is one row, so in a
    text editor a row of projects.csv may start further down.
    """
    for index, row in enumerate(_csv_rows(path)):
        yield index + 2, row


def _csv_rows(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return list(csv.DictReader(handle))


def _get_or_create(report: LoadReport, kind: str, model, lookup: dict, defaults: dict):
    instance, created = model.objects.get_or_create(**lookup, defaults=defaults)
    (report.created if created else report.unchanged)[kind] += 1
    return instance


def _optional_date(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


@transaction.atomic
def load_programme_data(*, directory: Path = FIXTURES_DIR) -> LoadReport:
    """Create whatever of the programme data is missing; report what existed and any conflict."""
    report = LoadReport()
    call_command("import_municipalities", str(directory / GEMEINDEVERZEICHNIS), verbosity=0)
    user = system_user()
    reference = json.loads((directory / "programme.json").read_text(encoding="utf-8"))
    with history_user(user):
        _load_reference_data(reference, report)
        _load_recipients(directory, report)
        _load_projects(directory, report)
    _load_decisions(directory, report, user)
    _load_payments_ledger(directory, report, user)
    with history_user(user):
        _load_requests(directory, report, user)
    if report.created:
        # Programmes, projects and requests are created here, not through the services.
        ledger_changes.record()
    return report


def _load_reference_data(reference: dict, report: LoadReport) -> None:
    for item in reference["programmes"]:
        _get_or_create(
            report,
            "Förderprogramme",
            Programme,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "funder": item["funder"],
                "funder_org_id": item.get("funder_org_id", ""),
                "budget": Decimal(item["budget"]),
                "start_date": date.fromisoformat(item["start_date"]),
                "end_date": date.fromisoformat(item["end_date"]),
                "guideline_date": _optional_date(item["guideline_date"]),
                "description": item["description"],
                "url": item["url"],
            },
        )
    for item in reference["authorities"]:
        _get_or_create(
            report,
            "Bewilligungsbehörden",
            GrantingAuthority,
            {"slug": item["slug"]},
            {"name": item["name"], "kind": item["kind"]},
        )
    for item in reference["topics"]:
        _get_or_create(
            report, "Themenfelder", Topic, {"slug": item["slug"]}, {"name": item["name"], "name_en": item["name_en"]}
        )
    for item in reference["regions"]:
        region = _get_or_create(
            report,
            "Modellregionen",
            Region,
            {"slug": item["slug"]},
            {
                "name": item["name"],
                "administrative_district": item["administrative_district"],
                "description": item["description"],
                "lead_municipality": Municipality.objects.get(ags=item["lead_municipality"]),
            },
        )
        for ags in item["members"]:
            municipality = Municipality.objects.get(ags=ags)
            if municipality.region_id is None:
                municipality.region = region
                municipality.save(update_fields=["region"])
            elif municipality.region_id != region.pk:
                report.conflicts.append(
                    f"{municipality} gehört bereits zur Modellregion {municipality.region}, nicht zu {region}."
                )


def _load_recipients(directory: Path, report: LoadReport) -> None:
    for row in _csv_rows(directory / "recipients.csv"):
        municipality = Municipality.objects.get(ags=row["municipality"]) if row["municipality"] else None
        seat = Municipality.objects.get(ags=row["seat"]) if row.get("seat") else None
        org_id = row.get("org_id", "")
        validate_org_id(org_id)
        recipient = _get_or_create(
            report,
            "Zuwendungsempfänger",
            Recipient,
            {"name": row["name"]},
            {"kind": row["kind"], "municipality": municipality, "org_id": org_id, "seat": seat},
        )
        # A database loaded before identifiers and seats existed gets them; what staff have
        # entered since is never overwritten.
        filled = {}
        if org_id and not recipient.org_id:
            filled["org_id"] = org_id
        if seat and not recipient.seat_id:
            filled["seat"] = seat
        if filled:
            for name, value in filled.items():
                setattr(recipient, name, value)
            recipient.save(update_fields=list(filled))


def _load_projects(directory: Path, report: LoadReport) -> None:
    programmes = {p.slug: p for p in Programme.objects.all()}
    regions = {r.slug: r for r in Region.objects.all()}
    topics = {t.slug: t for t in Topic.objects.all()}
    path = directory / "projects.csv"
    for line, row in _numbered_rows(path):
        with _row_of(path, line):
            if Project.objects.filter(slug=row["slug"]).exists():
                report.unchanged["Projekte"] += 1
                continue
            project = Project(
                programme=programmes[row["programme"]],
                slug=row["slug"],
                title=row["title"],
                summary=row["summary"],
                description=row["description"],
                region=regions[row["region"]],
                lead_municipality=Municipality.objects.get(ags=row["lead_municipality"]),
                strand=row["strand"],
                topic=topics[row["topic"]],
                ozg_field=row["ozg_field"],
                kind=row["kind"],
                status=row["status"],
                submitted_on=date.fromisoformat(row["submitted_on"]),
                status_changed_on=_optional_date(row["status_changed_on"]),
                implementation_status=row["implementation_status"],
                implementation_start=_optional_date(row["implementation_start"]),
                implementation_end=_optional_date(row["implementation_end"]),
                transferable=row["transferable"] == "true",
                licence=row["licence"],
                maturity=row["maturity"],
                documentation_url=row["documentation_url"],
                contact_role=row["contact_role"],
                contact_email=row["contact_email"],
                source=row["source"],
            )
            project.full_clean()
            project.save()
            partners = row["partner_municipalities"].split()
            if partners:
                project.partner_municipalities.set(Municipality.objects.filter(ags__in=partners))
            report.created["Projekte"] += 1


def _same_decision(decision: FundingDecision, parsed: dict) -> bool:
    return all(getattr(decision, column) == parsed.get(column) for column in IMPORT_COLUMNS)


def _load_decisions(directory: Path, report: LoadReport, user) -> None:
    path = directory / "decisions.csv"
    with path.open("rb") as handle:
        rows = read_decision_file(file=handle, filename=path.name)
    existing = FundingDecision.objects.in_bulk([row["reference"] for row in rows], field_name="reference")
    to_import = []
    for index, row in enumerate(rows):
        decision = existing.get(row["reference"])
        if decision is None:
            to_import.append(row)
            continue
        # A blank row keeps the line numbers of any error message equal to the file's.
        to_import.append(dict.fromkeys(row, ""))
        parsed, errors = parse_decision_row(row, index + 2)
        if not errors and decision.is_released and _same_decision(decision, parsed):
            report.unchanged["Zuwendungsbescheide"] += 1
        else:
            report.conflicts.append(
                f"Bescheid {decision.reference}: die Datei weicht vom gespeicherten Bescheid ab; "
                "er bleibt unverändert (ein freigegebener Bescheid wird nur durch Änderungsbescheid korrigiert)."
            )
    if any(any(row.values()) for row in to_import):
        created = import_decisions(rows=to_import, user=None, released_by=user)
        report.created["Zuwendungsbescheide"] += len(created)


def _load_requests(directory: Path, report: LoadReport, user) -> None:
    projects = {p.slug: p for p in Project.objects.all()}
    path = directory / "requests.csv"
    for line, row in _numbered_rows(path):
        with _row_of(path, line):
            lookup = {
                "project": projects[row["project"]],
                "municipality_id": row["municipality"],
                "kind": row["kind"],
                "received_on": date.fromisoformat(row["received_on"]),
            }
            if TransferRequest.objects.filter(**lookup).exists():
                report.unchanged["Anfragen"] += 1
                continue
            request = TransferRequest(
                **lookup,
                status=row["status"],
                contact_name=row["contact_name"],
                contact_email=row["contact_email"],
                message=row["message"],
                source=row["source"],
                # Published or illustrative records of the programme, not unverified form input.
                confirmed_at=timezone.now(),
            )
            request.full_clean()
            request.save()
            if row["status"] != RequestStatus.RECEIVED:
                RequestStatusChange.objects.create(
                    request=request,
                    from_status=RequestStatus.RECEIVED,
                    to_status=row["status"],
                    note="Stand laut Programmdaten (illustrativ).",
                    changed_by=user,
                )
            report.created["Anfragen"] += 1


def _money_or_date(column: str, text: str):
    if column in {"amount"}:
        return Decimal(text)
    if column in {"value_date", "booked_on", "due_on", "received_on", "checked_on"}:
        return _optional_date(text)
    return text


def _load_payments_ledger(directory: Path, report: LoadReport, user) -> None:
    """Payment requests, payments, recoveries and proofs of use (illustrative, fixtures/generate_payments.py).

    Requests, payments and recoveries are recorded as released by `user`.

    Every row goes through funding.payments.services, so the ledger's rules hold for the demo
    data too; an entry that exists is left as it is, and reported if the file says otherwise.
    """
    grants = {decision.reference: decision for decision in FundingDecision.objects.all()}
    payment_requests: dict[str, PaymentRequest] = {}
    for filename, model, kind in (
        ("payment_requests.csv", PaymentRequest, "Mittelanforderungen"),
        ("payments.csv", Payment, "Auszahlungen"),
        ("recoveries.csv", Recovery, "Rückforderungen und Erstattungen"),
    ):
        existing = {entry.reference: entry for entry in model.objects.all()}
        path = directory / filename
        for line, row in _numbered_rows(path):
            with _row_of(path, line):
                fields = {column: _money_or_date(column, value) for column, value in row.items()}
                fields["decision"] = grants[row["decision"]]
                if fields.get("payment_request"):
                    fields["payment_request"] = payment_requests[row["payment_request"]]
                entry = existing.get(row["reference"])
                if entry is None:
                    entry = payment_services.entry_record_released(model, released_by=user, **fields)
                    report.created[kind] += 1
                elif all(getattr(entry, name) == value for name, value in fields.items()):
                    report.unchanged[kind] += 1
                else:
                    report.conflicts.append(
                        f"{kind} {entry.reference}: die Datei weicht von der gespeicherten Buchung ab; sie bleibt unverändert."
                    )
                if model is PaymentRequest:
                    payment_requests[entry.reference] = entry
    proofs = {proof.decision_id: proof for proof in ProofOfUse.objects.all()}
    path = directory / "proofs_of_use.csv"
    for line, row in _numbered_rows(path):
        with _row_of(path, line):
            decision = grants[row.pop("decision")]
            if decision.pk in proofs:
                report.unchanged["Verwendungsnachweise"] += 1
                continue
            fields = {column: _money_or_date(column, value) for column, value in row.items()}
            payment_services.proof_of_use_record(decision=decision, user=user, **fields)
            report.created["Verwendungsnachweise"] += 1
