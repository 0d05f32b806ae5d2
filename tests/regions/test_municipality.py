import pytest
from django.core.exceptions import ValidationError

from regions.lookup import search_municipalities
from regions.models import Municipality
from regions.validators import validate_ags
from tests.factories import MunicipalityFactory


def _message(error: ValidationError) -> str:
    return " ".join(error.messages)


@pytest.mark.parametrize("value", ["05334002", "05334", "05111000", "05978"])
def test_it_accepts_nrw_keys_of_five_and_eight_digits(value):
    validate_ags(value)


@pytest.mark.parametrize("value", ["5334002", "053340021", "0533", "05334-02", " 05334002", "", "05a34002"])
def test_it_refuses_a_key_that_is_not_five_or_eight_digits(value):
    with pytest.raises(ValidationError) as error:
        validate_ags(value)

    assert _message(error.value) == (
        f"„{value}“ ist kein Gemeindeschlüssel: erwartet werden 8 Ziffern (Gemeinde) oder 5 (Kreis)."
    )


def test_it_refuses_a_key_of_another_land():
    with pytest.raises(ValidationError) as error:
        validate_ags("06411000")

    assert _message(error.value) == "„06411000“ liegt nicht in Nordrhein-Westfalen: NRW-Schlüssel beginnen mit 05."


@pytest.mark.parametrize("value", ["05034", "05234002", "05434", "05634000", "05834", "05011000"])
def test_it_refuses_a_key_without_an_nrw_regierungsbezirk(value):
    with pytest.raises(ValidationError) as error:
        validate_ags(value)

    assert (
        _message(error.value) == f"„{value}“ nennt keinen Regierungsbezirk von NRW (dritte Ziffer 1, 3, 5, 7 oder 9)."
    )


@pytest.mark.parametrize("kind", ["district", "city_region"])
def test_a_kreis_needs_a_five_digit_key(db, kind):
    with pytest.raises(ValidationError) as error:
        Municipality(ags="05334002", name="StädteRegion Aachen", kind=kind).full_clean()

    assert error.value.message_dict == {"ags": ["Ein Kreis hat einen 5-stelligen Schlüssel, nicht „05334002“."]}


@pytest.mark.parametrize("kind", ["independent_city", "district_municipality"])
def test_a_gemeinde_needs_an_eight_digit_key(db, kind):
    with pytest.raises(ValidationError) as error:
        Municipality(ags="05334", name="Aachen", kind=kind).full_clean()

    assert error.value.message_dict == {"ags": ["Eine Gemeinde hat einen 8-stelligen Schlüssel, nicht „05334“."]}


def test_search_finds_by_part_of_the_name_or_the_start_of_the_key(db):
    MunicipalityFactory(ags="05974", name="Kreis Soest", kind="district")
    MunicipalityFactory(ags="05974040", name="Soest")
    MunicipalityFactory(ags="05974028", name="Lippstadt")
    MunicipalityFactory(ags="05962024", name="Iserlohn")

    def found(text):
        return sorted(m.ags for m in search_municipalities(text))

    assert found("soest") == ["05974", "05974040"]
    assert found("  Lipp ") == ["05974028"]
    assert found("0597") == ["05974", "05974028", "05974040"]
    assert found("05962024") == ["05962024"]
    assert found("Paderborn") == []
