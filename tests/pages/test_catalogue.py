from tests.factories import ProjectFactory, RegionFactory
from tests.pages.test_dashboard import text_of


def test_it_lists_every_solution_with_a_result_count(client, small_programme):
    response = client.get("/loesungen/")

    text = text_of(response)
    assert "3 Lösungen gefunden" in text
    assert "Bürgerportal und 3D-Stadtmodell" in text
    assert "Bergisch.Smart_Mobility" in text


def test_it_searches_titles_and_summaries(client, small_programme):
    text = text_of(client.get("/loesungen/?q=Stadtmodell"))

    assert "1 Lösung gefunden" in text
    assert "Bürgerportal und 3D-Stadtmodell" in text
    assert "Bergisch.Smart_Mobility" not in text


def test_filters_combine_and_stay_in_the_shareable_url(client, small_programme):
    response = client.get("/loesungen/?region=soest&transferable=true")

    text = text_of(response)
    html = response.content.decode()
    assert "1 Lösung gefunden" in text
    assert "Bürgerportal und 3D-Stadtmodell" in text
    assert '<option value="soest" selected>' in html
    assert "Alle Filter zurücksetzen" in text


def test_filtering_by_strand_and_topic(client, small_programme):
    assert "1 Lösung gefunden" in text_of(client.get("/loesungen/?strand=urban_development&topic=mobilitaet"))
    assert "0 Lösungen gefunden" in text_of(client.get("/loesungen/?strand=e_government&topic=mobilitaet"))


def test_an_unknown_filter_value_is_named_and_ignored(client, small_programme):
    response = client.get("/loesungen/?region=atlantis")

    text = text_of(response)
    assert response.status_code == 200
    assert "Bitte eine gültige Auswahl treffen" in text
    assert "3 Lösungen gefunden" in text


def test_pages_keep_the_filters_in_their_links(client, db):
    region = RegionFactory(slug="owl", name="Ostwestfalen-Lippe")
    ProjectFactory.create_batch(25, region=region)

    html = client.get("/loesungen/?region=owl").content.decode()

    assert "Seite 1 von 2" in html
    assert 'href="?region=owl&amp;page=2"' in html


def test_the_catalogue_needs_the_same_queries_for_many_projects(client, small_programme, django_assert_max_num_queries):
    client.get("/loesungen/")  # a worker reads the current version's step index once (the demo-data banner)
    with django_assert_max_num_queries(8):
        client.get("/loesungen/?q=Stadtmodell&region=soest")
    region = RegionFactory()
    ProjectFactory.create_batch(60, region=region, title="Digitales Stadtmodell")
    with django_assert_max_num_queries(8):
        response = client.get("/loesungen/?q=Stadtmodell")
    assert "61 Lösungen gefunden" in text_of(response)


def test_the_catalogue_is_available_in_english(client, small_programme):
    client.post("/i18n/setlang/", {"language": "en", "next": "/loesungen/"})

    text = text_of(client.get("/loesungen/?topic=mobilitaet"))

    assert "1 solution found" in text
    assert "Mobility" in text


def test_the_search_finds_a_project_by_the_words_of_its_latest_edit(client, small_programme):
    project = ProjectFactory(title="Parkraumsensorik", summary="Freie Parkplätze in Echtzeit")
    assert "1 Lösung gefunden" in text_of(client.get("/loesungen/?q=Parkraumsensorik"))

    project.title = "Ladesäulenkarte"
    project.save()

    assert "0 Lösungen gefunden" in text_of(client.get("/loesungen/?q=Parkraumsensorik"))
    assert "1 Lösung gefunden" in text_of(client.get("/loesungen/?q=Ladesäulenkarte"))


def test_every_filter_select_starts_with_all_and_selects_it_when_unfiltered(client, small_programme):
    html = client.get("/loesungen/?q=Stadtmodell").content.decode()

    for name in ("region", "strand", "topic", "maturity", "licence", "transferable", "kind"):
        select = html.split(f'name="{name}"', 1)[1].split("</select>", 1)[0]
        first_option = select.split("<option", 2)[1]
        assert first_option.startswith(' value="" selected>alle<'), (name, first_option)
    # The status filter starts at what can be reused; every application is one choice away.
    status = html.split('name="status"', 1)[1].split("</select>", 1)[0]
    assert '<option value="approved" selected>bewilligt</option>' in status
    assert '<option value="alle">alle Anträge</option>' in status
