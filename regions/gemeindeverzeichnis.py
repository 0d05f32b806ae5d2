"""Readers for the official municipality directory (Gemeindeverzeichnis, GV-ISys) of Destatis.

Three formats give the same thing, a list of `MunicipalityRecord` for NRW (Land 05):

- the fixed-width text file "GV100AD_<date>.txt" (`read_gv100ad`),
- the published workbook "AuszugGV<n>QAktuell.xlsx" (`read_auszug_xlsx`),
- our own CSV `fixtures/municipalities.csv` (`read_municipalities_csv`).

Readers do not validate against the database and do not stop at the first bad line: a line
they cannot read becomes a record with `error` set, so that the import can name every bad
line of a file at once (`regions.services.municipalities_import`).
"""

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from gv100ad.entities.district import District
from gv100ad.entities.government_region import GovernmentRegion
from gv100ad.entities.municipality import Municipality as GemeindeRecord

from regions.models import MunicipalityKind

NRW_LAND = "05"

# Satzarten (record types) of GV-ISys. Only Kreise and Gemeinden are kept; Land (10),
# Regierungsbezirk (20), Region (30, Baden-Württemberg only) and Gemeindeverband (50) are skipped.
SATZART_KREIS = "40"
SATZART_GEMEINDE = "60"
SKIPPED_SATZARTEN = {"10", "20", "30", "50"}

# Textkennzeichen of a Kreis record (Satzart 40).
KREIS_INDEPENDENT_CITY = {"41", "42"}  # kreisfreie Stadt, Stadtkreis
KREIS_DISTRICT = {"43", "44"}  # Kreis, Landkreis
KREIS_CITY_REGION = {"45"}  # Regionalverband (Region Hannover, Regionalverband Saarbrücken, ...)

# Textkennzeichen of a Gemeinde record (Satzart 60).
GEMEINDE_INDEPENDENT_CITY = {"61", "62"}  # kreisfreie Stadt, Stadtkreis
GEMEINDE_IN_DISTRICT = {"60", "63", "64", "67"}  # Markt, Stadt, kreisangehörige Gemeinde, Große Kreisstadt
# 65/66 (gemeindefreies Gebiet) do not exist in NRW; they are reported as errors, not guessed.

# The fixed positions of GV100AD (Destatis, "Datensatzbeschreibung GV100AD") are read by
# gv100ad-py (openpotato/gv100ad-py), which slices decoded text, so "Mönchengladbach" does not
# shift the columns after it. What stays here is what that reader leaves to its caller: line
# numbers for every bad line at once, the Land filter, the line length check (a cut line would
# otherwise give wrong numbers, not an error) and how a record maps to our kinds.
GV100AD_SATZART = slice(0, 2)
GV100AD_LAND = slice(10, 12)
GV100AD_LINE_LENGTH = 220
# Satzart 60 up to the postcode marker (positions 1-175) is what we read; Destatis pads every
# line to 220 characters, but a file saved by an editor may have lost the trailing blanks.
GV100AD_MIN_LENGTH = 175
SATZART_REGIERUNGSBEZIRK = "20"


@dataclass
class MunicipalityRecord:
    """One Kreis or Gemeinde as read from a file; `line` is the line (or worksheet row) number."""

    line: int
    ags: str
    name: str
    kind: str
    parent_ags: str = ""
    error: str = ""
    # What the GV100AD carries (None or "" where a format does not): a Kreis gets the sums of
    # its Gemeinden and the postcode of the Gemeinde that is its seat of administration.
    population: int | None = None
    area_hectares: int | None = None
    postcode: str = ""
    directory_date: date | None = None
    seat: str = ""  # Kreis only: the name of the seat of administration, to find its postcode


@dataclass
class ReadResult:
    records: list[MunicipalityRecord] = field(default_factory=list)
    skipped: int = 0  # lines of other Länder or of Satzarten we do not keep
    # True when the file is the whole directory of NRW (GV100AD, AuszugGV), so that a
    # municipality it does not list can be marked as no longer in the directory. Our CSV is an
    # excerpt and never marks anything.
    complete: bool = False
    directory_date: date | None = None
    # Problems of the file as a whole (no NRW lines, mixed Gebietsstände, ...).
    errors: list[str] = field(default_factory=list)
    # Signs that a whole-directory file was cut off (a Regierungsbezirk or a Kreis's Gemeinden
    # missing). An excerpt made on purpose is imported with `--partial`, which ignores them.
    incomplete: list[str] = field(default_factory=list)


