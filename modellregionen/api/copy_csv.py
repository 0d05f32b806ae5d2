"""Complete CSV downloads at disk speed on PostgreSQL: `COPY (SELECT …) TO STDOUT`.

A list view names its CSV columns as SQL expressions over its queryset (`copy_columns`), each
with the kind of value it holds, under the same names and in the same order as its
serializer's columns. The statement formats every value as the Python writer does
(modellregionen.api.renderers, which SQLite and every other list keep using): decimals with
their stored places (a decimal comma in excel-de), dates as YYYY-MM-DD, times as the API
writes them (ISO 8601 in the site's time zone), an empty text as an empty cell, and in
excel-de a leading formula character guarded by an apostrophe. PostgreSQL writes the CSV; its
quoting is the csv module's minimal quoting, and each row it sends ends in "\\n", which
becomes "\\r\\n" as RFC 4180 and the Python writer have it. So both paths send the same bytes
(tests/api/test_copy_csv.py compares them), in constant memory.
"""

from collections.abc import Iterator
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models import Expression, Func, QuerySet, TextField

TEXT, DECIMAL, DATE, DATETIME = "text", "decimal", "date", "datetime"
# Bytes sent in one piece of the answer.
PIECE_BYTES = 256 * 1024


@dataclass(frozen=True)
class CopyColumn:
    name: str
    expression: Expression
    kind: str = TEXT


class SqlTemplate(Func):
    """SQL with named expressions: "{name}" stands for the expression's SQL.

    An expression that binds parameters may stand in the template once only (its parameters
    are passed once); the others, column references, as often as needed.
    """

    def __init__(self, template: str, output_field=None, **expressions):
        self.names = list(expressions)
        self.sql_template = template
        super().__init__(*expressions.values(), output_field=output_field or TextField())

    def as_sql(self, compiler, connection, **extra):
        parts, params = {}, []
        for name, expression in zip(self.names, self.get_source_expressions(), strict=True):
            sql, expression_params = compiler.compile(expression)
            if expression_params and (len(self.names) > 1 or self.sql_template.count(f"{{{name}}}") > 1):
                raise ValueError(f"{name}: an expression with parameters may stand in the template once only")
            parts[name] = sql
            params.extend(expression_params)
        return self.sql_template.format(**parts), params


def _local_time(tz: str) -> str:
    # As DRF writes a time: in the site's time zone, microseconds only when there are any,
    # "Z" for UTC. The time zone name is the site's setting, never a request's input.
    local = f"({{x}} AT TIME ZONE '{tz}')"
    offset = f"({local} - ({{x}} AT TIME ZONE 'UTC'))"
    return (
        f"to_char({local}, 'YYYY-MM-DD\"T\"HH24:MI:SS')"
        f" || CASE WHEN mod(extract(microseconds FROM {{x}}), 1000000) <> 0 THEN to_char({local}, '.US') ELSE '' END"
        f" || CASE WHEN {offset} = interval '0' THEN 'Z'"
        f" WHEN {offset} > interval '0' THEN '+' || to_char({offset}, 'HH24:MI')"
        f" ELSE '-' || to_char(-{offset}, 'HH24:MI') END"
    )


def _formatted(column: CopyColumn, dialect: str) -> SqlTemplate:
    if column.kind == DECIMAL:
        template = "replace(({x})::text, '.', ',')" if dialect == "excel-de" else "({x})::text"
    elif column.kind == DATE:
        template = "to_char({x}, 'YYYY-MM-DD')"
    elif column.kind == DATETIME:
        template = _local_time(settings.TIME_ZONE)
    else:
        template = "NULLIF(({x})::text, '')"
        if dialect == "excel-de":
            # modellregionen.api.renderers.FORMULA_STARTS: = + - @ tab and carriage return.
            template = f"regexp_replace({template}, '^([=+@\\t\\r-])', '''\\1')"
    return SqlTemplate(template, x=column.expression)


def copy_statement(queryset: QuerySet, columns: list[CopyColumn], *, dialect: str) -> tuple[str, tuple]:
    """The COPY statement of `queryset`'s rows in `dialect` (without the header), and its parameters."""
    aliases = {f"copy_{number}": _formatted(column, dialect) for number, column in enumerate(columns)}
    rows = queryset.annotate(**aliases).values_list(*aliases)
    sql, params = rows.query.sql_with_params()
    delimiter = ";" if dialect == "excel-de" else ","
    return f"COPY ({sql}) TO STDOUT WITH (FORMAT csv, DELIMITER '{delimiter}')", params


def copy_csv(queryset: QuerySet, columns: list[CopyColumn], *, dialect: str) -> Iterator[bytes]:
    """The rows of `queryset` as CSV in `dialect`, header first, streamed from PostgreSQL."""
    statement, params = copy_statement(queryset, columns, dialect=dialect)
    delimiter = ";" if dialect == "excel-de" else ","
    connection = connections[queryset.db]
    connection.ensure_connection()
    head = delimiter.join(column.name for column in columns) + "\r\n"
    if dialect == "excel-de":
        head = "\ufeff" + head
    piece = bytearray(head.encode("utf-8"))
    with connection.connection.cursor() as cursor, cursor.copy(statement, params or None) as copy:
        for row in copy:
            # One row per message, ending in "\n" (inside quotes a line break stays as it is).
            piece += row[:-1]
            piece += b"\r\n"
            if len(piece) >= PIECE_BYTES:
                yield bytes(piece)
                piece.clear()
    yield bytes(piece)
