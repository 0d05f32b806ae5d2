import csv
import datetime as dt
import io
from decimal import Decimal

from django.utils import timezone

from funding.figures.definitions import FIGURES
from funding.figures.engine import recompute_figures
from funding.figures.selectors import current_figures_version, figures_for
from tests.api.conftest import released
from tests.factories import DecisionFactory, ProgrammeFactory

LICENCE = "Datenlizenz Deutschland – Namensnennung – 2.0"


def test_it_serves_the_stored_figures_of_the_current_version(published, api):
    response = api.get("/api/v1/figures/", {"as_of": "2020-12-31"})

    assert response.status_code == 200
    body = response.json()
    stored = figures_for(as_of=dt.date(2020, 12, 31), version=published).rows[0].values
    values = body["rows"][0]["values"]
    assert values["funding_granted"] == "13825222.50" == str(stored["funding_granted"])
    assert values["funded_projects"] == 2
    assert values["private_investment"] == "5000000.00"
    assert {key: str(value) for key, value in values.items()} == {key: str(value) for key, value in stored.items()}


def test_every_answer_says_when_which_version_under_which_licence_and_from_whom(published, api):
    body = api.get("/api/v1/figures/", {"as_of": "2019-12-06"}).json()

    assert body["as_of"] == "2019-12-06"
    assert body["version"]["id"] == published.pk
    assert body["version"]["computed_at"]
    assert body["version"]["ledger_watermark"]
    assert body["licence"] == {"name": LICENCE, "url": "https://www.govdata.de/dl-de/by-2-0"}
    assert body["source"]["programme"] == "Digitale Modellregionen in NRW"
    assert "Ministerium für Wirtschaft" in body["source"]["ministry"]
    assert [figure["key"] for figure in body["figures"]] == list(FIGURES)
    granted = next(figure for figure in body["figures"] if figure["key"] == "funding_granted")
    assert granted["label_de"] == FIGURES["funding_granted"].label_de
    assert granted["definition_en"] == FIGURES["funding_granted"].definition_en
    assert f"version={published.pk}" in body["permalink"]
    assert "06.12.2019" in body["citation"]


def test_money_is_an_exact_decimal_string_never_a_float(published, api):
    response = api.get("/api/v1/figures/")

    assert '"funding_granted":"13825222.50"' in response.content.decode()
    for key, value in response.json()["rows"][0]["values"].items():
        expected_type = int if FIGURES[key].unit == "count" else str
        # A share of nothing is null, never 0 (this ledger's Gemeinden have no population).
        assert isinstance(value, expected_type) or (
            key in {"reach_population_share", "funding_per_inhabitant"} and value is None
        ), key


def test_a_rate_of_nothing_is_null_and_a_dash_on_the_page(published, api, client):
    before_everything = api.get("/api/v1/figures/", {"as_of": "2019-05-31"}).json()["rows"][0]["values"]
    assert before_everything["outflow_rate"] is None
    assert before_everything["funding_granted"] == "0.00"

    csv_text = api.get("/api/v1/figures/", {"as_of": "2019-05-31", "format": "csv"}).content.decode()
    assert next(csv.DictReader(io.StringIO(csv_text)))["outflow_rate"] == ""

    page = client.get("/", {"as_of": "2019-05-31"}).content.decode()
    tile = page.split('id="tile-outflow_rate"')[1].split("</li>")[0]
    assert "–" in tile and "0,0 %" not in tile


def test_as_of_returns_the_value_at_the_end_of_that_day(published, api):
    before_amendment = api.get("/api/v1/figures/", {"as_of": "2020-01-09"}).json()["rows"][0]["values"]
    on_amendment = api.get("/api/v1/figures/", {"as_of": "2020-01-10"}).json()["rows"][0]["values"]
    before_everything = api.get("/api/v1/figures/", {"as_of": "2019-05-31"}).json()["rows"][0]["values"]

    assert before_amendment["funding_granted"] == "13575222.00"
    assert on_amendment["funding_granted"] == "13825222.50"
    assert before_everything["funding_granted"] == "0.00"
    assert before_everything["funded_projects"] == 0