def kind_for(*, satzart: str, textkennzeichen: str, name: str) -> str | None:
    """Kind of a Kreis or Gemeinde record; None for a kreisfreie Stadt's Kreis record (stored as Gemeinde)."""
    if satzart == SATZART_KREIS:
        # The StädteRegion Aachen is checked by name too: it is a Gemeindeverband of its own
        # kind under NRW law, and its Kreis code in GV-ISys is not what the law calls it.
        if textkennzeichen in KREIS_CITY_REGION or "städteregion" in name.casefold():
            return MunicipalityKind.CITY_REGION
        if textkennzeichen in KREIS_DISTRICT:
            return MunicipalityKind.DISTRICT
        if textkennzeichen in KREIS_INDEPENDENT_CITY:
            return None
    if satzart == SATZART_GEMEINDE:
        if textkennzeichen in GEMEINDE_INDEPENDENT_CITY:
            return MunicipalityKind.INDEPENDENT_CITY
        if textkennzeichen in GEMEINDE_IN_DISTRICT:
            return MunicipalityKind.DISTRICT_MUNICIPALITY
    raise ValueError(f"Unbekanntes Textkennzeichen „{textkennzeichen}“ für Satzart {satzart}.")


def record_from_fields(
    *, line: int, satzart: str, textkennzeichen: str, ags: str, name: str
) -> MunicipalityRecord | None:
    """Turn the fields of one Kreis or Gemeinde record into a record; None if it is not stored."""
    name = " ".join(name.split())  # Destatis writes "Meschede, Kreis- und  Hochschulstadt"
    if not name:
        return MunicipalityRecord(line=line, ags=ags, name="", kind="", error="Der Name fehlt.")
    if not ags.isdigit():
        return MunicipalityRecord(
            line=line, ags=ags, name=name, kind="", error=f"Der Schlüssel „{ags}“ enthält nicht nur Ziffern."
        )
    try:
        kind = kind_for(satzart=satzart, textkennzeichen=textkennzeichen, name=name)
    except ValueError as error:
        return MunicipalityRecord(line=line, ags=ags, name=name, kind="", error=str(error))
    if kind is None:
        return None
    parent_ags = ags[:5] if kind == MunicipalityKind.DISTRICT_MUNICIPALITY else ""
    return MunicipalityRecord(line=line, ags=ags, name=name, kind=kind, parent_ags=parent_ags)


def attach_kreisangehoerige_cities(records: list[MunicipalityRecord]) -> None:
    """Make a city that lies in a Kreis of the file kreisangehörig, whatever its Textkennzeichen.

    Aachen (05334002) kept the rights of a kreisfreie Stadt when it joined the StädteRegion in
    2009; its key says it belongs to 05334, and that is what the application needs to know.
    """
    district_keys = {r.ags for r in records if not r.error and r.kind in MunicipalityKind.district_level()}
    for record in records:
        if record.kind == MunicipalityKind.INDEPENDENT_CITY and record.ags[:5] in district_keys:
            record.kind = MunicipalityKind.DISTRICT_MUNICIPALITY
            record.parent_ags = record.ags[:5]


