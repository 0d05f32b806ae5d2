import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.utils import timezone

from funding.figures import engine
from funding.figures.definitions import FIGURES, GROUPING_NUMBERS, GROUPINGS
from funding.figures.selectors import current_figures_version, figure_on_days, figure_series, figures_for
from funding.models import DecisionKind, DecisionState, FigureStep, FiguresVersion
from tests.factories import (
    DecisionFactory,
    MunicipalityFactory,
    ProgrammeFactory,
    ProjectFactory,
    TransferRequestFactory,
    recorded,
)

pytestmark = pytest.mark.django_db


def released(approver, **fields):
    return DecisionFactory(state=DecisionState.RELEASED, released_by=approver, released_at=timezone.now(), **fields)


def revoked_in_full(approver, initial, *, on):
    """A released revocation of the whole grant of `initial`."""
    return released(
        approver,
        project=initial.project,
        kind=DecisionKind.REVOCATION,
        amends=initial,
        decision_date=on,
        amount=-initial.amount,
        eligible_costs=Decimal("0.00"),
        own_share=Decimal("0.00"),
    )


def total(as_of, **kwargs):
    return figures_for(as_of=as_of, **kwargs).rows[0].values


@pytest.fixture
def project(db):
    return ProjectFactory(programme=ProgrammeFactory(), submitted_on=dt.date(2019, 1, 15))


def test_every_figure_of_the_design_has_labels_a_definition_and_a_unit():
    assert list(FIGURES) == [
        "funded_projects",
        "project_offices",
        "funding_granted",
        "private_investment",
        "total_volume",
        "eligible_investment",
        "own_share",
        "budget_committed",
        "applications",
        "transfer_requests",
        "consultation_requests",
        "requesting_municipalities",
        # issue 13: the programme's reach and the funding per inhabitant
        "requesting_gemeinden",
        "reach_gemeinden_share",
        "reach_population",
        "reach_population_share",
        "funding_per_inhabitant",
        # issue 17: the payments ledger
        "paid_out",
        "outflow_rate",
        "still_to_pay",
        "reclaimed",
        "proofs_due",
        "proofs_received",
        "proofs_overdue",
    ]
    for figure in FIGURES.values():
        assert figure.label_de and figure.label_en
        assert figure.definition_de.endswith(".") and figure.definition_en.endswith(".")
        assert figure.unit in {"count", "eur", "ratio"}
    assert GROUPINGS == ("region", "strand", "topic", "year", "authority")


def test_a_date_before_the_first_entry_gives_zeros(project, approver):
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    engine.recompute_figures()

    values = total(dt.date(2018, 1, 1))

    assert values["funding_granted"] == Decimal("0.00")
    assert values["funded_projects"] == 0
    assert values["applications"] == 0
    assert values["budget_committed"] == Decimal("0")


def test_a_decision_counts_from_the_end_of_its_decision_date(project, approver):
    released(approver, project=project, decision_date=dt.date(2019, 6, 1), amount=Decimal("160000.10"))
    engine.recompute_figures()

    assert total(dt.date(2019, 5, 31))["funding_granted"] == Decimal("0.00")
    assert total(dt.date(2019, 6, 1))["funding_granted"] == Decimal("160000.10")
    assert total(dt.date(2019, 6, 1))["funded_projects"] == 1


def test_a_future_date_gives_todays_values(project, approver):
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    engine.recompute_figures()

    future = timezone.localdate() + dt.timedelta(days=400)
    table = figures_for(as_of=future)

    assert table.as_of == timezone.localdate()
    assert table.rows[0].values == total(timezone.localdate())
    assert table.rows[0].values["funding_granted"] == Decimal("160000.00")


def test_drafts_do_not_count(project, approver):
    DecisionFactory(project=project, decision_date=dt.date(2019, 6, 1))
    engine.recompute_figures()

    values = total(dt.date(2020, 1, 1))

    assert values["funding_granted"] == Decimal("0.00")
    assert values["funded_projects"] == 0
    assert values["applications"] == 1


