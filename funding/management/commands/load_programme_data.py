"""manage.py load_programme_data [--directory DIR]"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.importing import ImportFailed
from funding.programme_data import FIXTURES_DIR, ProgrammeDataError, load_programme_data


class Command(BaseCommand):
    help = (
        "Lädt die Programmdaten aus fixtures/ (Kommunen, Modellregionen, Projekte, Bescheide, Anfragen). "
        "Mehrfach ausführbar: Vorhandenes wird erkannt und nicht doppelt angelegt."
    )

    def add_arguments(self, parser):
        parser.add_argument("--directory", default=str(FIXTURES_DIR), help="Ordner mit den Programmdaten")

    def handle(self, *args, directory, **options):
        try:
            report = load_programme_data(directory=Path(directory))
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(f"decisions.csv, {error}")
            raise CommandError(
                "Die Bescheide der Programmdaten wurden abgelehnt; es wurde nichts gespeichert."
            ) from failure
        except ProgrammeDataError as failure:
            raise CommandError(f"{failure} Es wurde nichts gespeichert.") from failure
        for line in report.lines():
            self.stdout.write(line)
        for conflict in report.conflicts:
            self.stderr.write(self.style.WARNING(f"Konflikt: {conflict}"))
        self.stdout.write(self.style.SUCCESS("Programmdaten geladen."))
