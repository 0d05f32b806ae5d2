"""Synthetic ledgers for the benchmark, bulk-loaded into PostgreSQL with COPY.

A ledger of N decisions has about N/3 projects (a few project offices), N/3 requests from a
few hundred municipalities, 5 regions, 12 topics, 6 granting authorities and decision dates
from 2018 to 2025: every project gets an initial decision, the rest are amendments and
revocations of it; about 5 % of the decisions are drafts. The payments ledger has three
payments per decision on the released initial decisions (about nine per grant, value dates
after the decision), a claim and its repayment on about 1 % of the grants, and a proof of use
per grant (due two and a half years after the decision, most received, some late or missing).
"""

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import connection, models

from funding.models import (
    FigureGroup,
    FigureStep,
    FiguresVersion,
    FundingDecision,
    GrantingAuthority,
    LedgerChange,
    Programme,
    Recipient,
)
from funding.payments.models import Payment, PaymentRequest, ProofOfUse, Recovery
from projects.models import Project, Topic, TransferRequest
from regions.models import Municipality, Region

FIRST_DAY = dt.date(2018, 1, 1)
LAST_DAY = dt.date(2025, 12, 31)
DAYS = (LAST_DAY - FIRST_DAY).days
MUNICIPALITIES = 300
REGIONS = 5
TOPICS = 12
AUTHORITIES = 6
RECIPIENTS = 200


@dataclass
class LedgerSize:
    decisions: int
    projects: int
    requests: int
    payments: int = 0


