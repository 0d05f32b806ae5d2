"""manage.py import_municipalities FILE [--format gv100ad|xlsx|csv] [--dry-run]"""

import zipfile
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from regions.gemeindeverzeichnis import READERS, guess_format
from regions.services import MunicipalityImportRejected, delisted_with_references, municipalities_import


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
        parser.add_argument(
            "--accept-removals",
            action="store_true",
            help="auch einlesen, wenn die Datei mehr als 5 %% der Kommunen nicht mehr nennt (Gebietsreform)",
        )

        parser.add_argument(
            "--partial",
            action="store_true",
            help="die Datei ist ein Auszug: nur die genannten Kommunen aktualisieren, keine als entfallen markieren",
        )

    def handle(self, *args, file, file_format, dry_run, accept_removals=False, partial=False, **options):
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

        if partial:
            result.complete, result.incomplete = False, []
        problems = result.errors + result.incomplete
        if problems:
            for error in problems:
                self.stderr.write(error)
            hint = " Ist sie absichtlich ein Auszug, bitte mit --partial einlesen." if result.incomplete else ""
            raise CommandError(f"Die Datei wurde abgelehnt; es wurde nichts geändert.{hint}")
        try:
            with transaction.atomic():
                summary = municipalities_import(
                    records=result.records, dry_run=dry_run, complete=result.complete, accept_removals=accept_removals
                )
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
        if result.directory_date:
            self.stdout.write(f"Gebietsstand {result.directory_date:%d.%m.%Y}.")
        for ags, old, new in summary.renamed:
            self.stdout.write(f"umbenannt: {ags} „{old}“ → „{new}“")
        for ags, name in summary.added:
            if summary.created < 50:  # the first import adds everything; then the count says enough
                self.stdout.write(f"neu: {ags} {name}")
        if summary.population_changed:
            self.stdout.write(f"Einwohnerzahl geändert: {_count(len(summary.population_changed))} Kommunen")
            if options.get("verbosity", 1) > 1:
                for ags, name, old, new in summary.population_changed:
                    self.stdout.write(f"  {ags} {name}: {old} → {new}")
        referenced = delisted_with_references(summary) if summary.delisted else set()
        for ags, name in summary.delisted:
            kept = " (bleibt erhalten: Datensätze verweisen darauf)" if ags in referenced else ""
            self.stdout.write(f"nicht mehr im Gemeindeverzeichnis: {ags} {name}{kept}")
        for ags, name in summary.relisted:
            self.stdout.write(f"wieder im Gemeindeverzeichnis: {ags} {name}")
        if result.skipped:
            self.stdout.write(
                f"{_count(result.skipped)} Zeilen übersprungen (andere Länder, Länder- und Bezirkssätze, "
                "Gemeindeverbände, Kreissätze kreisfreier Städte)."
            )
