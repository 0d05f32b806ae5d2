from django.core.management.base import BaseCommand, CommandError
from django.db.models import Min

from funding.figures.ledgers import ledger_watermark
from funding.figures.verify import figures_verify
from funding.models import FiguresVersion


class Command(BaseCommand):
    help = "Compare the current stored figures with the ledger; exits non-zero on any drift."

    def handle(self, *args, **options):
        drifts = figures_verify()
        for drift in drifts:
            self.stdout.write(f"drift: {drift}")
        if drifts:
            raise CommandError(f"{len(drifts)} figure(s) drift from the ledger.{self._pending_hint()}")
        self.stdout.write("no drift")

    def _pending_hint(self) -> str:
        """Say so when the ledger changed after the current figures were computed.

        A change schedules a recompute a few seconds later, so such a drift may be closing
        already; one that stays after the recompute is a real defect.
        """
        latest = ledger_watermark()
        included = FiguresVersion.objects.filter(is_current=True).aggregate(oldest=Min("ledger_watermark"))["oldest"]
        if latest is None or (included is not None and latest <= included):
            return ""
        return (
            f" The ledger changed at {latest.isoformat(timespec='seconds')}, after the current figures were computed"
            + (f" (they include changes up to {included.isoformat(timespec='seconds')})" if included else "")
            + ": run verify_figures again once the scheduled recompute has published."
        )
