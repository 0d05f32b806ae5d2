"""Derived figures are computed when a step is read, from its stored values (funding.figures)."""

from decimal import Decimal

from funding.figures.definitions import FIGURES, STORED_FIGURES, figure_value, figure_values, zero_values


def stored(**values):
    return {**dict.fromkeys(STORED_FIGURES, 0), **values}


def test_money_is_stored_in_cents_and_read_in_euros_exactly():
    values = figure_values(stored(funding_granted=9_007_199_254_740_993), budget=Decimal("1"))

    assert values["funding_granted"] == Decimal("90071992547409.93")


def test_total_volume_is_the_grant_plus_private_investment():
    values = figure_values(stored(funding_granted=150, private_investment=1), budget=Decimal("100"))

    assert values["total_volume"] == Decimal("1.51")


def test_budget_share_rounds_half_up_to_six_places():
    assert figure_value("budget_committed", stored(funding_granted=1), budget=Decimal("2000000")) == Decimal("0.000000")
    assert figure_value("budget_committed", stored(funding_granted=1), budget=Decimal("20000")) == Decimal("0.000001")
    assert figure_value("budget_committed", stored(funding_granted=5660000000), budget=Decimal("91000000")) == Decimal(
        "0.621978"
    )


def test_a_share_of_a_zero_whole_is_undefined_not_zero():
    """0 % would say that nothing was paid of something; "–" says there is nothing to divide by."""
    assert figure_value("budget_committed", stored(funding_granted=100), budget=Decimal("0")) is None
    assert figure_value("outflow_rate", stored(funding_granted=0, paid_out=0), budget=Decimal("1")) is None
    assert figure_value("outflow_rate", stored(funding_granted=100, paid_out=0), budget=Decimal("1")) == 0


def test_zero_values_has_every_figure_and_no_rate_of_nothing():
    values = zero_values()
    assert set(values) == set(FIGURES)
    assert values["outflow_rate"] is None
    assert all(value == 0 for key, value in values.items() if key != "outflow_rate")
