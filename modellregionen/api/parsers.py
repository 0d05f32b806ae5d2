"""The API's JSON bodies: what a record can hold, refused with a 400 before any view or database sees it.

Python's json module parses a body nested thousands deep by recursion and raises RecursionError,
which DRF's parser does not catch (a 500); and it turns "\\ud800" into a lone surrogate, which no
database can store (a 500 at the first query that names it, e.g. a related field's lookup).
Both are refused here, with the place in the body named.
"""

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No record of this API nests deeper than a few levels.
MAX_DEPTH = 20
_SURROGATES = range(0xD800, 0xE000)


def _refuse_what_no_record_holds(value, path: str, depth: int) -> None:
    if depth > MAX_DEPTH:
        raise ParseError(_("JSON zu tief verschachtelt (höchstens %(depth)d Ebenen).") % {"depth": MAX_DEPTH})
    if isinstance(value, str):
        surrogate = next((char for char in value if ord(char) in _SURROGATES), None)
        if surrogate is not None:
            raise ParseError(
                _("%(path)s: Ersatzzeichen sind nicht erlaubt: U+%(code)04X.")
                % {"path": path or _("Anfrage"), "code": ord(surrogate)}
            )
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_what_no_record_holds(key, path or "Feldname", depth + 1)
            _refuse_what_no_record_holds(item, f"{path}.{key}" if path else str(key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _refuse_what_no_record_holds(item, f"{path}[{index}]", depth + 1)


class StrictJSONParser(JSONParser):
    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(
                _("JSON zu tief verschachtelt (höchstens %(depth)d Ebenen).") % {"depth": MAX_DEPTH}
            ) from None
        _refuse_what_no_record_holds(data, "", 0)
        return data
