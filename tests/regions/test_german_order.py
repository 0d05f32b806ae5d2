"""Names in German alphabetical order on both databases: Ä with A, Ö with O, Ü with U (DIN 5007-1)."""

import pytest

from modellregionen.collation import german_key, in_german_order
from regions.selectors import municipality_choices
from tests.factories import MunicipalityFactory
from tests.pages.test_dashboard import text_of

NAMES = ["Zülpich", "Übach-Palenberg", "Kreis Wesel", "Köln", "Aachen", "Ahaus", "Ärzte-Stadt", "straße", "Strasse"]


def test_umlauts_sort_with_their_letter_and_case_is_ignored():
    ordered = sorted(NAMES, key=german_key)

    assert ordered == [
        "Aachen",
        "Ahaus",
        "Ärzte-Stadt",
        "Köln",
        "Kreis Wesel",
        "Strasse",
        "straße",
        "Übach-Palenberg",
        "Zülpich",
    ]


def test_items_are_ordered_by_the_name_they_show():
    class Named:
        def __init__(self, name):
            self.name = name

    assert [item.name for item in in_german_order(Named(name) for name in ["Übach", "Unna", "Ulm"])] == [
        "Übach",
        "Ulm",
        "Unna",
    ]


@pytest.mark.django_db
def test_the_municipality_list_and_the_suggestions_are_in_german_order(client):
    for index, name in enumerate(["Zülpich", "Übach-Palenberg", "Kreis Wesel", "Köln"]):
        MunicipalityFactory(ags=f"0599{index}", name=name, parent=None)

    text = text_of(client.get("/kommunen/"))
    positions = [text.index(name) for name in ["Köln", "Kreis Wesel", "Übach-Palenberg", "Zülpich"]]
    assert positions == sorted(positions)
    names = [name for _ags, name in municipality_choices()]
    assert names.index("Köln") < names.index("Kreis Wesel") < names.index("Übach-Palenberg") < names.index("Zülpich")
