import csv
import io

import pytest

from tests.factories import MunicipalityFactory, TopicFactory


def test_decisions_lists_released_decisions_only_with_every_amount(ledger, api):
    body = api.get("/api/v1/decisions/").json()

    references = [item["reference"] for item in body["results"]]
    assert references == ["AZ-S-1/2019", "AZ-W-1", "AZ-W-2"]
    assert "AZ-ENTWURF" not in references
    first = body["results"][0]
    assert first["amount"] == "475222.00"
    assert first["eligible_costs"] == "600000.00"
    assert first["own_share"] == "124778.00"
    assert first["funding_rate"] == "0.7920"
    assert first["recipient"] == {
        "name": "Stadt Soest",
        "kind": "municipality",
        "ags": "05974040",
        "org_id": "",
        "uri": "http://dcat-ap.de/def/politicalGeocoding/municipalityKey/05974040",
    }
    assert first["authority"]["name"] == "Bezirksregierung Arnsberg"
    assert first["source"] == "Stadt Soest, Pressemitteilung"
    assert body["results"][2]["amends"] == "AZ-W-1"


def test_a_decision_is_found_by_its_reference_even_with_a_slash(ledger, api):
    response = api.get("/api/v1/decisions/AZ-S-1/2019/")

    assert response.status_code == 200
    assert response.json()["project"]["slug"] == "buergerportal-soest"


def test_a_draft_is_not_public(ledger, api):
    assert api.get("/api/v1/decisions/AZ-ENTWURF/").status_code == 404


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"region": "soest"}, ["AZ-S-1/2019"]),
        ({"project": "bergisch-smart-mobility"}, ["AZ-W-1", "AZ-W-2"]),
        ({"year": "2020"}, ["AZ-W-2"]),
        ({"kind": "amendment"}, ["AZ-W-2"]),
        ({"date_from": "2019-07-01", "date_to": "2019-12-31"}, ["AZ-W-1"]),
        ({"amount_min": "300000", "amount_max": "500000"}, ["AZ-S-1/2019"]),
        ({"ordering": "-amount"}, ["AZ-W-1", "AZ-S-1/2019", "AZ-W-2"]),
    ],
)
def test_decision_filters_and_ordering(ledger, api, params, expected):
    body = api.get("/api/v1/decisions/", params).json()

    assert [item["reference"] for item in body["results"]] == expected
    assert body["count"] == len(expected)


def test_pages_carry_the_total_count_and_links(ledger, api):
    first = api.get("/api/v1/decisions/", {"page_size": 2}).json()
    second = api.get("/api/v1/decisions/", {"page_size": 2, "page": 2}).json()

    assert first["count"] == 3 and first["pages"] == 2
    assert "page=2" in first["next"]
    assert [item["reference"] for item in second["results"]] == ["AZ-W-2"]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("params", "name"),
    [
        ({"page_size": "1001"}, "page_size"),
        ({"page_size": "0"}, "page_size"),
        ({"page": "zwei"}, "page"),
        ({"ordering": "contact_email"}, "ordering"),
        ({"year": "1e9"}, "year"),
        ({"date_from": "2019-02-30"}, "date_from"),
        ({"amount_min": "1e400"}, "amount_min"),
        ({"region": "atlantis"}, "region"),
        ({"kind": "gift"}, "kind"),
        ({"state": "draft"}, "state"),
        ({"region": "soest\x00"}, "region"),
    ],
)
def test_bad_list_parameters_get_a_400_naming_them(ledger, api, params, name):
    response = api.get("/api/v1/decisions/", params)

    assert response.status_code == 400
    assert name in response.json()["errors"]


def test_a_repeated_parameter_is_refused_rather_than_guessed(ledger, api):
    response = api.get("/api/v1/decisions/?region=soest&region=wuppertal")

    assert response.status_code == 400
    assert "region" in response.json()["errors"]


def test_a_page_after_the_last_is_not_found(ledger, api):
    assert api.get("/api/v1/decisions/", {"page": 9}).status_code == 404


