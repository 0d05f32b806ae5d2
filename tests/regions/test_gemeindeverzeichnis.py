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
        ("05334", "Städteregion Aachen", "city_region", "", ""),
        # Aachen keeps the Textkennzeichen of a kreisfreie Stadt but belongs to the StädteRegion.
        ("05334002", "Aachen, Stadt", "district_municipality", "05334", ""),
        ("05974", "Soest", "district", "", ""),
        ("05974040", "Soest, Stadt", "district_municipality", "05974", ""),
        ("05974028", "Lippstadt, Stadt", "district_municipality", "05974", ""),
    ]
    # Land, Regierungsbezirk, Wuppertal's own Kreis line and the two Hessian lines
    assert result.skipped == 5
    assert [r.line for r in result.records] == [4, 5, 6, 7, 8, 9]


def test_it_reports_a_truncated_gv100ad_line_instead_of_guessing(tmp_path):
    lines = [*GOOD_GV100AD_LINES]
    lines[7] = lines[7][:60]

    result = read_gv100ad(write_gv100ad(tmp_path, lines))

    bad = [r for r in result.records if r.error]
    assert [(r.line, r.ags) for r in bad] == [(8, "05974040")]
    assert "Die Zeile ist zu kurz (60 Zeichen, erwartet mindestens 124)" in bad[0].error


def test_it_reads_a_latin1_gv100ad_file(tmp_path):
    path = tmp_path / "GV100AD_311217.ASC"
    path.write_bytes("\n".join(GOOD_GV100AD_LINES[4:6]).encode("latin-1"))

    result = read_gv100ad(path)

    assert [r.name for r in result.records] == ["Städteregion Aachen", "Aachen, Stadt"]


def test_it_finds_the_header_of_the_auszug_workbook(tmp_path):
    rows = [*GOOD_XLSX_ROWS, ("60", "63", 5, 9, 74, "5002", 28, "Lippstadt, Stadt")]

    result = read_auszug_xlsx(write_auszug_xlsx(tmp_path, rows))

    assert _as_tuples(result) == [
        ("05124000", "Wuppertal, Stadt", "independent_city", "", ""),
        ("05974", "Soest", "district", "", ""),
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
