"""Property tests: for random ledgers, every stored figure equals the plain sum of the ledger.

The ledgers hold decisions, projects, requests and, since issue 17, the payments ledger:
payments, corrections, claims, repayments and proofs of use.

The oracle below recomputes each figure from the generated records with the plainest
Python there is (filter, sum, count), for every group and for random as-of dates.
"""

import datetime as dt
from collections import defaultdict
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding.choices import RecoveryKind
from funding.figures import engine
from funding.figures.definitions import FIGURES, GROUPINGS
from funding.figures.selectors import figures_for
from funding.figures.verify import figures_verify
from funding.models import DecisionKind, DecisionState, FundingDecision, GrantingAuthority
from funding.payments.models import Payment, ProofOfUse, Recovery
from projects.models import ProjectKind, RequestKind, Strand
from tests.factories import (
    MunicipalityFactory,
    ProgrammeFactory,
    ProjectFactory,
    RecipientFactory,
    RegionFactory,
    TopicFactory,
    TransferRequestFactory,
    UserFactory,
)

# The days run across a new year, so a project's decisions, application and requests can
# fall in different years (the year grouping) as well as under different authorities.
START = dt.date(2019, 12, 20)
BUDGET = Decimal("91000000.00")


def day(offset: int) -> dt.date:
    return START + dt.timedelta(days=offset)


money = st.integers(min_value=0, max_value=5_000_000_00).map(lambda cents: Decimal(cents) / 100)
positive_money = st.integers(min_value=1, max_value=5_000_000_00).map(lambda cents: Decimal(cents) / 100)
# Few distinct days, so that several decisions and requests fall on the same day.
offsets = st.integers(min_value=0, max_value=30)

decision_ops = st.fixed_dictionaries(
    {
        "kind": st.sampled_from([DecisionKind.AMENDMENT, DecisionKind.REVOCATION, DecisionKind.AMENDMENT]),
        "after": st.integers(min_value=0, max_value=10),
        "amount": positive_money,
        "sign": st.sampled_from([1, -1]),
        "private": money,
        "eligible": money,
        "own": money,
        "full_revocation": st.booleans(),
        "released": st.booleans(),
        "authority": st.integers(min_value=0, max_value=1),
    }
)

# Entries of the payments ledger on a project's initial decision (issue 17). The rules are not
# applied here (the records are created directly): the figures must add up whatever is booked.
entry_ops = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["payment", "payment", "correction", "claim", "repayment"]),
        "day": st.integers(min_value=0, max_value=40),
        "amount": positive_money,
        "released": st.booleans(),
    }
)
proofs = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {"due": st.integers(min_value=0, max_value=40), "received": st.one_of(st.none(), st.integers(0, 45))}
    ),
)

projects = st.fixed_dictionaries(
    {
        "region": st.integers(min_value=0, max_value=2),
        "strand": st.sampled_from(Strand.values),
        "topic": st.sampled_from([0, 1, None]),
        "kind": st.sampled_from([ProjectKind.PROJECT, ProjectKind.PROJECT, ProjectKind.PROJECT_OFFICE]),
        "submitted": offsets,
        "initial": st.one_of(
            st.none(),
            st.fixed_dictionaries(
                {
                    "day": offsets,
                    "amount": money,
                    "extra_eligible": money,
                    "private": money,
                    "own": money,
                    "released": st.booleans(),
                    "authority": st.integers(min_value=0, max_value=1),
                }
            ),
        ),
        "later": st.lists(decision_ops, max_size=4),
        "entries": st.lists(entry_ops, max_size=4),
        "proof": proofs,
    }
)

requests = st.fixed_dictionaries(
    {
        "project": st.integers(min_value=0, max_value=5),
        "municipality": st.integers(min_value=0, max_value=3),
        "kind": st.sampled_from(RequestKind.values),
        "day": offsets,
    }
)

ledgers = st.fixed_dictionaries(
    {
        "projects": st.lists(projects, min_size=1, max_size=6),
        "requests": st.lists(requests, max_size=8),
        "as_of": st.lists(st.integers(min_value=-3, max_value=45).map(day), min_size=1, max_size=4),
    }
)


class Ledger:
    """The generated records, kept as plain Python for the oracle."""

    def __init__(self):
        self.projects = []  # dicts: id, region, strand, topic, kind, submitted
        self.decisions = []  # dicts: id, project, date, amount, private, eligible, own, authority, released
        self.requests = []  # dicts: project, municipality, kind, date
        self.entries = []  # released payments ledger entries: project, authority, date, paid, reclaimed
        self.proofs = []  # dicts: project, authority, due, received