def _read_text(path: Path) -> str:
    """The file's text: GV100AD is UTF-8 since 2021; older files (".ASC") were Latin-1."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    # A UTF-16 or binary file decodes as Latin-1 too, into nonsense: refuse it plainly.
    if "\x00" in text:
        raise ValueError("Die Datei ist weder UTF-8 noch Latin-1 (sie enthält Nullbytes, etwa UTF-16).")
    return text


def _bad_line(number: int, line: str, message: str) -> MunicipalityRecord:
    return MunicipalityRecord(line=number, ags=line[10:18].strip(), name=line[22:72].strip(), kind="", error=message)


def parse_gv100ad_line(line: str, number: int) -> MunicipalityRecord | None:
    """One Kreis (Satzart 40) or Gemeinde (Satzart 60) line; None for a kreisfreie Stadt's Kreis line."""
    satzart = line[GV100AD_SATZART]
    if len(line) < GV100AD_MIN_LENGTH:
        return _bad_line(
            number,
            line,
            f"Die Zeile ist zu kurz ({len(line)} Zeichen, erwartet {GV100AD_LINE_LENGTH}): "
            "sie ist abgeschnitten oder nicht im GV100AD-Format.",
        )
    if len(line) > GV100AD_LINE_LENGTH:
        return _bad_line(
            number,
            line,
            f"Die Zeile ist zu lang ({len(line)} Zeichen, erwartet {GV100AD_LINE_LENGTH}): "
            "ist die Datei in einer anderen Kodierung gespeichert?",
        )
    try:
        entry = District(line) if satzart == SATZART_KREIS else GemeindeRecord(line)
    except ValueError as error:
        return _bad_line(number, line, f"Die Zeile ist nicht im GV100AD-Format ({error}).")
    ags = entry.regional_code.strip()
    record = record_from_fields(
        line=number,
        satzart=satzart,
        textkennzeichen=line[122:124].strip(),
        ags=ags,
        name=entry.name,
    )
    if record is None or record.error:
        return record
    record.directory_date = entry.timestamp
    if satzart == SATZART_GEMEINDE:
        record.population = entry.inhabitants
        record.area_hectares = entry.area
        record.postcode = entry.postal_code
    else:
        record.seat = entry.administrative_headquarters.strip()
        record.name = district_display_name(record.name, record.kind)
    return record


def district_display_name(name: str, kind: str) -> str:
    """GV100AD names a Kreis bare ("Paderborn"); we show "Kreis Paderborn" unless the name says so.

    The StädteRegion Aachen writes itself so (Aachen-Gesetz, § 1), as the programme's records do;
    the directory writes "Städteregion". One spelling on every page.
    """
    if kind == MunicipalityKind.DISTRICT and "kreis" not in name.casefold():
        return f"Kreis {name}"
    if kind == MunicipalityKind.CITY_REGION:
        return name.replace("Städteregion", "StädteRegion")
    return name


def add_district_totals(records: list[MunicipalityRecord]) -> None:
    """A Kreis's population and area are the sums of its Gemeinden; its postcode that of its seat."""
    members: dict[str, list[MunicipalityRecord]] = {}
    for record in records:
        if record.parent_ags and not record.error:
            members.setdefault(record.parent_ags, []).append(record)
    for record in records:
        if record.error or record.kind not in MunicipalityKind.district_level():
            continue
        own = members.get(record.ags, [])
        if own and all(member.population is not None for member in own):
            record.population = sum(member.population for member in own)
            record.area_hectares = sum(member.area_hectares or 0 for member in own)
        seat = next((m for m in own if m.name.split(",")[0].strip() == record.seat), None)
        if seat is not None:
            record.postcode = seat.postcode


