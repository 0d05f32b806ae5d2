import datetime as dt

import pytest

from regions.gemeindeverzeichnis import (
    parse_gv100ad_line,
    read_auszug_xlsx,
    read_gv100ad,
    read_municipalities_csv,
)
from tests.regions.samples import (
    GOOD_GV100AD_LINES,
    GOOD_XLSX_ROWS,
    write_auszug_xlsx,
    write_csv,
    write_gv100ad,
)

# Lines as Destatis publishes them (Saarland, Gebietsstand 30.04.2021), in the test data of the
# open-source reader jgraef/gv100ad: they check our positions independently of our own sample writer.
SAARBRUECKEN_KREIS = (
    "402021043010041       Regionalverband Saarbrücken                       Saarbrücken, Landeshauptstadt"
    "                     45                                                                                                "
)
SAARBRUECKEN_GEMEINDE = (
    "6020210430100411000100Saarbrücken, Landeshauptstadt                                                                       63"
    "    000000167520000018037400000089528    66111*****  1040110955501296                           "
)


def _as_tuples(result):
    return [(r.ags, r.name, r.kind, r.parent_ags, r.error) for r in result.records]


def test_it_reads_the_fields_at_the_published_gv100ad_positions():
    kreis = parse_gv100ad_line(SAARBRUECKEN_KREIS, 1)
    gemeinde = parse_gv100ad_line(SAARBRUECKEN_GEMEINDE, 2)

    assert (kreis.ags, kreis.name, kreis.kind, kreis.error) == (
        "10041",
        "Regionalverband Saarbrücken",
        "city_region",
        "",
    )
    assert (gemeinde.ags, gemeinde.name, gemeinde.kind, gemeinde.parent_ags) == (
        "10041100",
        "Saarbrücken, Landeshauptstadt",
        "district_municipality",
        "10041",
    )


def test_it_keeps_only_nrw_kreise_and_gemeinden_of_a_gv100ad_file(tmp_path):
    result = read_gv100ad(write_gv100ad(tmp_path, GOOD_GV100AD_LINES))

    assert _as_tuples(result) == [
        ("05124000", "Wuppertal, Stadt", "independent_city", "", ""),
        ("05334", "StädteRegion Aachen", "city_region", "", ""),
        # Aachen keeps the Textkennzeichen of a kreisfreie Stadt but belongs to the StädteRegion.
        ("05334002", "Aachen, Stadt", "district_municipality", "05334", ""),
        ("05974", "Kreis Soest", "district", "", ""),
        ("05974040", "Soest, Stadt", "district_municipality", "05974", ""),
        ("05974028", "Lippstadt, Stadt", "district_municipality", "05974", ""),
    ]
    # Land, five Regierungsbezirke, Wuppertal's own Kreis line and the two Hessian lines
    assert result.skipped == 9
    assert [r.line for r in result.records] == [8, 9, 10, 11, 12, 13]
    # What the directory carries; a Kreis gets the sums of its Gemeinden and its seat's postcode.
    soest = next(r for r in result.records if r.ags == "05974")
    lippstadt = next(r for r in result.records if r.ags == "05974028")
    assert (lippstadt.population, lippstadt.area_hectares, lippstadt.postcode) == (67890, 12345, "59494")
    assert (soest.population, soest.area_hectares, soest.postcode) == (2 * 67890, 2 * 12345, "59494")
    assert result.directory_date == dt.date(2024, 6, 30)
    assert (result.complete, result.errors, result.incomplete) == (True, [], [])


def test_it_reports_a_truncated_gv100ad_line_instead_of_guessing(tmp_path):
    lines = [*GOOD_GV100AD_LINES]
    lines[11] = lines[11][:60]

    result = read_gv100ad(write_gv100ad(tmp_path, lines))

    bad = [r for r in result.records if r.error]
    assert [(r.line, r.ags) for r in bad] == [(12, "05974040")]
    assert "Die Zeile ist zu kurz (60 Zeichen, erwartet 220)" in bad[0].error


def test_a_file_cut_between_two_lines_is_found_incomplete(tmp_path):
    # Cut after the Kreis line of Soest: no line is bad, but the Kreis has no Gemeinde.
    cut = next(i for i, line in enumerate(GOOD_GV100AD_LINES) if line.startswith("40") and "Soest" in line)

    result = read_gv100ad(write_gv100ad(tmp_path, GOOD_GV100AD_LINES[: cut + 1]))

    assert result.incomplete == [
        "Zu den Kreisen 05974 steht keine Gemeinde in der Datei: sie ist unvollständig oder abgeschnitten."
    ]


def test_a_file_of_another_land_only_is_refused(tmp_path):
    hessian = [line for line in GOOD_GV100AD_LINES if line[10:12] == "06"]

    result = read_gv100ad(write_gv100ad(tmp_path, hessian))

    assert result.records == []
    assert "keine Kreise und Gemeinden von Nordrhein-Westfalen" in result.errors[0]


def test_a_utf16_file_is_refused_not_read_as_nonsense(tmp_path):
    path = tmp_path / "GV100AD.txt"
    path.write_text("\r\n".join(GOOD_GV100AD_LINES), encoding="utf-16")

    with pytest.raises(ValueError, match="weder UTF-8 noch Latin-1"):
        read_gv100ad(path)


def test_it_reads_a_latin1_gv100ad_file(tmp_path):
    path = tmp_path / "GV100AD_311217.ASC"
    path.write_bytes("\n".join(GOOD_GV100AD_LINES[8:10]).encode("latin-1"))

    result = read_gv100ad(path)

    assert [r.name for r in result.records] == ["StädteRegion Aachen", "Aachen, Stadt"]


def test_it_finds_the_header_of_the_auszug_workbook(tmp_path):
    rows = [*GOOD_XLSX_ROWS, ("60", "63", 5, 9, 74, "5002", 28, "Lippstadt, Stadt")]

    result = read_auszug_xlsx(write_auszug_xlsx(tmp_path, rows))

    assert _as_tuples(result) == [
        ("05124000", "Wuppertal, Stadt", "independent_city", "", ""),
        ("05974", "Kreis Soest", "district", "", ""),
        ("05974040", "Soest, Stadt", "district_municipality", "05974", ""),
        ("05974028", "Lippstadt, Stadt", "district_municipality", "05974", ""),
    ]
    # Excel row numbers: title, blank, two header rows, the column numbers, then the data from row 6.
    assert [r.line for r in result.records] == [10, 11, 12, 15]
    assert result.skipped == 6


def test_it_reports_a_workbook_row_without_gemeinde_number(tmp_path):
    rows = [
        ("40", "43", "05", "9", "74", None, None, "Soest"),
        ("60", "63", "05", "9", "74", "5001", None, "Soest, Stadt"),
    ]

    result = read_auszug_xlsx(write_auszug_xlsx(tmp_path, rows))

    assert [(r.line, r.error) for r in result.records if r.error] == [(7, "Es fehlt: Gem.")]


def test_it_reads_our_csv_with_its_line_numbers(tmp_path):
    path = write_csv(tmp_path, "05974,Kreis Soest,district,,x\n\n05974040,Soest,district_municipality,05974,x\n")

    result = read_municipalities_csv(path)

    assert _as_tuples(result) == [
        ("05974", "Kreis Soest", "district", "", ""),
        ("05974040", "Soest", "district_municipality", "05974", ""),
    ]
    assert [r.line for r in result.records] == [2, 4]
