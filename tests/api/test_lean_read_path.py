"""Anonymous API reads take a shorter middleware stack and kept rendered answers (issue 18).

The promise is "nothing a user sees has changed except speed": every answer of the lean
handler equals the full handler's, status, headers and body, for lists, details, figures,
CSV (paged and complete), errors and conditional requests; and a kept answer equals a
freshly rendered one and is never served after the data changed.
"""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from modellregionen import wsgi
from modellregionen.api import rendered
from projects.models import Project
from tests.api.wsgi_calls import call

URLS = [
    "/api/v1/",
    "/api/v1/figures/",
    "/api/v1/figures/?group_by=region",
    "/api/v1/figures/?group_by=topic&as_of=2020-01-01",
    "/api/v1/figures/series/?figure=funding_granted&group_by=region",
    "/api/v1/figures/?format=csv&group_by=strand",
    "/api/v1/projects/",
    "/api/v1/projects/?page=2&page_size=5",
    "/api/v1/projects/?format=csv",
    "/api/v1/projects/?format=csv&page=1",
    "/api/v1/projects/?region=nirgendwo",
    "/api/v1/projects/?colour=blue",
    "/api/v1/decisions/?year=2019",
    "/api/v1/payments/?format=csv",
    "/api/v1/regions/",
    "/api/v1/municipalities/?page_size=3",
    "/api/v1/datapackage.json",
    "/api/v1/catalog.jsonld",
    "/api/v1/gibt-es-nicht/",
]


@pytest.fixture
def programme(db):
    from django.core.management import call_command

    call_command("load_programme_data", stdout=io.StringIO(), stderr=io.StringIO())
    rendered.ANSWERS.clear()
    yield
    rendered.ANSWERS.clear()


@pytest.fixture(scope="module")
def application():
    return wsgi.Application()


def test_anonymous_reads_of_the_api_are_routed_to_the_lean_handler():
    def environ(path="/api/v1/projects/", method="GET", **extra):
        return {"REQUEST_METHOD": method, "PATH_INFO": path, **extra}

    assert wsgi.is_anonymous_api_read(environ())
    assert wsgi.is_anonymous_api_read(environ(method="HEAD", HTTP_COOKIE="csrftoken=abc"))
    assert not wsgi.is_anonymous_api_read(environ(HTTP_COOKIE="csrftoken=abc; sessionid=xyz"))
    assert not wsgi.is_anonymous_api_read(environ(HTTP_AUTHORIZATION="Token abc"))
    assert not wsgi.is_anonymous_api_read(environ(method="POST"))
    assert not wsgi.is_anonymous_api_read(environ(method="OPTIONS"))
    assert not wsgi.is_anonymous_api_read(environ(path="/projekte/"))


def test_the_lean_stack_is_the_full_stack_without_what_anonymous_reads_do_not_use(settings):
    assert [
        name for name in settings.MIDDLEWARE if name not in settings.SKIPPED_ON_ANONYMOUS_API_READS
    ] == settings.API_READ_MIDDLEWARE
    assert "csp.middleware.CSPMiddleware" in settings.API_READ_MIDDLEWARE
    assert "corsheaders.middleware.CorsMiddleware" in settings.API_READ_MIDDLEWARE
    assert "django.contrib.sessions.middleware.SessionMiddleware" not in settings.API_READ_MIDDLEWARE


def test_the_lean_handler_answers_exactly_as_the_full_one(programme, application):
    # One test over every path: loading the programme data is the slow part.
    for path in URLS:
        full = call(application.full, path)
        lean = call(application.api_read, path)
        kept = call(application.api_read, path)  # a second time: from the kept answers where kept
        again_full = call(application.full, path)

        assert lean[0] == full[0], path
        assert lean[1] == full[1], path
        assert lean[2] == full[2], path
        assert kept == lean == again_full, path


def test_head_conditional_and_cross_origin_reads_answer_the_same(programme, application):
    path = "/api/v1/projects/?page_size=3"
    etag = dict(call(application.full, path)[1])["ETag"]
    for headers in (
        {"HTTP_IF_NONE_MATCH": etag},
        {"HTTP_ORIGIN": "https://example.org"},
        {"HTTP_ACCEPT": "text/csv"},
        {"HTTP_ACCEPT_LANGUAGE": "en"},
    ):
        assert call(application.api_read, path, **headers) == call(application.full, path, **headers), headers
    assert call(application.api_read, path, **{"HTTP_IF_NONE_MATCH": etag})[0].startswith("304")
    assert call(application.api_read, path, "HEAD") == call(application.full, path, "HEAD")


def test_a_kept_answer_costs_no_rendering_and_is_never_served_after_a_change(programme, application):
    path = "/api/v1/projects/?page_size=100"
    lean = application.api_read.handler  # the Django handler behind the replayed answers
    first = call(lean, path)
    with CaptureQueriesContext(connection) as kept_queries:
        kept = call(lean, path)
    rendered.ANSWERS.clear()
    with CaptureQueriesContext(connection) as fresh_queries:
        call(lean, path)

    assert kept == first
    # Only the validators are read (figures version, data watermark, rate limit), not the list.
    assert len(kept_queries) < len(fresh_queries)
    assert not any("projects_project" in query["sql"] for query in kept_queries.captured_queries)

    project = Project.objects.order_by("pk").first()
    project.title = "Ein ganz neuer Titel"
    project.save()
    changed = call(application.api_read, path)

    assert dict(changed[1])["ETag"] != dict(first[1])["ETag"]
    assert "Ein ganz neuer Titel" in changed[2].decode()


def test_the_kept_answers_stay_within_their_byte_budget():
    class Answer:
        def __init__(self, size):
            self.content = b"x" * size

        def has_header(self, name):
            return False

    answers = rendered.RenderedAnswers(max_bytes=1000)
    for number in range(30):
        answers.keep((number,), Answer(90))
    answers.keep(("too big",), Answer(101))

    assert answers.size_bytes <= 1000 and len(answers) == 11
    assert answers.get((29,)) is not None and answers.get((0,)) is None
    assert answers.get(("too big",)) is None