def build(spec) -> Ledger:
    """Create the generated ledger in the database (the DB's own rules apply)."""
    ledger = Ledger()
    programme = ProgrammeFactory(budget=BUDGET)
    regions = [RegionFactory(slug=f"r{i}", name=f"Region {i}") for i in range(3)]
    topics = [TopicFactory(slug=f"t{i}", name=f"Thema {i}") for i in range(2)]
    authorities = [
        GrantingAuthority.objects.create(slug=f"a{i}", name=f"Behörde {i}", kind="district_government")
        for i in range(2)
    ]
    # Three Gemeinden with populations (two of them members of a region) and one Kreis, which
    # counts as a requesting municipality but not in the reach.
    municipalities = [
        MunicipalityFactory(ags=f"0591300{i}", population=POPULATIONS[i], region=regions[i] if i < 2 else None)
        for i in range(3)
    ]
    municipalities.append(MunicipalityFactory(ags="05913", kind="district", population=None))
    recipient = RecipientFactory()
    releaser = UserFactory(username="releaser")
    created_projects = []
    for index, p in enumerate(spec["projects"]):
        project = ProjectFactory(
            programme=programme,
            region=regions[p["region"]],
            strand=p["strand"],
            topic=topics[p["topic"]] if p["topic"] is not None else None,
            kind=p["kind"],
            submitted_on=day(p["submitted"]),
            slug=f"p{index}",
        )
        created_projects.append(project)
        ledger.projects.append(
            {
                "id": project.pk,
                "region": f"r{p['region']}",
                "strand": p["strand"],
                "topic": f"t{p['topic']}" if p["topic"] is not None else "none",
                "kind": p["kind"],
                "submitted": project.submitted_on,
            }
        )
        if p["initial"] is None:
            continue
        initial = p["initial"]
        net = Decimal(0)

        def record(decision, released):
            nonlocal net
            if released:
                net += decision.amount
            ledger.decisions.append(
                {
                    "id": decision.pk,
                    "project": decision.project_id,
                    "date": decision.decision_date,
                    "amount": decision.amount,
                    "private": decision.private_investment,
                    "eligible": decision.eligible_costs,
                    "own": decision.own_share,
                    "authority": decision.authority.slug,
                    "released": released,
                }
            )

        first = _decision(
            project=project,
            recipient=recipient,
            authority=authorities[initial["authority"]],
            kind=DecisionKind.INITIAL,
            amends=None,
            date=day(initial["day"]),
            amount=initial["amount"],
            eligible=initial["amount"] + initial["extra_eligible"],
            private=initial["private"],
            own=initial["own"],
            released_by=releaser if initial["released"] else None,
        )
        record(first, initial["released"])
        for op in p["later"]:
            if op["kind"] == DecisionKind.REVOCATION:
                # Sometimes exactly the net grant, so the project drops to zero.
                amount = -(net if op["full_revocation"] and net > 0 else op["amount"])
                private, eligible, own = -op["private"], -op["eligible"], -op["own"]
            else:
                amount = op["amount"] * op["sign"]
                private, eligible, own = op["private"], op["eligible"], op["own"]
            decision = _decision(
                project=project,
                recipient=recipient,
                authority=authorities[op["authority"]],
                kind=op["kind"],
                amends=first,
                date=day(initial["day"] + op["after"]),
                amount=amount,
                eligible=eligible,
                private=private,
                own=own,
                released_by=releaser if op["released"] else None,
            )
            record(decision, op["released"])
        if initial["released"]:
            _book_payments(ledger, grant=first, entries=p["entries"], proof=p["proof"], releaser=releaser)
    for r in spec["requests"]:
        if r["project"] >= len(created_projects):
            continue
        request = TransferRequestFactory(
            project=created_projects[r["project"]],
            municipality=municipalities[r["municipality"]],
            kind=r["kind"],
            received_on=day(r["day"]),
        )
        ledger.requests.append(
            {
                "project": request.project_id,
                "municipality": request.municipality_id,
                "kind": r["kind"],
                "date": request.received_on,
            }
        )
    return ledger


