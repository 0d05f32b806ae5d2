"""manage.py import_municipalities FILE [--format gv100ad|xlsx|csv] [--dry-run]"""

import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from regions.gemeindeverzeichnis import READERS, guess_format
from regions.services import MunicipalityImportRejected, municipalities_import


def _count(number: int) -> str:
    return f"{number:,}".replace(",", ".")


class Command(BaseCommand):
    help = (
        "Übernimmt die Kreise und Gemeinden von NRW aus dem Gemeindeverzeichnis von Destatis "
        "(GV100AD-Textdatei oder AuszugGV-XLSX) oder aus unserer CSV-Datei: alle Zeilen oder keine. "
        "Vorhandene Kommunen werden nach ihrem Gemeindeschlüssel aktualisiert."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="GV100AD_*.txt, AuszugGV*.xlsx oder municipalities.csv")
        parser.add_argument(
            "--format",
            dest="file_format",
            choices=sorted(READERS),
            help="Dateiformat; ohne Angabe nach der Dateiendung (.txt/.asc, .xlsx, .csv)",
        )
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen und zählen, nichts speichern")

    def handle(self, *args, file, file_format, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {file}")
        file_format = file_format or guess_format(path)
        if file_format is None:
            raise CommandError(
                f"Das Format von „{path.name}“ ist nicht zu erkennen; bitte --format gv100ad, xlsx oder csv angeben."
            )
        try:
            result = READERS[file_format](path)
        except (ValueError, OSError, zipfile.BadZipFile) as error:
            raise CommandError(f"Die Datei ist nicht lesbar als {file_format}: {error}") from error

        try:
            summary = municipalities_import(records=result.records, dry_run=dry_run)
        except MunicipalityImportRejected as rejection:
            for error in rejection.errors:
                self.stderr.write(error)
            raise CommandError(
                f"Die Datei wurde abgelehnt ({len(rejection.errors)} fehlerhafte Zeile(n)); es wurde nichts geändert."
            ) from rejection

        prefix = "Probelauf, nichts gespeichert: " if dry_run else ""
        self.stdout.write(
            self.style.SUCCESS(
                f"{prefix}{_count(summary.created)} neu, {_count(summary.updated)} geändert, "
                f"{_count(summary.unchanged)} unverändert."
            )
        )
        if result.skipped:
            self.stdout.write(
                f"{_count(result.skipped)} Zeilen übersprungen (andere Länder, Länder- und Bezirkssätze, "
                "Gemeindeverbände, Kreissätze kreisfreier Städte)."
            )
