"""The catalogue's German search: one behaviour on SQLite and PostgreSQL, computed here in Python.

A word is compared by its *term*: lower case, accents and umlauts folded (ü = ue = u, ß = ss)
and reduced to its stem by the Snowball German stemmer ("Lösungen" and "loesung" are both
"losung"). A word of the query finds a project when one of the project's terms

- is the same term, or a plural without its "s" ("Kitas" finds "Kita");
- contains it, for terms of four letters or more: parts of compounds ("Verkehr" finds
  "Verkehrsdaten", "Parken" finds "Parkraum" and "Parking", "Daten" finds "Verkehrsdaten");
- is one letter away (typed, left out, doubled or swapped), for terms of five letters or more;
- or is a synonym's term from the small list below, where the programme's own words differ
  from a reader's.

Every word of the query must be found (several words narrow the result). Where it is found
counts: title, then summary, topic and OZG field, then description, region and lead
municipality; and how: the same term above a part of a compound above a typo.

The catalogue is small (about 70 solutions; a few thousand would still be fast): each search
reads the candidates' texts in one query and compares them here. Terms of a text are kept per
process by the text itself, so a changed title or a renamed topic is searched as it now reads.
"""

import difflib
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.db.models import Case, IntegerField, QuerySet, When
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from projects.models import OzgField, Strand

WORD = re.compile(r"\w+", re.UNICODE)

# Reader's word -> the programme's words, both ways. Kept small and on purpose: only where a
# clerk's word and the record's word differ and no part of one is in the other.
SYNONYM_GROUPS = (
    ("Müll", "Abfall", "Entsorgung", "Wertstoff"),
    ("Kita", "Kindertagesstätte", "Kindergarten", "Kindertagespflege"),
    ("Verkehr", "Mobilität"),
    ("Bürgeramt", "Bürgerbüro", "Bürgerservice", "Bürgerdienste"),
    ("WLAN", "WiFi", "Hotspot"),
    ("Parken", "Parkplatz", "Stellplatz"),
)

# Where a match counts how much, and how: the same term above a synonym above a part of a
# compound above a typo. The title outweighs the rest: a part of a compound in the title
# ("Parking" for "Parken") ranks above the same word in a summary.
FIELD_WEIGHTS = {
    "title": 10,
    "summary": 4,
    "topic": 4,
    "ozg_field": 4,
    "description": 2,
    "region": 1,
    "municipality": 1,
}
SAME, SYNONYM, PART, TYPO = 4, 3, 2, 1
MIN_PART_LENGTH = 4
MIN_TYPO_LENGTH = 5

_stemmer = snowballstemmer.stemmer("german")


@lru_cache(maxsize=65536)
def term(word: str) -> str:
    """The comparable form of one word: folded and stemmed ("Bürgerportale" -> "burgerportal")."""
    folded = unicodedata.normalize("NFKD", word.lower().replace("ß", "ss"))
    folded = "".join(char for char in folded if not unicodedata.combining(char))
    return _stemmer.stemWord(folded)


@lru_cache(maxsize=8192)
def terms(text: str) -> frozenset[str]:
    """The terms of a text (kept per text: the same title is not stemmed again on the next search)."""
    return frozenset(term(word) for word in WORD.findall(text or ""))


def _synonym_terms() -> dict[str, frozenset[str]]:
    groups: dict[str, frozenset[str]] = {}
    for group in SYNONYM_GROUPS:
        group_terms = frozenset(term(word) for word in group)
        for one in group_terms:
            groups[one] = groups.get(one, frozenset()) | group_terms
    return groups


SYNONYMS = _synonym_terms()


def _one_edit_apart(a: str, b: str) -> bool:
    """One letter replaced, added or left out, or two neighbours swapped."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        differ = [index for index, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
        if len(differ) == 1:
            return True
        if len(differ) == 2:
            first, second = differ
            return second == first + 1 and a[first] == b[second] and a[second] == b[first]
        return False
    shorter, longer = sorted((a, b), key=len)
    index = next((i for i, (x, y) in enumerate(zip(shorter, longer, strict=False)) if x != y), len(shorter))
    return shorter[index:] == longer[index + 1 :]


@dataclass(frozen=True)
class QueryWord:
    text: str
    own: frozenset[str]  # the word's term, and its singular
    forms: frozenset[str]  # those and their synonyms' terms

    @classmethod
    def of(cls, word: str) -> "QueryWord":
        stem = term(word)
        own = {stem}
        if stem.endswith("s") and len(stem) > MIN_PART_LENGTH:
            own.add(stem[:-1])
        forms = set(own)
        for form in own:
            forms |= SYNONYMS.get(form, frozenset())
        return cls(text=word, own=frozenset(own), forms=frozenset(forms))

    def strength(self, candidate: str) -> int:
        """How well one term of a record matches this word: SAME, SYNONYM, PART, TYPO or 0."""
        if candidate in self.own:
            return SAME
        if candidate in self.forms:
            return SYNONYM
        if any(len(form) >= MIN_PART_LENGTH and form in candidate for form in self.forms):
            return PART
        if any(len(form) >= MIN_TYPO_LENGTH and _one_edit_apart(form, candidate) for form in self.own):
            return TYPO
        return 0


# Longer than any sensible search (about 30 words), short enough that a search stays cheap:
# every word is matched against the whole vocabulary.
MAX_QUERY_LENGTH = 200


def query_words(text: str) -> list[QueryWord]:
    return [QueryWord.of(word) for word in dict.fromkeys(WORD.findall(text or ""))]


def _choice_labels() -> tuple[dict[str, str], dict[str, str]]:
    """The OZG field and strand labels in the active language, translated once per search, not once per record."""
    return (
        {value: str(label) for value, label in OzgField.choices},
        {value: str(label) for value, label in Strand.choices},
    )


def _texts(row: dict, labels: tuple[dict[str, str], dict[str, str]]) -> tuple[str, ...]:
    """A record's searched texts, in the order of FIELD_WEIGHTS."""
    ozg_field_labels, strand_labels = labels
    texts = {
        "title": row["title"],
        "summary": row["summary"],
        "topic": " ".join(filter(None, [row["topic__name"], row["topic__name_en"]])),
        "ozg_field": ozg_field_labels.get(row["ozg_field"], ""),
        "description": " ".join([row["description"], strand_labels.get(row["strand"], "")]),
        "region": row["region__name"] or "",
        "municipality": row["lead_municipality__name"] or "",
    }
    return tuple(texts[field] for field in FIELD_WEIGHTS)