def test_a_full_revocation_ends_the_project_being_funded_on_its_date(project, approver):
    initial = released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    revoked_in_full(approver, initial, on=dt.date(2020, 3, 1))
    engine.recompute_figures()

    assert total(dt.date(2020, 2, 29))["funded_projects"] == 1
    assert total(dt.date(2020, 3, 1))["funded_projects"] == 0
    assert total(dt.date(2020, 3, 1))["funding_granted"] == Decimal("0.00")
    # The programme total of the grant stepped up once and down once.
    steps = figure_series(figure="funding_granted")
    assert [(point.date, point.value) for point in steps] == [
        (dt.date(2019, 6, 1), Decimal("160000.00")),
        (dt.date(2020, 3, 1), Decimal("0.00")),
    ]


def test_a_series_can_be_limited_to_some_groups(project, approver):
    other = ProjectFactory(programme=project.programme, submitted_on=dt.date(2019, 1, 15))
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    released(approver, project=other, decision_date=dt.date(2019, 8, 1), amount=Decimal("90000.00"))
    engine.recompute_figures()

    every_region = figure_series(figure="funding_granted", group_by="region")
    assert {point.group_key for point in every_region} == {project.region.slug, other.region.slug}
    one_region = figure_series(figure="funding_granted", group_by="region", group_keys=[other.region.slug])
    assert [(point.group_key, point.date, point.value) for point in one_region] == [
        (other.region.slug, dt.date(2019, 8, 1), Decimal("90000.00"))
    ]


def test_the_value_on_given_days_is_the_value_as_of_each_day(project, approver):
    other = ProjectFactory(programme=project.programme, submitted_on=dt.date(2019, 1, 15))
    initial = released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    released(approver, project=other, decision_date=dt.date(2019, 8, 1), amount=Decimal("90000.55"))
    revoked_in_full(approver, initial, on=dt.date(2020, 3, 1))
    engine.recompute_figures()
    days = [
        dt.date(2018, 12, 31),  # before any step
        dt.date(2019, 5, 31),
        dt.date(2019, 6, 1),  # on a step
        dt.date(2019, 7, 31),
        dt.date(2019, 8, 1),
        dt.date(2020, 2, 29),
        dt.date(2020, 3, 1),
        dt.date(2030, 1, 1),  # after the last step
    ]

    for figure in ("funding_granted", "funded_projects", "budget_committed"):
        assert figure_on_days(figure=figure, days=days) == [total(day)[figure] for day in days], figure
    region = other.region.slug

    def granted_in_region(day):
        rows = figures_for(as_of=day, group_by="region").rows
        return next((row.values["funding_granted"] for row in rows if row.group_key == region), Decimal("0.00"))

    by_region = figure_on_days(figure="funding_granted", days=days, group_by="region", group_keys=[region])
    assert by_region == [granted_in_region(day) for day in days]
    assert by_region[0] == Decimal("0.00") and by_region[-1] == Decimal("90000.55")
    assert figure_on_days(figure="funding_granted", days=days, group_by="region", group_keys=["elsewhere"]) == [
        Decimal("0.00")
    ] * len(days)


def test_an_amendment_and_a_revocation_on_one_day_that_cancel_out_leave_no_step(project, approver):
    initial = released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    for kind, amount in ((DecisionKind.AMENDMENT, "5000.00"), (DecisionKind.REVOCATION, "-5000.00")):
        released(
            approver,
            project=project,
            kind=kind,
            amends=initial,
            decision_date=dt.date(2019, 9, 1),
            amount=Decimal(amount),
            eligible_costs=Decimal("0.00"),
            own_share=Decimal("0.00"),
        )
    engine.recompute_figures()

    assert [point.date for point in figure_series(figure="funding_granted")] == [dt.date(2019, 6, 1)]
    assert total(dt.date(2019, 9, 1))["funding_granted"] == Decimal("160000.00")


