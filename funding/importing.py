"""Import of funding decisions from CSV or XLSX files: all rows or none.

The command `import_decisions` and the staff upload page both use this module. Each row
goes through `funding.services.decision_create_draft` (or `decision_record_released` for
historical decisions imported as released), so an imported decision obeys exactly the
rules of a typed one.

The file format (one row per decision, a header row with these column names):

    reference, project, recipient, authority, kind, amends, decision_date, financing_type,
    eligible_costs, amount, own_share, private_investment, period_start, period_end, source

CSV is UTF-8 (with or without BOM), separated by "," or ";". Amounts use "." as the
decimal point ("1234.56"), dates are ISO ("2019-12-06"). Line numbers in error messages
count the header as line 1, as a spreadsheet shows them.
"""

import contextlib
import csv
import io
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, BinaryIO

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.db.models import Q
from simple_history.models import HistoricalRecords

from funding import four_eyes
from funding.models import DecisionKind, FinancingType, FundingDecision, GrantingAuthority, Recipient
from funding.services import EDITABLE_FIELDS, decision_create_draft, decision_record_released
from modellregionen import roles
from projects.models import Project

# The columns are exactly the fields a clerk enters in the form and the API.
IMPORT_COLUMNS = EDITABLE_FIELDS

REQUIRED_VALUES = (
    "reference",
    "project",
    "recipient",
    "authority",
    "decision_date",
    "amount",
    "period_start",
    "period_end",
    "source",
)
OPTIONAL_MONEY = ("eligible_costs", "own_share", "private_investment")
FIRST_DATA_LINE = 2  # line 1 is the header

COLUMN_LABELS = {
    "reference": "Aktenzeichen",
    "project": "Projekt",
    "recipient": "Zuwendungsempfänger",
    "authority": "Bewilligungsbehörde",
    "kind": "Art",
    "amends": "ändert Bescheid",
    "decision_date": "Bescheiddatum",
    "financing_type": "Finanzierungsart",
    "eligible_costs": "zuwendungsfähige Ausgaben",
    "amount": "Zuwendung",
    "own_share": "Eigenanteil",
    "private_investment": "private Investitionen",
    "period_start": "Bewilligungszeitraum ab",
    "period_end": "Bewilligungszeitraum bis",
    "source": "Quelle",
    "rate_exception_reason": "Begründung der Förderquote",
}
# Columns a file may leave out (files written before the column existed stay valid).
OPTIONAL_COLUMNS = ("rate_exception_reason",)


@dataclass(frozen=True)
class ImportLineError:
    """One problem of the file: the line (header = 1), the column and a German message."""

    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"Zeile {self.line}" if self.line else "Datei"
        if self.column:
            where += f", Spalte {self.column}"
        return f"{where}: {self.message}"


class ImportFailed(Exception):
    """The file was refused as a whole; `errors` lists every problem found."""

    def __init__(self, errors: list[ImportLineError]):
        self.errors = errors
        super().__init__("\n".join(str(error) for error in errors))


@dataclass
class PreviewRow:
    line: int
    raw: dict[str, str]
    parsed: dict[str, Any] = field(default_factory=dict)
    errors: list[ImportLineError] = field(default_factory=list)

    @property
    def is_valid(self) -> bool:
        return not self.errors


@dataclass
class ImportPreview:
    rows: list[PreviewRow]

    @property
    def errors(self) -> list[ImportLineError]:
        return [error for row in self.rows for error in row.errors]

    @property
    def is_valid(self) -> bool:
        return bool(self.rows) and not self.errors

    @property
    def total_amount(self) -> Decimal:
        return sum((row.parsed.get("amount") or Decimal("0") for row in self.rows), Decimal("0"))


@dataclass(frozen=True)
class ImportFormat:
    """What one kind of import reads: its columns, how each is parsed, and how a row is saved.

    The decisions' format is DECISIONS below; the payments ledger defines its own
    (funding.payments.importing) and shares the reading, checking and all-or-nothing saving.
    """

    columns: tuple[str, ...]
    required: tuple[str, ...]
    labels: dict[str, str]
    parsers: dict[str, Any]
    # Column -> the value of an empty cell (columns not named here and not required are "").
    defaults: dict[str, Any]
    optional_columns: tuple[str, ...]
    create_draft: Any  # (user=, **fields) -> record
    record_released: Any  # (released_by=, **fields) -> record
    may_draft: Any  # user -> bool
    may_release: Any  # user -> bool
    noun: str  # "Bescheide", in messages
    # The field of a parsed row naming the row the four-eyes machinery locks first (a decision's
    # project, an entry's grant): an import locks all of them up front, in one order.
    parent: str


