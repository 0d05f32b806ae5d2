"""The catalogue's German search finds what a clerk means, the same on SQLite and PostgreSQL (issue 29)."""

import pytest

from projects.models import Project
from projects.search import search_projects
from tests.pages.test_dashboard import text_of

pytestmark = pytest.mark.django_db


def titles(text: str) -> set[str]:
    return set(search_projects(Project.objects.all(), text).values_list("title", flat=True))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # Parts of compounds, and a verb that is the stem of a noun.
        ("Parken", {"Parkraum-App Bielefeld", "Smart Parking Lippstadt"}),
        ("Verkehr", {"Verkehrsdatenplattform Aachen", "Mobilitätsplattform OWL", "Aachener Mobilitätsplattform"}),
        # Plural and singular, and the programme's word for a reader's word.
        ("Kitas", {"Kita-Beiträge digital", "Kita-Navigator OWL"}),
        ("Kindertagesstätte", {"Kita-Beiträge digital", "Kita-Navigator OWL"}),
        ("Müll", {"Abfallbehälter online bestellen", "Online-Sperrmüllbörse", "Smarte Mülleimer Bottrop"}),
        ("Abfall", {"Abfallbehälter online bestellen", "Online-Sperrmüllbörse", "Smarte Mülleimer Bottrop"}),
        # Case and umlauts folded: ü = ue = u.
        ("BÜRGERPORTAL", {"Bürgerportal und 3D-Stadtmodell", "Grenzüberschreitendes Bürgerportal"}),
        ("buergerportal", {"Bürgerportal und 3D-Stadtmodell", "Grenzüberschreitendes Bürgerportal"}),
        ("Mobilitaet", {"Aachener Mobilitätsplattform", "Mobilitätsplattform OWL"}),
        # One letter wrong.
        ("Bürgerprotal", {"Bürgerportal und 3D-Stadtmodell", "Grenzüberschreitendes Bürgerportal"}),
    ],
)
def test_the_search_finds_what_a_clerk_means(programme_data, query, expected):
    found = titles(query)

    assert expected <= found, (query, expected - found)


def test_several_words_narrow_the_result(programme_data):
    both = titles("Kita Navigator")

    assert "Kita-Navigator OWL" in both
    assert "Kita-Beiträge digital" not in both
    assert titles("Kita Abfall") == set()


def test_the_catalogue_marks_the_match_and_says_what_was_searched_when_nothing_is_found(client, programme_data):
    found = client.get("/loesungen/?q=Parken").content.decode()
    assert "Smart <mark>Parking</mark> Lippstadt" in found
    assert "Parkraum-App Bielefeld" not in found  # rejected: shown only when asked for
    assert "<mark>Parkraum</mark>-App Bielefeld" in client.get("/loesungen/?q=Parken&status=alle").content.decode()

    nothing = client.get("/loesungen/?q=Parkhaeuser+Quantencomputer")
    text = text_of(nothing)
    assert "0 Lösungen gefunden" in text
    assert "Zu „Parkhaeuser Quantencomputer“ passt keine Lösung." in text
    assert "Ähnliche Wörter im Katalog:" in text


def test_the_api_finds_the_same_as_the_page(client, programme_data):
    answer = client.get("/api/v1/projects/?q=Verkehr&page_size=100").json()

    api_titles = {project["title"] for project in answer["results"]}
    assert api_titles == titles("Verkehr")


def test_a_search_of_odd_bytes_is_no_error(client, programme_data):
    for query in ["%00", "\u200b", "😀", "a" * 300, "'; DROP TABLE--", "ß" * 50]:
        response = client.get("/loesungen/", {"q": query})
        assert response.status_code in {200, 400}, query


def test_nothing_found_is_said_in_english_too(client, programme_data):
    client.post("/i18n/setlang/", {"language": "en", "next": "/loesungen/"})

    text = text_of(client.get("/loesungen/?q=Quantencomputer"))

    assert "No solution matches “Quantencomputer”." in text
    assert "Show all solutions" in text


def test_a_part_of_a_compound_in_the_title_ranks_above_a_synonym_in_the_summary(client, programme_data):
    ranked = [project.title for project in search_projects(Project.objects.filter(status="approved"), "Parken")]

    assert ranked[0] == "Smart Parking Lippstadt"


def test_several_words_that_find_nothing_together_say_what_each_finds_alone(client, programme_data):
    text = text_of(client.get("/loesungen/?q=Parken+Quantencomputer"))

    assert "0 Lösungen gefunden" in text
    assert "Einzeln gesucht: „Parken“: 3 Lösungen" in text
    assert "„Quantencomputer“" not in text.split("Einzeln gesucht:", 1)[1].split("Alle Lösungen zeigen")[0]


def test_the_nearest_words_offered_are_nouns_of_the_catalogue(programme_data):
    from projects.search import closest_words

    offered = closest_words(Project.objects.all(), "Parkhaus")

    assert offered and all(word[0].isupper() and len(word) > 3 for word in offered)


def test_a_search_too_long_to_run_is_named_and_shows_no_unsearched_catalogue(client, programme_data):
    response = client.get("/loesungen/", {"q": "Parken " * 40})

    text = text_of(response)
    assert response.status_code == 400
    assert "höchstens 200 Zeichen" in text
    assert "Die Suche wurde nicht ausgeführt" in text
    assert "Lösungen gefunden" not in text and "Treffer" not in text  # no count of a search that did not run
    assert "<title>Fehler: " in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()


def test_the_api_names_a_search_too_long_to_run(client, programme_data):
    response = client.get("/api/v1/projects/", {"q": "x" * 201})

    assert response.status_code == 400
    assert "q" in response.json()["errors"]
    assert client.get("/api/v1/projects/", {"q": "x" * 200}).status_code == 200


def test_the_catalogue_lists_what_can_be_reused_and_shows_the_rest_on_request(client, programme_data):
    default = text_of(client.get("/loesungen/"))
    everything = text_of(client.get("/loesungen/?status=alle"))
    rejected = client.get("/loesungen/?status=rejected")

    approved = Project.objects.filter(status="approved").count()
    assert f"{approved} Lösungen gefunden" in default
    assert "111 Lösungen gefunden" in everything
    for status in ("rejected", "withdrawn"):
        count = Project.objects.filter(status=status).count()
        assert f"{count} Lösungen gefunden" in text_of(client.get(f"/loesungen/?status={status}"))
    assert 'class="badge badge--status">Antrag: abgelehnt</li>' in rejected.content.decode()
    # The default is not a filter the user set, so there is nothing to reset.
    assert "Alle Filter zurücksetzen" not in default
    assert "Alle Filter zurücksetzen" in everything


def test_an_unreadable_status_is_named_and_the_list_stays_what_can_be_reused(client, programme_data):
    response = client.get("/loesungen/?status=foo")

    approved = Project.objects.filter(status="approved").count()
    assert f"{approved} Lösungen gefunden" in text_of(response)
    assert 'id="id_status-error"' in response.content.decode()
