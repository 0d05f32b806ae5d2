"""The guideline's cap on the funding rate, for every entry path that goes through the rules."""

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from funding import services
from funding.models import DecisionKind, FundingDecision
from tests.factories import (
    DecisionFactory,
    GrantingAuthorityFactory,
    ProjectFactory,
    RecipientFactory,
    release_reviewed_decision,
)

pytestmark = pytest.mark.django_db


def draft(clerk, *, kind, amount, eligible, reason="", project=None, **extra):
    base = DecisionFactory.build(
        project=project or ProjectFactory(), recipient=RecipientFactory(kind=kind), authority=GrantingAuthorityFactory()
    )
    fields = {name: getattr(base, name) for name in services.EDITABLE_FIELDS}
    fields.update(
        amount=Decimal(amount),
        eligible_costs=Decimal(eligible),
        own_share=Decimal(eligible) - Decimal(amount),
        rate_exception_reason=reason,
        **extra,
    )
    return services.decision_create_draft(user=clerk, **fields)


@pytest.mark.parametrize(
    ("kind", "allowed", "refused", "cap"),
    [
        ("municipality", "80000.00", "80000.01", "80,0 %"),
        ("association", "80000.00", "80000.01", "80,0 %"),
        ("university", "90000.00", "90000.01", "90,0 %"),
        ("company", "50000.00", "50000.01", "50,0 %"),
    ],
)
def test_the_rate_is_capped_by_the_kind_of_recipient(clerk, kind, allowed, refused, cap):
    draft(clerk, kind=kind, amount=allowed, eligible="100000.00")

    with pytest.raises(ValidationError) as error:
        draft(clerk, kind=kind, amount=refused, eligible="100000.00")

    message = error.value.message_dict["amount"][0]
    assert f"über der Obergrenze von {cap}" in message
    assert "Begründung einer höheren Förderquote" in message
    assert FundingDecision.objects.count() == 1  # nothing of the refused one is saved


def test_a_rate_above_the_cap_with_a_recorded_reason_is_accepted(clerk):
    decision = draft(
        clerk, kind="municipality", amount="90000.00", eligible="100000.00", reason="Pressemitteilung: 90 %"
    )

    assert decision.rate_exception_reason == "Pressemitteilung: 90 %"


def test_the_cap_is_compared_in_whole_cents(clerk):
    # 90 % of 573.663,33 € is 516.296,997 €: 516.297,00 € is within the cap.
    draft(clerk, kind="university", amount="516297.00", eligible="573663.33")


def test_an_amendment_is_checked_on_the_recipients_total(clerk, approver):
    initial = draft(clerk, kind="municipality", amount="80000.00", eligible="100000.00")
    initial = release_reviewed_decision(decision=initial, user=approver)
    fields = {name: getattr(initial, name) for name in services.EDITABLE_FIELDS}
    fields.update(
        reference="DMR-A1",
        kind=DecisionKind.AMENDMENT,
        amends=initial,
        amount=Decimal("5000.00"),
        eligible_costs=Decimal("0.00"),
        own_share=Decimal("0.00"),
        private_investment=Decimal("0.00"),
        rate_exception_reason="",
    )

    with pytest.raises(ValidationError) as error:
        services.decision_create_draft(user=clerk, **fields)

    assert "Die Förderquote von 85,0 %" in error.value.message_dict["amount"][0]


def test_the_programme_data_keeps_to_the_cap_or_says_why():
    from funding.programme_data import load_programme_data
    from funding.rules import RATE_CAPS

    load_programme_data()
    excepted = FundingDecision.objects.exclude(rate_exception_reason="").values_list("project__slug", flat=True)
    assert sorted(excepted) == ["digitaler-zwilling-bottrop", "gewerbe-service-portal-nrw", "smartphone-buerger-id"]
    for decision in FundingDecision.objects.released().filter(kind="initial", rate_exception_reason=""):
        cap = RATE_CAPS[decision.recipient.kind]
        assert decision.amount <= (decision.eligible_costs * cap).quantize(Decimal("0.01")) + Decimal("0.01"), (
            decision.reference
        )
