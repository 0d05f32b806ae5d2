"""Decision entry: every field, German amounts, errors on the right field, corrections, the ledger."""

import datetime as dt
from decimal import Decimal

import pytest

from funding.models import DecisionKind, DecisionState, FundingDecision
from modellregionen.staff.decision_forms import parse_euro
from tests.factories import DecisionFactory, release_reviewed_decision
from tests.staff.conftest import form_data, login

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("1.234.567,89", Decimal("1234567.89")),
        ("1234567,89", Decimal("1234567.89")),
        ("1234567.89", Decimal("1234567.89")),
        ("1.234", Decimal("1234.00")),
        ("-500", Decimal("-500.00")),
        ("475.222,00 €", Decimal("475222.00")),
    ],
)
def test_it_reads_amounts_as_people_type_them(text, value):
    assert parse_euro(text) == value


@pytest.mark.parametrize("text", ["1,234.56", "12,345", "abc", "1.23.4"])
def test_it_refuses_ambiguous_amounts(text):
    with pytest.raises(ValueError, match="kein Betrag"):
        parse_euro(text)


def test_the_form_shows_every_field_the_ledger_and_loads_the_checks_from_a_file(client, clerk, released_decision):
    response = login(client, clerk).get(f"/intern/bescheide/neu/?projekt={released_decision.project_id}")

    content = response.content.decode()
    for label in (
        "Aktenzeichen",
        "Projekt",
        "Zuwendungsempfänger",
        "Bewilligungsbehörde",
        "Art",
        "Bescheiddatum",
        "Finanzierungsart",
        "zuwendungsfähige Ausgaben (€)",
        "Zuwendung (€)",
        "Eigenanteil (€)",
        "private Investitionen (€)",
        "Bewilligungszeitraum ab",
        "Bewilligungszeitraum bis",
        "Quelle",
    ):
        assert f">{label}" in content, label
    assert "Aktueller Stand des Projekts" in content
    assert 'data-total-amount="800000.00"' in content
    assert "AZ-2019-000" in content
    assert "Förderquote dieses Bescheids" in content
    assert '<script src="/static/staff/decision-form.js" defer></script>' in content
    assert "<script>" not in content


def test_a_clerk_drafts_a_decision_with_german_amounts(client, clerk, project_soest, recipient, authority):
    response = login(client, clerk).post(
        "/intern/bescheide/neu/", form_data(project_soest, recipient, authority), follow=True
    )

    decision = FundingDecision.objects.get(reference="AZ-2019-001")
    assert decision.amount == Decimal("475222.00")
    assert decision.eligible_costs == Decimal("594027.50")
    assert decision.state == DecisionState.DRAFT
    assert decision.drafted_by == clerk
    assert "Er zählt erst, wenn eine zweite Person ihn freigibt." in response.content.decode()


def test_it_refuses_a_grant_above_the_eligible_costs_on_the_amount_field(
    client, clerk, project_soest, recipient, authority
):
    response = login(client, clerk).post(
        "/intern/bescheide/neu/", form_data(project_soest, recipient, authority, amount="600.000,00")
    )

    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["amount"] == [
        "Die Zuwendung (600.000,00 €) übersteigt die zuwendungsfähigen Ausgaben (594.027,50 €)."
    ]
    assert "Die Zuwendung (600.000,00 €) übersteigt" in response.content.decode()
    assert not FundingDecision.objects.exists()


def test_it_names_each_broken_field(client, clerk, project_soest, recipient, authority):
    data = form_data(
        project_soest,
        recipient,
        authority,
        reference="",
        amount="viel",
        period_start="2021-01-01",
        period_end="2020-01-01",
    )

    response = login(client, clerk).post("/intern/bescheide/neu/", data)

    errors = response.context["form"].errors
    assert errors["reference"] == ["Dieses Feld ist zwingend erforderlich."]
    assert errors["amount"] == ["„viel“ ist kein Betrag; bitte z. B. 1.234.567,89 eingeben."]
    assert "period_end" not in errors  # the ledger rules run once every field parses
    assert not FundingDecision.objects.exists()


def test_it_refuses_a_reference_that_is_taken(client, clerk, released_decision, recipient, authority):
    data = form_data(released_decision.project, recipient, authority, reference=released_decision.reference)

    response = login(client, clerk).post("/intern/bescheide/neu/", data)

    assert response.context["form"].errors["reference"] == [
        "Zuwendungsbescheid mit diesem Wert für das Feld Aktenzeichen existiert bereits."
    ]


def test_a_revocation_starts_from_the_released_decision(client, clerk, released_decision):
    response = login(client, clerk).get(f"/intern/bescheide/{released_decision.pk}/widerrufen/")

    form = response.context["form"]
    assert "Widerruf zu AZ-2019-000" in response.content.decode()
    assert form["project"].value() == released_decision.project_id
    assert form["kind"].value() == DecisionKind.REVOCATION
    assert form.fields["amends"].disabled


