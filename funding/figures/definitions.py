"""The one definition of every figure: key, labels, definition and unit.

Pages, the API, CSV exports and the engine all take a figure's label and definition
from here, so a figure means the same thing wherever it is shown.

Groupings: a figure exists for the whole programme and by region, strand (Förder-
schwerpunkt), topic (Themenfeld), year and granting authority. A project belongs to the
region, strand and topic it is filed under. Amounts count under the authority and the
year of each decision. Counting figures that are about projects (funded projects,
project offices) count a project under the authority and the year of its first released
decision, so that the groups add up to the programme total; applications count by year of
submission, requests by year of receipt, and both under the authority of their project's
first released decision ("ohne Bescheid" while there is none). Payments and claims count
under the authority of their grant's decision and in the year of their value date or claim;
proofs of use under the authority of their decision and in the year of their deadline.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from typing import Literal

Unit = Literal["count", "eur", "ratio"]


@dataclass(frozen=True)
class Figure:
    key: str
    label_de: str
    label_en: str
    definition_de: str
    definition_en: str
    unit: Unit


FIGURES: dict[str, Figure] = {
    figure.key: figure
    for figure in (
        Figure(
            key="funded_projects",
            label_de="geförderte Projekte",
            label_en="funded projects",
            definition_de="Projekte (ohne Projektbüros), deren freigegebene Zuwendung abzüglich "
            "Änderungen und Widerrufen über null liegt.",
            definition_en="Projects (not project offices) whose net released grant is above zero.",
            unit="count",
        ),
        Figure(
            key="project_offices",
            label_de="Projektbüros",
            label_en="project offices",
            definition_de="Geförderte Projektbüros der Modellregionen, deren freigegebene Zuwendung über null liegt.",
            definition_en="The regions' project offices whose net released grant is above zero.",
            unit="count",
        ),
        Figure(
            key="funding_granted",
            label_de="bewilligte Fördermittel",
            label_en="funding granted",
            definition_de="Summe der Zuwendungen aller freigegebenen Bescheide, Änderungsbescheide "
            "und Widerrufe eingerechnet.",
            definition_en="Sum of the grants of all released decisions, amendments and revocations included.",
            unit="eur",
        ),
        Figure(
            key="private_investment",
            label_de="private Investitionen",
            label_en="private investment",
            definition_de="Summe der privaten Investitionen, die freigegebene Bescheide auslösen.",
            definition_en="Sum of the private co-investment on released decisions.",
            unit="eur",
        ),
        Figure(
            key="total_volume",
            label_de="Gesamtvolumen",
            label_en="total volume",
            definition_de="Bewilligte Fördermittel plus private Investitionen.",
            definition_en="Funding granted plus private investment.",
            unit="eur",
        ),
        Figure(
            key="eligible_investment",
            label_de="förderfähige Gesamtinvestitionen",
            label_en="eligible investment",
            definition_de="Summe der zuwendungsfähigen Ausgaben aller freigegebenen Bescheide.",
            definition_en="Sum of the eligible costs of all released decisions.",
            unit="eur",
        ),
        Figure(
            key="own_share",
            label_de="Eigenanteile",
            label_en="own share",
            definition_de="Summe der Eigenanteile der Zuwendungsempfänger auf freigegebenen Bescheiden.",
            definition_en="Sum of the recipients' own contributions on released decisions.",
            unit="eur",
        ),
        Figure(
            key="budget_committed",
            label_de="gebundenes Budget",
            label_en="budget committed",
            definition_de="Bewilligte Fördermittel geteilt durch das Budget des Förderprogramms.",
            definition_en="Funding granted divided by the programme's budget.",
            unit="ratio",
        ),
        Figure(
            key="applications",
            label_de="Anträge",
            label_en="applications",
            definition_de="Eingereichte Anträge (Projekte und Projektbüros), gleich wie sie beschieden wurden.",
            definition_en="Projects and project offices ever submitted, whatever their outcome.",
            unit="count",
        ),
        Figure(
            key="transfer_requests",
            label_de="Nachnutzungsanfragen",
            label_en="transfer requests",
            definition_de="Eingegangene Anfragen von Kommunen, eine Lösung nachzunutzen; eine Anfrage über das "
            "Formular zählt, sobald die anfragende Person sie per E-Mail-Link bestätigt oder das Projektbüro sie "
            "aufgenommen hat.",
            definition_en="Requests received from municipalities to reuse a solution; a request from the form counts "
            "once the requester confirmed it by the e-mail link or the project office took it up.",
            unit="count",
        ),
        Figure(
            key="consultation_requests",
            label_de="Beratungsanfragen",
            label_en="consultation requests",
            definition_de="Eingegangene Anfragen von Kommunen nach Beratung, bestätigt wie die Nachnutzungsanfragen.",
            definition_en="Requests for advice received from municipalities, confirmed as transfer requests are.",
            unit="count",
        ),
        Figure(
            key="requesting_municipalities",
            label_de="anfragende Kommunen",
            label_en="requesting municipalities",
            definition_de="Verschiedene Kommunen mit mindestens einer bestätigten Nachnutzungs- oder Beratungsanfrage.",
            definition_en="Distinct municipalities with at least one confirmed transfer or consultation request.",
            unit="count",
        ),
        Figure(
            key="requesting_gemeinden",
            label_de="erreichte Gemeinden",
            label_en="municipalities reached",
            definition_de="Verschiedene Gemeinden in NRW (ohne Kreise) mit mindestens einer Nachnutzungs- "
            "oder Beratungsanfrage.",
            definition_en="Distinct NRW municipalities (not Kreise) with at least one transfer or consultation request.",
            unit="count",
        ),
        Figure(
            key="reach_gemeinden_share",
            label_de="Anteil erreichter Gemeinden",
            label_en="share of municipalities reached",
            definition_de="Erreichte Gemeinden geteilt durch alle Gemeinden in NRW laut Gemeindeverzeichnis.",
            definition_en="Municipalities reached divided by all municipalities of NRW in the official directory.",
            unit="ratio",
        ),
        Figure(
            key="reach_population",
            label_de="Einwohner erreichter Gemeinden",
            label_en="population reached",
            definition_de="Summe der Einwohnerzahlen der erreichten Gemeinden laut Gemeindeverzeichnis (Destatis).",
            definition_en="Sum of the populations of the municipalities reached, from the official directory (Destatis).",
            unit="count",
        ),
        Figure(
            key="reach_population_share",
            label_de="erreichter Bevölkerungsanteil",
            label_en="share of population reached",
            definition_de="Einwohner erreichter Gemeinden geteilt durch die Einwohner von NRW laut Gemeindeverzeichnis.",
            definition_en="Population reached divided by the population of NRW in the official directory.",
            unit="ratio",
        ),
        Figure(
            key="funding_per_inhabitant",
            label_de="Förderung je Einwohner",
            label_en="funding per inhabitant",
            definition_de="Bewilligte Fördermittel geteilt durch die Einwohner des Gebiets: je Modellregion die "
            "Gemeinden ihrer Mitgliedsstädte und -kreise (jede einmal), sonst die aller fünf Modellregionen.",
            definition_en="Funding granted divided by the population of the area: for a region the municipalities "
            "of its member cities and Kreise (each once), otherwise those of all five regions.",
            unit="eur",
        ),
        Figure(
            key="paid_out",
            label_de="ausgezahlte Fördermittel",
            label_en="funds paid out",
            definition_de="Summe der freigegebenen Auszahlungen nach Wertstellung, Korrekturbuchungen eingerechnet, "
            "abzüglich der Erstattungen zurückgeforderter Mittel.",
            definition_en="Sum of the released payments by value date, corrections included, less the repayments "
            "of reclaimed funds.",
            unit="eur",
        ),
        Figure(
            key="outflow_rate",
            label_de="Mittelabfluss",
            label_en="outflow rate",
            definition_de="Ausgezahlte Fördermittel geteilt durch bewilligte Fördermittel.",
            definition_en="Funds paid out divided by funding granted.",
            unit="ratio",
        ),
        Figure(
            key="still_to_pay",
            label_de="noch auszuzahlen",
            label_en="still to be paid",
            definition_de="Bewilligte Fördermittel abzüglich der ausgezahlten; negativ, wo nach einem Widerruf "
            "mehr ausgezahlt als bewilligt ist, bis die Rückforderung erstattet ist.",
            definition_en="Funding granted minus funds paid out; negative where more was paid than is granted "
            "after a revocation, until the claim is repaid.",
            unit="eur",
        ),
        Figure(
            key="reclaimed",
            label_de="zurückgefordert",
            label_en="reclaimed",
            definition_de="Summe der freigegebenen Rückforderungen (nach Widerruf oder Prüfung des "
            "Verwendungsnachweises), nach Datum des Rückforderungsbescheids.",
            definition_en="Sum of the released claims for repayment (after a revocation or a proof-of-use review), "
            "by date of the claim.",
            unit="eur",
        ),
        Figure(
            key="proofs_due",
            label_de="fällige Verwendungsnachweise",
            label_en="proofs of use due",
            definition_de="Verwendungsnachweise, deren Frist bis zum Stichtag abgelaufen ist.",
            definition_en="Proofs of use whose deadline is on or before the date.",
            unit="count",
        ),
        Figure(
            key="proofs_received",
            label_de="eingegangene Verwendungsnachweise",
            label_en="proofs of use received",
            definition_de="Verwendungsnachweise, die bis zum Stichtag eingegangen sind.",
            definition_en="Proofs of use received on or before the date.",
            unit="count",
        ),
        Figure(
            key="proofs_overdue",
            label_de="überfällige Verwendungsnachweise",
            label_en="proofs of use overdue",
            definition_de="Verwendungsnachweise, deren Frist vor dem Stichtag ablief und die am Stichtag noch "
            "nicht eingegangen waren.",
            definition_en="Proofs of use whose deadline passed before the date and that had not arrived by it.",
            unit="count",
        ),
    )
}

GROUPINGS = ("region", "strand", "topic", "year", "authority")

# How steps and groups store their grouping ("" is the programme total). Stored versions
# are read with these numbers: never renumber a grouping.
GROUPING_NUMBERS = {"": 0, "region": 1, "strand": 2, "topic": 3, "year": 4, "authority": 5}
assert set(GROUPING_NUMBERS) == {"", *GROUPINGS}  # noqa: S101

GROUPING_LABELS_DE = {
    "region": "Modellregion",
    "strand": "Förderschwerpunkt",
    "topic": "Themenfeld",
    "year": "Jahr",
    "authority": "Bewilligungsbehörde",
}

# The label of the single row of the programme total, and of the groups without a value.
TOTAL_LABEL = "Gesamt"
NO_TOPIC_KEY, NO_TOPIC_LABEL = "none", "ohne Themenfeld"
NO_AUTHORITY_KEY, NO_AUTHORITY_LABEL = "none", "ohne Bescheid"


# --- Stored and derived figures ----------------------------------------------------------

DERIVED_FIGURES = (
    "total_volume",
    "outflow_rate",
    "still_to_pay",
    "budget_committed",
    "reach_gemeinden_share",
    "reach_population_share",
    "funding_per_inhabitant",
)
# Every step stores the running value of these figures, exactly: money in whole cents,
# counts as integers. The others are derived from them when read (figure_values).
STORED_FIGURES = tuple(key for key in FIGURES if key not in DERIVED_FIGURES)
CENT = Decimal("0.01")
RATIO = Decimal("0.000001")


# --- How much of a figure rests on illustrative records ----------------------------------
#
# Every record names its source: a publication, or "illustrative" (funding.provenance). Next
# to each stored figure a step stores the part of it that illustrative records make up: the
# money of illustrative decisions, payments and claims; the projects made funded (or not) by
# an illustrative decision; illustrative applications, requests and proofs of use; the
# municipalities whose requests in the group are all illustrative so far. A figure's
# illustrative share is that part over its value (illustrative_share).

ILLUSTRATIVE_PREFIX = "illustrative_"
ILLUSTRATIVE_PARTS = {figure: f"{ILLUSTRATIVE_PREFIX}{figure}" for figure in STORED_FIGURES}
# What a step stores: every stored figure and its illustrative part.
STORED_KEYS = (*STORED_FIGURES, *ILLUSTRATIVE_PARTS.values())
SHARE = Decimal("0.0001")


def stored_unit(key: str) -> Unit:
    """The unit of a stored figure or of its illustrative part."""
    return FIGURES[key.removeprefix(ILLUSTRATIVE_PREFIX)].unit


# The stored figures each figure is computed from.
FIGURE_INPUTS = {
    **{key: (key,) for key in STORED_FIGURES},
    "total_volume": ("funding_granted", "private_investment"),
    "budget_committed": ("funding_granted",),
    "reach_gemeinden_share": ("requesting_gemeinden",),
    "reach_population_share": ("reach_population",),
    "funding_per_inhabitant": ("funding_granted",),
    "outflow_rate": ("paid_out", "funding_granted"),
    "still_to_pay": ("funding_granted", "paid_out"),
}


@dataclass(frozen=True)
class Denominators:
    """What derived figures divide by, as kept with a version (and, for the area, its group).

    None where a version was computed before it kept the value: the derived figure is then
    None ("not known"), never a made-up zero.
    """

    budget: Decimal
    nrw_gemeinden: int | None = None
    nrw_population: int | None = None
    area_population: int | None = None  # of the group: a region's area, else all regions'


def _stored_value(key: str, stored: dict[str, int | None]) -> Decimal | int | None:
    value = stored[key]
    if value is None:
        return None  # a version computed before this figure existed
    # scaleb moves the decimal point: exact, whatever the amount.
    return Decimal(value).scaleb(-2).quantize(CENT) if stored_unit(key) == "eur" else int(value)


def _share(part: Decimal | int | None, whole: Decimal | int | None, exponent: Decimal) -> Decimal | None:
    # A share of nothing is undefined, shown as "–": 0 % would say that nothing was paid of something.
    if part is None or whole is None or not whole:
        return None
    return (Decimal(part) / Decimal(whole)).quantize(exponent, rounding=ROUND_HALF_UP)


def figure_value(key: str, stored: dict[str, int | None], *, budget: Decimal | Denominators) -> Decimal | int | None:
    """One figure of a step, from the step's stored values (money in cents) and the denominators.

    `stored` needs the figures of FIGURE_INPUTS[key]; `budget` is the version's Denominators
    (a bare budget is enough for every figure but the per-inhabitant and reach shares).
    """
    denominators = budget if isinstance(budget, Denominators) else Denominators(budget=budget)
    if key == "total_volume":
        return _stored_value("funding_granted", stored) + _stored_value("private_investment", stored)
    if key == "budget_committed":
        return _share(_stored_value("funding_granted", stored), denominators.budget, RATIO)
    if key == "reach_gemeinden_share":
        return _share(_stored_value("requesting_gemeinden", stored), denominators.nrw_gemeinden, RATIO)
    if key == "reach_population_share":
        return _share(_stored_value("reach_population", stored), denominators.nrw_population, RATIO)
    if key == "outflow_rate":
        return _share(_stored_value("paid_out", stored), _stored_value("funding_granted", stored), RATIO)
    if key == "still_to_pay":
        paid = _stored_value("paid_out", stored)
        return None if paid is None else _stored_value("funding_granted", stored) - paid
    if key == "funding_per_inhabitant":
        return _share(_stored_value("funding_granted", stored), denominators.area_population, CENT)
    return _stored_value(key, stored)


def figure_values(stored: dict[str, int | None], *, budget: Decimal | Denominators) -> dict[str, Decimal | int | None]:
    """Every figure of one step, from its stored values (money in cents) and the denominators."""
    return {key: figure_value(key, stored, budget=budget) for key in FIGURES}


def zero_values(denominators: Denominators | None = None) -> dict[str, Decimal | int | None]:
    """Every figure before anything happened, under a group's `denominators`.

    A share of a budget or a population is then 0; a share of nothing (the outflow rate of no
    grant, funding per inhabitant of an area without any) stays undefined. Without denominators,
    the budget and the populations count as known and above zero.
    """
    something = Denominators(budget=Decimal(1), nrw_gemeinden=1, nrw_population=1, area_population=1)
    return figure_values(dict.fromkeys(STORED_FIGURES, 0), budget=denominators or something)


def _part_share(part: int | None, whole: int | None) -> Decimal | None:
    """|part| over |whole|, at most 1; 1 where the whole is zero but the part is not (it cancels out)."""
    if part is None or whole is None:
        return None  # a version computed before illustrative parts were stored: not known
    if not part:
        return Decimal(0).quantize(SHARE)
    if not whole:
        return Decimal(1).quantize(SHARE)
    return min(Decimal(1), Decimal(abs(part)) / Decimal(abs(whole))).quantize(SHARE, rounding=ROUND_HALF_UP)


def illustrative_share(key: str, stored: dict[str, int | None]) -> Decimal | None:
    """The share (0 to 1) of figure `key` that rests on illustrative records; None if not known.

    A stored figure: its illustrative part over its value. Total volume: the parts of grant and
    private investment over their sum. Any other derived figure (a ratio, a difference) rests
    on illustrative records as much as the input that rests on them most.
    `stored` needs the figures of FIGURE_INPUTS[key] and their parts.
    """
    if key in ILLUSTRATIVE_PARTS:
        return _part_share(stored.get(ILLUSTRATIVE_PARTS[key]), stored[key])
    inputs = FIGURE_INPUTS[key]
    if key == "total_volume":
        parts = [stored.get(ILLUSTRATIVE_PARTS[name]) for name in inputs]
        if any(part is None for part in parts):
            return None
        return _part_share(sum(parts), sum(stored[name] for name in inputs))
    shares = [_part_share(stored.get(ILLUSTRATIVE_PARTS[name]), stored[name]) for name in inputs]
    return None if any(share is None for share in shares) else max(shares)


def illustrative_shares(stored: dict[str, int | None]) -> dict[str, Decimal | None]:
    """illustrative_share of every figure of one step."""
    return {key: illustrative_share(key, stored) for key in FIGURES}


def zero_shares() -> dict[str, Decimal]:
    """Before anything happened nothing rests on illustrative records."""
    return dict.fromkeys(FIGURES, Decimal(0).quantize(SHARE))
