"""The complete decisions CSV written by PostgreSQL's COPY is byte for byte the Python writer's.

On PostgreSQL the complete download streams from `COPY (SELECT …) TO STDOUT`
(modellregionen.api.copy_csv); the Python writer (modellregionen.api.renderers) stays for
SQLite and for pages. Both must send the same bytes for the same request: every dialect,
filter and ordering, and values that test the formatting (formula starts, quotes, line breaks,
separators, umlauts, empty and missing values, negative amounts, a funding rate on a rounding
tie, times in summer and winter, with and without microseconds).
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection

from funding.api import DecisionViewSet
from funding.choices import DecisionKind, DecisionState
from tests.factories import DecisionFactory, MunicipalityFactory, ProjectFactory, RecipientFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def tricky_ledger(approver, clerk):
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's; SQLite always streams from the Python writer")
    project = ProjectFactory(title='Parken, "smart"; mit Ümlaut')
    town = RecipientFactory(name='=HYPERLINK("x")', municipality=MunicipalityFactory(ags="05974040"), org_id="")
    district = RecipientFactory(name="Kreis; Soest", municipality=MunicipalityFactory(ags="05974"), org_id="DE-CR-1")
    company = RecipientFactory(name="@Firma\nZeile zwei", kind="company")
    sources = ["=SUM(A1)", "-minus", "+plus", "@at", "\tTab", "\rCR", 'Zitat "x"', "Zeile\neins\r\nzwei", "ok"]
    times = [
        dt.datetime(2020, 1, 15, 9, 30, 0, tzinfo=dt.UTC),  # winter, no microseconds
        dt.datetime(2020, 7, 15, 9, 30, 0, 123456, tzinfo=dt.UTC),  # summer, microseconds
        dt.datetime(2020, 3, 29, 0, 59, 59, 1, tzinfo=dt.UTC),  # the hour before the clocks change
    ]
    recipients = [town, district, company]
    for number, source in enumerate(sources):
        grant = DecisionFactory(
            state=DecisionState.RELEASED,
            released_by=approver,
            released_at=times[number % 2],
            drafted_by=clerk,
            reference=f"AZ-COPY-{number}",
            project=project,
            recipient=recipients[number % 3],
            decision_date=dt.date(2019, 6, 1) + dt.timedelta(days=number),
            amount=Decimal("1.00") + number,
            eligible_costs=Decimal("32.00"),  # 1/32 = 0.03125: a tie at the fifth place
            own_share=Decimal("0.00"),
            private_investment=Decimal("1234567.89"),
            source=source,
            rate_exception_reason="" if number % 2 else "-Grund; mit Semikolon",
        )
    DecisionFactory(
        state=DecisionState.RELEASED,
        released_by=approver,
        drafted_by=clerk,
        reference="AZ-COPY-W",
        kind=DecisionKind.REVOCATION,
        amends=grant,
        project=project,
        recipient=town,
        decision_date=dt.date(2020, 2, 1),
        amount=Decimal("-0.50"),
        eligible_costs=Decimal("0.00"),
        own_share=Decimal("0.00"),
        private_investment=Decimal("0.00"),
        source="Widerruf",
        released_at=times[2],
    )
    return times


def _download(api, path: str) -> bytes:
    response = api.get(path)
    assert response.status_code == 200, response.content
    return b"".join(response.streaming_content)


@pytest.mark.parametrize(
    "query",
    [
        "format=csv",
        "format=csv&dialect=excel-de",
        "format=csv&ordering=-amount",
        "format=csv&dialect=excel-de&project=" + "x",
    ],
)
def test_copy_sends_the_bytes_the_python_writer_sends(api, tricky_ledger, monkeypatch, query):
    if query.endswith("project=x"):
        from projects.models import Project

        query = query[: -len("x")] + Project.objects.get(title__startswith="Parken").slug
    copied = _download(api, f"/api/v1/decisions/?{query}")
    monkeypatch.delattr(DecisionViewSet, "copy_columns")
    written = _download(api, f"/api/v1/decisions/?{query}")
    assert copied.count(b"\r\n") > 5
    assert copied == written


def test_released_times_are_written_as_the_api_writes_them(api, tricky_ledger, monkeypatch):
    copied = _download(api, "/api/v1/decisions/?format=csv")
    monkeypatch.delattr(DecisionViewSet, "copy_columns")
    assert copied == _download(api, "/api/v1/decisions/?format=csv")
    assert b"2020-03-29T01:59:59.000001+01:00" in copied
    assert b"2020-01-15T10:30:00+01:00" in copied
    assert b"2020-07-15T11:30:00.123456+02:00" in copied
