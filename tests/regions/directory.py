"""The official directory of fixtures/ loaded into the test database, and edited copies of it."""

import io
from pathlib import Path

from django.core.management import call_command

FIXTURE_GV100AD = Path(__file__).resolve().parents[2] / "fixtures" / "gemeindeverzeichnis" / "GV100AD_30112025_NRW.txt"


def directory_lines() -> list[str]:
    return FIXTURE_GV100AD.read_text(encoding="utf-8").splitlines()


def load_directory() -> None:
    call_command("import_municipalities", str(FIXTURE_GV100AD), stdout=io.StringIO(), stderr=io.StringIO())
