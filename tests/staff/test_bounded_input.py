"""Bounded input everywhere: big, blank, broken and hostile files and requests get a clear answer, never a 500.

The attacks of issue 26: a CSV of blank lines, an overlong cell, a NUL byte, an XLSX zip bomb,
an XLSX with entity declarations, a file that only says it is XLSX; a 200 MB body; a NUL byte
in a URL; an unknown kind in a staff URL; a forged X-Forwarded-Proto.
"""

import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from funding.import_previews import PendingImport
from funding.models import FundingDecision
from tests.staff.conftest import login

pytestmark = pytest.mark.django_db

HEADER = (
    "reference,project,recipient,authority,kind,amends,decision_date,financing_type,"
    "eligible_costs,amount,own_share,private_investment,period_start,period_end,source\n"
)


def _upload(client, name: str, content: bytes):
    return client.post("/intern/bescheide/import/", {"file": SimpleUploadedFile(name, content)})


def _xlsx(sheet_xml: bytes, *, extra: dict[str, bytes] | None = None) -> bytes:
    """A minimal workbook whose first sheet is `sheet_xml`."""
    parts = {
        "[Content_Types].xml": b'<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        b'<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        b'<Default Extension="xml" ContentType="application/xml"/>'
        b'<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        b'<Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        b"</Types>",
        "_rels/.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
        b"</Relationships>",
        "xl/workbook.xml": b'<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        b'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets>'
        b'<sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>',
        "xl/_rels/workbook.xml.rels": b'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        b'<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
        b"</Relationships>",
        "xl/worksheets/sheet1.xml": sheet_xml,
        **(extra or {}),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("blank.csv", HEADER.encode() + b"\n" * 300_000, "mehr als"),
        ("long.csv", HEADER.encode() + b'"' + b"x" * 200_000 + b'"\n', "länger als"),
        ("nul.csv", HEADER.encode() + b"AZ\x00,1\n", "NUL"),
        ("latin1.csv", HEADER.encode() + "Köln".encode("latin-1") + b"\n", "UTF-8"),
        ("not.xlsx", b"this is not a zip file", "keine lesbare XLSX"),
        ("broken.xlsx", _xlsx(b"<worksheet><sheetData><row><c"), "keine lesbare XLSX"),
        (
            "entities.xlsx",
            _xlsx(
                b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;">]>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
                b'<row r="1"><c r="A1" t="inlineStr"><is><t>&b;</t></is></c></row></sheetData></worksheet>'
            ),
            "keine lesbare XLSX",
        ),
        (
            "bomb.xlsx",
            _xlsx(b"<worksheet/>", extra={"xl/padding.xml": b" " * (40 * 1024 * 1024)}),
            "unzulässigen Größe",
        ),
    ],
)
def test_a_hostile_or_broken_file_is_a_form_error_and_saves_nothing(client, clerk, name, content, message):
    login(client, clerk)

    response = _upload(client, name, content)

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not FundingDecision.objects.exists() and not PendingImport.objects.exists()


@override_settings(IMPORT_MAX_BYTES=10_000)
def test_a_file_over_the_size_limit_is_refused_and_the_page_states_the_limit(client, clerk):
    login(client, clerk)

    page = client.get("/intern/bescheide/import/").content.decode()
    response = _upload(client, "big.csv", HEADER.encode() + b"," * 20_000)

    assert "größer als" in response.content.decode()
    assert "Zeilen" in page and "MB" in page


def test_a_preview_waits_in_the_database_not_in_the_session(client, clerk, project_soest, recipient, authority):
    login(client, clerk)
    row = (
        f"AZ-1,{project_soest.slug},{recipient.name},{authority.slug},initial,,2019-07-01,share,"
        "1000.00,800.00,200.00,0,2019-07-01,2021-06-30,Bescheid\n"
    )

    preview = _upload(client, "ok.csv", (HEADER + row).encode())

    assert preview.status_code == 200, preview.content.decode()[:2000]
    pending = PendingImport.objects.get()
    assert pending.user == clerk and pending.rows[0]["reference"] == "AZ-1"
    assert "AZ-1" not in str(dict(client.session))
    confirmed = client.post("/intern/bescheide/import/bestaetigen/", {"token": pending.token})
    assert confirmed.status_code == 302
    assert FundingDecision.objects.filter(reference="AZ-1").exists()
    assert not PendingImport.objects.exists()
    replayed = client.post("/intern/bescheide/import/bestaetigen/", {"token": pending.token})
    assert replayed.status_code == 302 and FundingDecision.objects.count() == 1


