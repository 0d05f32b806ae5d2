"""manage.py restore_database FILE: restore a backup into an empty database, then verify the figures."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.backup import BackupError, restore_database
from funding.figures.verify import figures_verify


class Command(BaseCommand):
    help = (
        "Stellt eine Sicherung in einer leeren Datenbank wieder her und prüft danach die Kennzahlen "
        "gegen das Hauptbuch (verify)."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", help="die Sicherung von backup_database")

    def handle(self, *args, file, **options):
        try:
            restore_database(Path(file))
        except BackupError as error:
            raise CommandError(str(error)) from error
        drifts = figures_verify()
        if drifts:
            for drift in drifts:
                self.stderr.write(f"drift: {drift}")
            raise CommandError(f"Wiederhergestellt, aber {len(drifts)} Kennzahl(en) weichen vom Hauptbuch ab.")
        self.stdout.write(self.style.SUCCESS("Wiederhergestellt; die Kennzahlen stimmen mit dem Hauptbuch überein."))
