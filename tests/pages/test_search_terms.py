"""The search's terms on records of their own: folding, stems, parts of compounds, typos, ranking, marks (issue 29)."""

from projects.models import Project
from projects.search import _one_edit_apart, highlight, query_words, search_projects, term
from tests.factories import ProjectFactory, TopicFactory
from tests.pages.test_catalogue_search import titles


def test_the_title_ranks_before_the_description(db):
    in_description = ProjectFactory(title="Ratsinformationssystem", description="Auch für Parkausweise.")
    in_title = ProjectFactory(title="Parkausweis online", description="Ein Antrag.")

    ranked = list(search_projects(Project.objects.all(), "Parkausweis"))

    assert ranked == [in_title, in_description]


def test_topic_and_ozg_field_names_are_searched(db):
    project = ProjectFactory(title="Ein Portal", summary="", description="", topic=TopicFactory(name="Gesundheit"))

    assert project in search_projects(Project.objects.all(), "gesundheit")


def test_a_word_that_is_nowhere_finds_nothing_and_a_short_word_is_no_compound_part(db):
    ProjectFactory(title="Schulportal", summary="", description="")

    assert titles("Quantencomputer") == set()
    assert titles("ort") == set()  # in "Schulportal", but three letters are no part of a compound


def test_one_edit_apart():
    assert _one_edit_apart("portal", "protal")  # swapped
    assert _one_edit_apart("portal", "portl")  # left out
    assert _one_edit_apart("portal", "portale")  # added
    assert _one_edit_apart("portal", "pörtal".replace("ö", "x"))  # replaced
    assert not _one_edit_apart("portal", "prtl")
    assert not _one_edit_apart("portal", "portal")


def test_terms_fold_case_umlauts_and_inflection():
    assert term("Bürgerportale") == term("buergerportal") == term("BURGERPORTAL")
    assert term("Lösungen") == term("Loesung")
    assert term("Straße") == term("Strasse")
    assert {form for word in query_words("Kitas") for form in word.forms} >= {term("Kita")}


def test_the_match_is_marked_and_the_rest_escaped():
    marked = str(highlight("Smarte <Mülleimer> Bottrop", "Müll"))

    assert marked == "Smarte &lt;<mark>Mülleimer</mark>&gt; Bottrop"
