from django.core.management.base import BaseCommand, CommandError

from funding.figures_verify import figures_verify


class Command(BaseCommand):
    help = "Compare the current stored figures with the ledger; exits non-zero on any drift."

    def handle(self, *args, **options):
        drifts = figures_verify()
        for drift in drifts:
            self.stdout.write(f"drift: {drift}")
        if drifts:
            raise CommandError(f"{len(drifts)} figure(s) drift from the ledger.")
        self.stdout.write("no drift")
