"""Finding a municipality from what a person typed: the one lookup behind the request form,
the staff forms and the API (`/api/v1/municipalities/?q=`).

People type a town as they say it ("Paderborn", "Hille", "Muenster"), as the directory writes
it ("Paderborn, Stadt"), as the suggestion list offers it ("Paderborn, Stadt (05774032)"), or
as its key ("05774032"). The lookup answers with exactly one municipality, or with the closest
candidates and why it could not choose, so that a form can offer them instead of a dead end.

Matching is done in Python over the directory (about 430 rows of NRW): accents, umlauts
written as "ae", "ß" and case do not matter, on SQLite and PostgreSQL alike.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from django.utils.translation import gettext_lazy as _

from modellregionen.collation import in_german_order
from regions.models import Municipality, MunicipalityKind

AGS_IN_TEXT = re.compile(r"\b(05[0-9]{3}(?:[0-9]{3})?)\b")
# How many candidates an ambiguous or unknown entry lists.
MAX_CANDIDATES = 8


def fold(text: str) -> str:
    """Text for comparison: "Münster" == "Muenster" == "MUNSTER"; "Straße" == "Strasse"."""
    text = text.casefold().replace("ß", "ss")
    for written_out, letter in (("ae", "a"), ("oe", "o"), ("ue", "u")):
        text = text.replace(written_out, letter)
    decomposed = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@dataclass
class LookupResult:
    """The one municipality meant, or the candidates and the reason (a code and a message)."""

    municipality: Municipality | None = None
    candidates: list[Municipality] = field(default_factory=list)
    code: str = ""
    message: str = ""

    @property
    def found(self) -> bool:
        return self.municipality is not None


def _directory(queryset=None) -> list[Municipality]:
    queryset = queryset if queryset is not None else Municipality.objects.listed()
    fields = ("ags", "name", "kind", "population", "in_directory")
    return in_german_order(queryset.select_related(None).only(*fields).order_by("ags"))


def _rank(municipality: Municipality, query: str) -> int | None:
    """0 = the exact name, 1 = the exact name without suffix, 2 = starts so, 3 = a word starts so, 4 = contains."""
    full = fold(municipality.name)
    short = fold(municipality.short_name)
    if query == full:
        return 0
    if query == short:
        return 1
    if full.startswith(query) or short.startswith(query):
        return 2
    if any(word.startswith(query) for word in full.split()):
        return 3
    if query in full:
        return 4
    return None


def search_municipalities(text: str, *, limit: int | None = None, queryset=None) -> list[Municipality]:
    """Municipalities matching a name or key fragment, best first (for suggestions and the API's ?q=)."""
    text = (text or "").strip()
    if not text:
        return []
    directory = _directory(queryset)
    digits = text.replace(" ", "")
    if digits.isdigit():
        found = [m for m in directory if m.ags.startswith(digits)]
        found.sort(key=lambda m: m.ags)
        return found[:limit] if limit else found
    query = fold(text)
    ranked = []
    for municipality in directory:
        rank = _rank(municipality, query)
        if rank is not None:
            # A Gemeinde before the Kreis of the same name; then by name.
            ranked.append(
                (rank, municipality.kind in MunicipalityKind.district_level(), municipality.name, municipality)
            )
    ranked.sort(key=lambda item: item[:3])
    found = [item[3] for item in ranked]
    return found[:limit] if limit else found


def closest_municipalities(text: str, *, limit: int = MAX_CANDIDATES, queryset=None) -> list[Municipality]:
    """The names that look most like a misspelt entry ("Paderbron" -> Paderborn, Stadt)."""
    directory = _directory(queryset)
    query = fold(text)
    by_key: dict[str, list[Municipality]] = {}
    for municipality in directory:
        for key in {fold(municipality.name), fold(municipality.short_name)}:
            by_key.setdefault(key, []).append(municipality)
    found: list[Municipality] = []
    for key in difflib.get_close_matches(query, list(by_key), n=limit, cutoff=0.6):
        for municipality in by_key[key]:
            if municipality not in found:
                found.append(municipality)
    return found[:limit]


def resolve_municipality(text: str, *, queryset=None) -> LookupResult:
    """Exactly one municipality for what was typed, or candidates with a German message saying why not."""
    text = (text or "").strip()
    if not text:
        return LookupResult(code="required", message=str(_("Bitte geben Sie Ihre Kommune an.")))
    queryset = queryset if queryset is not None else Municipality.objects.listed()
    match = AGS_IN_TEXT.search(text)
    if match:
        ags = match.group(1)
        municipality = queryset.filter(ags=ags).first()
        if municipality is not None:
            return LookupResult(municipality=municipality)
        return LookupResult(
            code="unknown_ags",
            message=str(_("Zum Gemeindeschlüssel %(ags)s ist keine Kommune in NRW verzeichnet.") % {"ags": ags}),
            candidates=search_municipalities(ags[:5], limit=MAX_CANDIDATES, queryset=queryset),
        )
    if text.replace(" ", "").isdigit():
        return LookupResult(
            code="bad_ags",
            message=str(_("Ein Gemeindeschlüssel in NRW hat 8 Ziffern (5 für einen Kreis) und beginnt mit 05.")),
            candidates=search_municipalities(text, limit=MAX_CANDIDATES, queryset=queryset),
        )

    query = fold(text)
    matches = search_municipalities(text, queryset=queryset)
    exact = [m for m in matches if fold(m.name) == query]
    if not exact:
        # "Paderborn" means the town, not the Kreis: a Kreis is named with "Kreis" in front.
        exact = [m for m in matches if fold(m.short_name) == query and m.kind not in MunicipalityKind.district_level()]
    if len(exact) == 1:
        return LookupResult(municipality=exact[0])
    if not exact and len(matches) == 1:
        return LookupResult(municipality=matches[0])
    if matches:
        return LookupResult(
            code="ambiguous",
            message=str(_("Mehrere Kommunen passen zu „%(text)s“. Bitte wählen Sie eine aus.") % {"text": text}),
            candidates=(exact or matches)[:MAX_CANDIDATES],
        )
    candidates = closest_municipalities(text, queryset=queryset)
    if candidates:
        message = _("Keine Kommune in NRW heißt „%(text)s“. Meinten Sie eine dieser?") % {"text": text}
    else:
        message = _(
            "Keine Kommune in NRW heißt „%(text)s“. Bitte prüfen Sie den Namen oder geben Sie den Gemeindeschlüssel an."
        ) % {"text": text}
    return LookupResult(code="unknown_name", message=str(message), candidates=candidates)


def suggestion_label(municipality: Municipality) -> str:
    """How the suggestion list and the form write a municipality: "Paderborn, Stadt (05774032)"."""
    return f"{municipality.name} ({municipality.ags})"
