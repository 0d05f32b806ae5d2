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
from pathlib import Path

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

# Fixed positions of GV100AD (Destatis, "Datensatzbeschreibung GV100AD"), 1-based and inclusive
# as documented, as Python slices here. The same layout is read by openpotato/gv100ad-py
# (src/gv100ad/entities/*.py) and jgraef/gv100ad (src/parser.rs):
#   1-2     Satzart                     [0:2]
#   3-10    Gebietsstand JJJJMMTT       [2:10]
#   11-12   Land                        [10:12]
#   13      Regierungsbezirk            [12:13]
#   14-15   Kreis                       [13:15]    -> Kreis key = positions 11-15 [10:15]
#   16-18   Gemeinde (Satzart 60)       [15:18]    -> AGS = positions 11-18 [10:18]
#   19-22   Gemeindeverband (Satzart 50/60) [18:22]
#   23-72   Name                        [22:72]
#   73-122  Sitz der Verwaltung (Satzart 10-50) [72:122]
#   123-124 Textkennzeichen             [122:124]
#   then area, population, postcode, ... (not used here)
GV100AD_SATZART = slice(0, 2)
GV100AD_LAND = slice(10, 12)
GV100AD_KREIS_KEY = slice(10, 15)
GV100AD_AGS = slice(10, 18)
GV100AD_NAME = slice(22, 72)
GV100AD_TEXTKENNZEICHEN = slice(122, 124)
GV100AD_MIN_LENGTH = 124


@dataclass
class MunicipalityRecord:
    """One Kreis or Gemeinde as read from a file; `line` is the line (or worksheet row) number."""

    line: int
    ags: str
    name: str
    kind: str
    parent_ags: str = ""
    error: str = ""


@dataclass
class ReadResult:
    records: list[MunicipalityRecord] = field(default_factory=list)
    skipped: int = 0  # lines of other Länder or of Satzarten we do not keep


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
    name = name.strip()
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
    # Recent GV100AD files are UTF-8; older ones (".ASC") were Latin-1.
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("latin-1")


def parse_gv100ad_line(line: str, number: int) -> MunicipalityRecord | None:
    """One Kreis (Satzart 40) or Gemeinde (Satzart 60) line; None for a kreisfreie Stadt's Kreis line."""
    satzart = line[GV100AD_SATZART]
    if len(line) < GV100AD_MIN_LENGTH:
        return MunicipalityRecord(
            line=number,
            ags=line[GV100AD_AGS].strip(),
            name=line[GV100AD_NAME].strip(),
            kind="",
            error=f"Die Zeile ist zu kurz ({len(line)} Zeichen, erwartet mindestens {GV100AD_MIN_LENGTH}): "
            "sie ist abgeschnitten oder nicht im GV100AD-Format.",
        )
    ags = line[GV100AD_KREIS_KEY] if satzart == SATZART_KREIS else line[GV100AD_AGS]
    return record_from_fields(
        line=number,
        satzart=satzart,
        textkennzeichen=line[GV100AD_TEXTKENNZEICHEN].strip(),
        ags=ags.strip(),
        name=line[GV100AD_NAME],
    )


def read_gv100ad(path: Path) -> ReadResult:
    """Read the NRW Kreise and Gemeinden of a GV100AD fixed-width text file."""
    result = ReadResult()
    for number, raw in enumerate(_read_text(path).splitlines(), start=1):
        line = raw.rstrip("\r\n")
        if not line.strip():
            continue
        satzart = line[GV100AD_SATZART]
        if satzart in SKIPPED_SATZARTEN:
            result.skipped += 1
            continue
        if satzart not in {SATZART_KREIS, SATZART_GEMEINDE}:
            result.records.append(
                MunicipalityRecord(line=number, ags="", name="", kind="", error=f"Unbekannte Satzart „{satzart}“.")
            )
            continue
        if len(line) >= GV100AD_LAND.stop and line[GV100AD_LAND] != NRW_LAND:
            result.skipped += 1
            continue
        record = parse_gv100ad_line(line, number)
        if record is None:
            result.skipped += 1
        else:
            result.records.append(record)
    attach_kreisangehoerige_cities(result.records)
    return result


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