def _book_payments(ledger: Ledger, *, grant, entries, proof, releaser) -> None:
    """Payments, corrections, claims and repayments on `grant`, and its proof of use."""
    paid = []
    for index, op in enumerate(entries):
        released = {
            "state": DecisionState.RELEASED if op["released"] else DecisionState.DRAFT,
            "released_by": releaser if op["released"] else None,
            "released_at": timezone.now() if op["released"] else None,
        }
        reference = f"E-{grant.pk}-{index}"
        change = {"paid": Decimal(0), "reclaimed": Decimal(0)}
        if op["kind"] in {"payment", "correction"}:
            corrects = paid[-1] if op["kind"] == "correction" and paid else None
            if op["kind"] == "correction" and corrects is None:
                continue
            amount = -op["amount"] if corrects else op["amount"]
            payment = Payment.objects.create(
                reference=reference,
                decision=grant,
                amount=amount,
                value_date=day(op["day"]),
                corrects=corrects,
                **released,
            )
            if amount > 0:
                paid.append(payment)
            change["paid"] = amount
        else:
            Recovery.objects.create(
                reference=reference,
                decision=grant,
                kind=RecoveryKind.CLAIM if op["kind"] == "claim" else RecoveryKind.REPAYMENT,
                amount=op["amount"],
                booked_on=day(op["day"]),
                reason="Widerruf",
                **released,
            )
            change = (
                {"paid": -op["amount"], "reclaimed": Decimal(0)}
                if op["kind"] == "repayment"
                else {
                    "paid": Decimal(0),
                    "reclaimed": op["amount"],
                }
            )
        if op["released"]:
            ledger.entries.append(
                {"project": grant.project_id, "authority": grant.authority.slug, "date": day(op["day"]), **change}
            )
    if proof is not None:
        received = day(proof["received"]) if proof["received"] is not None else None
        ProofOfUse.objects.create(decision=grant, due_on=day(proof["due"]), received_on=received)
        ledger.proofs.append(
            {
                "project": grant.project_id,
                "authority": grant.authority.slug,
                "due": day(proof["due"]),
                "received": received,
            }
        )


def _decision(*, project, recipient, authority, kind, amends, date, amount, eligible, private, own, released_by):
    return FundingDecision.objects.create(
        reference=f"AZ-{FundingDecision.objects.count() + 1:05d}",
        project=project,
        recipient=recipient,
        authority=authority,
        kind=kind,
        amends=amends,
        decision_date=date,
        amount=amount,
        eligible_costs=eligible,
        private_investment=private,
        own_share=own,
        period_start=date,
        period_end=date + dt.timedelta(days=365),
        state=DecisionState.RELEASED if released_by else DecisionState.DRAFT,
        released_by=released_by,
        released_at=timezone.now() if released_by else None,
    )


# Populations of the three Gemeinden of `build` (the fourth municipality is a Kreis).
POPULATIONS = (1000, 2000, 3000)
GEMEINDE_POPULATION = {f"0591300{i}": population for i, population in enumerate(POPULATIONS)}
# A region's area: its member Gemeinde (r0: the first, r1: the second); else all regions'.
AREA_POPULATION = {"r0": 1000, "r1": 2000, "r2": 0}
ALL_REGIONS_POPULATION = 3000


def _ratio(part, whole, exponent: str) -> Decimal | None:
    if not whole:
        return None  # a share of nothing is undefined
    return (Decimal(part) / Decimal(whole)).quantize(Decimal(exponent), rounding=ROUND_HALF_UP)