def read_gv100ad(path: Path) -> ReadResult:
    """Read the NRW Kreise and Gemeinden of a GV100AD fixed-width text file."""
    result = ReadResult(complete=True)
    dates: set[date] = set()
    districts_seen: set[str] = set()
    for number, raw in enumerate(_read_text(path).splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        satzart = line[GV100AD_SATZART]
        if satzart not in SKIPPED_SATZARTEN | {SATZART_KREIS, SATZART_GEMEINDE}:
            result.records.append(_bad_line(number, line, f"Unbekannte Satzart „{satzart}“."))
            continue
        if len(line) >= GV100AD_LAND.stop and line[GV100AD_LAND] != NRW_LAND:
            result.skipped += 1
            continue
        if satzart == SATZART_REGIERUNGSBEZIRK:
            result.skipped += 1
            try:
                districts_seen.add(GovernmentRegion(line).regional_code[2:3])
            except ValueError as error:
                result.records.append(_bad_line(number, line, f"Die Zeile ist nicht im GV100AD-Format ({error})."))
            continue
        if satzart in SKIPPED_SATZARTEN:
            result.skipped += 1
            continue
        record = parse_gv100ad_line(line, number)
        if record is None:
            result.skipped += 1
            continue
        result.records.append(record)
        if record.directory_date:
            dates.add(record.directory_date)
    attach_kreisangehoerige_cities(result.records)
    add_district_totals(result.records)
    if not result.records:
        result.errors.append(
            "Die Datei enthält keine Kreise und Gemeinden von Nordrhein-Westfalen (Land 05): "
            "ist es ein Gemeindeverzeichnis eines anderen Landes?"
        )
    if len(dates) > 1:
        stände = ", ".join(d.strftime("%d.%m.%Y") for d in sorted(dates))
        result.errors.append(f"Die Datei mischt mehrere Gebietsstände ({stände}).")
    result.directory_date = min(dates) if dates else None
    _check_whole_directory(result, districts_seen)
    return result


def _check_whole_directory(result: ReadResult, districts_seen: set[str]) -> None:
    """A file cut between two lines reads cleanly: catch it by what every NRW directory has."""
    if result.errors or any(r.error for r in result.records):
        return  # the bad lines are the news; they are reported one by one
    good = result.records
    missing_districts = sorted({"1", "3", "5", "7", "9"} - districts_seen)
    if missing_districts:
        result.incomplete.append(
            "Der Datei fehlen Regierungsbezirke ("
            + ", ".join(f"05{digit}" for digit in missing_districts)
            + "): sie ist unvollständig oder abgeschnitten."
        )
    kreise = {r.ags for r in good if r.kind in MunicipalityKind.district_level()}
    with_members = {r.parent_ags for r in good if r.parent_ags}
    empty = sorted(kreise - with_members)
    if empty:
        result.incomplete.append(
            f"Zu den Kreisen {', '.join(empty)} steht keine Gemeinde in der Datei: sie ist unvollständig oder abgeschnitten."
        )


def _normalise_heading(value: object) -> str:
    # Headings in the workbook are broken over lines and hyphenated ("Satz-\nart").
    text = "" if value is None else str(value)
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


# Short headings must match exactly ("Gem" is also the start of "Gemeindename"); long ones may
# carry a footnote mark ("Gemeindename 2)").
AUSZUG_EXACT_HEADINGS = ("land", "rb", "kreis", "vb", "gem")
AUSZUG_PREFIX_HEADINGS = ("satzart", "textkennzeichen", "gemeindename")
AUSZUG_HEADER_SEARCH_ROWS = 20


def _find_auszug_columns(rows: list[tuple]) -> tuple[int, dict[str, int]] | None:
    """Find the header of an AuszugGV sheet: (index of its last row, column per field) or None."""
    for index, row in enumerate(rows):
        headings = [_normalise_heading(value) for value in row]
        if not {"land", "rb", "kreis", "gem"} <= set(headings):
            continue
        # Satzart, Textkennzeichen and Gemeindename are cells merged over the header rows,
        # so their text may sit a few rows above the Land/RB/Kreis/Gem row.
        columns: dict[str, int] = {}
        for above in rows[max(0, index - 4) : index + 1]:
            for position, value in enumerate(above):
                heading = _normalise_heading(value)
                for key in AUSZUG_EXACT_HEADINGS:
                    if key not in columns and heading == key:
                        columns[key] = position
                for key in AUSZUG_PREFIX_HEADINGS:
                    if key not in columns and heading.startswith(key):
                        columns[key] = position
        if set(AUSZUG_EXACT_HEADINGS + AUSZUG_PREFIX_HEADINGS) <= set(columns):
            return index, columns
    return None


def read_auszug_xlsx(path: Path) -> ReadResult:
    """Read the NRW Kreise and Gemeinden of the published "AuszugGV" workbook (names only, no population)."""
    result = _read_auszug_xlsx(path)
    result.complete = True
    for record in result.records:
        if not record.error and record.kind == MunicipalityKind.DISTRICT:
            record.name = district_display_name(record.name, record.kind)
    return result


def _read_auszug_xlsx(path: Path) -> ReadResult:
    """Read the NRW Kreise and Gemeinden of the published "AuszugGV" workbook."""
    from openpyxl import load_workbook

    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        for sheet in workbook.worksheets:
            rows = list(sheet.iter_rows(values_only=True))
            found = _find_auszug_columns(rows[:AUSZUG_HEADER_SEARCH_ROWS])
            if found is not None:
                header_index, columns = found
                return _read_auszug_rows(rows, header_index, columns)
    finally:
        workbook.close()
    raise ValueError(
        "Keine Tabelle mit den Spalten Satzart, Textkennzeichen, Land, RB, Kreis, VB, Gem und Gemeindename gefunden."
    )


def _read_auszug_rows(rows: list[tuple], header_index: int, columns: dict[str, int]) -> ReadResult:
    result = ReadResult()
    for index in range(header_index + 1, len(rows)):
        row = rows[index]
        number = index + 1  # the row number Excel shows

        def cell(key: str, row: tuple = row) -> str:
            position = columns[key]
            return _cell_text(row[position]) if position < len(row) else ""

        satzart = cell("satzart")
        # Blank rows, the column-number row under the header and the footnotes below the
        # table have no two-digit Satzart.
        if not (len(satzart) == 2 and satzart.isdigit()):
            continue
        if satzart in SKIPPED_SATZARTEN:
            result.skipped += 1
            continue
        land = cell("land").zfill(2)
        if land != NRW_LAND:
            result.skipped += 1
            continue
        if satzart not in {SATZART_KREIS, SATZART_GEMEINDE}:
            result.records.append(
                MunicipalityRecord(line=number, ags="", name="", kind="", error=f"Unbekannte Satzart „{satzart}“.")
            )
            continue
        rb, kreis, gem = cell("rb"), cell("kreis"), cell("gem")
        missing = [label for label, value in (("RB", rb), ("Kreis", kreis)) if not value]
        if satzart == SATZART_GEMEINDE and not gem:
            missing.append("Gem")
        if missing:
            result.records.append(
                MunicipalityRecord(
                    line=number,
                    ags="",
                    name=cell("gemeindename"),
                    kind="",
                    error=f"Es fehlt: {', '.join(missing)}.",
                )
            )
            continue
        ags = land + rb + kreis.zfill(2)
        if satzart == SATZART_GEMEINDE:
            ags += gem.zfill(3)
        record = record_from_fields(
            line=number,
            satzart=satzart,
            textkennzeichen=cell("textkennzeichen"),
            ags=ags,
            name=cell("gemeindename"),
        )
        if record is None:
            result.skipped += 1
        else:
            result.records.append(record)
    attach_kreisangehoerige_cities(result.records)
    return result


CSV_COLUMNS = ("ags", "name", "kind", "parent_ags")


def read_municipalities_csv(path: Path) -> ReadResult:
    """Read our own CSV (ags, name, kind, parent_ags[, source]); it holds NRW only, so nothing is skipped."""
    result = ReadResult()
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [column for column in CSV_COLUMNS if column not in (reader.fieldnames or [])]
        if missing:
            raise ValueError(f"Der CSV-Datei fehlen die Spalten: {', '.join(missing)}.")
        for row in reader:
            number = reader.line_num
            if not any((value or "").strip() for value in row.values() if isinstance(value, str)):
                continue
            # A non-NRW key in this file is a typo, not another Land: it is reported, not skipped.
            record = MunicipalityRecord(
                line=number,
                ags=(row["ags"] or "").strip(),
                name=(row["name"] or "").strip(),
                kind=(row["kind"] or "").strip(),
                parent_ags=(row["parent_ags"] or "").strip(),
            )
            if None in row:
                record.error = "Die Zeile hat mehr Felder als die Kopfzeile."
            result.records.append(record)
    return result


READERS = {
    "gv100ad": read_gv100ad,
    "xlsx": read_auszug_xlsx,
    "csv": read_municipalities_csv,
}


def guess_format(path: Path) -> str | None:
    """The format for a file name: .txt/.asc GV100AD, .xlsx the Auszug, .csv ours."""
    suffix = path.suffix.lower()
    return {".txt": "gv100ad", ".asc": "gv100ad", ".xlsx": "xlsx", ".csv": "csv"}.get(suffix)