def test_budget_committed_is_the_grant_over_the_programme_budget(project, approver):
    released(approver, project=project, amount=Decimal("56600000.00"), eligible_costs=Decimal("70000000.00"))
    engine.recompute_figures()

    assert total(dt.date(2020, 1, 1))["budget_committed"] == Decimal("0.621978")


def test_it_refuses_an_unknown_grouping(project):
    engine.recompute_figures()

    with pytest.raises(ValueError, match="district"):
        figures_for(as_of=dt.date(2020, 1, 1), group_by="district")


def test_without_any_recompute_the_figures_are_zeros(project):
    table = figures_for(as_of=dt.date(2020, 1, 1))

    assert table.version is None
    assert table.rows[0].values["applications"] == 0


def test_requests_count_by_date_of_receipt_and_municipalities_once(project):
    first = recorded(TransferRequestFactory(project=project, received_on=dt.date(2020, 2, 1)))
    recorded(TransferRequestFactory(project=project, municipality=first.municipality, received_on=dt.date(2020, 2, 3)))
    recorded(TransferRequestFactory(project=project, kind="consultation", received_on=dt.date(2020, 2, 3)))
    engine.recompute_figures()

    assert total(dt.date(2020, 2, 2))["transfer_requests"] == 1
    values = total(dt.date(2020, 2, 3))
    assert values["transfer_requests"] == 2
    assert values["consultation_requests"] == 1
    assert values["requesting_municipalities"] == 2


def test_reading_an_old_version_returns_what_it_published(project, approver):
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    old = engine.recompute_figures()[0].version
    released(approver, project=ProjectFactory(programme=project.programme), decision_date=dt.date(2019, 7, 1))
    new = engine.recompute_figures()[0].version

    assert current_figures_version() == new
    assert total(dt.date(2020, 1, 1))["funding_granted"] == Decimal("320000.00")
    assert total(dt.date(2020, 1, 1), version=old)["funding_granted"] == Decimal("160000.00")
    old.refresh_from_db()
    assert not old.is_current


def test_an_old_version_keeps_the_labels_and_the_budget_it_was_published_with(project, approver):
    released(
        approver,
        project=project,
        amount=Decimal("9100000.00"),
        eligible_costs=Decimal("9100000.00"),
        decision_date=dt.date(2019, 6, 1),
    )
    old = engine.recompute_figures()[0].version
    published_name = project.region.name
    project.region.name = "Umbenannt"
    project.region.save()
    project.programme.budget = Decimal("182000000.00")
    project.programme.save()
    engine.recompute_figures()

    old_regions = figures_for(as_of=dt.date(2020, 1, 1), group_by="region", version=old).rows
    new_regions = figures_for(as_of=dt.date(2020, 1, 1), group_by="region").rows
    assert [row.group_label for row in new_regions] == ["Umbenannt"]
    assert [row.group_label for row in old_regions] == [published_name]
    assert total(dt.date(2020, 1, 1), version=old)["budget_committed"] == Decimal("0.100000")
    assert total(dt.date(2020, 1, 1))["budget_committed"] == Decimal("0.050000")


def test_steps_store_money_in_whole_cents(project, approver):
    released(
        approver,
        project=project,
        amount=Decimal("1234567.89"),
        eligible_costs=Decimal("2000000.00"),
        decision_date=dt.date(2019, 6, 1),
    )
    version = engine.recompute_figures()[0].version

    step = FigureStep.objects.get(version=version, grouping=GROUPING_NUMBERS[""], valid_from=dt.date(2019, 6, 1))
    assert step.funding_granted_cents == 123456789
    assert total(dt.date(2019, 6, 1))["funding_granted"] == Decimal("1234567.89")


