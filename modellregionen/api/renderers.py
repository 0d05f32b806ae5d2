"""CSV output of every list and of the figures.

Two dialects, chosen with `?dialect=`:
- `rfc4180` (default): "," separator, "." decimal point, no BOM; what scripts expect.
- `excel-de`: ";" separator, "," decimal comma and a UTF-8 BOM, so that a German Excel
  opens the file with umlauts intact and amounts as numbers.
"""

import csv
import io
from dataclasses import dataclass, field

from rest_framework import serializers
from rest_framework.renderers import BaseRenderer

DIALECTS = ("rfc4180", "excel-de")
DEFAULT_DIALECT = "rfc4180"
BOM = "\ufeff"
# Cells starting with these run as formulas in spreadsheets ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


@dataclass
class CsvTable:
    """What a CSV file shows: column names, rows of plain values, and which columns hold decimals."""

    columns: list[str]
    rows: list[list]
    decimal_columns: set[str] = field(default_factory=set)


def _is_decimal_field(field_obj) -> bool:
    return isinstance(field_obj, serializers.DecimalField) or getattr(field_obj, "is_exact_decimal", False)


def serializer_leaves(serializer, prefix: str = ""):
    """(column name, field) for each leaf field that is read; nested objects become "a.b" columns."""
    for name, field_obj in serializer.fields.items():
        if field_obj.write_only:
            continue
        if isinstance(field_obj, serializers.Serializer):
            yield from serializer_leaves(field_obj, prefix=f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", field_obj


def serializer_columns(serializer) -> list[tuple[str, bool]]:
    """(column name, holds a decimal) for each CSV column of `serializer`."""
    return [(name, _is_decimal_field(field_obj)) for name, field_obj in serializer_leaves(serializer)]


def _lookup(item, dotted: str):
    for part in dotted.split("."):
        if not isinstance(item, dict):
            return None
        item = item.get(part)
    return item


def row_of(item: dict, names: list[str]) -> list:
    """One CSV row of a serialized item, nested objects flattened to "a.b" columns."""
    return [_lookup(item, name) for name in names]


def table_from_items(serializer, items: list[dict]) -> CsvTable:
    """A table with one row per serialized item and one column per leaf field of `serializer`."""
    columns = serializer_columns(serializer)
    names = [name for name, _decimal in columns]
    return CsvTable(
        columns=names,
        rows=[[_lookup(item, name) for name in names] for item in items],
        decimal_columns={name for name, decimal in columns if decimal},
    )


def _cell(value, *, is_decimal: bool, dialect: str) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return "|".join(_cell(item, is_decimal=False, dialect=dialect) for item in value)
    text = str(value)
    if dialect == "excel-de":
        if is_decimal:
            return text.replace(".", ",")
        if text.startswith(FORMULA_STARTS):
            return "'" + text
    return text


def _writer(buffer, dialect: str):
    delimiter = ";" if dialect == "excel-de" else ","
    return csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n")


def write_csv(table: CsvTable, *, dialect: str) -> str:
    """The table as CSV text in `dialect`."""
    return "".join(iter_csv(table.columns, table.rows, decimal_columns=table.decimal_columns, dialect=dialect))


# Rows per piece of a streamed download: small enough for constant memory, large enough to be fast.
ROWS_PER_CHUNK = 1000


def iter_csv(columns: list[str], rows, *, decimal_columns: set[str], dialect: str):
    """CSV text in pieces of ROWS_PER_CHUNK rows, for a download of any length in constant memory."""
    buffer = io.StringIO()
    if dialect == "excel-de":
        buffer.write(BOM)
    writer = _writer(buffer, dialect)
    writer.writerow(columns)
    decimal_flags = [name in decimal_columns for name in columns]
    for number, row in enumerate(rows, start=1):
        writer.writerow(
            [_cell(value, is_decimal=flag, dialect=dialect) for value, flag in zip(row, decimal_flags, strict=True)]
        )
        if number % ROWS_PER_CHUNK == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue()


class CSVRenderer(BaseRenderer):
    """Renders what the view's `csv_table(data)` returns; errors are rendered as JSON instead."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if data is None:
            return b""
        renderer_context = renderer_context or {}
        view = renderer_context["view"]
        table = view.csv_table(data)
        dialect = getattr(view, "csv_dialect", DEFAULT_DIALECT)
        return write_csv(table, dialect=dialect).encode(self.charset)
