"""The whole path in a real browser: a clerk drafts, an approver releases, the public figures move."""

import datetime as dt
import re
from decimal import Decimal

import pytest
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from funding.figures.selectors import current_figures_version, figures_for
from funding.figures.tasks import recompute_figures
from modellregionen import roles
from tests.factories import (
    GrantingAuthorityFactory,
    ProgrammeFactory,
    ProjectFactory,
    RecipientFactory,
    RegionFactory,
    UserFactory,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "a-long-test-password"


@pytest.fixture
def world():
    programme = ProgrammeFactory()
    region = RegionFactory(slug="soest", name="Soest", administrative_district="9")
    project = ProjectFactory(programme=programme, region=region, title="Bürgerportal Soest", slug="buergerportal")
    UserFactory(username="clara", first_name="Clara", roles=[roles.CLERK])
    anton = UserFactory(username="anton", first_name="Anton", roles=[roles.APPROVER])
    TOTPDevice.objects.create(user=anton, name="App", confirmed=True)  # Freigabe needs a second factor
    RecipientFactory(name="Stadt Soest")
    GrantingAuthorityFactory()
    recompute_figures()
    return project


def _log_in(page, base_url, username):
    page.goto(f"{base_url}/intern/anmelden/")
    page.get_by_label("Benutzername").fill(username)
    page.get_by_label("Passwort").fill(PASSWORD)
    page.get_by_role("button", name="Anmelden").click()
    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).first()
    if device is not None:
        page.wait_for_url(re.compile(r".*/intern/anmelden/code/.*"))
        code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
        page.get_by_label("Code").fill(f"{code:06d}")
        page.get_by_role("button", name="Bestätigen").click()
    page.wait_for_url(f"{base_url}/intern/")


def _funding_granted() -> Decimal:
    return figures_for(as_of=dt.date.today()).rows[0].values["funding_granted"]


def test_a_clerk_drafts_an_approver_releases_and_the_public_figures_show_it(live_server, page, world):
    from playwright.sync_api import expect

    base = live_server.url
    version_before = current_figures_version()
    assert _funding_granted() == Decimal("0")

    # The clerk drafts; the live checks warn before the server does.
    _log_in(page, base, "clara")
    page.goto(f"{base}/intern/bescheide/neu/?projekt={world.pk}")
    expect(page.locator("[data-ledger-project]")).to_have_text("Bürgerportal Soest")
    page.get_by_label("Aktenzeichen").fill("III B 4 - 12/2019")
    page.get_by_label("Zuwendungsempfänger").select_option(label="Stadt Soest")
    page.get_by_label("Bewilligungsbehörde").select_option(label="Bezirksregierung Arnsberg")
    page.get_by_label("Bescheiddatum").fill("2019-12-06")
    page.get_by_label("zuwendungsfähige Ausgaben (€)").fill("594.027,50")
    page.get_by_label("Zuwendung (€)").fill("600.000,00")
    expect(page.locator("#check-messages")).to_contain_text("Die Zuwendung übersteigt die zuwendungsfähigen Ausgaben.")
    page.get_by_label("Zuwendung (€)").fill("475.222,00")
    page.get_by_label("Eigenanteil (€)").fill("118.805,50")
    expect(page.locator("#check-rate")).to_have_text("80,00 %")
    expect(page.locator("#check-messages")).to_have_text("Keine Auffälligkeiten.")
    page.get_by_label("Bewilligungszeitraum ab").fill("2020-01-01")
    page.get_by_label("Bewilligungszeitraum bis").fill("2021-12-31")
    expect(page.get_by_label("Quelle")).to_have_value("")  # starts empty: the clerk names the Bescheid
    page.get_by_label("Quelle").fill("Bescheid der Bezirksregierung Arnsberg vom 06.12.2019")
    page.get_by_role("button", name="Entwurf speichern").click()
    expect(page.locator(".messages")).to_contain_text("Entwurf III B 4 - 12/2019 gespeichert.")
    assert _funding_granted() == Decimal("0")  # a draft does not count
    page.get_by_role("button", name="Abmelden").click()

    # A second person releases it after a confirmation.
    _log_in(page, base, "anton")
    page.get_by_role("link", name="III B 4 - 12/2019").click()
    page.get_by_role("link", name="Freigeben …").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Bescheid III B 4 - 12/2019 freigeben?")
    page.get_by_role("button", name="Verbindlich freigeben").click()
    expect(page.locator(".messages")).to_contain_text("III B 4 - 12/2019 freigegeben")

    # The release triggers a recompute; the button asks for one too and shows the outcome.
    page.goto(f"{base}/intern/")
    page.get_by_role("button", name="Kennzahlen neu berechnen").click()
    expect(page.locator("[data-figures-progress]")).to_have_text("Neuberechnung abgeschlossen.")
    assert current_figures_version().pk != version_before.pk
    assert _funding_granted() == Decimal("475222.00")

    # The public dashboard shows the new total.
    page.goto(f"{base}/")
    expect(page.locator("body")).to_contain_text(re.compile(r"475\.222"))
