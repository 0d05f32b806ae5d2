"""manage.py import_payment_requests FILE [--dry-run] [--released-by USER] [--drafted-by USER]"""

from funding.management.import_command import ImportCommand
from funding.payments.importing import PAYMENT_REQUESTS


class Command(ImportCommand):
    help = (
        "Importiert Mittelanforderungen aus einer CSV- oder XLSX-Datei (Spalten: reference, decision, amount, "
        "received_on, purpose, source): alle Zeilen oder keine. "
        "Ohne --released-by entstehen Entwürfe, die eine zweite Person freigibt."
    )
    fmt = PAYMENT_REQUESTS