def test_a_cited_version_answers_as_it_did_after_a_new_one_is_published(published, ledger, approver, clerk, api):
    cited = api.get("/api/v1/figures/", {"as_of": "2020-12-31"}).json()
    released(
        approver=approver,
        drafted_by=clerk,
        project=ledger["portal"],
        recipient=ledger["city_of_soest"],
        authority=ledger["authority"],
        reference="AZ-S-2",
        decision_date=dt.date(2020, 6, 1),
        amount=Decimal("1000.00"),
        eligible_costs=Decimal("1000.00"),
    )
    recompute_figures()

    now = api.get("/api/v1/figures/", {"as_of": "2020-12-31"}).json()
    again = api.get("/api/v1/figures/", {"as_of": "2020-12-31", "version": cited["version"]["id"]}).json()

    assert now["version"]["id"] != cited["version"]["id"]
    assert now["rows"][0]["values"]["funding_granted"] == "13826222.50"
    assert again["rows"][0]["values"] == cited["rows"][0]["values"]
    assert again["version"]["is_current"] is False


def test_group_by_region_gives_one_row_per_region(published, api):
    body = api.get("/api/v1/figures/", {"group_by": "region", "as_of": "2020-12-31"}).json()

    by_key = {row["group_key"]: row for row in body["rows"]}
    assert by_key["soest"]["group_label"] == "Soest"
    assert by_key["soest"]["values"]["funding_granted"] == "475222.00"
    assert by_key["wuppertal"]["values"]["funding_granted"] == "13350000.50"
    assert body["group_by"] == "region"


def test_drafts_never_count(published, api):
    values = api.get("/api/v1/figures/").json()["rows"][0]["values"]

    assert values["funding_granted"] == "13825222.50"  # without the draft's 1,000.00


def test_bad_parameters_get_a_400_naming_them(published, api):
    cases = {
        "as_of": {"as_of": "06.12.2019"},
        "group_by": {"group_by": "ministry"},
        "version": {"version": "0"},
        "programme": {"programme": "no-such-programme"},
        "colour": {"colour": "red"},
        "format": {"format": "xml"},
        "dialect": {"format": "csv", "dialect": "excel"},
    }
    for name, params in cases.items():
        response = api.get("/api/v1/figures/", params)
        assert response.status_code == 400, name
        assert name in response.json()["errors"], name


def test_a_version_that_was_never_published_is_a_404_naming_the_parameter(published, api):
    response = api.get("/api/v1/figures/", {"version": "999999"})

    assert response.status_code == 404
    assert response.json()["detail"].startswith("version:")


def test_a_version_of_another_programme_is_refused(published, api):
    other = ProgrammeFactory(slug="anderes-programm", name="Anderes Programm", start_date=dt.date(2021, 1, 1))

    response = api.get("/api/v1/figures/", {"programme": other.slug, "version": published.pk})

    assert response.status_code == 400
    assert "version" in response.json()["errors"]


def test_before_the_first_computation_it_says_so_instead_of_showing_zeros(ledger, api):
    response = api.get("/api/v1/figures/")

    assert response.status_code == 503
    assert response["Retry-After"]
    assert "noch keine Kennzahlen" in response.json()["detail"]


def test_figures_as_csv_have_one_column_per_figure(published, api):
    response = api.get("/api/v1/figures/", {"group_by": "region", "as_of": "2020-12-31", "format": "csv"})

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.DictReader(io.StringIO(response.content.decode())))
    assert [row["group_key"] for row in rows] == ["soest", "wuppertal"]
    assert rows[1]["funding_granted"] == "13350000.50"
    assert rows[0]["version"] == str(published.pk)
    assert rows[0]["as_of"] == "2020-12-31"
    assert set(FIGURES) <= set(rows[0])


def test_figures_csv_for_german_excel_uses_semicolons_decimal_commas_and_a_bom(published, api):
    response = api.get("/api/v1/figures/", {"as_of": "2020-12-31", "dialect": "excel-de"}, HTTP_ACCEPT="text/csv")

    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text.removeprefix("\ufeff")), delimiter=";"))
    assert rows[0]["funding_granted"] == "13825222,50"
    assert rows[0]["funded_projects"] == "2"


