"""German alphabetical order (DIN 5007-1, as in a dictionary): Ä with A, Ö with O, Ü with U, ß as ss, case ignored.

The databases sort by their collation: SQLite by bytes, PostgreSQL by its cluster's locale
(C.UTF-8 here), and both put "Übach-Palenberg" after "Zülpich" and "Köln" after "Kreis Wesel".
Lists that people read are put in order here instead, the same on both.
"""

import unicodedata
from functools import lru_cache


# A pure function of the text: a list of thousands of names is sorted again on every request.
@lru_cache(maxsize=65536)
def german_key(text: str) -> tuple[str, str]:
    """Sort key: the folded letters first, the original second (so "Muenster" and "Münster" keep one order)."""
    folded = unicodedata.normalize("NFKD", text.casefold().replace("ß", "ss"))
    return "".join(char for char in folded if not unicodedata.combining(char)), text


def in_german_order(items, *, name=lambda item: item.name) -> list:
    """`items` sorted by the German key of `name(item)`."""
    return sorted(items, key=lambda item: german_key(name(item)))