def test_it_refuses_a_revocation_below_zero(client, clerk, released_decision, recipient, authority):
    data = form_data(
        released_decision.project,
        recipient,
        authority,
        reference="AZ-WIDERRUF",
        kind="initial",  # disabled fields ignore what is posted
        eligible_costs="0",
        amount="-800.000,01",
        own_share="0",
    )

    response = login(client, clerk).post(f"/intern/bescheide/{released_decision.pk}/widerrufen/", data)

    assert response.status_code == 200
    assert response.context["form"].errors["amount"] == [
        "Damit fiele die Zuwendung des Projekts unter null (bisher 800.000,00 €)."
    ]
    assert not FundingDecision.objects.filter(reference="AZ-WIDERRUF").exists()


def test_a_partial_revocation_is_drafted_against_the_decision(client, clerk, released_decision, recipient, authority):
    data = form_data(
        released_decision.project,
        recipient,
        authority,
        reference="AZ-WIDERRUF",
        eligible_costs="-100.000,00",
        amount="-80.000,00",
        own_share="-20.000,00",
    )

    login(client, clerk).post(f"/intern/bescheide/{released_decision.pk}/widerrufen/", data)

    revocation = FundingDecision.objects.get(reference="AZ-WIDERRUF")
    assert revocation.kind == DecisionKind.REVOCATION
    assert revocation.amends == released_decision
    assert revocation.amount == Decimal("-80000.00")


def test_a_draft_cannot_be_amended(client, clerk, draft_by_clerk):
    response = login(client, clerk).get(f"/intern/bescheide/{draft_by_clerk.pk}/aendern/", follow=True)

    assert "Nur ein freigegebener Bescheid kann geändert oder widerrufen werden." in response.content.decode()


def test_another_clerk_can_neither_edit_nor_delete_the_draft(client, second_clerk, draft_by_clerk):
    login(client, second_clerk)
    data = form_data(draft_by_clerk.project, draft_by_clerk.recipient, draft_by_clerk.authority, amount="1,00")

    edit = client.post(f"/intern/bescheide/{draft_by_clerk.pk}/bearbeiten/", data)
    delete = client.post(f"/intern/bescheide/{draft_by_clerk.pk}/loeschen/")

    assert edit.status_code == 403
    assert delete.status_code == 403
    draft_by_clerk.refresh_from_db()
    assert draft_by_clerk.amount == Decimal("475222.00")


def test_the_author_edits_and_deletes_the_draft_after_a_confirmation(client, clerk, draft_by_clerk):
    login(client, clerk)
    data = form_data(draft_by_clerk.project, draft_by_clerk.recipient, draft_by_clerk.authority, amount="400.000")

    client.post(f"/intern/bescheide/{draft_by_clerk.pk}/bearbeiten/", data)
    draft_by_clerk.refresh_from_db()
    confirmation = client.get(f"/intern/bescheide/{draft_by_clerk.pk}/loeschen/")
    client.post(f"/intern/bescheide/{draft_by_clerk.pk}/loeschen/")

    assert draft_by_clerk.amount == Decimal("400000.00")
    assert "Entwurf AZ-2019-001 löschen?" in confirmation.content.decode()
    assert not FundingDecision.objects.filter(pk=draft_by_clerk.pk).exists()


def test_a_released_decision_is_read_only(client, clerk, released_decision):
    login(client, clerk)

    page = client.get(f"/intern/bescheide/{released_decision.pk}/")
    edit = client.get(f"/intern/bescheide/{released_decision.pk}/bearbeiten/")

    content = page.content.decode()
    assert "Freigegebene Bescheide sind schreibgeschützt" in content
    assert "Entwurf bearbeiten" not in content
    assert "Änderungsbescheid erfassen" in content
    assert edit.status_code == 403


def test_the_ledger_shows_running_totals_and_who_drafted_and_released(
    client, office_soest, clerk, approver, released_decision, recipient, authority
):
    amendment = DecisionFactory(
        reference="AZ-2020-007",
        project=released_decision.project,
        recipient=recipient,
        authority=authority,
        kind=DecisionKind.AMENDMENT,
        amends=released_decision,
        decision_date=dt.date(2020, 3, 2),
        eligible_costs=Decimal("50000.00"),
        amount=Decimal("40000.00"),
        own_share=Decimal("10000.00"),
        drafted_by=clerk,
    )
    release_reviewed_decision(decision=amendment, user=approver)

    response = login(client, office_soest).get(f"/intern/projekte/{released_decision.project_id}/")

    content = response.content.decode()
    lines = response.context["ledger"].lines
    assert [line.totals.amount for line in lines] == [Decimal("800000.00"), Decimal("840000.00")]
    assert "840.000,00 €" in content
    assert "1.050.000,00 €" in content
    assert "80,00 %" in content
    assert "Clara" in content  # drafted the amendment
    assert "Anton" in content  # released both


def test_the_ledger_json_feeds_the_live_checks(client, clerk, released_decision):
    response = login(client, clerk).get(f"/intern/projekte/{released_decision.project_id}/buchungen.json")

    data = response.json()
    assert data["totals"]["amount"] == "800000.00"
    assert data["lines"][0]["reference"] == "AZ-2019-000"
