"""Tables a reader can sort by a column, on the server: links in the column heads, no JavaScript.

A table names its sortable columns and how to sort by each; the URL says `sort=<column>` for
ascending and `sort=-<column>` for descending order. Every other parameter of the page (its
date, version, map) stays in the links.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.http import QueryDict
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class SortColumn:
    key: str
    label: str
    href: str
    state: str | None  # "ascending", "descending" or None: the value of the head's aria-sort
    numeric: bool = False

    @property
    def hint(self) -> str:
        """What following the link does, for screen readers."""
        if self.state == "ascending":
            return _("absteigend sortieren")
        return _("aufsteigend sortieren")


@dataclass
class SortedTable:
    rows: list
    columns: list[SortColumn]
    error: str = ""


def sorted_table(
    rows: list,
    *,
    query: QueryDict,
    keys: dict[str, Callable],
    labels: dict[str, str],
    default: str,
    anchor: str,
    numeric: frozenset[str] = frozenset(),
) -> SortedTable:
    """`rows` in the order the URL's `sort` asks for (else `default`), and the heads that change it.

    `keys` maps each sortable column to the sort key of a row. An unknown `sort` is said in
    `error` and the default order is used.
    """
    asked = query.get("sort", "")
    error = ""
    if asked and asked.removeprefix("-") not in keys:
        error = _("Nach „%(sort)s“ lässt sich nicht sortieren; gezeigt wird die übliche Reihenfolge.") % {
            "sort": asked[:40]
        }
        asked = ""
    order = asked or default
    column, descending = order.removeprefix("-"), order.startswith("-")
    ordered = sorted(rows, key=keys[column], reverse=descending)
    heads = []
    for key, label in labels.items():
        state = None
        if key == column:
            state = "descending" if descending else "ascending"
        following = f"-{key}" if state == "ascending" else key
        changed = query.copy()
        changed["sort"] = following
        heads.append(
            SortColumn(
                key=key, label=label, href=f"?{changed.urlencode()}#{anchor}", state=state, numeric=key in numeric
            )
        )
    return SortedTable(rows=ordered, columns=heads, error=error)
