"""The import commands' body: read a file of one import format, check it, save all rows or none.

Used by `import_decisions`, `import_payment_requests` and `import_payments`; each names its format and words.
"""

from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from funding.importing import ImportFailed, ImportFormat, preview_import, read_import_file, run_import


class ImportCommand(BaseCommand):
    fmt: ImportFormat

    def add_arguments(self, parser):
        parser.add_argument("file", help="CSV (UTF-8, ',' oder ';') oder XLSX mit den Importspalten")
        parser.add_argument("--dry-run", action="store_true", help="nur prüfen, nichts speichern")
        parser.add_argument(
            "--released-by",
            metavar="USER",
            help="historische Buchungen gleich als von USER freigegeben übernehmen",
        )
        parser.add_argument(
            "--drafted-by",
            metavar="USER",
            help="als Entwurf von USER erfassen (nötig ohne --released-by)",
        )

    def handle(self, *args, file, dry_run, released_by, drafted_by, **options):
        released_by_user = _user(released_by) if released_by else None
        drafted_by_user = _user(drafted_by) if drafted_by else None
        if not dry_run and released_by_user is None and drafted_by_user is None:
            raise CommandError(f"Bitte --released-by oder --drafted-by angeben: Wer verantwortet die {self.fmt.noun}?")
        path = Path(file)
        if not path.is_file():
            raise CommandError(f"Datei nicht gefunden: {file}")
        try:
            with path.open("rb") as handle:
                rows = read_import_file(file=handle, filename=path.name, fmt=self.fmt)
            if dry_run:
                preview = preview_import(rows=rows, fmt=self.fmt, user=drafted_by_user, released_by=released_by_user)
                if preview.errors:
                    raise ImportFailed(preview.errors)
                self.stdout.write(
                    f"Probelauf: {len(preview.rows)} {self.fmt.noun} wären importierbar; nichts wurde gespeichert."
                )
                return
            created = run_import(rows=rows, fmt=self.fmt, user=drafted_by_user, released_by=released_by_user)
        except ImportFailed as failure:
            for error in failure.errors:
                self.stderr.write(str(error))
            raise CommandError(
                f"Die Datei wurde abgelehnt ({len(failure.errors)} Fehler); es wurde nichts gespeichert."
            ) from failure
        state = "freigegeben" if released_by_user else "als Entwurf"
        self.stdout.write(self.style.SUCCESS(f"{len(created)} {self.fmt.noun} importiert ({state})."))


def _user(username: str):
    try:
        return get_user_model().objects.get(username=username)
    except get_user_model().DoesNotExist as error:
        raise CommandError(f"Unbekannter Benutzer: {username}") from error
