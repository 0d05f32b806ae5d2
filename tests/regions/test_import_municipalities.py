from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from regions.models import Municipality
from tests.factories import MunicipalityFactory, RegionFactory
from tests.regions.samples import (
    GOOD_GV100AD_LINES,
    GOOD_XLSX_ROWS,
    gv100ad_gemeinde,
    gv100ad_kreis,
    write_auszug_xlsx,
    write_csv,
    write_gv100ad,
)

FIXTURE_GV100AD = Path(__file__).resolve().parents[2] / "fixtures" / "gemeindeverzeichnis" / "GV100AD_30112025_NRW.txt"


def run_import(path, *args):
    out, err = StringIO(), StringIO()
    call_command("import_municipalities", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def run_rejected_import(path, *args):
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as failure:
        call_command("import_municipalities", str(path), *args, stdout=out, stderr=err)
    return str(failure.value), err.getvalue()


def snapshot():
    return sorted(Municipality.objects.values_list("ags", "name", "kind", "parent_id"))


def test_it_imports_the_nrw_part_of_a_gv100ad_file(db, tmp_path):
    output = run_import(write_gv100ad(tmp_path, GOOD_GV100AD_LINES))

    assert "6 neu, 0 geändert, 0 unverändert." in output
    assert "9 Zeilen übersprungen" in output
    assert snapshot() == [
        ("05124000", "Wuppertal, Stadt", "independent_city", None),
        ("05334", "StädteRegion Aachen", "city_region", None),
        ("05334002", "Aachen, Stadt", "district_municipality", "05334"),
        ("05974", "Kreis Soest", "district", None),
        ("05974028", "Lippstadt, Stadt", "district_municipality", "05974"),
        ("05974040", "Soest, Stadt", "district_municipality", "05974"),
    ]
    # The Kreis line of a kreisfreie Stadt is not stored: the city is, with its 8-digit key.
    assert not Municipality.objects.filter(ags="05124").exists()


def test_importing_the_same_file_twice_changes_nothing(db, tmp_path):
    path = write_gv100ad(tmp_path, GOOD_GV100AD_LINES)
    run_import(path)
    history_before = Municipality.history.count()

    output = run_import(path)

    assert "0 neu, 0 geändert, 6 unverändert." in output
    assert Municipality.objects.count() == 6
    assert Municipality.history.count() == history_before


def test_it_updates_names_and_keeps_region_membership(db, tmp_path):
    region = RegionFactory(slug="soest", name="Soest")
    MunicipalityFactory(ags="05974", name="Kreis Soest", kind="district", region=region)

    output = run_import(write_gv100ad(tmp_path, GOOD_GV100AD_LINES))

    assert "5 neu, 1 geändert, 0 unverändert." in output
    soest = Municipality.objects.get(ags="05974")
    assert (soest.name, soest.region, soest.population) == ("Kreis Soest", region, 2 * 67890)
    assert soest.history.first().history_change_reason == "Import Gemeindeverzeichnis"


def test_a_dry_run_counts_but_saves_nothing(db, tmp_path):
    output = run_import(write_gv100ad(tmp_path, GOOD_GV100AD_LINES), "--dry-run")

    assert "Probelauf, nichts gespeichert: 6 neu, 0 geändert, 0 unverändert." in output
    assert Municipality.objects.count() == 0


def test_it_imports_the_auszug_workbook(db, tmp_path):
    output = run_import(write_auszug_xlsx(tmp_path, GOOD_XLSX_ROWS))

    assert "3 neu, 0 geändert, 0 unverändert." in output
    assert snapshot() == [
        ("05124000", "Wuppertal, Stadt", "independent_city", None),
        ("05974", "Kreis Soest", "district", None),
        ("05974040", "Soest, Stadt", "district_municipality", "05974"),
    ]


def test_the_format_can_be_given_when_the_extension_says_nothing(db, tmp_path):
    path = write_gv100ad(tmp_path, GOOD_GV100AD_LINES, name="gemeindeverzeichnis.dat")

    message, _ = run_rejected_import(path)
    output = run_import(path, "--format", "gv100ad")

    assert "bitte --format gv100ad, xlsx oder csv angeben" in message
    assert "6 neu" in output


def test_a_truncated_line_rejects_the_whole_file_and_names_it(db, tmp_path):
    MunicipalityFactory(ags="05974", name="Kreis Soest", kind="district")
    before = snapshot()
    lines = [*GOOD_GV100AD_LINES]
    lippstadt = next(i for i, line in enumerate(lines) if "Lippstadt" in line)
    lines[lippstadt] = lines[lippstadt][:100]

    message, errors = run_rejected_import(write_gv100ad(tmp_path, lines))

    assert "Die Datei wurde abgelehnt (1 fehlerhafte Zeile(n)); es wurde nichts geändert." in message
    assert f"Zeile {lippstadt + 1} (05974028): Die Zeile ist zu kurz (100 Zeichen" in errors
    assert snapshot() == before


def test_a_gemeinde_without_its_kreis_rejects_the_file(db, tmp_path):
    lines = [gv100ad_kreis("05974", "Soest", "43"), gv100ad_gemeinde("05962024", "Iserlohn, Stadt", "63")]

    _, errors = run_rejected_import(write_gv100ad(tmp_path, lines), "--partial")

    assert "Zeile 2 (05962024): Der Kreis 05962 fehlt: er steht weder in der Datei noch in der Datenbank." in errors
    assert Municipality.objects.count() == 0


def test_a_kreis_already_in_the_database_is_enough(db, tmp_path):
    MunicipalityFactory(ags="05962", name="Märkischer Kreis", kind="district")

    output = run_import(write_gv100ad(tmp_path, [gv100ad_gemeinde("05962024", "Iserlohn, Stadt", "63")]), "--partial")

    assert "1 neu" in output
    assert Municipality.objects.get(ags="05962024").parent_id == "05962"


def test_every_bad_line_is_listed(db, tmp_path):
    path = write_csv(
        tmp_path,
        "05974,Kreis Soest,district,,x\n"
        "0597404,Soest,district_municipality,05974,x\n"  # 7 digits
        "06411000,Darmstadt,independent_city,,x\n"  # Hesse in our NRW-only file
        "05234,Irgendwo,district,,x\n"  # no Regierungsbezirk 2
        "05974028,Lippstadt,district,,x\n"  # an 8-digit Kreis
        "05974040,Soest,district_municipality,05974,x\n"
        "05974040,Soest,district_municipality,05974,x\n"  # twice
        "05974044,Warstein,Dorf,05974,x\n",
    )

    message, errors = run_rejected_import(path)

    assert "(6 fehlerhafte Zeile(n))" in message
    assert errors.splitlines() == [
        "Zeile 3 (0597404): Amtlicher Gemeindeschlüssel: „0597404“ ist kein Gemeindeschlüssel: "
        "erwartet werden 8 Ziffern (Gemeinde) oder 5 (Kreis). Eine Gemeinde hat einen 8-stelligen Schlüssel, "
        "nicht „0597404“.",
        "Zeile 4 (06411000): Amtlicher Gemeindeschlüssel: „06411000“ liegt nicht in Nordrhein-Westfalen: "
        "NRW-Schlüssel beginnen mit 05.",
        "Zeile 5 (05234): Amtlicher Gemeindeschlüssel: „05234“ nennt keinen Regierungsbezirk von NRW "
        "(dritte Ziffer 1, 3, 5, 7 oder 9).",
        "Zeile 6 (05974028): Amtlicher Gemeindeschlüssel: Ein Kreis hat einen 5-stelligen Schlüssel, nicht „05974028“.",
        "Zeile 8 (05974040): Der Schlüssel steht schon in Zeile 7.",
        "Zeile 9 (05974044): Art: Wert 'Dorf' ist keine gültige Option. "
        "Erlaubt sind: independent_city, district_municipality, district, city_region.",
    ]
    assert Municipality.objects.count() == 0


def test_a_gemeinde_is_only_attached_to_its_own_kreis(db, tmp_path):
    path = write_csv(
        tmp_path,
        "05974,Kreis Soest,district,,x\n"
        "05962,Märkischer Kreis,district,,x\n"
        "05974040,Soest,district_municipality,05974040,x\n"  # a Gemeinde as a Kreis
        "05974028,Lippstadt,district_municipality,,x\n"
        "05124000,Wuppertal,independent_city,05124,x\n"
        "05974044,Warstein,district_municipality,05962,x\n",  # the wrong Kreis
    )

    _, errors = run_rejected_import(path)

    assert errors.splitlines() == [
        "Zeile 4 (05974040): 05974040 ist kein Kreis, sondern eine kreisangehörige Gemeinde.",
        "Zeile 5 (05974028): Für eine kreisangehörige Gemeinde fehlt der Kreis.",
        "Zeile 6 (05124000): Als kreisfreie Stadt gehört 05124000 zu keinem Kreis, hier steht aber „05124“.",
        "Zeile 7 (05974044): Kreis: Der Kreis 05962 passt nicht zum Schlüssel 05974044.",
    ]
    assert Municipality.objects.count() == 0


def test_a_file_that_is_not_a_gemeindeverzeichnis_is_refused(db, tmp_path):
    from openpyxl import Workbook

    path = tmp_path / "Haushalt.xlsx"
    workbook = Workbook()
    workbook.active.append(["Posten", "Betrag"])
    workbook.save(path)

    message, _ = run_rejected_import(path)
    missing_message, _ = run_rejected_import(tmp_path / "fehlt.txt")

    assert (
        "Keine Tabelle mit den Spalten Satzart, Textkennzeichen, Land, RB, Kreis, VB, Gem und Gemeindename" in message
    )
    assert missing_message == f"Datei nicht gefunden: {tmp_path / 'fehlt.txt'}"


def test_the_official_directory_in_the_fixtures_imports_cleanly(db):
    output = run_import(FIXTURE_GV100AD)
    again = run_import(FIXTURE_GV100AD)

    municipalities = Municipality.objects.all()
    kinds = {m.ags: m.kind for m in municipalities}
    assert f"{len(kinds)} neu, 0 geändert, 0 unverändert." in output
    assert f"0 neu, 0 geändert, {len(kinds)} unverändert." in again
    assert sum(kind == "district" for kind in kinds.values()) == 30
    assert [ags for ags, kind in kinds.items() if kind == "city_region"] == ["05334"]
    assert sum(kind == "independent_city" for kind in kinds.values()) == 22
    members = [m for m in municipalities if m.kind == "district_municipality"]
    # NRW: 396 Gemeinden (22 kreisfreie Städte, 374 kreisangehörige incl. Aachen) and 31 Kreise.
    assert len(members) == 374
    assert len(kinds) == 427
    assert "Gebietsstand 30.11.2025." in output
    assert {m.ags[2] for m in members} == {"1", "3", "5", "7", "9"}
    assert all(m.parent_id == m.ags[:5] for m in members)
    # The members of the five model regions (DESIGN.md)
    design = {
        "05334002": "district_municipality",
        "05334": "city_region",
        "05513000": "independent_city",
        "05512000": "independent_city",
        "05562": "district",
        "05774032": "district_municipality",
        "05711000": "independent_city",
        "05774020": "district_municipality",
        "05774": "district",
        "05974040": "district_municipality",
        "05974028": "district_municipality",
        "05962024": "district_municipality",
        "05974": "district",
        "05124000": "independent_city",
        "05122000": "independent_city",
        "05120000": "independent_city",
    }
    assert {ags: kinds.get(ags) for ags in design} == design
