"""The programme data in fixtures/: loads twice without duplicates and reproduces the published record.

The figures here are computed straight from the ledger with plain ORM queries, on purpose
independent of the figures engine, so a mistake in either shows up as a disagreement.
"""

import datetime as dt
import io
import shutil
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, Sum

from funding.models import FundingDecision, GrantingAuthority, Programme, Recipient
from funding.programme_data import FIXTURES_DIR, SYSTEM_USERNAME
from modellregionen import roles
from projects.models import Project, ProjectKind, RequestKind, Topic, TransferRequest
from regions.models import Municipality, Region

MILLION = Decimal("1000000")


def _load(directory=FIXTURES_DIR) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("load_programme_data", "--directory", str(directory), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def programme_data(django_db_setup, django_db_blocker):
    """Load the data once for this module, inside a transaction that is rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        roles.ensure_role_groups()  # gone if a transactional test of this process ran before
        _load()
        yield
        transaction.set_rollback(True)


def _programme() -> Programme:
    return Programme.objects.get(slug="digitale-modellregionen")


def _decisions(as_of: dt.date):
    return FundingDecision.objects.released().filter(project__programme=_programme(), decision_date__lte=as_of)


def _funded(as_of: dt.date, kind: str) -> int:
    """Projects of `kind` whose net released grant as of the date is above zero."""
    net = _decisions(as_of).filter(project__kind=kind).values("project").annotate(net=Sum("amount")).filter(net__gt=0)
    return net.count()


def _sum(as_of: dt.date, field: str) -> Decimal:
    return _decisions(as_of).aggregate(total=Sum(field))["total"] or Decimal("0")


def _millions(value: Decimal, places: str = "0.1") -> Decimal:
    return (value / MILLION).quantize(Decimal(places))


def _applications(as_of: dt.date) -> int:
    return Project.objects.filter(programme=_programme(), submitted_on__lte=as_of).count()


def _requests(as_of: dt.date):
    return TransferRequest.objects.filter(project__programme=_programme(), received_on__lte=as_of)


def test_the_published_budget_and_period(programme_data, db):
    programme = _programme()
    assert programme.budget == Decimal("91000000.00")
    assert programme.guideline_date == dt.date(2018, 7, 12)
    assert programme.end_date == dt.date(2023, 6, 30)
    assert "MWIDE" in programme.funder


def test_over_50_project_ideas_by_2019_07_17(programme_data, db):
    assert _applications(dt.date(2019, 7, 17)) > 50


def test_the_kommune21_figures_of_2019_12_06(programme_data, db):
    day = dt.date(2019, 12, 6)
    granted, private = _sum(day, "amount"), _sum(day, "private_investment")

    assert _funded(day, ProjectKind.PROJECT) == 42
    assert _millions(granted) == Decimal("56.6")
    assert _millions(private, "1") == Decimal("24")
    assert _millions(granted + private) == Decimal("80.9")


def test_the_gewerbe_service_portal_is_a_separate_line_of_about_7_million(programme_data, db):
    line = Programme.objects.get(slug="gewerbe-service-portal-nrw")
    granted = (
        FundingDecision.objects.released()
        .filter(project__programme=line, decision_date__lte=dt.date(2019, 12, 6))
        .aggregate(total=Sum("amount"))["total"]
    )
    assert _millions(granted, "1") == Decimal("7")
    assert not _decisions(dt.date(2019, 12, 6)).filter(project__programme=line).exists()


def test_over_270_transfer_requests_by_2020_03_31(programme_data, db):
    assert _requests(dt.date(2020, 3, 31)).filter(kind=RequestKind.TRANSFER).count() > 270


def test_the_mwide_figures_of_2020_10_26(programme_data, db):
    day = dt.date(2020, 10, 26)

    assert _applications(day) == 110
    assert _funded(day, ProjectKind.PROJECT_OFFICE) == 5
    assert _funded(day, ProjectKind.PROJECT) == 65
    assert Decimal("72500000") <= _sum(day, "amount") < Decimal("73500000")
    assert _sum(day, "eligible_costs") > 100 * MILLION


def test_about_65_municipalities_took_up_consultation_by_mid_2021(programme_data, db):
    requests = _requests(dt.date(2021, 6, 30))
    consulting = requests.filter(kind=RequestKind.CONSULTATION).values("municipality").distinct().count()
    requesting = requests.values("municipality").distinct().count()

    assert consulting == 65
    assert requesting == 65  # every requesting municipality had taken up consultation


def test_the_published_single_project_amounts(programme_data, db):
    def grant(slug: str) -> Decimal:
        return FundingDecision.objects.released().filter(project__slug=slug).aggregate(total=Sum("amount"))["total"]

    def first_decision(slug: str) -> FundingDecision:
        return FundingDecision.objects.filter(project__slug=slug, kind="initial").first()

    assert grant("smartphone-buerger-id") == Decimal("3800000.00")
    assert first_decision("smartphone-buerger-id").eligible_costs == Decimal("4600000.00")
    assert grant("govchain") == Decimal("1200000.00")
    assert first_decision("govchain").decision_date == dt.date(2019, 8, 29)
    assert grant("bergisch-smart-mobility") == Decimal("13100000.00")
    smart_mobility = FundingDecision.objects.filter(project__slug="bergisch-smart-mobility")
    assert smart_mobility.aggregate(total=Sum("eligible_costs"))["total"] == Decimal("24000000.00")
    assert {(d.decision_date, d.period_start, d.period_end) for d in smart_mobility} == {
        (dt.date(2019, 7, 15), dt.date(2019, 7, 1), dt.date(2022, 3, 31))
    }
    assert grant("kompetenzzentrum-automatisiertes-fahren") == Decimal("1700000.00")
    assert first_decision("kompetenzzentrum-automatisiertes-fahren").decision_date.strftime("%Y-%m") == "2019-11"
    assert grant("digitaler-buergerservice-kinder-jugend-familie") == Decimal("1800000.00")
    assert first_decision("digitaler-buergerservice-kinder-jugend-familie").decision_date.strftime("%Y-%m") == "2020-01"
    assert _millions(grant("digitaler-aktenplan"), "1") == Decimal("2")
    assert first_decision("digitaler-aktenplan").decision_date.strftime("%Y-%m") == "2019-12"
    assert grant("buergerportal-3d-stadtmodell-soest") == Decimal("475222.00")
    assert grant("digitaler-zwilling-bottrop") == Decimal("1676000.00")
    assert first_decision("digitaler-zwilling-bottrop").funding_rate == Decimal("0.9000")
    hochschule = FundingDecision.objects.get(recipient__name="Westfälische Hochschule")
    assert (hochschule.amount, hochschule.funding_rate) == (Decimal("412000.00"), Decimal("0.9000"))


def test_the_published_region_totals_at_the_end(programme_data, db):
    end = dt.date(2023, 6, 30)

    def region(slug: str) -> tuple[Decimal, int]:
        net = (
            _decisions(end)
            .filter(project__region__slug=slug, project__kind=ProjectKind.PROJECT)
            .values("project")
            .annotate(net=Sum("amount"))
            .filter(net__gt=0)
        )
        return sum((row["net"] for row in net), Decimal("0")), net.count()

    owl_total, owl_projects = region("owl")
    soest_total, soest_projects = region("soest")
    wuppertal_city = _decisions(end).filter(recipient__municipality__ags="05124000").aggregate(t=Sum("amount"))["t"]

    assert (_millions(owl_total), owl_projects) == (Decimal("19.5"), 16)
    assert soest_total > 10 * MILLION and soest_projects > 20
    assert _millions(wuppertal_city) == Decimal("16.8")


def test_the_ledger_has_amendments_and_revocations_and_never_exceeds_the_budget(programme_data, db):
    kinds = dict(FundingDecision.objects.values_list("kind").annotate(n=Count("id")))
    assert kinds["amendment"] >= 3 and kinds["revocation"] >= 1
    assert _sum(dt.date(2023, 6, 30), "amount") <= _programme().budget
    assert not FundingDecision.objects.drafts().exists()


def test_the_regions_have_their_members_and_lead_municipality(programme_data, db):
    owl = Region.objects.get(slug="owl")
    assert owl.get_administrative_district_display() == "Detmold"
    assert owl.lead_municipality.ags == "05774032"
    assert set(owl.municipalities.values_list("ags", flat=True)) == {"05774032", "05711000", "05774020", "05774"}
    assert Region.objects.count() == 5
    assert Region.objects.exclude(description="").count() == 5
    assert Municipality.objects.filter(region__isnull=False).count() == 16


def test_every_record_says_where_it_comes_from(programme_data, db):
    assert not Project.objects.filter(source="").exists()
    assert not FundingDecision.objects.filter(source="").exists()
    published = FundingDecision.objects.exclude(source="illustrative")
    assert published.filter(project__slug="govchain").get().source.startswith("Pressemitteilung")
    # Contacts are role addresses, never private persons.
    assert not Project.objects.exclude(contact_role__startswith="Projektbüro").exists()
    assert not TransferRequest.objects.exclude(contact_email__endswith="@kommunen.example").exists()


def test_the_system_user_cannot_log_in_and_is_named_in_the_history(programme_data, db, client):
    user = get_user_model().objects.get(username=SYSTEM_USERNAME)
    decision = FundingDecision.objects.get(project__slug="govchain")

    assert not user.has_usable_password()
    assert decision.released_by == user and decision.drafted_by is None
    assert decision.history.latest().history_user == user


def test_loading_twice_creates_no_duplicates(programme_data, db):
    models = (
        Region,
        Municipality,
        Topic,
        Programme,
        GrantingAuthority,
        Recipient,
        Project,
        FundingDecision,
        TransferRequest,
    )
    before = {model.__name__: model.objects.count() for model in models}

    out, err = _load()

    assert {model.__name__: model.objects.count() for model in models} == before
    assert "Zuwendungsbescheide: 0 neu, 88 vorhanden" in out
    assert "Konflikt" not in err


def test_a_changed_released_decision_is_reported_as_a_conflict_and_left_alone(programme_data, db, tmp_path):
    directory = tmp_path / "fixtures"
    shutil.copytree(FIXTURES_DIR, directory, ignore=shutil.ignore_patterns("*.py", "__pycache__"))
    decisions = directory / "decisions.csv"
    decisions.write_text(decisions.read_text().replace(",1200000.00,", ",1300000.00,"))

    _out, err = _load(directory)

    assert "Konflikt: Bescheid DMR-MS-2019-" in err
    assert FundingDecision.objects.get(project__slug="govchain").amount == Decimal("1200000.00")


def test_every_recipient_has_a_place_and_research_institutions_their_ror_id(programme_data, db):
    """The 360Giving export gets a postcode and AGS for every recipient from the directory."""
    for recipient in Recipient.objects.select_related("municipality", "seat"):
        place = recipient.seat_municipality
        assert place is not None and place.postcode, recipient.name
        if recipient.kind == "university":
            assert recipient.org_id.startswith("XI-ROR-"), recipient.name
    assert Recipient.objects.get(name="RWTH Aachen").org_id == "XI-ROR-04xfq0f34"


def test_a_database_loaded_before_identifiers_existed_gets_them_on_reload(programme_data, db):
    Recipient.objects.filter(name="Universität Paderborn").update(org_id="", seat=None)
    Recipient.objects.filter(name="RWTH Aachen").update(org_id="XI-WIKIDATA-Q273208")  # entered by staff since

    _load()

    paderborn = Recipient.objects.get(name="Universität Paderborn")
    assert paderborn.org_id == "XI-ROR-058kzsd48" and paderborn.seat_id == "05774032"
    assert Recipient.objects.get(name="RWTH Aachen").org_id == "XI-WIKIDATA-Q273208"  # never overwritten