# --- Reading files ------------------------------------------------------------------------


def read_decision_file(*, file: BinaryIO, filename: str) -> list[dict[str, str]]:
    """Read a CSV or XLSX file of decisions into one dict per data row (blank rows kept, so lines count)."""
    return read_import_file(file=file, filename=filename, fmt=DECISIONS)


def read_import_file(*, file: BinaryIO, filename: str, fmt: "ImportFormat") -> list[dict[str, str]]:
    """Read a CSV or XLSX file of `fmt` into one dict per data row (blank rows kept, so lines count).

    Bounded: at most settings.IMPORT_MAX_BYTES read, IMPORT_MAX_ROWS data rows and
    MAX_CELL_CHARS characters per cell; an XLSX file is read in read-only (streaming) mode
    after its zip directory was checked for a decompression bomb. Anything else is an
    ImportFailed naming the line, never a 500.
    """
    name = filename.lower()
    if name.endswith(".csv"):
        header, records = _read_csv(file)
    elif name.endswith(".xlsx"):
        header, records = _read_xlsx(file)
    else:
        raise ImportFailed([ImportLineError(0, "", "Nur CSV- und XLSX-Dateien können importiert werden.")])
    columns = [_normalise_column(name) for name in header]
    _check_header(columns, fmt)
    rows = []
    for line, record in enumerate(records, start=2):
        if len(rows) >= settings.IMPORT_MAX_ROWS:
            raise ImportFailed(
                [
                    ImportLineError(
                        line, "", f"Die Datei hat mehr als {settings.IMPORT_MAX_ROWS} Zeilen; bitte teilen Sie sie auf."
                    )
                ]
            )
        values = [_bounded(value, line) for value in record[: len(columns)]]
        values += [""] * (len(columns) - len(values))
        rows.append({column: values[index].strip() for index, column in enumerate(columns)})
    # Trailing blank lines are spreadsheet noise, not rows.
    while rows and not any(rows[-1].values()):
        rows.pop()
    if not rows:
        raise ImportFailed([ImportLineError(0, "", f"Die Datei enthält keine {fmt.noun}.")])
    return rows


MAX_CELL_CHARS = 10_000
# An XLSX file is a zip of XML: its parts may unpack to at most this much, and to at most this
# many times their packed size (a 65 KB "zip bomb" otherwise keeps a worker busy for minutes).
XLSX_MAX_UNPACKED_BYTES = 10 * 1024 * 1024
XLSX_MAX_RATIO = 50
XLSX_MAX_COLUMNS = 100


def _bounded(value: str, line: int) -> str:
    if len(value) > MAX_CELL_CHARS:
        raise ImportFailed([ImportLineError(line, "", f"Eine Zelle ist länger als {MAX_CELL_CHARS} Zeichen.")])
    return value


def _read_limited(file: BinaryIO) -> bytes:
    data = file.read(settings.IMPORT_MAX_BYTES + 1)
    if len(data) > settings.IMPORT_MAX_BYTES:
        raise ImportFailed(
            [ImportLineError(0, "", f"Die Datei ist größer als {settings.IMPORT_MAX_BYTES // 2**20} MB.")]
        )
    return data


def _read_csv(file: BinaryIO) -> tuple[list[str], Iterator[list[str]]]:
    data = _read_limited(file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ImportFailed(
            [ImportLineError(0, "", "Die Datei ist nicht UTF-8-kodiert; bitte als „CSV UTF-8“ speichern.")]
        ) from error
    if "\x00" in text:
        raise ImportFailed([ImportLineError(0, "", "Die Datei enthält NUL-Zeichen und ist keine CSV-Datei.")])
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if first_line.count(";") > first_line.count(",") else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)

    def records() -> Iterator[list[str]]:
        while True:
            try:
                record = next(reader)
            except StopIteration:
                return
            except csv.Error as error:
                if "field larger than field limit" in str(error):
                    # csv's own cell limit (131 072 characters) lies above ours.
                    message = f"Eine Zelle ist länger als {MAX_CELL_CHARS} Zeichen."
                    raise ImportFailed([ImportLineError(reader.line_num, "", message)]) from error
                raise ImportFailed(
                    [ImportLineError(reader.line_num, "", f"Die Zeile ist keine gültige CSV-Zeile ({error}).")]
                ) from error
            yield record

    rows = records()
    header = next(rows, None)
    if header is None:
        raise ImportFailed([ImportLineError(0, "", "Die Datei ist leer.")])
    return [_bounded(name, 1) for name in header], rows


