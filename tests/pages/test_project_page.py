from tests.factories import MunicipalityFactory, TransferRequestFactory
from tests.pages.test_dashboard import text_of


def test_the_decisions_add_up_to_the_shown_total(client, small_programme):
    text = text_of(client.get("/loesungen/buergerportal-soest/"))

    assert "02.05.2019 Zuwendungsbescheid DMR-ARN-2019-001" in text
    assert "500.000,00 €" in text
    assert "20.11.2019 Widerruf DMR-ARN-2019-001-A1" in text
    assert "-24.778,00 €" in text
    assert "Summe 475.222,00 €" in text


def test_a_draft_decision_never_shows(client, small_programme):
    text = text_of(client.get("/loesungen/buergerportal-soest/"))

    assert "DMR-ARN-2020-ENTWURF" not in text
    assert "99.999" not in text


def test_it_shows_reuse_information_and_the_request_button(client, small_programme):
    response = client.get("/loesungen/buergerportal-soest/")

    text = text_of(response)
    assert "Lizenz EUPL 1.2" in text
    assert "Reifegrad im Regelbetrieb" in text
    assert "Ansprechstelle Projektbüro Soest projektbuero@soest.example" in text
    assert 'href="mailto:projektbuero@soest.example"' in response.content.decode()
    assert 'href="/loesungen/buergerportal-soest/anfrage/"' in response.content.decode()
    assert "Nachnutzung anfragen" in text


def test_it_counts_each_asking_municipality_once(client, small_programme):
    portal = small_programme["portal"]
    lippstadt = MunicipalityFactory(ags="05974028")
    TransferRequestFactory(project=portal, municipality=lippstadt)
    TransferRequestFactory(project=portal, municipality=lippstadt, kind="consultation")
    TransferRequestFactory(project=portal, municipality=MunicipalityFactory(ags="05124000"))

    text = text_of(client.get("/loesungen/buergerportal-soest/"))

    assert "2 Kommunen haben bisher angefragt." in text


def test_an_unknown_project_is_not_found(client, db):
    assert client.get("/loesungen/gibt-es-nicht/").status_code == 404


def test_the_project_page_needs_the_same_queries_with_more_decisions(
    client, small_programme, django_assert_max_num_queries
):
    # 12: the demo-data banner, the figures version the page cites and whether its payments are
    # illustrative take one lookup each; paid out sums payments and repayments (two).
    client.get("/")  # a worker reads the current version's step index once; every later page reads it from memory
    with django_assert_max_num_queries(12):
        client.get("/loesungen/buergerportal-soest/")
    for _ in range(30):
        TransferRequestFactory(project=small_programme["portal"], municipality=MunicipalityFactory())
    with django_assert_max_num_queries(12):
        client.get("/loesungen/buergerportal-soest/")


def test_the_region_page_shows_members_projects_and_office(client, small_programme):
    text = text_of(client.get("/regionen/soest/?as_of=2019-12-06"))

    assert "Modellregion Soest" in text
    assert "Lippstadt" in text
    assert "Bürgerportal und 3D-Stadtmodell" in text
    assert "Projektbüro Soest" in text
    assert "Bewilligte Fördermittel 635.222 €" in text
    assert "Stand: 06.12.2019" in text


def test_an_unknown_region_is_not_found(client, db):
    assert client.get("/regionen/atlantis/").status_code == 404


def test_the_region_page_needs_a_constant_number_of_queries(client, small_programme, django_assert_max_num_queries):
    # Each chart (funding granted, and granted vs paid out) reads its version's groups, then their steps.
    with django_assert_max_num_queries(14):  # one lookup for the demo-data banner
        client.get("/regionen/soest/")


def test_the_legal_pages_exist(client, db):
    assert "Impressum" in text_of(client.get("/impressum/"))
    assert "Art. 6 Abs. 1 lit. a DSGVO" in text_of(client.get("/datenschutz/"))
    assert "WCAG" in text_of(client.get("/barrierefreiheit/"))