def test_series_lists_the_steps_of_one_figure(published, api):
    body = api.get("/api/v1/figures/series/", {"figure": "funding_granted"}).json()

    points = [(point["date"], point["value"]) for point in body["points"]]
    assert points == [
        ("2019-06-01", "475222.00"),
        ("2019-07-15", "13575222.00"),
        ("2020-01-10", "13825222.50"),
    ]
    assert body["figure"]["label_de"] == FIGURES["funding_granted"].label_de
    assert body["licence"]["name"] == LICENCE


def test_series_honours_the_date_range_and_refuses_a_reversed_one(published, api):
    window = api.get("/api/v1/figures/series/", {"figure": "funding_granted", "from": "2019-07-01", "to": "2019-12-31"})
    reversed_range = api.get(
        "/api/v1/figures/series/", {"figure": "funding_granted", "from": "2020-01-01", "to": "2019-01-01"}
    )
    missing = api.get("/api/v1/figures/series/")

    assert [p["date"] for p in window.json()["points"]] == ["2019-07-01", "2019-07-15"]
    assert reversed_range.status_code == 400 and "to" in reversed_range.json()["errors"]
    assert missing.status_code == 400 and "figure" in missing.json()["errors"]


def test_the_region_page_carries_its_current_figures(published, api):
    body = api.get("/api/v1/regions/wuppertal/").json()

    assert body["figures"]["version"]["id"] == published.pk
    assert body["figures"]["values"]["funding_granted"] == "13350000.50"
    assert body["figures"]["as_of"] == timezone.localdate().isoformat()


def test_the_stored_version_not_the_ledger_is_what_the_api_shows(published, ledger, approver, clerk, api):
    # A decision released after the last computation shows only once figures are recomputed.
    DecisionFactory(
        state="released",
        released_by=approver,
        released_at=timezone.now(),
        drafted_by=clerk,
        project=ledger["portal"],
        reference="AZ-S-3",
        amount=Decimal("5.00"),
        eligible_costs=Decimal("5.00"),
    )

    values = api.get("/api/v1/figures/").json()["rows"][0]["values"]

    assert values["funding_granted"] == "13825222.50"
    assert current_figures_version().pk == published.pk


def test_a_version_of_another_programme_without_programme_names_both(published, api):
    other = ProgrammeFactory(
        slug="anderes-programm", name="Anderes Programm", start_date=dt.date(2030, 1, 1), end_date=dt.date(2032, 12, 31)
    )
    recompute_figures()
    other_version = current_figures_version(programme=other)

    response = api.get("/api/v1/figures/", {"version": other_version.pk})

    assert response.status_code == 400
    message = " ".join(response.json()["errors"]["version"])
    assert "Anderes Programm" in message and published.programme.name in message


def test_churn_keeps_every_cited_version_byte_identical_and_publishes_nothing(published, ledger, clerk, api):
    """Hundreds of draft saves and deletes, and no-op recomputes, as a morning of drafting does."""
    from funding import services
    from funding.figures.freshness import figures_freshness
    from funding.figures.models import FiguresVersion

    cited_url = f"/api/v1/figures/?as_of=2020-12-31&group_by=region&version={published.pk}"
    cited = api.get(cited_url).content
    versions_before = FiguresVersion.objects.count()
    draft_fields = {
        "project": ledger["portal"],
        "recipient": ledger["city_of_soest"],
        "authority": ledger["authority"],
        "decision_date": dt.date(2020, 6, 1),
        "amount": Decimal("10.00"),
        "eligible_costs": Decimal("20.00"),
        "period_start": dt.date(2020, 6, 1),
        "period_end": dt.date(2021, 6, 1),
        "source": "Entwurf",
    }
    for number in range(150):
        draft = services.decision_create_draft(user=clerk, reference=f"AZ-CHURN-{number}", **draft_fields)
        services.decision_delete_draft(decision=draft, user=clerk)
        if number % 10 == 0:
            recompute_figures()
    recompute_figures()
    recompute_figures(full=False)

    assert FiguresVersion.objects.count() == versions_before
    assert figures_freshness().is_current
    assert api.get(cited_url).content == cited
    current = api.get("/api/v1/figures/").json()["version"]
    assert current["id"] == published.pk and current["includes_latest_change"] is True
