"""Writes to the municipality register (Kommunen): the import of the Gemeindeverzeichnis."""

from collections.abc import Iterable
from dataclasses import dataclass

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from regions.gemeindeverzeichnis import MunicipalityRecord
from regions.models import Municipality, MunicipalityKind

IMPORT_CHANGE_REASON = "Import Gemeindeverzeichnis"


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int


class MunicipalityImportRejected(Exception):
    """The file was refused as a whole; `errors` names every bad line."""

    def __init__(self, errors: list[str]):
        super().__init__(f"{len(errors)} fehlerhafte Zeile(n)")
        self.errors = errors


def _validation_messages(error: ValidationError) -> list[str]:
    messages = []
    for field_name, field_messages in error.message_dict.items():
        if field_name == NON_FIELD_ERRORS:
            messages.extend(field_messages)
            continue
        label = Municipality._meta.get_field(field_name).verbose_name
        messages.append(f"{label}: {' '.join(field_messages)}")
    return messages


def _parent_problem(record: MunicipalityRecord, kinds_by_ags: dict[str, str]) -> str:
    """Why the record's Kreis is wrong, or "" if it is fine."""
    if record.kind != MunicipalityKind.DISTRICT_MUNICIPALITY:
        if record.parent_ags:
            return f"Als {MunicipalityKind(record.kind).label} gehört {record.ags} zu keinem Kreis, hier steht aber „{record.parent_ags}“."
        return ""
    if not record.parent_ags:
        return "Für eine kreisangehörige Gemeinde fehlt der Kreis."
    parent_kind = kinds_by_ags.get(record.parent_ags)
    if parent_kind is None:
        return f"Der Kreis {record.parent_ags} fehlt: er steht weder in der Datei noch in der Datenbank."
    if parent_kind not in MunicipalityKind.district_level():
        return f"{record.parent_ags} ist kein Kreis, sondern eine {MunicipalityKind(parent_kind).label}."
    return ""


def municipalities_import(*, records: Iterable[MunicipalityRecord], dry_run: bool = False) -> ImportSummary:
    """Create or update municipalities by AGS, all or nothing; raise MunicipalityImportRejected naming every bad line."""
    records = list(records)
    existing = Municipality.objects.in_bulk([r.ags for r in records if r.ags])
    kinds_by_ags = dict(Municipality.objects.values_list("ags", "kind"))
    kinds_by_ags.update({r.ags: r.kind for r in records if not r.error and r.kind})

    errors: list[str] = []
    first_line_by_ags: dict[str, int] = {}
    to_create: list[Municipality] = []
    to_update: list[Municipality] = []
    unchanged = 0

    for record in records:
        where = f"Zeile {record.line}" + (f" ({record.ags})" if record.ags else "")
        if record.error:
            errors.append(f"{where}: {record.error}")
            continue
        if record.ags in first_line_by_ags:
            errors.append(f"{where}: Der Schlüssel steht schon in Zeile {first_line_by_ags[record.ags]}.")
            continue
        first_line_by_ags[record.ags] = record.line

        problems = []
        municipality = existing.get(record.ags) or Municipality(ags=record.ags)
        before = (municipality.name, municipality.kind, municipality.parent_id)
        municipality.name = record.name
        municipality.kind = record.kind
        municipality.parent_id = record.parent_ags or None
        try:
            # The Kreis may come later in the same file, so the foreign key is checked below
            # against the file and the database instead of by full_clean.
            municipality.full_clean(exclude=["parent", "region"])
        except ValidationError as error:
            problems.extend(_validation_messages(error))
        if record.kind in MunicipalityKind.values:
            parent_problem = _parent_problem(record, kinds_by_ags)
            if parent_problem:
                problems.append(parent_problem)
        else:
            problems.append(f"Erlaubt sind: {', '.join(MunicipalityKind.values)}.")
        if problems:
            errors.append(f"{where}: {' '.join(problems)}")
        elif municipality._state.adding:
            to_create.append(municipality)
        elif before != (municipality.name, municipality.kind, municipality.parent_id):
            to_update.append(municipality)
        else:
            unchanged += 1

    if errors:
        raise MunicipalityImportRejected(errors)

    summary = ImportSummary(created=len(to_create), updated=len(to_update), unchanged=unchanged)
    if dry_run:
        return summary
    with transaction.atomic():
        # Kreise first, so that every Gemeinde finds its Kreis.
        for municipality in sorted(to_create + to_update, key=lambda m: len(m.ags)):
            municipality._change_reason = IMPORT_CHANGE_REASON
            municipality.save()
    return summary
