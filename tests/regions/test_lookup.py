"""The one lookup behind the request form, the staff forms and the API's ?q=, on the real directory."""

import pytest

from regions.lookup import resolve_municipality, search_municipalities
from tests.regions.directory import load_directory


@pytest.fixture
def directory(db):
    load_directory()


@pytest.mark.parametrize(
    ("typed", "ags"),
    [
        ("Paderborn", "05774032"),  # the town, not the Kreis
        ("Paderborn, Stadt", "05774032"),
        ("paderborn, stadt (05774032)", "05774032"),  # as the suggestion list writes it
        ("Kreis Paderborn", "05774"),
        ("05774", "05774"),
        ("Hille", "05770012"),
        ("Solingen", "05122000"),  # "Solingen, Klingenstadt"
        ("Muenster", "05515000"),  # umlaut written out
        ("MÜNSTER", "05515000"),
        ("Hagen", "05914000"),  # "Hagen, Stadt der FernUniversität"
        ("Städteregion Aachen", "05334"),
        ("Aachen", "05334002"),
        ("Roetgen", "05334024"),  # "Roetgen, Tor zur Eifel": "oe" is not an umlaut here, and still found
    ],
)
def test_a_town_is_found_with_or_without_its_suffix(directory, typed, ags):
    result = resolve_municipality(typed)

    assert result.found, result.message
    assert result.municipality.ags == ags


def test_a_beginning_that_fits_several_offers_them_all(directory):
    result = resolve_municipality("Pader")

    assert not result.found
    assert result.code == "ambiguous"
    assert [m.name for m in result.candidates] == ["Paderborn, Stadt", "Kreis Paderborn"]


def test_a_misspelt_name_offers_the_closest_matches(directory):
    result = resolve_municipality("Paderbron")

    assert result.code == "unknown_name"
    assert "Keine Kommune in NRW heißt „Paderbron“" in result.message
    assert "05774032" in [m.ags for m in result.candidates]


def test_an_unknown_key_names_it(directory):
    result = resolve_municipality("05774999")

    assert result.code == "unknown_ags"
    assert result.message == "Zum Gemeindeschlüssel 05774999 ist keine Kommune in NRW verzeichnet."
    # The Kreis of that key and its Gemeinden are offered.
    assert "05774" in [m.ags for m in result.candidates]


def test_search_ranks_exact_names_first_and_finds_key_prefixes(directory):
    assert [m.ags for m in search_municipalities("Soest")][:2] == ["05974040", "05974"]
    assert {m.ags for m in search_municipalities("05774")} >= {"05774", "05774032", "05774020"}
    assert [m.ags for m in search_municipalities("0577403")] == ["05774032", "05774036"]
    assert search_municipalities("Atlantis") == []
