"""Importing funding decisions from CSV and XLSX: all rows or none, every bad line named."""

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from funding.importing import (
    IMPORT_COLUMNS,
    ImportFailed,
    import_decisions,
    preview_decision_import,
    read_decision_file,
)
from funding.models import DecisionState, FundingDecision
from modellregionen import roles
from tests.factories import (
    GrantingAuthorityFactory,
    MunicipalityFactory,
    ProjectFactory,
    RecipientFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

HEADER = ",".join(IMPORT_COLUMNS)
GOOD_ROWS = [
    "BR-ARN-2019-001,buergerportal-soest,Stadt Soest,bezreg-arnsberg,initial,,2019-06-03,share,"
    "594027.50,475222.00,118805.50,0,2019-07-01,2021-06-30,Pressemitteilung Stadt Soest",
    "BR-ARN-2019-002,buergerportal-soest,05974040,Bezirksregierung Arnsberg,amendment,BR-ARN-2019-001,"
    "2020-02-10,share,10000.00,8000.00,2000.00,0,2019-07-01,2021-12-31,illustrative",
]


@pytest.fixture
def ledger(db):
    """The records a decision file refers to: a project, a recipient and an authority."""
    soest = MunicipalityFactory(ags="05974040", name="Soest", kind="district_municipality")
    project = ProjectFactory(slug="buergerportal-soest", title="Bürgerportal und 3D-Stadtmodell")
    RecipientFactory(name="Stadt Soest", kind="municipality", municipality=soest)
    GrantingAuthorityFactory(slug="bezreg-arnsberg", name="Bezirksregierung Arnsberg")
    return project


@pytest.fixture
def importer(db):
    """A user who may both draft and release: imports historical, already released decisions."""
    return UserFactory(username="import", roles=[roles.CLERK, roles.APPROVER])


def _csv(*lines: str, delimiter: str = ",", bom: bool = False) -> bytes:
    text = "\n".join([HEADER.replace(",", delimiter), *lines]) + "\n"
    return ("\ufeff" if bom else "").encode() + text.encode("utf-8")


def _rows(content: bytes, filename: str = "bescheide.csv") -> list[dict[str, str]]:
    return read_decision_file(file=io.BytesIO(content), filename=filename)


def _write(tmp_path, content: bytes, name: str = "bescheide.csv") -> str:
    path = tmp_path / name
    path.write_bytes(content)
    return str(path)


def test_it_imports_a_good_file_as_released_decisions(ledger, importer, tmp_path):
    path = _write(tmp_path, _csv(*GOOD_ROWS))

    call_command("import_decisions", path, "--released-by", "import", stdout=io.StringIO())

    first, amendment = FundingDecision.objects.order_by("reference")
    assert first.reference == "BR-ARN-2019-001"
    assert first.amount == Decimal("475222.00")
    assert first.recipient.name == "Stadt Soest"
    assert first.state == DecisionState.RELEASED
    assert first.decision_date == dt.date(2019, 6, 3)
    # The amendment names the decision in the line above, and the recipient by its AGS.
    assert amendment.amends == first
    assert amendment.recipient == first.recipient
    assert ledger.decisions.released().count() == 2


def test_it_records_the_releasing_user_in_the_history(ledger, importer, tmp_path):
    path = _write(tmp_path, _csv(*GOOD_ROWS))

    call_command("import_decisions", path, "--released-by", "import", stdout=io.StringIO())

    decision = FundingDecision.objects.get(reference="BR-ARN-2019-001")
    assert decision.released_by == importer
    assert decision.drafted_by is None  # four-eyes: one person cannot be both
    assert decision.history.latest().history_user == importer
    assert set(decision.history.values_list("history_user__username", flat=True)) == {"import"}


def test_it_imports_drafts_for_someone_else_to_release(ledger, clerk, tmp_path):
    path = _write(tmp_path, _csv(GOOD_ROWS[0], delimiter=";", bom=True).replace(b",", b";"))

    out = io.StringIO()
    call_command("import_decisions", path, "--drafted-by", "clara", stdout=out)

    decision = FundingDecision.objects.get()
    assert decision.state == DecisionState.DRAFT
    assert decision.drafted_by == clerk
    assert "1 Bescheide importiert (als Entwurf)" in out.getvalue()


def test_a_bad_file_changes_nothing_and_names_every_bad_line(ledger, importer, tmp_path):
    bad = _csv(
        GOOD_ROWS[0],
        "BR-ARN-2019-003,unbekanntes-projekt,Stadt Soest,bezreg-arnsberg,initial,,2019-06-03,share,"
        "1000.00,500.00,500.00,0,2019-07-01,2021-06-30,illustrative",
        "BR-ARN-2019-004,buergerportal-soest,Stadt Soest,bezreg-arnsberg,initial,,03.06.2019,share,"
        "1000.00,1.500,00,0,2019-07-01,2021-06-30,illustrative",
        "BR-ARN-2019-005,buergerportal-soest,Stadt Soest,bezreg-arnsberg,initial,,2019-06-03,share,"
        "1000.00,2000.00,0,0,2019-07-01,2021-06-30,illustrative",
    )
    path = _write(tmp_path, bad)
    err = io.StringIO()

    with pytest.raises(CommandError, match="abgelehnt"):
        call_command("import_decisions", path, "--released-by", "import", stdout=io.StringIO(), stderr=err)

    assert FundingDecision.objects.count() == 0
    report = err.getvalue()
    assert "Zeile 3, Spalte project: Kein Projekt mit dem Kürzel „unbekanntes-projekt“." in report
    assert "Zeile 4, Spalte decision_date: „03.06.2019“ ist kein Datum im Format JJJJ-MM-TT" in report
    assert "Zeile 5, Spalte amount: Die Zuwendung (2.000,00 €) übersteigt die zuwendungsfähigen Ausgaben" in report
    assert "Zeile 2" not in report


def test_it_lists_errors_of_every_line_without_writing(ledger, importer):
    rows = _rows(
        _csv(
            "BR-1,buergerportal-soest,Niemand,bezreg-arnsberg,initial,,2019-06-03,share,"
            "1000.00,500.00,0,0,2019-07-01,2021-06-30,illustrative",
            "BR-2,buergerportal-soest,Stadt Soest,bezreg-arnsberg,revocation,BR-9,2019-06-03,share,"
            "0,-500.00,0,0,2019-07-01,2021-06-30,illustrative",
        )
    )

    with pytest.raises(ImportFailed) as failure:
        import_decisions(rows=rows, user=importer, released_by=importer)

    assert [(e.line, e.column) for e in failure.value.errors] == [(2, "recipient"), (3, "amends")]
    assert FundingDecision.objects.count() == 0


def test_the_preview_checks_an_amendment_of_a_line_above_and_writes_nothing(ledger, importer):
    rows = _rows(_csv(*GOOD_ROWS))

    preview = preview_decision_import(rows=rows, released_by=importer)

    assert preview.is_valid
    assert [row.line for row in preview.rows] == [2, 3]
    assert preview.rows[1].parsed["amends"].reference == "BR-ARN-2019-001"
    assert preview.total_amount == Decimal("483222.00")
    assert FundingDecision.objects.count() == 0


def test_the_preview_refuses_an_amendment_of_a_draft_above(ledger, clerk):
    rows = _rows(_csv(*GOOD_ROWS))

    preview = preview_decision_import(rows=rows, user=clerk)

    assert [(e.line, e.column) for e in preview.errors] == [(3, "amends")]
    assert "ist noch nicht freigegeben" in preview.errors[0].message


def test_a_dry_run_writes_nothing(ledger, importer, tmp_path):
    path = _write(tmp_path, _csv(*GOOD_ROWS))
    out = io.StringIO()

    call_command("import_decisions", path, "--dry-run", "--released-by", "import", stdout=out)

    assert "2 Bescheide wären importierbar" in out.getvalue()
    assert FundingDecision.objects.count() == 0


def test_it_refuses_a_release_by_someone_without_the_approver_role(ledger, clerk, tmp_path):
    path = _write(tmp_path, _csv(*GOOD_ROWS))
    err = io.StringIO()

    with pytest.raises(CommandError):
        call_command("import_decisions", path, "--released-by", "clara", stdout=io.StringIO(), stderr=err)

    assert "clara darf keine Bescheide freigeben" in err.getvalue()
    assert FundingDecision.objects.count() == 0


def test_it_imports_an_xlsx_workbook(ledger, importer, tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(list(IMPORT_COLUMNS))
    sheet.append(
        [
            "BR-ARN-2019-010",
            "buergerportal-soest",
            "Stadt Soest",
            "bezreg-arnsberg",
            "initial",
            None,
            dt.datetime(2019, 6, 3),
            "share",
            594027.5,
            475222,
            118805.5,
            0,
            dt.datetime(2019, 7, 1),
            dt.datetime(2021, 6, 30),
            "Pressemitteilung Stadt Soest",
        ]
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    path = _write(tmp_path, buffer.getvalue(), name="bescheide.xlsx")

    call_command("import_decisions", path, "--released-by", "import", stdout=io.StringIO())

    decision = FundingDecision.objects.get()
    assert decision.eligible_costs == Decimal("594027.50")
    assert decision.amount == Decimal("475222.00")
    assert decision.period_end == dt.date(2021, 6, 30)
    assert decision.funding_rate == Decimal("0.8000")


def test_it_names_missing_columns_in_the_header(db):
    content = b"reference;project;amount\nBR-1;x;1.00\n"

    with pytest.raises(ImportFailed) as failure:
        _rows(content)

    missing = {error.column for error in failure.value.errors}
    # The reason for a higher rate may be left out: files written before it existed stay valid.
    assert missing == set(IMPORT_COLUMNS) - {"reference", "project", "amount", "rate_exception_reason"}
    assert all(error.line == 1 for error in failure.value.errors)


def test_it_refuses_a_file_that_is_not_utf8(db):
    with pytest.raises(ImportFailed, match="nicht UTF-8"):
        _rows(HEADER.encode() + "\nBR-1,Bürgerportal".encode("latin-1"))


def test_a_column_named_twice_in_the_header_is_refused_not_guessed(db):
    content = (HEADER + ",amount").encode() + b"\n"

    with pytest.raises(ImportFailed) as failure:
        _rows(content)

    assert [(error.line, error.column, error.message) for error in failure.value.errors] == [
        (1, "amount", "Diese Spalte steht mehrmals in der Kopfzeile.")
    ]
