"""manage.py backup_database FILE: a consistent backup of the database (see funding/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from funding.backup import BackupError, backup_database


class Command(BaseCommand):
    help = "Sichert die Datenbank in eine Datei (PostgreSQL: pg_dump im Custom-Format; SQLite: Online-Kopie)."

    def add_arguments(self, parser):
        parser.add_argument("file", help="Zieldatei, z. B. var/backups/modellregionen-2026-12-02.dump")

    def handle(self, *args, file, **options):
        try:
            target = backup_database(Path(file))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(
            self.style.SUCCESS(f"Gesichert: {target} ({target.stat().st_size:,} Bytes)".replace(",", "."))
        )
