import datetime as dt
from decimal import Decimal

from django.utils import timezone

from funding.figures.engine import recompute_figures
from tests.api.conftest import released, token_client


def test_figures_carry_etag_last_modified_and_public_cache_control(published, api):
    response = api.get("/api/v1/figures/", {"as_of": "2019-12-06"})

    assert response["ETag"].startswith('"')
    assert response["Last-Modified"]
    assert response["Cache-Control"].startswith("public, max-age=")


def test_a_conditional_request_gets_304_until_a_new_version_is_published(published, ledger, approver, clerk, api):
    first = api.get("/api/v1/figures/", {"as_of": "2020-12-31"})

    unchanged = api.get("/api/v1/figures/", {"as_of": "2020-12-31"}, HTTP_IF_NONE_MATCH=first["ETag"])
    since = api.get("/api/v1/figures/", {"as_of": "2020-12-31"}, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])
    released(
        approver=approver,
        drafted_by=clerk,
        project=ledger["portal"],
        reference="AZ-S-9",
        decision_date=dt.date(2020, 3, 1),
        amount=Decimal("10.00"),
        eligible_costs=Decimal("10.00"),
    )
    recompute_figures()
    changed = api.get("/api/v1/figures/", {"as_of": "2020-12-31"}, HTTP_IF_NONE_MATCH=first["ETag"])

    assert unchanged.status_code == 304 and unchanged.content == b""
    assert unchanged["ETag"] == first["ETag"]
    assert since.status_code == 304
    assert changed.status_code == 200
    assert changed["ETag"] != first["ETag"]


def test_the_etag_differs_by_format_and_parameters(published, api):
    json_tag = api.get("/api/v1/figures/")["ETag"]
    csv_tag = api.get("/api/v1/figures/", {"format": "csv"})["ETag"]
    grouped_tag = api.get("/api/v1/figures/", {"group_by": "region"})["ETag"]

    assert len({json_tag, csv_tag, grouped_tag}) == 3


def test_a_list_changes_its_etag_when_a_record_changes(published, ledger, api):
    first = api.get("/api/v1/projects/")
    ledger["portal"].summary = "Neu beschrieben."
    ledger["portal"].save()

    after = api.get("/api/v1/projects/", HTTP_IF_NONE_MATCH=first["ETag"])

    assert after.status_code == 200
    assert after.json()["results"][1]["summary"] == "Neu beschrieben."


def test_staff_answers_are_private(published, clerk):
    response = token_client(clerk).get("/api/v1/figures/")

    assert response["Cache-Control"] == "private, no-cache"


def test_anonymous_clients_are_throttled_with_retry_after(published, api, settings):
    settings.API_ANON_RATE = "2/minute"

    codes = [api.get("/api/v1/topics/").status_code for _ in range(3)]
    limited = api.get("/api/v1/topics/")

    assert codes == [200, 200, 429]
    assert int(limited["Retry-After"]) > 0
    assert "detail" in limited.json()


def test_staff_tokens_are_not_throttled(published, clerk, settings):
    settings.API_ANON_RATE = "2/minute"
    client = token_client(clerk)

    assert [client.get("/api/v1/topics/").status_code for _ in range(5)] == [200] * 5


def test_the_last_modified_date_is_not_in_the_future(published, api):
    from django.utils.http import parse_http_date

    last_modified = parse_http_date(api.get("/api/v1/decisions/")["Last-Modified"])

    assert last_modified <= timezone.now().timestamp() + 1
