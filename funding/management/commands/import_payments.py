"""manage.py import_payments FILE [--dry-run] [--released-by USER] [--drafted-by USER]"""

from funding.management.import_command import ImportCommand
from funding.payments.importing import PAYMENTS


class Command(ImportCommand):
    help = (
        "Importiert Auszahlungen aus einer CSV- oder XLSX-Datei (Spalten: reference, decision, amount, "
        "value_date, payment_request, corrects, source): alle Zeilen oder keine. "
        "Ohne --released-by entstehen Entwürfe, die eine zweite Person freigibt."
    )
    fmt = PAYMENTS