def expected_figures(ledger: Ledger, *, as_of: dt.date, group_by: str | None) -> dict[str, dict[str, object]]:
    """Every figure per group as of the end of `as_of`, by plain sums over the records."""
    projects = {p["id"]: p for p in ledger.projects}
    released = sorted((d for d in ledger.decisions if d["released"]), key=lambda d: (d["date"], d["id"]))
    first_decision = {}
    for decision in released:
        first_decision.setdefault(decision["project"], decision)

    def project_key(project_id, *, year):
        project = projects[project_id]
        first = first_decision.get(project_id)
        return {
            None: "",
            "region": project["region"],
            "strand": project["strand"],
            "topic": project["topic"],
            "year": str(year),
            "authority": first["authority"] if first else "none",
        }[group_by]

    def entry_key(entry, *, year):
        project = projects[entry["project"]]
        return {
            None: "",
            "region": project["region"],
            "strand": project["strand"],
            "topic": project["topic"],
            "year": str(year),
            "authority": entry["authority"],
        }[group_by]

    table = defaultdict(lambda: {key: 0 if f.unit == "count" else Decimal("0.00") for key, f in FIGURES.items()})
    for decision in released:
        if decision["date"] > as_of:
            continue
        project = projects[decision["project"]]
        key = {
            None: "",
            "region": project["region"],
            "strand": project["strand"],
            "topic": project["topic"],
            "year": str(decision["date"].year),
            "authority": decision["authority"],
        }[group_by]
        row = table[key]
        row["funding_granted"] += decision["amount"]
        row["private_investment"] += decision["private"]
        row["total_volume"] += decision["amount"] + decision["private"]
        row["eligible_investment"] += decision["eligible"]
        row["own_share"] += decision["own"]
    for project_id, project in projects.items():
        net = sum((d["amount"] for d in released if d["project"] == project_id and d["date"] <= as_of), Decimal(0))
        if net > 0:
            first = first_decision[project_id]
            figure = "funded_projects" if project["kind"] == ProjectKind.PROJECT else "project_offices"
            table[project_key(project_id, year=first["date"].year)][figure] += 1
        if project["submitted"] <= as_of:
            table[project_key(project_id, year=project["submitted"].year)]["applications"] += 1
    municipalities = defaultdict(set)
    for request in ledger.requests:
        if request["date"] > as_of:
            continue
        key = project_key(request["project"], year=request["date"].year)
        figure = "transfer_requests" if request["kind"] == RequestKind.TRANSFER else "consultation_requests"
        table[key][figure] += 1
        municipalities[key].add(request["municipality"])
    for key, members in municipalities.items():
        table[key]["requesting_municipalities"] = len(members)
        gemeinden = [ags for ags in members if ags in GEMEINDE_POPULATION]
        table[key]["requesting_gemeinden"] = len(gemeinden)
        table[key]["reach_population"] = sum(GEMEINDE_POPULATION[ags] for ags in gemeinden)
    for entry in ledger.entries:
        if entry["date"] <= as_of:
            row = table[entry_key(entry, year=entry["date"].year)]
            row["paid_out"] += entry["paid"]
            row["reclaimed"] += entry["reclaimed"]
    for proof in ledger.proofs:
        row = table[entry_key(proof, year=proof["due"].year)]
        row["proofs_due"] += proof["due"] <= as_of
        arrived = proof["received"] is not None and proof["received"] <= as_of
        row["proofs_received"] += arrived
        row["proofs_overdue"] += proof["due"] < as_of and not arrived
    for key, row in table.items():
        row["outflow_rate"] = _ratio(row["paid_out"], row["funding_granted"], "0.000001")
        row["still_to_pay"] = row["funding_granted"] - row["paid_out"]
        row["budget_committed"] = _ratio(row["funding_granted"], BUDGET, "0.000001")
        row["reach_gemeinden_share"] = _ratio(row["requesting_gemeinden"], len(POPULATIONS), "0.000001")
        row["reach_population_share"] = _ratio(row["reach_population"], sum(POPULATIONS), "0.000001")
        area = AREA_POPULATION[key] if group_by == "region" else ALL_REGIONS_POPULATION
        row["funding_per_inhabitant"] = _ratio(row["funding_granted"], area, "0.01")
    return table


def stored_figures(*, as_of: dt.date, group_by: str | None) -> dict[str, dict[str, object]]:
    return {row.group_key: row.values for row in figures_for(as_of=as_of, group_by=group_by).rows}


def is_zero(values: dict[str, object]) -> bool:
    return not any(values.values())


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=ledgers)
def test_every_stored_figure_equals_the_plain_sum_of_the_ledger(spec):
    with transaction.atomic():
        ledger = build(spec)
        engine.recompute_figures()

        for as_of in spec["as_of"]:
            for group_by in (None, *GROUPINGS):
                expected = expected_figures(ledger, as_of=as_of, group_by=group_by)
                stored = stored_figures(as_of=as_of, group_by=group_by)
                for key in set(expected) | set(stored):
                    want, have = expected.get(key), stored.get(key)
                    if want is None:
                        assert is_zero(have), (as_of, group_by, key, have)
                    elif have is None:
                        assert is_zero(want), (as_of, group_by, key, want)
                    else:
                        assert have == want, (as_of, group_by, key)
        assert figures_verify() == []
        transaction.set_rollback(True)
