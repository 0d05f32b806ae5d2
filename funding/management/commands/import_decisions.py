"""manage.py import_decisions FILE [--dry-run] [--released-by USER] [--drafted-by USER]"""

from funding.importing import DECISIONS
from funding.management.import_command import ImportCommand


class Command(ImportCommand):
    help = (
        "Importiert Zuwendungsbescheide aus einer CSV- oder XLSX-Datei: alle Zeilen oder keine. "
        "Ohne --released-by entstehen Entwürfe, die eine zweite Person freigibt."
    )
    fmt = DECISIONS