def _copy(model: type[models.Model], rows) -> None:
    """COPY `rows` (dicts by attname; other fields take their default) into `model`'s table."""
    fields = model._meta.concrete_fields
    defaults = []
    for field in fields:
        if field.has_default():
            defaults.append(field.get_default())
        elif field.null:
            defaults.append(None)
        else:
            defaults.append("")
    names = [field.attname for field in fields]
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    raw = connection.connection
    with raw.cursor() as cursor, cursor.copy(f"COPY {model._meta.db_table} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([row.get(name, default) for name, default in zip(names, defaults, strict=True)])
    if model._meta.pk.name == "id":
        # Rows were copied with their ids: move the sequence past them.
        table = model._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def clear() -> None:
    """Empty every table the benchmark fills (TRUNCATE skips the ledger's row triggers)."""
    tables = [
        model._meta.db_table
        for model in (
            Payment,
            PaymentRequest,
            Recovery,
            ProofOfUse,
            FigureStep,
            FigureGroup,
            FiguresVersion,
            LedgerChange,
            TransferRequest,
            FundingDecision,
            Project,
            Recipient,
            GrantingAuthority,
            Programme,
            Topic,
            Municipality,
            Region,
        )
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"TRUNCATE {', '.join(tables)} CASCADE")


def build(*, decisions: int, seed: int = 2019) -> LedgerSize:
    """Replace the benchmark database's ledger by a synthetic one of `decisions` decisions."""
    rng = random.Random(seed)
    clear()
    now = dt.datetime.now(dt.UTC)
    releaser, _ = User.objects.get_or_create(username="bench-approver")
    programme = Programme.objects.create(
        slug="bench",
        name="Benchmark",
        funder="MWIDE",
        budget=Decimal("91000000000.00"),
        start_date=FIRST_DAY,
        end_date=LAST_DAY,
    )
    regions = [
        Region.objects.create(slug=f"region-{i}", name=f"Region {i}", administrative_district="9")
        for i in range(REGIONS)
    ]
    topics = [Topic.objects.create(slug=f"topic-{i}", name=f"Themenfeld {i}") for i in range(TOPICS)]
    authorities = [
        GrantingAuthority.objects.create(slug=f"authority-{i}", name=f"Behörde {i}", kind="district_government")
        for i in range(AUTHORITIES)
    ]
    _copy(
        Municipality,
        (
            {
                "ags": f"05{100 + i // 50:03d}{i % 50:03d}",
                "name": f"Gemeinde {i}",
                "kind": "district_municipality",
                "region_id": regions[i % REGIONS].pk if i < 20 else None,
            }
            for i in range(MUNICIPALITIES)
        ),
    )
    _copy(Recipient, ({"id": i + 1, "name": f"Empfänger {i}", "kind": "municipality"} for i in range(RECIPIENTS)))

    project_count = max(1, decisions // 3)
    projects = []
    for index in range(project_count):
        submitted = FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS - 30))
        projects.append(
            {
                "id": index + 1,
                "programme_id": programme.pk,
                "title": f"Projekt {index}",
                "slug": f"projekt-{index}",
                "region_id": regions[rng.randrange(REGIONS)].pk,
                "strand": rng.choice(["e_government", "urban_development"]),
                "topic_id": topics[rng.randrange(TOPICS)].pk if rng.random() < 0.95 else None,
                "kind": "project_office" if index < REGIONS * 2 else "project",
                "status": "approved",
                "submitted_on": submitted,
            }
        )
    _copy(Project, projects)

    grant_days: dict[int, dt.date] = {}  # released initial decisions (all initials are released)

    def decision_rows():
        initial_of = {}
        for number in range(1, decisions + 1):
            if number <= project_count:
                project = projects[number - 1]
                day = min(LAST_DAY, project["submitted_on"] + dt.timedelta(days=rng.randrange(30, 200)))
                amount = Decimal(rng.randrange(10_000_00, 2_000_000_00)) / 100
                eligible = (amount * Decimal("1.25")).quantize(Decimal("0.01"))
                row = {
                    "kind": "initial",
                    "amends_id": None,
                    "amount": amount,
                    "eligible_costs": eligible,
                    "own_share": eligible - amount,
                    "private_investment": Decimal(rng.randrange(0, 500_000_00)) / 100,
                }
                initial_of[project["id"]] = (number, day)
                grant_days[number] = day
            else:
                project = projects[rng.randrange(project_count)]
                amended, first_day = initial_of[project["id"]]
                day = min(LAST_DAY, first_day + dt.timedelta(days=rng.randrange(0, 700)))
                change = Decimal(rng.randrange(1_00, 50_000_00)) / 100
                if rng.random() < 0.3:
                    row = {
                        "kind": "revocation",
                        "amends_id": amended,
                        "amount": -change,
                        "eligible_costs": -change,
                        "own_share": Decimal("0.00"),
                        "private_investment": Decimal("0.00"),
                    }
                else:
                    row = {
                        "kind": "amendment",
                        "amends_id": amended,
                        "amount": change,
                        "eligible_costs": change,
                        "own_share": Decimal("0.00"),
                        "private_investment": Decimal("0.00"),
                    }
            released = number <= project_count or rng.random() < 0.95
            row.update(
                {
                    "id": number,
                    "reference": f"BENCH-{number:07d}",
                    "project_id": project["id"],
                    "recipient_id": rng.randrange(RECIPIENTS) + 1,
                    "authority_id": authorities[rng.randrange(AUTHORITIES)].pk,
                    "decision_date": day,
                    "financing_type": "share",
                    "period_start": day,
                    "period_end": day + dt.timedelta(days=730),
                    "state": "released" if released else "draft",
                    "released_by_id": releaser.pk if released else None,
                    "released_at": now if released else None,
                    "source": "illustrative",
                    "created_at": now,
                    "updated_at": now,
                }
            )
            yield row

    _copy(FundingDecision, decision_rows())

    request_count = max(1, decisions // 3)
    ags = list(Municipality.objects.values_list("ags", flat=True))
    _copy(
        TransferRequest,
        (
            {
                "id": number + 1,
                "project_id": rng.randrange(project_count) + 1,
                "municipality_id": rng.choice(ags),
                "kind": "transfer" if rng.random() < 0.75 else "consultation",
                "received_on": FIRST_DAY + dt.timedelta(days=rng.randrange(DAYS)),
                "contact_name": "Servicestelle",
                "contact_email": "servicestelle@example.org",
                "status": "received",
                "source": "illustrative",
                "created_at": now,
            }
            for number in range(request_count)
        ),
    )
    payment_count = _payments_ledger(rng, grants=grant_days, payments=3 * decisions, releaser=releaser, now=now)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return LedgerSize(decisions=decisions, projects=project_count, requests=request_count, payments=payment_count)


def _payments_ledger(rng, *, grants: dict[int, dt.date], payments: int, releaser, now) -> int:
    """Payments spread over the released grants, a few claims and repayments, a proof of use each."""
    ids = list(grants)
    released = {"state": "released", "released_by_id": releaser.pk, "released_at": now, "created_at": now}

    def payment_rows():
        for number in range(1, payments + 1):
            grant = ids[(number - 1) % len(ids)]
            day = min(LAST_DAY, grants[grant] + dt.timedelta(days=rng.randrange(20, 1000)))
            yield {
                "id": number,
                "reference": f"BENCH-AUS-{number:08d}",
                "decision_id": grant,
                "amount": Decimal(rng.randrange(1_000_00, 200_000_00)) / 100,
                "value_date": day,
                "source": "illustrative",
                "updated_at": now,
                **released,
            }

    _copy(Payment, payment_rows())

    def recovery_rows():
        number = 0
        for grant in ids[::100]:  # about 1 % of the grants
            day = min(LAST_DAY, grants[grant] + dt.timedelta(days=rng.randrange(400, 1200)))
            amount = Decimal(rng.randrange(100_00, 5_000_00)) / 100
            for kind, offset in (("claim", 0), ("repayment", 30)):
                number += 1
                yield {
                    "id": number,
                    "reference": f"BENCH-RF-{number:08d}",
                    "decision_id": grant,
                    "kind": kind,
                    "amount": amount,
                    "booked_on": min(LAST_DAY, day + dt.timedelta(days=offset)),
                    "reason": "Widerruf",
                    "source": "illustrative",
                    "updated_at": now,
                    **released,
                }

    _copy(Recovery, recovery_rows())

    def proof_rows():
        for number, grant in enumerate(ids, start=1):
            due = grants[grant] + dt.timedelta(days=912)
            roll = rng.random()
            received = None if roll < 0.05 else due + dt.timedelta(days=rng.randrange(-30, 60))
            yield {
                "id": number,
                "decision_id": grant,
                "due_on": due,
                "received_on": received,
                "source": "illustrative",
                "created_at": now,
                "updated_at": now,
            }

    _copy(ProofOfUse, proof_rows())
    return payments