def test_a_recompute_with_unchanged_figures_publishes_nothing_and_stays_current(project):
    first = engine.recompute_figures()[0].version

    assert engine.recompute_figures() == []
    assert engine.recompute_figures(full=False) == []
    assert list(FiguresVersion.objects.values_list("pk", flat=True)) == [first.pk]
    assert FiguresVersion.objects.get(pk=first.pk).is_current


def test_published_versions_are_never_deleted(project, approver):
    versions = [engine.recompute_figures()[0].version.pk]
    for day in (dt.date(2019, 6, 1), dt.date(2019, 7, 1), dt.date(2019, 8, 1)):
        released(approver, project=project, decision_date=day)
        versions.append(engine.recompute_figures()[0].version.pk)

    assert sorted(FiguresVersion.objects.values_list("pk", flat=True)) == sorted(versions)
    assert all(FigureStep.objects.filter(version_id=pk).exists() for pk in versions)


def test_a_version_records_when_what_and_how_long(project, approver):
    decision = released(approver, project=project)
    version = engine.recompute_figures()[0].version

    assert version.is_current
    assert version.rows_read == 2  # one released decision and one project
    assert version.ledger_watermark >= decision.updated_at
    assert version.computed_at >= version.ledger_watermark
    assert version.duration_ms >= 0


def test_rows_read_counts_the_released_decisions_projects_and_requests_of_the_programme(project, approver):
    released(approver, project=project)
    DecisionFactory(project=project)  # a draft is not read
    recorded(TransferRequestFactory(project=project))
    recorded(TransferRequestFactory(project=project))
    other_programme = ProgrammeFactory(
        slug="andere-foerderung", name="Andere Förderung", start_date=dt.date(2021, 1, 1)
    )
    recorded(TransferRequestFactory(project=ProjectFactory(programme=other_programme)))

    published = engine.recompute_figures()
    rows_read = {item.version.programme_id: item.version.rows_read for item in published}

    assert rows_read == {project.programme_id: 1 + 1 + 2, other_programme.pk: 1 + 1}


def test_a_failure_mid_recompute_leaves_the_previous_version_current(project, approver, monkeypatch):
    released(approver, project=project)
    before = engine.recompute_figures()[0].version
    steps_before = FigureStep.objects.count()
    released(approver, project=ProjectFactory(programme=project.programme))

    def crash(published):
        raise RuntimeError("worker lost mid-recompute")

    # The steps of the new version are written by then; the failure must take them back.
    monkeypatch.setattr(engine, "_publish", crash)
    with pytest.raises(RuntimeError):
        engine.recompute_figures()

    assert current_figures_version() == before
    assert FiguresVersion.objects.count() == 1
    assert FigureStep.objects.count() == steps_before
    assert total(dt.date(2020, 1, 1))["funding_granted"] == Decimal("160000.00")


def test_the_stored_figures_of_every_grouping_add_up_to_the_total(project, approver):
    other = ProjectFactory(programme=project.programme, topic=None)
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    released(approver, project=other, decision_date=dt.date(2020, 6, 1), amount=Decimal("1.00"))
    engine.recompute_figures()

    whole = total(dt.date(2021, 1, 1))
    for grouping in GROUPINGS:
        rows = figures_for(as_of=dt.date(2021, 1, 1), group_by=grouping).rows
        for key in ("funding_granted", "funded_projects", "applications"):
            assert sum(row.values[key] for row in rows) == whole[key], (grouping, key)
    topics = {row.group_key: row.group_label for row in figures_for(as_of=dt.date(2021, 1, 1), group_by="topic").rows}
    assert topics["none"] == "ohne Themenfeld"


# --- Commands -----------------------------------------------------------------------------


def test_recompute_command_prints_what_it_published(project, approver, capsys):
    released(approver, project=project)

    call_command("recompute_figures")

    version = current_figures_version()
    assert f"Published figures version {version.pk} of digitale-modellregionen" in capsys.readouterr().out


def test_verify_command_says_no_drift_for_fresh_figures(project, approver, capsys):
    released(approver, project=project)
    engine.recompute_figures()

    call_command("verify_figures")

    assert capsys.readouterr().out.strip() == "no drift"