def _read_xlsx(file: BinaryIO) -> tuple[list[str], Iterator[list[str]]]:
    import zipfile

    from openpyxl import load_workbook

    unreadable = ImportFailed([ImportLineError(0, "", "Die Datei ist keine lesbare XLSX-Arbeitsmappe.")])
    data = _read_limited(file)
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            parts = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as error:
        raise unreadable from error
    unpacked = sum(part.file_size for part in parts)
    if len(parts) > 1000 or unpacked > XLSX_MAX_UNPACKED_BYTES or unpacked > XLSX_MAX_RATIO * max(len(data), 1):
        raise ImportFailed(
            [ImportLineError(0, "", "Die XLSX-Datei entpackt sich zu einer unzulässigen Größe und wird nicht gelesen.")]
        )
    try:
        # defusedxml (installed) makes openpyxl refuse entity declarations (XXE, billion laughs).
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        records = [
            [_cell_text(value) for value in row]
            for row in _limited_rows(sheet.iter_rows(values_only=True, max_col=XLSX_MAX_COLUMNS))
        ]
        workbook.close()
    except ImportFailed:
        raise
    except Exception as error:  # noqa: BLE001 - a malformed workbook fails in many ways inside openpyxl
        raise unreadable from error
    if not records:
        raise ImportFailed([ImportLineError(0, "", "Die Datei ist leer.")])
    return records[0], iter(records[1:])


def _limited_rows(rows):
    for count, row in enumerate(rows):
        if count > settings.IMPORT_MAX_ROWS:
            raise ImportFailed(
                [ImportLineError(count + 1, "", f"Die Datei hat mehr als {settings.IMPORT_MAX_ROWS} Zeilen.")]
            )
        yield row


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, date):  # datetime is a date too; Excel dates arrive as datetime
        return value.strftime("%Y-%m-%d")
    if isinstance(value, float):
        # Excel stores numbers as doubles; the shortest repr is the number the user typed.
        return repr(value).removesuffix(".0")
    return str(value)


