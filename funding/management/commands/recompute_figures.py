from django.core.management.base import BaseCommand
from django.utils import timezone

from funding.figures import engine


class Command(BaseCommand):
    help = "Recompute the figures of every programme from the ledger and publish them."

    def handle(self, *args, **options):
        from funding.models import FiguresVersion, Programme

        published = engine.recompute_figures()
        if not Programme.objects.exists():
            self.stdout.write("No programme, nothing published.")
        elif not published:
            for version in FiguresVersion.objects.filter(is_current=True).select_related("programme"):
                self.stdout.write(
                    f"Figures of {version.programme.slug} unchanged: version {version.pk} stays current "
                    f"(it now includes ledger change {version.includes_change_count})."
                )
        for item in published:
            version = item.version
            watermark = (
                timezone.localtime(version.ledger_watermark).strftime("%d.%m.%Y %H:%M:%S")
                if version.ledger_watermark
                else "leer"
            )
            self.stdout.write(
                f"Published figures version {version.pk} of {version.programme.slug}: "
                f"{item.steps_written} steps from {version.rows_read} ledger rows in {version.duration_ms} ms "
                f"(ledger as of {watermark})."
            )
