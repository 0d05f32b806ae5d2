"""Kept complete answers are sent again before Django runs, exactly as Django answered (issue 18).

Each test compares the replayed answer with the answer of the lean Django handler behind it
(status, every header, body), and checks that the handler really did not run, that the rate
limit still counts every request, and that nothing is sent again once the data or the
figures changed.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.db import OperationalError
from django.http import HttpResponse

from funding.figures.engine import recompute_figures
from modellregionen import wsgi
from modellregionen.api.replay import ReplayingHandler
from projects.models import Project
from tests.api.conftest import released
from tests.api.wsgi_calls import call

PATHS = [
    "/api/v1/figures/",
    "/api/v1/figures/?group_by=region&as_of=2020-12-31",
    "/api/v1/figures/series/?figure=funding_granted&group_by=region",
    "/api/v1/figures/?format=csv&group_by=strand",
    "/api/v1/projects/?page_size=1",
    "/api/v1/decisions/?year=2019&page=1",
    "/api/v1/regions/?page_size=2",
    "/api/v1/datapackage.json",
]

REQUEST_HEADERS = [
    {},
    {"HTTP_ORIGIN": "https://example.org"},
    {"HTTP_ACCEPT_LANGUAGE": "en"},
    {"HTTP_ACCEPT": "text/csv"},
    {"HTTP_COOKIE": "csrftoken=abc; django_language=en"},
]


@pytest.fixture
def application(published, settings):
    # Many requests from one address: the limit is tested on its own below.
    settings.API_ANON_RATE = "100000/minute"
    return wsgi.Application()


class CountingHandler:
    """The lean Django handler, counting how often it runs."""

    def __init__(self, handler):
        self.handler = handler
        self.calls = 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.handler(environ, start_response)


@pytest.fixture
def django_handler(application):
    counting = CountingHandler(application.api_read.handler)
    application.api_read.handler = counting
    return counting


def test_a_replayed_answer_is_the_answer_django_gave(application, django_handler):
    # (Lists asked for as CSV name a page here: a complete download is never kept, see below.)
    refused = []
    for path in PATHS:
        for headers in REQUEST_HEADERS:
            from_django = call(django_handler.handler, path, **headers)
            first = call(application.api_read, path, **headers)
            calls = django_handler.calls
            again = call(application.api_read, path, **headers)

            assert again == first == from_django, (path, headers)
            if first[0] == "200 OK":
                assert django_handler.calls == calls, (path, headers)  # replayed, Django did not run
            else:
                assert django_handler.calls == calls + 1, (path, headers)  # errors are Django's each time
                refused.append((path, first[0]))
    assert refused == [("/api/v1/datapackage.json", "406 Not Acceptable")]  # it has no CSV


def test_each_variant_of_a_request_gets_its_own_answer(application):
    path = "/api/v1/figures/?group_by=region"
    german = call(application.api_read, path)
    english = call(application.api_read, path, HTTP_ACCEPT_LANGUAGE="en")
    cross_origin = call(application.api_read, path, HTTP_ORIGIN="https://example.org")

    assert ("Content-Language", "de") in german[1] and ("Content-Language", "en") in english[1]
    assert call(application.api_read, path, HTTP_ACCEPT_LANGUAGE="en") == english
    assert call(application.api_read, path) == german
    assert call(application.api_read, path, HTTP_ORIGIN="https://example.org") == cross_origin
    assert ("access-control-allow-origin", "*") in cross_origin[1]
    assert not any(name.lower() == "access-control-allow-origin" for name, _value in german[1])


def test_conditional_requests_get_djangos_304_or_the_200(application, django_handler):
    path = "/api/v1/projects/?page_size=1"
    etag = dict(call(application.api_read, path)[1])["ETag"]
    last_modified = dict(call(application.api_read, path)[1])["Last-Modified"]
    for headers in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_IF_NONE_MATCH": f'"other", {etag}'},
        {"HTTP_IF_MODIFIED_SINCE": last_modified},
        {"HTTP_IF_NONE_MATCH": '"other"'},
        {"HTTP_IF_NONE_MATCH": '"other"', "HTTP_IF_MODIFIED_SINCE": last_modified},
    ):
        from_django = call(django_handler.handler, path, **headers)
        first = call(application.api_read, path, **headers)
        calls = django_handler.calls
        assert call(application.api_read, path, **headers) == first == from_django, headers
        assert django_handler.calls == calls, headers
    assert call(application.api_read, path, HTTP_IF_NONE_MATCH=etag)[0] == "304 Not Modified"
    assert call(application.api_read, path, HTTP_IF_NONE_MATCH='"other"')[0] == "200 OK"

    # Preconditions are always Django's: a failed If-Match is its 412, every time.
    for _ in range(2):
        calls = django_handler.calls
        assert call(application.api_read, path, HTTP_IF_MATCH='"nope"')[0].startswith("412")
        assert django_handler.calls == calls + 1


def test_head_requests_are_kept_apart_from_get(application, django_handler):
    path = "/api/v1/regions/"
    call(application.api_read, path)
    head = call(application.api_read, path, "HEAD")
    calls = django_handler.calls
    assert call(application.api_read, path, "HEAD") == head == call(django_handler.handler, path, "HEAD")
    assert django_handler.calls == calls  # replayed (the comparison ran Django's handler directly)


def test_every_replayed_request_counts_toward_the_rate_limit(application, settings):
    settings.API_ANON_RATE = "3/minute"
    answers = [call(application.api_read, "/api/v1/figures/?group_by=region") for _ in range(5)]

    assert [status for status, _headers, _body in answers] == ["200 OK"] * 3 + ["429 Too Many Requests"] * 2
    assert int(dict(answers[-1][1])["Retry-After"]) > 0
    assert b"detail" in answers[-1][2]


def test_nothing_is_sent_again_once_a_record_changed(application):
    path = "/api/v1/projects/?page_size=100"
    before = call(application.api_read, path)
    project = Project.objects.get(slug="buergerportal-soest")
    project.title = "Ein ganz neuer Titel"
    project.save()
    after = call(application.api_read, path)

    assert dict(after[1])["ETag"] != dict(before[1])["ETag"]
    assert "Ein ganz neuer Titel" in after[2].decode()


def test_a_new_figures_version_is_answered_at_once(application, ledger, approver, clerk):
    path = "/api/v1/figures/"
    before = call(application.api_read, path)
    released(
        approver=approver,
        drafted_by=clerk,
        project=ledger["portal"],
        reference="AZ-R-1",
        decision_date=dt.date(2020, 3, 1),
        amount=Decimal("10.00"),
        eligible_costs=Decimal("10.00"),
    )
    recompute_figures()
    after = call(application.api_read, path)

    assert dict(after[1])["ETag"] != dict(before[1])["ETag"]
    assert b'"id":' in after[2] and after[2] != before[2]


def test_downloads_and_errors_are_never_kept(application, django_handler):
    for path in ("/api/v1/projects/?format=csv", "/api/v1/projects/?region=nirgendwo", "/api/v1/gibt-es-nicht/"):
        call(application.api_read, path)
        calls = django_handler.calls
        call(application.api_read, path)
        assert django_handler.calls == calls + 1, path
    assert application.api_read.answers.size_bytes == 0


def test_when_the_state_cannot_be_read_django_answers(application, django_handler, monkeypatch):
    path = "/api/v1/regions/"
    call(application.api_read, path)

    def database_away():
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr("modellregionen.api.replay.answer_state", database_away)
    calls = django_handler.calls
    assert call(application.api_read, path)[0] == "200 OK"
    assert django_handler.calls == calls + 1


def test_when_the_rate_limit_cannot_be_counted_django_answers(application, django_handler, monkeypatch):
    path = "/api/v1/regions/"
    call(application.api_read, path)

    def count_fails(ident):
        raise RuntimeError("the rate limit's store failed")

    monkeypatch.setattr("modellregionen.api.replay.count_request", count_fails)
    calls = django_handler.calls
    assert call(application.api_read, path)[0] == "200 OK"
    assert django_handler.calls == calls + 1


def _answering(response: HttpResponse):
    """A WSGI handler that gives `response` to every request, as Django's handler would."""

    def handler(environ, start_response):
        headers = [*response.items(), *(("Set-Cookie", c.output(header="")) for c in response.cookies.values())]
        start_response(f"{response.status_code} {response.reason_phrase}", headers)
        return response

    return handler


@pytest.mark.django_db
def test_an_answer_with_a_cookie_or_an_unknown_vary_is_never_kept():
    marked = HttpResponse(b"{}", content_type="application/json")
    marked.replayable = True
    with_cookie = HttpResponse(b"{}", content_type="application/json")
    with_cookie.replayable = True
    with_cookie.set_cookie("django_language", "en")
    varies_on_more = HttpResponse(b"{}", content_type="application/json")
    varies_on_more.replayable = True
    varies_on_more["Vary"] = "Accept, X-Tenant"
    unmarked = HttpResponse(b"{}", content_type="application/json")

    kept = {}
    for name, response in (
        ("marked", marked),
        ("cookie", with_cookie),
        ("vary", varies_on_more),
        ("unmarked", unmarked),
    ):
        replaying = ReplayingHandler(_answering(response), max_bytes=1_000_000)
        call(replaying, "/api/v1/regions/")
        kept[name] = len(replaying.answers)

    assert kept == {"marked": 1, "cookie": 0, "vary": 0, "unmarked": 0}
