"""manage.py erase_requester_data (--email ADDRESS | --request ID | --retention)"""

from django.core.management.base import BaseCommand, CommandError

from projects.erasure import apply_retention, erase_personal_data, erase_requester
from projects.models import TransferRequest


class Command(BaseCommand):
    help = (
        "Löscht die personenbezogenen Daten (Name, E-Mail, Nachricht) von Anfragen, auch aus dem Verlauf: "
        "alle Anfragen einer E-Mail-Adresse, eine Anfrage, oder alle abgeschlossenen Anfragen nach Ablauf "
        "der Aufbewahrungsfrist. Dass die Kommune angefragt hat, bleibt erhalten."
    )

    def add_arguments(self, parser):
        which = parser.add_mutually_exclusive_group(required=True)
        which.add_argument("--email", help="alle Anfragen mit dieser E-Mail-Adresse")
        which.add_argument("--request", type=int, help="die Anfrage mit dieser Nummer")
        which.add_argument("--retention", action="store_true", help="abgeschlossene Anfragen nach Ablauf der Frist")

    def handle(self, *args, email=None, request=None, retention=False, **options):
        if email:
            erased = erase_requester(email=email)
        elif request is not None:
            if not TransferRequest.objects.filter(pk=request).exists():
                raise CommandError(f"Keine Anfrage mit der Nummer {request}.")
            erased = erase_personal_data(requests=TransferRequest.objects.filter(pk=request))
        else:
            erased = apply_retention()
        self.stdout.write(self.style.SUCCESS(f"Personenbezogene Daten von {erased} Anfrage(n) gelöscht."))