def test_verify_command_prints_each_drift_and_fails(project, approver, capsys):
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    engine.recompute_figures()
    total = GROUPING_NUMBERS[""]
    FigureStep.objects.filter(grouping=total, valid_from=dt.date(2019, 6, 1)).update(funding_granted_cents=17_000_000)

    # Total volume, budget share and still to be paid are derived from the stored grant: they drift with it.
    with pytest.raises(CommandError, match="4 figure"):
        call_command("verify_figures")

    out = capsys.readouterr().out
    assert "funding_granted (total) as of 2019-06-01: stored 170000.00, ledger 160000.00" in out
    assert "total_volume (total) as of 2019-06-01: stored 170000.00, ledger 160000.00" in out
    assert "budget_committed (total) as of 2019-06-01" in out
    assert "still_to_pay (total) as of 2019-06-01: stored 170000.00, ledger 160000.00" in out


def test_verify_notices_a_ledger_change_not_yet_recomputed_and_says_so(project, approver, capsys):
    engine.recompute_figures()
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))

    with pytest.raises(CommandError, match="after the current figures were computed"):
        call_command("verify_figures")


def test_verify_gives_no_pending_hint_for_drift_the_ledger_does_not_explain(project, approver):
    released(approver, project=project, decision_date=dt.date(2019, 6, 1))
    engine.recompute_figures()
    FigureStep.objects.filter(grouping=GROUPING_NUMBERS[""]).update(funding_granted_cents=100)

    with pytest.raises(CommandError) as failure:
        call_command("verify_figures")
    assert "after the current figures were computed" not in str(failure.value)


# --- Coalescing on the embedded default (tasks run in-process) ------------------------------


@pytest.fixture
def committed_project(transactional_db):
    """A project committed for real, so that on_commit callbacks run as in production."""
    return ProjectFactory(programme=ProgrammeFactory())


def test_a_thousand_records_in_one_transaction_lead_to_one_recompute(committed_project):
    versions_before = FiguresVersion.objects.count()
    municipality = MunicipalityFactory(ags="05974040", name="Soest")

    with transaction.atomic():
        for number in range(1000):
            # Each in its own savepoint, like a loader calling services does.
            with transaction.atomic():
                recorded(
                    TransferRequestFactory(
                        project=committed_project,
                        municipality=municipality,
                        received_on=dt.date(2020, 1, 1) + dt.timedelta(days=number % 300),
                    )
                )

    assert FiguresVersion.objects.count() == versions_before + 1
    assert total(dt.date(2021, 1, 1))["transfer_requests"] == 1000


def test_each_committed_transaction_schedules_a_recompute(committed_project):
    versions_before = FiguresVersion.objects.count()

    recorded(TransferRequestFactory(project=committed_project))
    recorded(TransferRequestFactory(project=committed_project))

    assert FiguresVersion.objects.count() == versions_before + 2
    assert total(dt.date(2021, 1, 1))["transfer_requests"] == 2


def test_a_rolled_back_change_schedules_nothing(committed_project):
    versions_before = FiguresVersion.objects.count()

    with pytest.raises(RuntimeError), transaction.atomic():
        recorded(TransferRequestFactory(project=committed_project))
        raise RuntimeError("the form was invalid")

    assert FiguresVersion.objects.count() == versions_before


def test_a_change_in_a_rolled_back_savepoint_does_not_stop_the_outer_one_from_scheduling(committed_project):
    versions_before = FiguresVersion.objects.count()

    with transaction.atomic():
        with pytest.raises(RuntimeError), transaction.atomic():
            recorded(TransferRequestFactory(project=committed_project))
            raise RuntimeError("this row was refused")
        recorded(TransferRequestFactory(project=committed_project))

    assert FiguresVersion.objects.count() == versions_before + 1
    assert total(dt.date(2021, 1, 1))["transfer_requests"] == 1
