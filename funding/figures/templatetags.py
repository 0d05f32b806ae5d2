"""Number, money and date formats of the public pages: de-DE first, English second."""

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal

from django import template
from django.utils.formats import date_format, number_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

register = template.Library()

MILLION = Decimal("1000000")


def _number(value, decimals: int) -> str:
    return number_format(Decimal(value), decimal_pos=decimals, use_l10n=True, force_grouping=True)


def _is_german() -> bool:
    return (get_language() or "de").startswith("de")


def _with_currency(amount: str) -> str:
    # German puts the sign after the number with a space ("1.234 €"), English before it ("€1,234").
    return f"{amount} €" if _is_german() else f"€{amount}"


@register.filter
def euro(value) -> str:
    """Whole euros: "56.600.000 €"; cents only when there are any."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    decimals = 0 if value == value.to_integral_value() else 2
    return _with_currency(_number(value, decimals))


@register.filter
def euro_cents(value) -> str:
    """Euros with cents, as on a grant decision: "1.234.567,89 €"."""
    if value is None or value == "":
        return "–"
    return _with_currency(_number(value, 2))


@register.filter
def euro_short(value) -> str:
    """Millions with one decimal ("56,6 Mio. €"), smaller amounts in full."""
    if value is None or value == "":
        return "–"
    value = Decimal(value)
    if abs(value) < MILLION:
        return euro(value)
    millions = (value / MILLION).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    unit = _("Mio.")
    if _is_german():
        return f"{_number(millions, 1)} {unit} €"
    return f"€{_number(millions, 1)} {unit}"


@register.filter
def share_of(shares, key: str):
    """The illustrative share of figure `key` in a page's shares (0 where the page has none)."""
    return (shares or {}).get(key, Decimal(0))


@register.filter
def percent(value, decimals: int = 1) -> str:
    """A ratio as percent: 0.622 → "62,2 %"."""
    if value is None or value == "":
        return "–"
    return f"{_number(Decimal(value) * 100, int(decimals))} %"


@register.filter
def count(value) -> str:
    if value is None or value == "":
        return "–"
    return _number(value, 0)


@register.filter
def figure_value(value, unit: str) -> str:
    """Format a figure by its unit ("count", "eur" or "ratio") for a tile."""
    if unit == "eur":
        return euro_short(value)
    if unit == "ratio":
        return percent(value)
    return count(value)


@register.filter
def figure_value_full(value, unit: str) -> str:
    """Format a figure by its unit without shortening, for tables."""
    if unit == "eur":
        return euro(value)
    if unit == "ratio":
        return percent(value)
    return count(value)


@register.filter
def day(value) -> str:
    """A date as "06.12.2019" on German pages and "6 Dec 2019" on English ones."""
    if not value:
        return "–"
    if isinstance(value, dt.datetime):
        value = value.date()
    if _is_german():
        return date_format(value, "d.m.Y")
    return date_format(value, "j M Y")


@register.filter
def moment(value) -> str:
    """A point in time in local time: "06.12.2019, 14:05 Uhr"."""
    if not value:
        return "–"
    from django.utils import timezone

    value = timezone.localtime(value)
    if _is_german():
        return date_format(value, "d.m.Y, H:i") + " Uhr"
    return date_format(value, "j M Y, H:i")


@register.filter
def lookup(mapping, key):
    """mapping[key] in a template, for the figure values of a row."""
    try:
        return mapping[key]
    except (KeyError, TypeError, IndexError):
        return None


@register.filter
def localized_name(obj) -> str:
    """A topic's English name on English pages when there is one, else its German name."""
    if obj is None:
        return "–"
    name_en = getattr(obj, "name_en", "")
    return name_en if name_en and not _is_german() else obj.name


@register.filter
def duration(value) -> str:
    """A timedelta in words: "60 Minuten" / "60 minutes" (the lockout page's time left)."""
    if not value:
        return ""
    minutes = max(1, round(value.total_seconds() / 60))
    if _is_german():
        return f"{minutes} Minute" if minutes == 1 else f"{minutes} Minuten"
    return f"{minutes} minute" if minutes == 1 else f"{minutes} minutes"


@register.simple_tag(takes_context=True)
def table_csv(context, name: str, **params) -> str:
    """The address of a page table's CSV file, pinned to the page's date and version."""
    from django.urls import reverse
    from django.utils.http import urlencode

    query = {key: value for key, value in params.items() if value}
    if context.get("as_of"):
        query["as_of"] = context["as_of"].isoformat()
    if context.get("version"):
        query["version"] = context["version"].pk
    return f"{reverse('table-csv', args=[name])}?{urlencode(query)}"