def csv_text(response) -> str:
    """A CSV answer's text: a complete list is streamed, one page is not."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return body.decode("utf-8-sig") if body.startswith(b"\xef\xbb\xbf") else body.decode()


def test_decisions_as_csv_have_a_header_and_one_row_per_decision(ledger, api):
    response = api.get("/api/v1/decisions/", {"format": "csv"})

    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Total-Count"] == "3"
    rows = list(csv.DictReader(io.StringIO(csv_text(response))))
    assert [row["reference"] for row in rows] == ["AZ-S-1/2019", "AZ-W-1", "AZ-W-2"]
    assert rows[0]["amount"] == "475222.00"
    assert rows[0]["recipient.name"] == "Stadt Soest"


def test_an_empty_csv_still_has_its_header(ledger, api):
    response = api.get("/api/v1/decisions/", {"format": "csv", "region": "wuppertal", "year": "2018"})

    text = csv_text(response)
    assert text.splitlines() == [text.splitlines()[0]]
    assert text.startswith("reference,programme.slug,programme.name,project.slug,")


def test_csv_errors_are_json_so_they_can_be_read(ledger, api):
    response = api.get("/api/v1/decisions/", {"format": "csv", "year": "abc"})

    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"


def test_excel_csv_neutralises_formulas_in_text(ledger, api):
    ledger["portal"].title = '=HYPERLINK("http://evil.example")'
    ledger["portal"].save()

    text = csv_text(api.get("/api/v1/projects/", {"format": "csv", "dialect": "excel-de"}))

    assert "'=HYPERLINK" in text


def test_projects_filter_by_region_strand_and_text(ledger, api):
    assert [p["slug"] for p in api.get("/api/v1/projects/", {"region": "soest"}).json()["results"]] == [
        "buergerportal-soest"
    ]
    assert [p["slug"] for p in api.get("/api/v1/projects/", {"strand": "urban_development"}).json()["results"]] == [
        "bergisch-smart-mobility"
    ]
    assert [p["slug"] for p in api.get("/api/v1/projects/", {"q": "Portal"}).json()["results"]] == [
        "buergerportal-soest"
    ]


def test_a_project_shows_its_released_decisions_and_their_sum(ledger, api):
    body = api.get("/api/v1/projects/bergisch-smart-mobility/").json()

    assert [d["reference"] for d in body["decisions"]] == ["AZ-W-1", "AZ-W-2"]
    assert body["totals"]["amount"] == "13350000.50"
    assert "contact_email" not in body


def test_municipalities_filter_by_ags_prefix_kind_and_region(ledger, api):
    MunicipalityFactory(ags="05974", name="Kreis Soest", kind="district")

    by_prefix = api.get("/api/v1/municipalities/", {"ags": "05974"}).json()["results"]
    by_kind = api.get("/api/v1/municipalities/", {"kind": "independent_city"}).json()["results"]
    by_region = api.get("/api/v1/municipalities/", {"region": "wuppertal"}).json()["results"]

    assert [m["ags"] for m in by_prefix] == ["05974", "05974040"]
    assert [m["name"] for m in by_kind] == ["Wuppertal", "Bielefeld"]  # by AGS
    assert [m["ags"] for m in by_region] == ["05124000"]
    assert api.get("/api/v1/municipalities/", {"ags": "05x"}).status_code == 400


def test_regions_topics_and_programmes_are_listed(ledger, api):
    TopicFactory(slug="gesundheit", name="Gesundheit")

    regions = api.get("/api/v1/regions/").json()["results"]
    topics = api.get("/api/v1/topics/").json()["results"]
    programmes = api.get("/api/v1/programmes/").json()["results"]

    assert [r["slug"] for r in regions] == ["soest", "wuppertal"]
    assert [t["slug"] for t in topics] == ["gesundheit", "mobilitaet"]
    assert programmes[0]["budget"] == "91000000.00"


def test_a_detail_page_takes_no_list_parameters(ledger, api):
    response = api.get("/api/v1/regions/soest/", {"page": 2})

    assert response.status_code == 400
    assert "page" in response.json()["errors"]


def test_a_malformed_yes_no_filter_is_a_400_naming_it(db, client):
    # django-filter's BooleanFilter would silently ignore "vielleicht" and answer everything.
    response = client.get("/api/v1/projects/?transferable=vielleicht")

    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["transferable"]
