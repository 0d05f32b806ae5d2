"""Small Gemeindeverzeichnis files for the tests, written in the layouts Destatis publishes."""

from pathlib import Path

GEBIETSSTAND = "20240630"


def gv100ad_kreis(key: str, name: str, textkennzeichen: str, seat: str = "") -> str:
    """A Satzart 40 line: key at 11-15, name at 23-72, seat at 73-122, Textkennzeichen at 123-124."""
    line = "40" + GEBIETSSTAND + key.ljust(12) + name.ljust(50) + seat.ljust(50) + textkennzeichen
    return line.ljust(220)


def gv100ad_gemeinde(ags: str, name: str, textkennzeichen: str, verband: str = "0000") -> str:
    """A Satzart 60 line: AGS at 11-18, Gemeindeverband at 19-22, name at 23-72, Textkennzeichen at 123-124."""
    line = "60" + GEBIETSSTAND + ags + verband + name.ljust(50) + " " * 50 + textkennzeichen
    # area, population (total, male), postcode and the other fields we do not read
    return (line + "    " + "00000012345" + "00000067890" + "00000033000" + "    " + "59494").ljust(220)


def gv100ad_land(key: str, name: str) -> str:
    return ("10" + GEBIETSSTAND + key.ljust(12) + name.ljust(50)).ljust(220)


def gv100ad_regierungsbezirk(key: str, name: str) -> str:
    return ("20" + GEBIETSSTAND + key.ljust(12) + f"Reg.-Bez. {name}".ljust(50) + name.ljust(50)).ljust(220)


# Every NRW directory has its five Regierungsbezirke; a file without them is cut off.
NRW_REGIERUNGSBEZIRKE = [
    gv100ad_regierungsbezirk(key, name)
    for key, name in (("051", "Düsseldorf"), ("053", "Köln"), ("055", "Münster"), ("057", "Detmold"))
]

GOOD_GV100AD_LINES = [
    gv100ad_land("05", "Nordrhein-Westfalen"),
    *NRW_REGIERUNGSBEZIRKE,
    gv100ad_regierungsbezirk("059", "Arnsberg"),
    gv100ad_kreis("05124", "Wuppertal, Stadt", "41", seat="Wuppertal"),
    gv100ad_gemeinde("05124000", "Wuppertal, Stadt", "61"),
    gv100ad_kreis("05334", "Städteregion Aachen", "45", seat="Aachen"),
    gv100ad_gemeinde("05334002", "Aachen, Stadt", "61"),
    gv100ad_kreis("05974", "Soest", "43", seat="Soest"),
    gv100ad_gemeinde("05974040", "Soest, Stadt", "63", verband="5001"),
    gv100ad_gemeinde("05974028", "Lippstadt, Stadt", "63", verband="5002"),
    # Other Länder are skipped: Hesse's Kreis and Gemeinde.
    gv100ad_kreis("06414", "Wiesbaden, Landeshauptstadt", "41", seat="Wiesbaden"),
    gv100ad_gemeinde("06414000", "Wiesbaden, Landeshauptstadt", "61"),
]


def write_gv100ad(directory: Path, lines: list[str], name: str = "GV100AD_30062024.txt") -> Path:
    path = directory / name
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return path


def write_auszug_xlsx(directory: Path, rows: list[tuple], name: str = "AuszugGV2QAktuell.xlsx") -> Path:
    """A workbook shaped like the published AuszugGV: a cover sheet, then the table with a two-row header."""
    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.title = "Deckblatt"
    workbook.active["A1"] = "Gemeindeverzeichnis-Informationssystem GV-ISys"
    sheet = workbook.create_sheet("Onlineprodukt_Gemeinden30062024")
    sheet.append(["Alle politisch selbständigen Gemeinden mit ausgewählten Merkmalen am 30.06.2024"])
    sheet.append([])
    sheet.append(
        [
            "Satz-\nart",
            "Text-\nkenn-\nzeichen",
            "Amtlicher Regionalschlüssel (ARS)",
            None,
            None,
            None,
            None,
            "Gemeindename",
            "Fläche km²",
        ]
    )
    sheet.append([None, None, "Land", "RB", "Kreis", "VB", "Gem", None, None])
    sheet.merge_cells("A3:A4")
    sheet.merge_cells("B3:B4")
    sheet.merge_cells("H3:H4")
    sheet.append([1, 2, 3, 4, 5, 6, 7, 8, 9])
    for row in rows:
        sheet.append(list(row))
    sheet.append([])
    sheet.append(["1) Fußnote: Fläche nach dem Liegenschaftskataster."])
    path = directory / name
    workbook.save(path)
    return path


GOOD_XLSX_ROWS = [
    ("10", None, "05", None, None, None, None, "Nordrhein-Westfalen"),
    ("20", None, "05", "9", None, None, None, "Reg.-Bez. Arnsberg"),
    ("40", "41", "05", "1", "24", None, None, "Wuppertal, Stadt"),
    ("50", "50", "05", "1", "24", "0000", None, "Wuppertal, Stadt"),
    ("60", "61", "05", "1", "24", "0000", "000", "Wuppertal, Stadt"),
    ("40", "43", "05", "9", "74", None, None, "Soest"),
    ("60", "63", "05", "9", "74", "5001", "040", "Soest, Stadt"),
    ("40", "44", "06", "4", "33", None, None, "Groß-Gerau"),
    ("60", "63", "06", "4", "33", "0003", "003", "Groß-Gerau, Stadt"),
]

CSV_HEADER = "ags,name,kind,parent_ags,source\n"


def write_csv(directory: Path, body: str, name: str = "municipalities.csv") -> Path:
    path = directory / name
    path.write_text(CSV_HEADER + body, encoding="utf-8")
    return path
