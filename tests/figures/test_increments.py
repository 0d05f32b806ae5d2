"""Incremental figures (issue 18): a version built by adding released entries equals a full recompute.

Random ledgers (the strategy of test_figures_properties) with drafts among their decisions and
entries; then random sequences of changes: drafts released, new released decisions (also
dated before a project's first one, which moves its applications and requests to another
authority), payments, corrections, claims and repayments. After each batch the figures are
published incrementally and, in the same state, computed from the whole ledger: every step and
every group of the two versions must be the same.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from funding.choices import RecoveryKind
from funding.figures import engine
from funding.figures.freshness import ledger_change_count
from funding.figures.increments import plan_increment
from funding.figures.models import FigureGroup, FigureStep, FiguresVersion, LedgerChange
from funding.figures.selectors import version_steps
from funding.figures.verify import figures_verify
from funding.models import DecisionKind, DecisionState, FundingDecision, GrantingAuthority, Programme
from funding.payments.models import Payment, ProofOfUse, Recovery
from projects.models import Project
from regions.selectors import nrw_directory_totals
from tests.factories import RecipientFactory, UserFactory, recorded
from tests.figures.test_figures_properties import build, day, ledgers, positive_money

change_ops = st.fixed_dictionaries(
    {
        "kind": st.sampled_from(["release", "release", "decision", "payment", "correction", "claim", "repayment"]),
        "pick": st.integers(min_value=0, max_value=1000),
        "day": st.integers(min_value=-5, max_value=45),
        "amount": positive_money,
        "sign": st.sampled_from([1, -1]),
        "authority": st.integers(min_value=0, max_value=1),
    }
)

# Batches of changes, each published as one increment.
batches = st.lists(st.lists(change_ops, min_size=1, max_size=4), min_size=1, max_size=3)


def released(**extra) -> dict:
    return {"state": DecisionState.RELEASED, "released_at": timezone.now(), **extra}


def apply_change(op, *, releaser) -> None:
    """One change the figures can add: a draft released, or a new released decision or entry."""
    if op["kind"] == "release":
        drafts = [
            *FundingDecision.objects.drafts().order_by("id"),
            *Payment.objects.drafts().filter(decision__state=DecisionState.RELEASED).order_by("id"),
            *Recovery.objects.drafts().filter(decision__state=DecisionState.RELEASED).order_by("id"),
        ]
        if not drafts:
            return
        draft = drafts[op["pick"] % len(drafts)]
        draft.state, draft.released_by, draft.released_at = DecisionState.RELEASED, releaser, timezone.now()
        draft.save()
        recorded(draft)
        return
    projects = list(Project.objects.order_by("id"))
    project = projects[op["pick"] % len(projects)]
    date = day(op["day"])
    if op["kind"] == "decision":
        authority = GrantingAuthority.objects.order_by("id")[op["authority"]]
        initial = project.decisions.filter(kind=DecisionKind.INITIAL).order_by("id").first()
        # An initial decision grants; an amendment may also lower the grant.
        amount = op["amount"] * (op["sign"] if initial else 1)
        recorded(
            FundingDecision.objects.create(
                reference=f"INC-{FundingDecision.objects.count() + 1:05d}",
                project=project,
                recipient=initial.recipient if initial else RecipientFactory(),
                authority=authority,
                kind=DecisionKind.AMENDMENT if initial else DecisionKind.INITIAL,
                amends=initial,
                decision_date=date,
                amount=amount,
                eligible_costs=abs(amount),
                private_investment=Decimal("10.00"),
                own_share=Decimal("1.00"),
                period_start=date,
                period_end=date + dt.timedelta(days=365),
                released_by=releaser,
                **released(),
            )
        )
        return
    grant = FundingDecision.objects.released().filter(project=project).order_by("id").first()
    if grant is None:
        return
    reference = f"INC-{op['kind']}-{Payment.objects.count() + Recovery.objects.count()}"
    if op["kind"] in {"payment", "correction"}:
        corrects = Payment.objects.released().filter(decision=grant, amount__gt=0).first()
        if op["kind"] == "correction" and corrects is None:
            return
        recorded(
            Payment.objects.create(
                reference=reference,
                decision=grant,
                amount=-op["amount"] if op["kind"] == "correction" else op["amount"],
                value_date=date,
                corrects=corrects if op["kind"] == "correction" else None,
                released_by=releaser,
                **released(),
            )
        )
    else:
        recorded(
            Recovery.objects.create(
                reference=reference,
                decision=grant,
                kind=RecoveryKind.CLAIM if op["kind"] == "claim" else RecoveryKind.REPAYMENT,
                amount=op["amount"],
                booked_on=date,
                reason="Widerruf",
                released_by=releaser,
                **released(),
            )
        )


def proofs_on_drafts() -> None:
    """A proof of use on every draft initial decision: it counts once the decision is released."""
    for index, decision in enumerate(FundingDecision.objects.drafts().filter(kind=DecisionKind.INITIAL)):
        recorded(
            ProofOfUse.objects.create(
                decision=decision, due_on=day(10 + index), received_on=day(20) if index % 2 else None
            )
        )


def steps_of(version: FiguresVersion) -> list[tuple]:
    fields = [field.name for field in FigureStep._meta.concrete_fields if field.name not in {"version", "pk"}]
    return list(version_steps(version).order_by("grouping", "member", "valid_from").values_list(*fields))


def groups_of(version: FiguresVersion) -> list[tuple]:
    return list(
        FigureGroup.objects.filter(version=version)
        .order_by("grouping", "member")
        .values_list("grouping", "member", "key", "label", "population")
    )


def assert_increment_equals_full_recompute() -> FiguresVersion:
    (incremented,) = engine.publish_figures(full=False, keep_unchanged=True)
    increment = incremented.version
    (computed,) = engine.publish_figures(full=True, keep_unchanged=True)
    full = computed.version
    assert increment.ledger_change_count == full.ledger_change_count
    assert steps_of(increment) == steps_of(full)
    assert groups_of(increment) == groups_of(full)
    # An increment stores only the steps of the groups it changed; the others it takes from its base.
    assert incremented.steps_written <= computed.steps_written
    return increment


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(spec=ledgers, changes=batches)
def test_an_incremented_version_equals_the_full_recompute(spec, changes):
    with transaction.atomic():
        build(spec)
        proofs_on_drafts()
        engine.publish_figures(full=True)
        releaser = UserFactory(username="second-releaser")
        for batch in changes:
            for op in batch:
                apply_change(op, releaser=releaser)
            increment = assert_increment_equals_full_recompute()
            # Only changes the figures can add were made: each batch was an increment.
            assert increment.based_on_id is not None
        assert figures_verify() == []
        transaction.set_rollback(True)


def _small_ledger():
    spec = {
        "projects": [
            {
                "region": 0,
                "strand": "sicher",
                "topic": 0,
                "kind": "project",
                "submitted": 0,
                "initial": {
                    "day": 3,
                    "amount": Decimal("1000.00"),
                    "extra_eligible": Decimal(0),
                    "private": Decimal(0),
                    "own": Decimal(0),
                    "released": True,
                    "authority": 0,
                },
                "later": [],
                "entries": [],
                "proof": None,
            }
        ],
        "requests": [{"project": 0, "municipality": 0, "kind": "transfer", "day": 5}],
        "as_of": [day(0)],
    }
    build(spec)
    engine.publish_figures(full=True)
    return Programme.objects.get()


def _plan():
    programme = Programme.objects.get()
    current = FiguresVersion.objects.get(is_current=True)
    return plan_increment(
        programme, base=current, change_count=ledger_change_count(), directory_totals=nrw_directory_totals()
    )


@pytest.mark.django_db
def test_a_released_decision_is_added_without_reading_other_projects():
    programme = _small_ledger()
    other = recorded(
        Project.objects.create(
            programme=programme,
            slug="andere",
            title="Andere",
            region=Project.objects.get().region,
            strand="sicher",
            submitted_on=day(1),
        )
    )
    engine.publish_figures(full=True)
    first = FundingDecision.objects.get()
    recorded(
        FundingDecision.objects.create(
            reference="AZ-NEU",
            project=first.project,
            recipient=first.recipient,
            authority=first.authority,
            kind=DecisionKind.AMENDMENT,
            amends=first,
            decision_date=day(9),
            amount=Decimal("250.00"),
            eligible_costs=Decimal("250.00"),
            private_investment=Decimal(0),
            own_share=Decimal(0),
            period_start=day(9),
            period_end=day(300),
            released_by=UserFactory(username="r2"),
            **released(),
        )
    )
    plan = _plan()
    assert plan is not None
    assert plan.scope.projects == frozenset({first.project_id})
    assert other.pk not in plan.scope.projects
    increment = assert_increment_equals_full_recompute()
    assert increment.based_on_id is not None


@pytest.mark.django_db
def test_a_change_the_figures_cannot_add_gets_a_full_recompute():
    _small_ledger()
    project = Project.objects.get()
    project.title = "Neuer Titel"
    project.save()
    recorded(project)
    assert LedgerChange.objects.filter(kind=LedgerChange.Kind.OTHER).exists()
    assert _plan() is None
    (published,) = engine.publish_figures(full=False, keep_unchanged=True)
    assert published.version.based_on_id is None


@pytest.mark.django_db
def test_a_change_missing_from_the_log_gets_a_full_recompute():
    """A change committed before the log existed (or a log row lost) is never guessed at."""
    _small_ledger()
    first = FundingDecision.objects.get()
    payment = recorded(
        Payment.objects.create(
            reference="Z-1",
            decision=first,
            amount=Decimal("10.00"),
            value_date=day(8),
            released_by=first.released_by,
            **released(),
        )
    )
    LedgerChange.objects.filter(entry_id=payment.pk).delete()
    assert _plan() is None
    (published,) = engine.publish_figures(full=False, keep_unchanged=True)
    assert published.version.based_on_id is None


@pytest.mark.django_db
def test_a_saved_draft_changes_nothing_and_the_log_is_emptied_after_publication():
    _small_ledger()
    first = FundingDecision.objects.get()
    recorded(Payment.objects.create(reference="Z-2", decision=first, amount=Decimal("10.00"), value_date=day(8)))
    assert LedgerChange.objects.filter(kind=LedgerChange.Kind.NO_FIGURES).count() == 1
    current = FiguresVersion.objects.get(is_current=True)
    assert engine.publish_figures(full=False) == []  # no figure changed: nothing new to cite
    assert FiguresVersion.objects.get(is_current=True) == current
    assert not LedgerChange.objects.exists()


@pytest.mark.django_db
def test_an_increment_stores_only_the_groups_it_changed_and_every_version_answers_the_same():
    """Compact versions (issue 27): the rest is referred to, and a citation survives the bench's pruning."""
    from funding.figures.selectors import figures_for

    programme = _small_ledger()
    Project.objects.update(strand="e_government")  # a strand verify knows
    recorded(
        Project.objects.create(
            programme=programme,
            slug="andere",
            title="Andere",
            region=Project.objects.get().region,
            strand="urban_development",
            submitted_on=day(1),
        )
    )
    engine.publish_figures(full=True, keep_unchanged=True)
    first = FundingDecision.objects.get()
    cited = {}
    for number, amount in enumerate(("250.00", "125.00", "60.00")):
        recorded(
            Payment.objects.create(
                reference=f"Z-{number}",
                decision=first,
                amount=Decimal(amount),
                value_date=day(20 + number),
                released_by=first.released_by,
                **released(),
            )
        )
        increment = assert_increment_equals_full_recompute()
        cited[increment.pk] = figures_for(as_of=day(300), group_by="strand", version=increment).rows

    # The other strand's group was not touched by a payment on this project: referred to, not copied.
    for version in FiguresVersion.objects.filter(pk__in=cited):
        groups = FigureGroup.objects.filter(version=version)
        assert groups.get(grouping=2, key="urban_development").steps_from_id != version.pk
        assert FigureStep.objects.filter(version=version).count() < version_steps(version).count()
    engine.prune_figure_versions(keep=1)
    for version_id, rows in cited.items():
        version = FiguresVersion.objects.filter(pk=version_id).first()
        if version is not None:
            assert figures_for(as_of=day(300), group_by="strand", version=version).rows == rows
    current = FiguresVersion.objects.get(is_current=True)
    assert figures_verify() == []
    assert set(version_steps(current).values_list("version_id", flat=True)) <= set(
        FiguresVersion.objects.values_list("pk", flat=True)
    )
