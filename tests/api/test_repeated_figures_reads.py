"""A repeated figures request (kept answers) answers exactly like the first, and counts each request once."""

import datetime as dt
from decimal import Decimal

from funding.figures.engine import recompute_figures
from tests.api.conftest import released, token_client


def test_repeated_anonymous_figures_reads_are_throttled_once_per_request(published, api, settings):
    settings.API_ANON_RATE = "3/minute"
    codes = [api.get("/api/v1/figures/", {"group_by": "region"}).status_code for _ in range(5)]
    limited = api.get("/api/v1/figures/", {"group_by": "region"})
    assert codes == [200, 200, 200, 429, 429]
    assert int(limited["Retry-After"]) > 0
    assert "detail" in limited.json()


def test_a_kept_answer_equals_the_first_one(published, api):
    full = api.get("/api/v1/figures/", {"group_by": "region", "as_of": "2020-12-31"})
    kept = api.get("/api/v1/figures/", {"group_by": "region", "as_of": "2020-12-31"})
    assert kept.content == full.content
    for name in ("ETag", "Last-Modified", "Cache-Control", "Allow", "Content-Type"):
        assert kept[name] == full[name], name
    assert set(kept["Vary"].split(", ")) == set(full["Vary"].split(", "))


def test_staff_get_private_answers_after_anonymous_ones(published, api, clerk):
    api.get("/api/v1/figures/")
    api.get("/api/v1/figures/")
    assert token_client(clerk).get("/api/v1/figures/")["Cache-Control"] == "private, no-cache"
    api.cookies["sessionid"] = "x"
    assert api.get("/api/v1/figures/").status_code == 200


def test_a_new_version_shows_at_once_in_this_process(published, ledger, approver, clerk, api):
    first = api.get("/api/v1/figures/").json()
    api.get("/api/v1/figures/")
    released(
        approver=approver,
        drafted_by=clerk,
        project=ledger["portal"],
        reference="AZ-F-1",
        decision_date=dt.date(2020, 3, 1),
        amount=Decimal("10.00"),
        eligible_costs=Decimal("10.00"),
    )
    recompute_figures()
    after = api.get("/api/v1/figures/").json()
    assert after["version"]["id"] != first["version"]["id"]


def test_bad_values_still_get_the_full_paths_400(published, api):
    api.get("/api/v1/figures/", {"group_by": "region"})
    assert api.get("/api/v1/figures/", {"group_by": "regionx"}).status_code == 400
    assert api.get("/api/v1/figures/", {"as_of": "2020-13-01"}).status_code == 400
    assert api.get("/api/v1/figures/?group_by=region&group_by=region").status_code == 400
    assert api.head("/api/v1/figures/", {"group_by": "region"}).status_code == 200


def test_a_failed_if_match_gets_412_on_both_paths(published, api):
    full = api.get("/api/v1/figures/", HTTP_IF_MATCH='"nope"')
    api.get("/api/v1/figures/")
    kept = api.get("/api/v1/figures/", HTTP_IF_MATCH='"nope"')
    assert full.status_code == kept.status_code == 412
    assert ("ETag" in full) == ("ETag" in kept)
