"""A bad row in the programme data is one clear error naming file and line, and nothing is saved."""

import csv
import io
import shutil
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from funding.payments.models import Payment
from projects.models import Project

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture
def data(tmp_path):
    directory = tmp_path / "programmdaten"
    shutil.copytree(FIXTURES, directory, ignore=shutil.ignore_patterns("*.py", "README.md"))
    return directory


def _edit(path: Path, column: str, value: str, row: int = 0) -> int:
    """Set `column` of data row `row` to `value`; return its line in the file (the header is line 1)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    rows[row][column] = value
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return row + 2


def _load(directory: Path):
    call_command("load_programme_data", directory=str(directory), stdout=io.StringIO(), stderr=io.StringIO())


@pytest.mark.django_db
def test_an_unknown_payment_request_names_file_line_and_reference(data):
    line = _edit(data / "payments.csv", "payment_request", "MA-GIBT-ES-NICHT")

    with pytest.raises(CommandError, match=f"payments.csv, Zeile {line}: „MA-GIBT-ES-NICHT“ ist unbekannt"):
        _load(data)
    assert not Project.objects.exists() and not Payment.objects.exists()  # nothing half-saved


@pytest.mark.django_db
def test_a_bad_amount_is_a_clear_error(data):
    line = _edit(data / "recoveries.csv", "amount", "12.3x4", row=1)

    with pytest.raises(CommandError, match=f"recoveries.csv, Zeile {line}: ungültiger Wert"):
        _load(data)
    assert not Project.objects.exists()


@pytest.mark.django_db
def test_an_unknown_region_or_municipality_is_a_clear_error(data):
    line = _edit(data / "projects.csv", "region", "atlantis", row=2)
    with pytest.raises(CommandError, match=f"projects.csv, Zeile {line}: „atlantis“ ist unbekannt"):
        _load(data)

    _edit(data / "projects.csv", "region", "soest", row=2)
    line = _edit(data / "projects.csv", "lead_municipality", "05999999", row=2)
    with pytest.raises(
        CommandError, match=f"projects.csv, Zeile {line}: verweist auf einen Eintrag, den es nicht gibt"
    ):
        _load(data)