def test_someone_elses_preview_token_imports_nothing(client, clerk, second_clerk, project_soest, recipient, authority):
    login(client, clerk)
    row = (
        f"AZ-2,{project_soest.slug},{recipient.name},{authority.slug},initial,,2019-07-01,share,"
        "1000.00,800.00,200.00,0,2019-07-01,2021-06-30,Bescheid\n"
    )
    _upload(client, "ok.csv", (HEADER + row).encode())
    token = PendingImport.objects.get().token

    login(client, second_clerk)
    client.post("/intern/bescheide/import/bestaetigen/", {"token": token})

    assert not FundingDecision.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "/kommunen/x%00/",
        "/api/v1/decisions/AZ%00/",
        "/api/v1/projects/x%00/",
        "/loesungen/?q=%00",
        "/api/v1/figures/?as_of=2020-01-01%00",
        "/intern/anmelden/?next=%00",
    ],
)
def test_a_nul_byte_in_a_url_is_a_400_for_anyone(client, url):
    response = client.get(url)

    assert response.status_code == 400
    assert response["Cache-Control"] == "no-store"


def test_an_unknown_booking_kind_in_a_staff_url_is_a_404(client, clerk, approver, released_decision):
    login(client, clerk)
    assert client.get(f"/intern/bescheide/{released_decision.pk}/unbekannt/neu/").status_code == 404
    login(client, approver)
    assert client.get("/intern/buchungen/unbekannt/1/freigeben/").status_code == 404
    assert client.post("/intern/buchungen/unbekannt/1/loeschen/").status_code == 404


def test_a_body_over_the_limit_is_refused_before_it_is_read(client, settings):
    settings.MAX_REQUEST_BYTES = 1000

    response = client.generic(
        "POST", "/loesungen/x/anfrage/", b"x" * 2000, content_type="multipart/form-data; boundary=x"
    )

    assert response.status_code == 413


def test_forwarded_headers_count_only_from_a_trusted_proxy(rf, settings):
    from modellregionen.request_guard import RequestGuardMiddleware

    seen = {}

    def view(request):
        seen["secure"], seen["host"] = request.is_secure(), request.META.get("HTTP_X_FORWARDED_HOST")
        from django.http import HttpResponse

        return HttpResponse()

    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.TRUSTED_PROXIES = frozenset({"10.0.0.1"})
    guard = RequestGuardMiddleware(view)

    guard(rf.get("/", HTTP_X_FORWARDED_PROTO="https", HTTP_X_FORWARDED_HOST="evil", REMOTE_ADDR="203.0.113.9"))
    assert seen == {"secure": False, "host": None}
    guard(rf.get("/", HTTP_X_FORWARDED_PROTO="https", REMOTE_ADDR="10.0.0.1"))
    assert seen["secure"] is True


@pytest.mark.parametrize("url", ["/intern/", "/intern/anmelden/", "/admin/", "/admin/login/"])
def test_staff_answers_are_never_stored(client, clerk, url):
    login(client, clerk)

    assert client.get(url)["Cache-Control"] == "no-store"


def test_a_new_decision_starts_without_a_source_and_refuses_the_demo_marker(
    client, clerk, project_soest, recipient, authority
):
    from tests.staff.conftest import form_data

    login(client, clerk)
    form = client.get(f"/intern/bescheide/neu/?projekt={project_soest.pk}").content.decode()
    empty = client.post("/intern/bescheide/neu/", form_data(project_soest, recipient, authority, source=""))
    demo = client.post("/intern/bescheide/neu/", form_data(project_soest, recipient, authority, source="illustrative"))

    assert 'value="illustrative"' not in form
    # "Quelle" is a label on every form; the refusal is the required-field error the empty one gets.
    assert "Dieses Feld ist zwingend erforderlich." in empty.content.decode()
    assert "kennzeichnet nur die Demodaten" in demo.content.decode()
    assert not FundingDecision.objects.exists()
