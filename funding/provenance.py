"""Where a record comes from: a publication, or "illustrative" (made up to show the app).

Every record of the ledgers (decisions, payments, claims, proofs of use, projects, requests)
names its source. A source that starts with "illustrative" marks a record that no publication
backs: the programme data fills the gaps of what was published with such records. The
figures carry the share of each value that rests on them (funding.figures.definitions), and
pages mark it; this is the one place that says which records they are.
"""

from django.db.models import Case, IntegerField, Q, Value, When

ILLUSTRATIVE = "illustrative"


def is_illustrative(source: str) -> bool:
    return source.strip().casefold().startswith(ILLUSTRATIVE)


def illustrative_q(prefix: str = "") -> Q:
    """The records (reached through `prefix`, e.g. "decision__") whose source is illustrative."""
    return Q(**{f"{prefix}source__istartswith": ILLUSTRATIVE})


def illustrative_flag(prefix: str = "") -> Case:
    """1 for an illustrative record, 0 for a published one: a column of the figures' facts."""
    return Case(When(illustrative_q(prefix), then=Value(1)), default=Value(0), output_field=IntegerField())