def _matches(word: QueryWord, vocabulary: set[str]) -> dict[str, int]:
    """Each term of the vocabulary that `word` finds, with how well."""
    found = {}
    for candidate in vocabulary:
        strength = word.strength(candidate)
        if strength:
            found[candidate] = strength
    return found


@lru_cache(maxsize=16384)
def record_terms(texts: tuple[str, ...]) -> dict[str, int]:
    """Each term of a record (its texts in the order of FIELD_WEIGHTS) with its weightiest field's weight."""
    weights: dict[str, int] = {}
    for weight, text in zip(FIELD_WEIGHTS.values(), texts, strict=True):
        for candidate in terms(text):
            if weights.get(candidate, 0) < weight:
                weights[candidate] = weight
    return weights


def score(weights: dict[str, int], matches: list[dict[str, int]]) -> int:
    """The record's relevance (0 unless every word of the query is found in it)."""
    total = 0
    for found in matches:
        # The terms a query word finds are few: look them up in the record, not the other way round.
        best = max(
            (strength * weights[candidate] for candidate, strength in found.items() if candidate in weights), default=0
        )
        if not best:
            return 0
        total += best
    return total


SEARCHED_COLUMNS = (
    "pk",
    "title",
    "summary",
    "description",
    "strand",
    "ozg_field",
    "topic__name",
    "topic__name_en",
    "region__name",
    "lead_municipality__name",
)


def search_projects(queryset: QuerySet, text: str) -> QuerySet:
    """The projects of `queryset` that match every word of `text`, most relevant first (then by title)."""
    words = query_words(text)
    if not words:
        return queryset
    labels = _choice_labels()
    rows = queryset.order_by().values(*SEARCHED_COLUMNS)
    records = [(row["pk"], record_terms(_texts(row, labels))) for row in rows]
    vocabulary = set().union(*(weights for _pk, weights in records))
    matches = [_matches(word, vocabulary) for word in words]
    scores = {}
    for pk, weights in records:
        relevance = score(weights, matches)
        if relevance:
            scores[pk] = relevance
    if not scores:
        return queryset.none()
    # One branch per relevance, not per project: a CASE of one WHEN per row is tested row by
    # row, which took seconds for a word that every one of 10,000 projects has.
    by_relevance: dict[int, list[int]] = {}
    for pk, relevance in scores.items():
        by_relevance.setdefault(relevance, []).append(pk)
    ranked = [When(pk__in=pks, then=relevance) for relevance, pks in by_relevance.items()]
    return (
        queryset.annotate(search_rank=Case(*ranked, default=0, output_field=IntegerField()))
        .filter(search_rank__gt=0)
        .order_by("-search_rank", "title", "pk")
    )


def closest_words(queryset: QuerySet, text: str, *, limit: int = 5) -> list[str]:
    """Words of the catalogue's titles, summaries and topics nearest to what was searched (for "Meinten Sie …")."""
    vocabulary: dict[str, str] = {}
    for row in queryset.order_by().values("title", "summary", "topic__name"):
        for value in row.values():
            for word in WORD.findall(value or ""):
                # German nouns (capitalised) of four letters or more: "Parkraum", not "daraus".
                if len(word) > 3 and word[0].isupper():
                    vocabulary.setdefault(word.lower(), word)
    found: list[str] = []
    for word in WORD.findall(text or ""):
        for near in difflib.get_close_matches(word.lower(), vocabulary, n=limit, cutoff=0.6):
            if vocabulary[near] not in found:
                found.append(vocabulary[near])
    return found[:limit]


def highlight(text: str, query: str) -> SafeString:
    """`text` escaped, with each word that a word of `query` found marked (<mark>)."""
    words = query_words(query)
    if not words or not text:
        return escape(text or "")
    parts, position = [], 0
    for match in WORD.finditer(text):
        parts.append(escape(text[position : match.start()]))
        word = match.group()
        found = any(query_word.strength(term(word)) for query_word in words)
        parts.append(f"<mark>{escape(word)}</mark>" if found else escape(word))
        position = match.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every part is escaped above
