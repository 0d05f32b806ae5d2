"""Rules for the Amtlicher Gemeindeschlüssel (AGS) of NRW municipalities.

An AGS has 8 digits: Land (2, NRW is 05), Regierungsbezirk (1), Kreis (2), Gemeinde (3).
A Kreis is identified by the first 5 digits alone.
"""

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NRW_PREFIX = "05"
DISTRICT_DIGITS = {"1", "3", "5", "7", "9"}
AGS_PATTERN = re.compile(r"^[0-9]{5}([0-9]{3})?$")


def validate_ags(value: str) -> None:
    if not isinstance(value, str) or not AGS_PATTERN.match(value):
        raise ValidationError(
            _("„%(value)s“ ist kein Gemeindeschlüssel: erwartet werden 8 Ziffern (Gemeinde) oder 5 (Kreis)."),
            code="ags_format",
            params={"value": value},
        )
    if not value.startswith(NRW_PREFIX):
        raise ValidationError(
            _("„%(value)s“ liegt nicht in Nordrhein-Westfalen: NRW-Schlüssel beginnen mit 05."),
            code="ags_not_nrw",
            params={"value": value},
        )
    if value[2] not in DISTRICT_DIGITS:
        raise ValidationError(
            _("„%(value)s“ nennt keinen Regierungsbezirk von NRW (dritte Ziffer 1, 3, 5, 7 oder 9)."),
            code="ags_district",
            params={"value": value},
        )


def validate_ags_matches_kind(ags: str, *, is_district_level: bool) -> None:
    """A Kreis (or kreisfreie Stadt's Kreis level) has 5 digits, a Gemeinde 8."""
    if is_district_level and len(ags) != 5:
        raise ValidationError({"ags": _("Ein Kreis hat einen 5-stelligen Schlüssel, nicht „%(ags)s“.") % {"ags": ags}})
    if not is_district_level and len(ags) != 8:
        raise ValidationError(
            {"ags": _("Eine Gemeinde hat einen 8-stelligen Schlüssel, nicht „%(ags)s“.") % {"ags": ags}}
        )
