"""Writes to the municipality register (Kommunen): the import of the Gemeindeverzeichnis."""

from collections.abc import Iterable
from dataclasses import dataclass, field

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction

from modellregionen import ledger_changes
from regions.gemeindeverzeichnis import MunicipalityRecord
from regions.models import Municipality, MunicipalityKind

IMPORT_CHANGE_REASON = "Import Gemeindeverzeichnis"


# A complete directory that no longer lists more than this share of the municipalities we have
# is more likely cut off than a reform: it is refused unless removals are accepted explicitly.
MAX_DELISTED_SHARE = 0.05


@dataclass(frozen=True)
class ImportSummary:
    created: int
    updated: int
    unchanged: int
    # What changed, for the report: (AGS, old, new) and (AGS, name).
    renamed: list[tuple[str, str, str]] = field(default_factory=list)
    population_changed: list[tuple[str, str, int | None, int | None]] = field(default_factory=list)
    added: list[tuple[str, str]] = field(default_factory=list)
    delisted: list[tuple[str, str]] = field(default_factory=list)
    relisted: list[tuple[str, str]] = field(default_factory=list)


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


def _is_referenced(municipality: Municipality) -> bool:
    """Whether any record (decision, recipient, project, request, region) points at it."""
    for relation in Municipality._meta.related_objects:
        if relation.related_model.__name__.startswith("Historical"):
            continue
        accessor = relation.get_accessor_name()
        if relation.one_to_one:
            if hasattr(municipality, accessor):
                return True
        elif getattr(municipality, accessor).exists():
            return True
    return False


DIRECTORY_FIELDS = ("population", "area_hectares", "postcode", "directory_date")


def municipalities_import(
    *,
    records: Iterable[MunicipalityRecord],
    dry_run: bool = False,
    complete: bool = False,
    accept_removals: bool = False,
) -> ImportSummary:
    """Create or update municipalities by AGS, all or nothing; raise MunicipalityImportRejected naming every bad line.

    With `complete` (the file is the whole directory of NRW), a municipality the file does not
    list is kept and marked as no longer in the directory: decisions, recipients, projects and
    requests may refer to it. Nothing is ever deleted.
    """
    records = list(records)
    existing = Municipality.objects.in_bulk([r.ags for r in records if r.ags])
    kinds_by_ags = dict(Municipality.objects.values_list("ags", "kind"))
    kinds_by_ags.update({r.ags: r.kind for r in records if not r.error and r.kind})

    errors: list[str] = []
    first_line_by_ags: dict[str, int] = {}
    to_create: list[Municipality] = []
    to_update: list[Municipality] = []
    unchanged = 0
    renamed, population_changed, added, relisted = [], [], [], []

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
        before = (
            municipality.name,
            municipality.kind,
            municipality.parent_id,
            municipality.in_directory,
            *(getattr(municipality, name) for name in DIRECTORY_FIELDS),
        )
        old_name, old_population, was_listed = municipality.name, municipality.population, municipality.in_directory
        municipality.name = record.name
        municipality.kind = record.kind
        municipality.parent_id = record.parent_ags or None
        municipality.in_directory = True
        # A format without population (the XLSX excerpt, our CSV) leaves the stored values alone.
        if record.population is not None:
            municipality.population = record.population
            municipality.area_hectares = record.area_hectares
            municipality.postcode = record.postcode
            municipality.directory_date = record.directory_date
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
            continue
        if municipality._state.adding:
            to_create.append(municipality)
            added.append((municipality.ags, municipality.name))
            continue
        after = (
            municipality.name,
            municipality.kind,
            municipality.parent_id,
            municipality.in_directory,
            *(getattr(municipality, name) for name in DIRECTORY_FIELDS),
        )
        if before == after:
            unchanged += 1
            continue
        to_update.append(municipality)
        if old_name != municipality.name:
            renamed.append((municipality.ags, old_name, municipality.name))
        if record.population is not None and old_population != municipality.population:
            population_changed.append((municipality.ags, municipality.name, old_population, municipality.population))
        if not was_listed:
            relisted.append((municipality.ags, municipality.name))

    delisted: list[Municipality] = []
    if complete and not errors:
        delisted = list(Municipality.objects.listed().exclude(ags__in=first_line_by_ags).order_by("ags"))
        listed_count = Municipality.objects.listed().count()
        if delisted and not accept_removals and len(delisted) > MAX_DELISTED_SHARE * listed_count:
            errors.append(
                f"Die Datei nennt {len(delisted)} von {listed_count} Kommunen nicht mehr "
                f"(z. B. {', '.join(m.ags for m in delisted[:5])}): sie ist wohl unvollständig. "
                "Wenn das stimmt (Gebietsreform), bitte mit --accept-removals einlesen."
            )

    if errors:
        raise MunicipalityImportRejected(errors)

    summary = ImportSummary(
        created=len(to_create),
        updated=len(to_update) + len(delisted),
        unchanged=unchanged,
        renamed=renamed,
        population_changed=population_changed,
        added=added,
        delisted=[(m.ags, m.name) for m in delisted],
        relisted=relisted,
    )
    if dry_run:
        return summary
    with transaction.atomic():
        # Kreise first, so that every Gemeinde finds its Kreis.
        for municipality in sorted(to_create + to_update, key=lambda m: len(m.ags)):
            municipality._change_reason = IMPORT_CHANGE_REASON
            municipality.save()
        for municipality in delisted:
            # Kept, never deleted: decisions, recipients, projects and requests may refer to it.
            municipality.in_directory = False
            municipality._change_reason = IMPORT_CHANGE_REASON + ": nicht mehr verzeichnet"
            municipality.save(update_fields=["in_directory"])
        if to_create or to_update or delisted:
            # Populations and Gemeinden are denominators of the reach and per-inhabitant figures.
            ledger_changes.record()
    return summary


def delisted_with_references(summary: ImportSummary) -> set[str]:
    """The AGS of the delisted municipalities that records still refer to (for the report)."""
    return {ags for ags, _name in summary.delisted if _is_referenced(Municipality.objects.get(ags=ags))}