def _normalise_column(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def _check_header(columns: list[str], fmt: "ImportFormat") -> None:
    errors = []
    for column in fmt.columns:
        if column not in columns and column not in fmt.optional_columns:
            errors.append(ImportLineError(1, column, "Diese Spalte fehlt in der Kopfzeile."))
    for column in columns:
        if column and column not in fmt.columns:
            errors.append(ImportLineError(1, column, "Unbekannte Spalte."))
    # Two columns of one name: which value would count is a guess, so neither does.
    for column in sorted({column for column in columns if column and columns.count(column) > 1}):
        errors.append(ImportLineError(1, column, "Diese Spalte steht mehrmals in der Kopfzeile."))
    if errors:
        raise ImportFailed(errors)


# --- Parsing one row ----------------------------------------------------------------------


# Digits, an optional sign and decimal point: no exponent ("1e309" is no amount a Bescheid names).
AMOUNT = re.compile(r"-?[0-9]+(\.[0-9]+)?")
# More whole digits than any amount column holds (MONEY: 14 digits, 2 of them decimals).
MAX_WHOLE_DIGITS = 12


def parse_decimal(text: str) -> Decimal:
    if "," in text:
        raise ValueError("Beträge mit Punkt als Dezimaltrennzeichen und ohne Tausendertrennzeichen, z. B. 1234.56.")
    if not AMOUNT.fullmatch(text):
        raise ValueError(f"„{text}“ ist kein Betrag (erwartet z. B. 1234.56).")
    whole, _point, fraction = text.lstrip("-").partition(".")
    if len(whole.lstrip("0")) > MAX_WHOLE_DIGITS:
        raise ValueError(f"„{text}“ ist zu groß für einen Betrag (höchstens {MAX_WHOLE_DIGITS} Stellen vor dem Komma).")
    if len(fraction.rstrip("0")) > 2:
        raise ValueError(f"„{text}“ hat mehr als zwei Nachkommastellen.")
    return Decimal(text).quantize(Decimal("0.01"))


def parse_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as error:
        raise ValueError(f"„{text}“ ist kein Datum im Format JJJJ-MM-TT (z. B. 2019-12-06).") from error


def parse_choice(text: str, choices: type) -> str:
    wanted = text.strip().lower()
    for value, label in choices.choices:
        if wanted in {value.lower(), str(label).lower()}:
            return value
    allowed = ", ".join(value for value, _label in choices.choices)
    raise ValueError(f"„{text}“ ist keine gültige Angabe (erlaubt: {allowed}).")


def _find_project(text: str) -> Project:
    try:
        return Project.objects.get(slug=text)
    except Project.DoesNotExist as error:
        raise ValueError(f"Kein Projekt mit dem Kürzel „{text}“.") from error


def _find_recipient(text: str) -> Recipient:
    if text.isdigit():
        found = list(Recipient.objects.filter(municipality_id=text)[:2])
        if len(found) == 1:
            return found[0]
        if len(found) > 1:
            raise ValueError(f"Mehrere Empfänger gehören zum Gemeindeschlüssel {text}; bitte den Namen angeben.")
        raise ValueError(f"Kein Zuwendungsempfänger zum Gemeindeschlüssel {text}.")
    try:
        return Recipient.objects.get(name=text)
    except Recipient.DoesNotExist as error:
        raise ValueError(f"Kein Zuwendungsempfänger namens „{text}“.") from error


def _find_authority(text: str) -> GrantingAuthority:
    found = GrantingAuthority.objects.filter(Q(slug=text) | Q(name=text)).first()
    if found is None:
        raise ValueError(f"Keine Bewilligungsbehörde „{text}“ (Kürzel oder Name).")
    return found


def _find_decision(text: str) -> FundingDecision:
    try:
        return FundingDecision.objects.get(reference=text)
    except FundingDecision.DoesNotExist as error:
        raise ValueError(
            f"Kein Bescheid mit dem Aktenzeichen „{text}“ (auch nicht weiter oben in der Datei)."
        ) from error


PARSERS = {
    "project": _find_project,
    "recipient": _find_recipient,
    "authority": _find_authority,
    "kind": lambda text: parse_choice(text, DecisionKind),
    "amends": _find_decision,
    "decision_date": parse_date,
    "financing_type": lambda text: parse_choice(text, FinancingType),
    "eligible_costs": parse_decimal,
    "amount": parse_decimal,
    "own_share": parse_decimal,
    "private_investment": parse_decimal,
    "period_start": parse_date,
    "period_end": parse_date,
}


DECISIONS = ImportFormat(
    columns=IMPORT_COLUMNS,
    required=REQUIRED_VALUES,
    labels=COLUMN_LABELS,
    parsers=PARSERS,
    defaults={
        **dict.fromkeys(OPTIONAL_MONEY, Decimal("0.00")),
        "kind": DecisionKind.INITIAL,
        "financing_type": FinancingType.SHARE,
        "amends": None,
    },
    optional_columns=OPTIONAL_COLUMNS,
    create_draft=decision_create_draft,
    record_released=decision_record_released,
    may_draft=roles.can_draft_decisions,
    may_release=roles.can_release_decisions,
    noun="Bescheide",
    parent="project",
)


def parse_decision_row(raw: dict[str, str], line: int) -> tuple[dict[str, Any], list[ImportLineError]]:
    return parse_row(raw, line, DECISIONS)


def parse_row(raw: dict[str, str], line: int, fmt: "ImportFormat") -> tuple[dict[str, Any], list[ImportLineError]]:
    parsed: dict[str, Any] = {}
    errors: list[ImportLineError] = []
    for column in fmt.columns:
        text = (raw.get(column) or "").strip()
        if not text:
            if column in fmt.required:
                errors.append(ImportLineError(line, column, f"{fmt.labels[column]} fehlt."))
            else:
                parsed[column] = fmt.defaults.get(column, "")
            continue
        parser = fmt.parsers.get(column)
        if parser is None:
            parsed[column] = text
            continue
        try:
            parsed[column] = parser(text)
        except ValueError as error:
            errors.append(ImportLineError(line, column, str(error)))
    return parsed, errors


# --- Applying rows ------------------------------------------------------------------------


@contextlib.contextmanager
def history_user(user):
    """Record `user` in the change history, as the request middleware would for a web change."""
    context = HistoricalRecords.context
    previous = getattr(context, "request", None)
    context.request = SimpleNamespace(user=user) if user is not None else None
    try:
        yield
    finally:
        if previous is None:
            with contextlib.suppress(AttributeError):
                del context.request
        else:
            context.request = previous


def _validation_errors(error: ValidationError, line: int, fmt: "ImportFormat") -> list[ImportLineError]:
    if hasattr(error, "error_dict"):
        return [
            ImportLineError(line, column if column in fmt.columns else "", message)
            for column, messages in error.message_dict.items()
            for message in messages
        ]
    return [ImportLineError(line, "", message) for message in error.messages]


def _apply_row(row: PreviewRow, *, user, released_by, fmt: "ImportFormat"):
    """Create (and release) one row in its own savepoint; record errors on the row instead of raising."""
    try:
        with transaction.atomic():
            if released_by is not None:
                return fmt.record_released(released_by=released_by, **row.parsed)
            return fmt.create_draft(user=user, **row.parsed)
    except ValidationError as error:
        row.errors.extend(_validation_errors(error, row.line, fmt))
    except PermissionDenied as error:
        row.errors.append(ImportLineError(row.line, "", str(error)))
    except DatabaseError as error:
        row.errors.append(ImportLineError(row.line, "", f"Die Datenbank hat die Zeile abgelehnt: {error}"))
    return None


def _permission_errors(*, user, released_by, fmt: "ImportFormat") -> list[ImportLineError]:
    errors = []
    if released_by is None and user is not None and not fmt.may_draft(user):
        errors.append(
            ImportLineError(0, "", f"{user.get_username()} darf keine {fmt.noun} erfassen (Rolle Sachbearbeitung).")
        )
    if released_by is not None and not fmt.may_release(released_by):
        errors.append(
            ImportLineError(0, "", f"{released_by.get_username()} darf keine {fmt.noun} freigeben (Rolle Freigabe).")
        )
    return errors


def _parents(rows: list[dict[str, str]], fmt: "ImportFormat") -> list:
    """The records the rows' parent column names (a row that names none the import refuses later)."""
    parse = fmt.parsers[fmt.parent]
    parents = []
    # Each name once: a file of 10,000 rows on a few grants looks up a few grants.
    for text in sorted({(raw.get(fmt.parent) or "").strip() for raw in rows} - {""}):
        with contextlib.suppress(ValueError):
            parents.append(parse(text))
    return parents


class _RollBack(Exception):
    pass


def _run(
    rows: list[dict[str, str]], *, user, released_by, keep: bool, fmt: "ImportFormat"
) -> tuple[ImportPreview, list]:
    """Apply every row in one transaction; keep it only if asked and every row passed.

    Without any user (a preview before anyone is named) the rows are only parsed, so
    rules that need the ledger are checked at the import itself.
    """
    preview = ImportPreview(rows=[])
    created: list = []
    refused = _permission_errors(user=user, released_by=released_by, fmt=fmt)
    if refused:
        preview.rows.append(PreviewRow(line=0, raw={}, errors=refused))
        return preview, created
    apply = user is not None or released_by is not None
    try:
        with transaction.atomic():
            if apply:
                # Every project or grant the rows write to, before the first row takes the change
                # count: an import queues behind a release on one of them instead of deadlocking.
                four_eyes.lock_parents(_parents(rows, fmt))
            for index, raw in enumerate(rows):
                if not any(raw.values()):
                    continue  # a blank line in the middle of a spreadsheet
                row = PreviewRow(line=index + FIRST_DATA_LINE, raw=raw)
                preview.rows.append(row)
                row.parsed, row.errors = parse_row(raw, row.line, fmt)
                if row.errors or not apply:
                    continue
                record = _apply_row(row, user=user, released_by=released_by, fmt=fmt)
                if record is not None:
                    created.append(record)
            if not preview.rows:
                preview.rows.append(
                    PreviewRow(line=0, raw={}, errors=[ImportLineError(0, "", f"Die Datei enthält keine {fmt.noun}.")])
                )
            if not keep or preview.errors:
                raise _RollBack
    except _RollBack:
        created = []
    return preview, created


def preview_import(*, rows: list[dict[str, str]], fmt: ImportFormat, user=None, released_by=None) -> ImportPreview:
    """Check every row as the import would, then roll everything back: nothing is written."""
    preview, _created = _run(rows, user=user, released_by=released_by, keep=False, fmt=fmt)
    return preview


def run_import(*, rows: list[dict[str, str]], fmt: ImportFormat, user, released_by=None) -> list:
    """Create the records of all rows (released by `released_by` if given), or none of them."""
    if user is None and released_by is None:
        raise ImportFailed([ImportLineError(0, "", "Ein Import braucht eine verantwortliche Person.")])
    preview, created = _run(rows, user=user, released_by=released_by, keep=True, fmt=fmt)
    if preview.errors:
        raise ImportFailed(preview.errors)
    return created


def preview_decision_import(*, rows: list[dict[str, str]], user=None, released_by=None) -> ImportPreview:
    return preview_import(rows=rows, fmt=DECISIONS, user=user, released_by=released_by)


def import_decisions(*, rows: list[dict[str, str]], user, released_by=None) -> list[FundingDecision]:
    """Create the decisions of all rows (released by `released_by` if given), or none of them."""
    return run_import(rows=rows, fmt=DECISIONS, user=user, released_by=released_by)
