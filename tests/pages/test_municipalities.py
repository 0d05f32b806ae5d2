"""Every NRW municipality can ask for a solution, and has a page of its own."""

import pytest

from projects.models import TransferRequest
from tests.pages.test_dashboard import text_of
from tests.regions.directory import load_directory

FORM = "/loesungen/buergerportal-soest/anfrage/"


@pytest.fixture
def directory(small_programme):
    load_directory()
    return small_programme


def confirm_by_the_link_in_the_mail(client) -> None:
    """The requester confirms as they would: a POST to the link in the only mail they got."""
    import re

    from django.core import mail

    link = re.search(r"http://testserver(/anfrage/bestaetigen/\S+/)", mail.outbox[0].body).group(1)
    client.post(link)


def request_data(**changes) -> dict:
    data = {
        "kind": "transfer",
        "municipality": "Hille",
        "contact_name": "Rathaus",
        "contact_email": "rathaus@gemeinde.example",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return data


def test_a_small_gemeinde_outside_the_regions_can_ask(client, directory):
    response = client.post(FORM, request_data())

    assert response.status_code == 302
    assert TransferRequest.objects.get().municipality.ags == "05770012"


def test_the_suggestion_list_holds_all_396_gemeinden_and_31_kreise(client, directory):
    html = client.get(FORM).content.decode()

    datalist = html.split('<datalist id="municipality-list">', 1)[1].split("</datalist>", 1)[0]
    assert datalist.count("<option ") == 427
    assert '<option value="Paderborn, Stadt (05774032)">' in datalist
    assert '<option value="Kreis Paderborn (05774)">' in datalist


def test_without_javascript_an_ambiguous_entry_offers_the_choices_and_saves_nothing(client, directory):
    response = client.post(FORM, request_data(municipality="Pader"))

    assert response.status_code == 400
    assert TransferRequest.objects.count() == 0
    html = response.content.decode()
    assert "Mehrere Kommunen passen zu „Pader“" in html
    assert 'name="municipality_choice" value="05774032"' in html
    assert 'name="municipality_choice" value="05774"' in html
    # The other answers are kept for the second submit.
    assert 'value="rathaus@gemeinde.example"' in html

    chosen = client.post(FORM, request_data(municipality="Pader", municipality_choice="05774"))

    assert chosen.status_code == 302
    assert TransferRequest.objects.get().municipality.name == "Kreis Paderborn"


def test_an_unknown_name_lists_the_closest_matches(client, directory):
    response = client.post(FORM, request_data(municipality="Paderbron"))

    assert response.status_code == 400
    assert "Keine Kommune in NRW heißt „Paderbron“. Meinten Sie eine dieser?" in text_of(response)
    assert 'value="05774032"' in response.content.decode()
    assert TransferRequest.objects.count() == 0


def test_the_api_lists_every_municipality_with_its_population_and_finds_by_name(client, directory):
    everything = client.get("/api/v1/municipalities/?page_size=1000").json()
    found = client.get("/api/v1/municipalities/?q=Paderborn").json()

    assert everything["count"] == 427
    by_ags = {row["ags"]: row for row in everything["results"]}
    assert by_ags["05774032"]["population"] == 156378
    assert by_ags["05774032"]["directory_date"] == "2025-11-30"
    assert by_ags["05774"]["population"] == sum(
        row["population"] for row in everything["results"] if row["parent"] == "05774"
    )
    assert [row["ags"] for row in found["results"]][:2] == ["05774032", "05774"]


def test_a_municipality_page_shows_its_projects_requests_and_population(client, directory):
    client.post(FORM, request_data(municipality="Lippstadt"))
    unconfirmed = text_of(client.get("/kommunen/05974028/"))
    confirm_by_the_link_in_the_mail(client)

    assert "Nachnutzung eingegangen" not in unconfirmed  # an unconfirmed form is in the inbox only
    lippstadt = text_of(client.get("/kommunen/05974028/"))
    hille = text_of(client.get("/kommunen/05770012/"))

    assert "Lippstadt, Stadt" in lippstadt
    assert "Modellregion Soest" in lippstadt
    assert "Bürgerportal und 3D-Stadtmodell" in lippstadt
    assert "Nachnutzung eingegangen" in lippstadt
    assert "rathaus@gemeinde.example" not in lippstadt  # no personal data
    assert "keine Förderung erhalten" in hille
    assert "bisher keine Lösung angefragt" in hille
    assert "Einwohnerzahl" in hille and "Destatis" in hille
    assert client.get("/kommunen/05999999/").status_code == 404


def test_the_api_has_the_same_municipality_page_as_json_and_csv(client, directory):
    client.post(FORM, request_data(municipality="Lippstadt"))
    confirm_by_the_link_in_the_mail(client)

    data = client.get("/api/v1/municipalities/05974028/").json()
    csv_text = client.get("/api/v1/municipalities/05974028/?format=csv").content.decode()

    assert data["region_via_kreis"] == "soest"
    assert [r["project"] for r in data["requests"]] == ["buergerportal-soest"]
    assert "contact_email" not in str(data)
    assert csv_text.splitlines()[0] == "ags,name,record,project,project_title,role_or_kind,status,date,granted"
    assert "request,buergerportal-soest" in csv_text
    assert "Destatis" in data["licence"]["attribution_municipalities"]


def test_the_municipality_search_page_finds_a_town_without_javascript(client, directory):
    response = client.get("/kommunen/?q=Hille")
    several = text_of(client.get("/kommunen/?q=Pader"))

    assert response.status_code == 302 and response["Location"] == "/kommunen/05770012/"
    assert "2 Kommunen gefunden" in several


def test_an_unknown_key_in_the_api_is_a_400_naming_the_field(client, directory):
    unknown = client.get("/api/v1/requests/?municipality=05999999")
    known = client.get("/api/v1/requests/?municipality=05770012")
    missing = client.get("/api/v1/municipalities/05999999/")

    assert unknown.status_code == 400
    assert "municipality" in unknown.json()["errors"]
    assert known.status_code == 200 and known.json()["count"] == 0
    assert missing.status_code == 404


def test_the_staff_project_form_takes_municipalities_by_name(client, directory, clerk):
    from modellregionen.staff.project_forms import ProjectForm

    project = directory["portal"]
    data = {name: value for name, value in ProjectForm(instance=project).initial.items() if value is not None}
    data.update(lead_municipality="Lippstadt", partner_municipalities="Hille\nKreis Paderborn\n05974040")
    form = ProjectForm(data=data, instance=project)

    assert form.is_valid(), form.errors
    assert form.cleaned_data["lead_municipality"].ags == "05974028"
    assert [m.ags for m in form.cleaned_data["partner_municipalities"]] == ["05770012", "05774", "05974040"]

    ambiguous = ProjectForm(data={**data, "partner_municipalities": "Hille\nPader"}, instance=project)
    assert not ambiguous.is_valid()
    assert "Zeile 2: Mehrere Kommunen passen zu „Pader“" in ambiguous.errors["partner_municipalities"][0]
