"""Re-importing a newer directory: update by AGS, report what changed, never lose a referenced record."""

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from projects.models import TransferRequest
from regions.lookup import resolve_municipality
from regions.models import Municipality
from tests.factories import ProjectFactory
from tests.regions.directory import directory_lines, load_directory

HILLE = "05770012"
DELBRUECK = "05774020"


def newer_directory(tmp_path, *, drop: str = "", rename: tuple[str, str] | None = None, population=None) -> str:
    """A copy of the fixture with one Gemeinde dropped (its lines 50 and 60), one renamed, one recounted."""
    lines = []
    for line in directory_lines():
        if drop and line[:2] in {"50", "60"} and line[10:18] == drop:
            continue
        if rename and line[:2] == "60" and line[10:18] == rename[0]:
            line = line[:22] + rename[1].ljust(50) + line[72:]
        if population and line[:2] == "60" and line[10:18] == population[0]:
            line = line[:139] + str(population[1]).zfill(11) + line[150:]
        lines.append(line)
    path = tmp_path / "GV100AD_28022026.txt"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


def run(path, *args):
    out = io.StringIO()
    call_command("import_municipalities", path, *args, stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_a_reimport_renames_recounts_and_keeps_a_dropped_town_that_a_request_refers_to(db, tmp_path):
    load_directory()
    hille = Municipality.objects.get(ags=HILLE)
    request = TransferRequest.objects.create(
        confirmed_at=timezone.now(),  # recorded by staff or the programme data: counted
        project=ProjectFactory(),
        municipality=hille,
        received_on="2020-02-03",
        contact_name="Rathaus Hille",
        contact_email="rathaus@hille.example",
    )

    output = run(
        newer_directory(
            tmp_path, drop=HILLE, rename=(DELBRUECK, "Delbrück, Hansestadt"), population=("05774032", 160000)
        )
    )

    assert f"umbenannt: {DELBRUECK} „Delbrück, Stadt“ → „Delbrück, Hansestadt“" in output
    assert "Einwohnerzahl geändert: 3 Kommunen"  # Paderborn and the Kreise Paderborn and Minden-Lübbecke in output
    assert f"nicht mehr im Gemeindeverzeichnis: {HILLE} Hille (bleibt erhalten: Datensätze verweisen darauf)" in output
    hille.refresh_from_db()
    request.refresh_from_db()
    assert hille.in_directory is False
    assert request.municipality_id == HILLE
    assert Municipality.objects.get(ags="05774032").population == 160000
    assert Municipality.objects.get(ags=DELBRUECK).name == "Delbrück, Hansestadt"
    # The Kreis's population follows its Gemeinden.
    assert Municipality.objects.get(ags="05770").population == sum(
        Municipality.objects.filter(parent_id="05770", in_directory=True).values_list("population", flat=True)
    )
    # The form no longer offers it; its page and the API still show it, marked.
    assert resolve_municipality("Hille").code == "unknown_name"
    assert hille.history.first().history_change_reason == "Import Gemeindeverzeichnis: nicht mehr verzeichnet"

    # Listed again in a later directory: it comes back.
    again = run(newer_directory(tmp_path))
    assert f"wieder im Gemeindeverzeichnis: {HILLE} Hille" in again
    assert Municipality.objects.get(ags=HILLE).in_directory is True


def test_a_directory_cut_between_two_lines_is_refused(db, tmp_path):
    load_directory()
    lines = directory_lines()
    # Cut in the middle of a Kreis's Gemeinden: every line is whole, half of NRW is missing.
    path = tmp_path / "GV100AD_cut.txt"
    path.write_text("\n".join(lines[: len(lines) // 2]) + "\n", encoding="utf-8")
    before = list(Municipality.objects.values_list("ags", "in_directory"))

    with pytest.raises(CommandError) as failure:
        run(str(path))

    assert "nichts geändert" in str(failure.value)
    assert list(Municipality.objects.values_list("ags", "in_directory")) == before
