"""Import from CSV and XLSX: upload, a preview of every row and error, then all rows or none."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from funding.importing import IMPORT_COLUMNS
from funding.models import DecisionState, FundingDecision
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db

HEADER = ",".join(IMPORT_COLUMNS)


def _row(reference, project="buergerportal", amount="80000.00", eligible="100000.00", recipient="Stadt Soest"):
    values = {
        "reference": reference,
        "project": project,
        "recipient": recipient,
        "authority": "bezreg-arnsberg",
        "kind": "initial",
        "amends": "",
        "decision_date": "2019-12-06",
        "financing_type": "share",
        "eligible_costs": eligible,
        "amount": amount,
        "own_share": "20000.00",
        "private_investment": "0",
        "period_start": "2020-01-01",
        "period_end": "2021-12-31",
        "source": "illustrative",
        "rate_exception_reason": "",
    }
    return ",".join(values[column] for column in IMPORT_COLUMNS)


def _csv(*rows) -> SimpleUploadedFile:
    return SimpleUploadedFile("bescheide.csv", ("\n".join([HEADER, *rows]) + "\n").encode(), content_type="text/csv")


@pytest.fixture
def importer(client, clerk, project_soest, recipient, authority):
    return login(client, clerk)


def test_the_preview_lists_every_row_and_saves_nothing(importer):
    response = importer.post("/intern/bescheide/import/", {"file": _csv(_row("AZ-I-1"), _row("AZ-I-2"))})

    content = response.content.decode()
    assert "Alle 2 Bescheide sind fehlerfrei (Zuwendung zusammen 160.000,00 €)." in content
    assert "AZ-I-1" in content
    assert "AZ-I-2" in content
    assert "2 Bescheide als Entwürfe importieren" in content
    assert not FundingDecision.objects.exists()


def test_confirming_imports_every_row_as_a_draft_of_the_uploader(importer, clerk):
    preview = importer.post("/intern/bescheide/import/", {"file": _csv(_row("AZ-I-1"), _row("AZ-I-2"))})

    response = importer.post("/intern/bescheide/import/bestaetigen/", {"token": preview.context["token"]}, follow=True)

    decisions = FundingDecision.objects.order_by("reference")
    assert [d.reference for d in decisions] == ["AZ-I-1", "AZ-I-2"]
    assert {d.state for d in decisions} == {DecisionState.DRAFT}
    assert {d.drafted_by for d in decisions} == {clerk}
    assert "2 Bescheide als Entwürfe importiert." in response.content.decode()


def test_a_broken_file_shows_every_error_and_imports_nothing(importer):
    upload = _csv(
        _row("AZ-I-1"),
        _row("AZ-I-2", amount="120000.00"),
        _row("AZ-I-3", project="gibt-es-nicht"),
        _row("AZ-I-4", amount="12.345"),
    )

    response = importer.post("/intern/bescheide/import/", {"file": upload})

    content = response.content.decode()
    assert "Die Datei enthält 3 Fehler. Es wird nichts importiert – alle Zeilen oder keine." in content
    assert "Zeile 3, Spalte amount: Die Zuwendung (120.000,00 €) übersteigt" in content
    assert "Zeile 4, Spalte project: Kein Projekt mit dem Kürzel „gibt-es-nicht“." in content
    assert "Zeile 5, Spalte amount:" in content
    assert "AZ-I-1" in content  # the good row is listed too
    assert "als Entwürfe importieren" not in content
    assert response.context["token"] == ""
    assert not FundingDecision.objects.exists()


def test_a_forged_confirmation_imports_nothing(importer):
    importer.post("/intern/bescheide/import/", {"file": _csv(_row("AZ-I-1"), _row("AZ-I-2", amount="120000.00"))})

    response = importer.post("/intern/bescheide/import/bestaetigen/", {"token": "guessed"}, follow=True)

    assert "Die Vorschau ist abgelaufen" in response.content.decode()
    assert not FundingDecision.objects.exists()


def test_if_the_ledger_changed_since_the_preview_nothing_is_imported(importer, clerk):
    from funding import services
    from tests.staff.conftest import decision_fields

    preview = importer.post("/intern/bescheide/import/", {"file": _csv(_row("AZ-I-1"), _row("AZ-I-2"))})
    project = preview.context["preview"].rows[0].parsed["project"]
    row = preview.context["preview"].rows[0].parsed
    services.decision_create_draft(
        user=clerk, **decision_fields(project, row["recipient"], row["authority"], reference="AZ-I-2")
    )

    response = importer.post("/intern/bescheide/import/bestaetigen/", {"token": preview.context["token"]})

    assert "Der Import wurde abgebrochen" in response.content.decode()
    assert list(FundingDecision.objects.values_list("reference", flat=True)) == ["AZ-I-2"]


def test_it_reads_xlsx_files(importer):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(IMPORT_COLUMNS))
    for reference in ("AZ-X-1", "AZ-X-2"):
        sheet.append(_row(reference).split(","))
    buffer = io.BytesIO()
    workbook.save(buffer)
    upload = SimpleUploadedFile("bescheide.xlsx", buffer.getvalue())

    preview = importer.post("/intern/bescheide/import/", {"file": upload})
    importer.post("/intern/bescheide/import/bestaetigen/", {"token": preview.context["token"]})

    assert sorted(FundingDecision.objects.values_list("reference", flat=True)) == ["AZ-X-1", "AZ-X-2"]


def test_it_refuses_other_file_types(importer):
    upload = SimpleUploadedFile("bescheide.pdf", b"%PDF-1.4")

    response = importer.post("/intern/bescheide/import/", {"file": upload})

    assert response.context["form"].errors["file"] == ["Nur CSV- und XLSX-Dateien können importiert werden."]


def test_a_file_without_the_header_is_refused_as_a_whole(importer):
    upload = SimpleUploadedFile("bescheide.csv", b"Aktenzeichen;Betrag\nAZ-1;100\n")

    response = importer.post("/intern/bescheide/import/", {"file": upload})

    content = response.content.decode()
    assert "Die Datei bescheide.csv wurde abgelehnt; es wurde nichts gespeichert:" in content
    assert "Zeile 1, Spalte reference: Diese Spalte fehlt in der Kopfzeile." in content
