"""Organisation identifiers in the schemes of org-id.guide, as the 360Giving standard wants them.

An identifier is the scheme's prefix, a hyphen and the organisation's number in that scheme's
register, e.g. `XI-ROR-04xfq0f34` for RWTH Aachen. We accept the schemes that fit the
programme's recipients and funders (org-id.guide lists no German register for public bodies,
so municipalities and ministries take their Wikidata item):

- `XI-ROR-`: universities and research institutions, by their Research Organization Registry
  id; the last two digits are a checksum (ISO 7064 mod 97-10), so a mistyped id is caught.
- `DE-CR-`: companies, partnerships and co-operatives, by the register court's GLEIF
  registration authority code and the register number, without spaces
  (`DE-CR-RA000351-HRB758147`).
- `XI-WIKIDATA-`: public bodies, municipalities and anything else with a Wikidata item
  (`XI-WIKIDATA-Q1017`).

Where none is known the 360Giving export falls back to our own `360G-` prefix; staff never
enter one of those by hand.
"""

import re
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_CROCKFORD = "0123456789abcdefghjkmnpqrstvwxyz"


def _ror_checksum_ok(number: str) -> bool:
    value = 0
    for character in number[1:7]:
        value = value * 32 + _CROCKFORD.index(character)
    return 98 - (value * 100) % 97 == int(number[7:])


@dataclass(frozen=True)
class Scheme:
    prefix: str
    title: str
    number: re.Pattern
    example: str
    register_url: str  # where to look a number up, with {number} in place
    check: object = None  # an extra test on the number beyond its pattern


SCHEMES = [
    Scheme(
        "XI-ROR",
        "Research Organization Registry",
        re.compile(r"0[a-hj-km-np-tv-z0-9]{6}[0-9]{2}"),
        "XI-ROR-04xfq0f34",
        "https://ror.org/{number}",
        _ror_checksum_ok,
    ),
    Scheme(
        "DE-CR",
        "Gemeinsames Registerportal der Länder (Handelsregister)",
        re.compile(r"RA[0-9]{6}-(HRA|HRB|GnR|PR|VR|GsR)[0-9]+[A-Z]{0,3}"),
        "DE-CR-RA000351-HRB758147",
        "https://www.handelsregister.de/",
    ),
    Scheme(
        "XI-WIKIDATA",
        "Wikidata",
        re.compile(r"Q[1-9][0-9]*"),
        "XI-WIKIDATA-Q1017",
        "https://www.wikidata.org/wiki/{number}",
    ),
]


def scheme_of(identifier: str) -> tuple[Scheme, str] | None:
    """The scheme an identifier belongs to and its number there, or None."""
    for scheme in SCHEMES:
        if identifier.startswith(scheme.prefix + "-"):
            return scheme, identifier[len(scheme.prefix) + 1 :]
    return None


def validate_org_id(identifier: str) -> None:
    """Refuse an identifier that is in none of our schemes or does not match its scheme."""
    if not identifier:
        return
    found = scheme_of(identifier)
    if found is None:
        raise ValidationError(
            _("„%(value)s“ gehört zu keinem bekannten Schema. Erlaubt sind: %(schemes)s."),
            params={"value": identifier, "schemes": ", ".join(f"{s.prefix}- ({s.example})" for s in SCHEMES)},
            code="unknown_scheme",
        )
    scheme, number = found
    if not scheme.number.fullmatch(number) or (scheme.check and not scheme.check(number)):
        raise ValidationError(
            _("„%(value)s“ ist keine gültige Kennung im Schema %(scheme)s (Beispiel: %(example)s)."),
            params={"value": identifier, "scheme": scheme.title, "example": scheme.example},
            code="invalid_number",
        )


def register_url(identifier: str) -> str | None:
    """A link to the organisation's entry in its register, where the register has one."""
    found = scheme_of(identifier)
    if not found or "{number}" not in found[0].register_url:
        return None
    scheme, number = found
    return scheme.register_url.format(number=number)
