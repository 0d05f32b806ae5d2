"""Every URL pattern of the site with hostile values in its parameters: no answer is a 500.

NUL bytes and other control characters, overlong segments, odd Unicode (right-to-left marks,
emoji, combining marks, non-characters), bytes that are not UTF-8 and path tricks, as an
anonymous reader and as a clerk, on every route the URL configuration knows.
"""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from tests.factories import UserFactory, staff_login

pytestmark = pytest.mark.django_db

HOSTILE = [
    "%00",
    "x%00y",
    "%0A%0D",
    "a" * 5000,
    "%E2%80%AE",  # right-to-left override
    "%F0%9F%98%80",  # emoji
    "e%CC%81",  # combining accent
    "%EF%BF%BF",  # a non-character
    "%FF%FE",  # not UTF-8
    "..%2F..%2Fetc%2Fpasswd",
    "-1",
    "99999999999999999999999",
    "%20",
]
QUERIES = ["", "?as_of=%00", "?page=%FF", "?q=" + "x" * 3000, "?format=%00csv", "?ordering=-%00"]


def _routes(resolver=None, prefix="") -> list[str]:
    """Every pattern as a path template with {name} for each parameter."""
    resolver = resolver or get_resolver()
    routes = []
    for pattern in resolver.url_patterns:
        text = str(pattern.pattern).lstrip("^").rstrip("$")
        text = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", text)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern, prefix + text)
        elif isinstance(pattern, URLPattern) and "(?P" not in text:
            routes.append(prefix + text)
    return sorted(set(routes))


def _urls() -> list[str]:
    urls = []
    for route in _routes():
        if route.startswith(("static/", "admin/")):
            continue
        names = re.findall(r"{(\w+)}", route)
        if not names:
            urls += ["/" + route + query for query in QUERIES[:2]]
            continue
        for value in HOSTILE:
            urls.append("/" + route.format(**dict.fromkeys(names, value)))
        urls.append("/" + route.format(**dict.fromkeys(names, "1")) + QUERIES[2])
    return urls


def test_the_walk_covers_the_public_pages_the_api_and_the_staff_workspace():
    routes = _routes()
    assert any(r.startswith("api/v1/") for r in routes)
    assert any(r.startswith("intern/") for r in routes)
    assert "kommunen/{ags}/" in routes


@pytest.mark.parametrize("who", ["anonymous", "clerk"])
def test_no_url_with_hostile_parameters_answers_500(client, who):
    if who == "clerk":
        staff_login(client, UserFactory(username="fuzz-clerk", roles=["Sachbearbeitung"]))
    server_errors = []
    for url in _urls():
        for method in ("get", "post"):
            response = getattr(client, method)(url)
            if response.status_code == 500:  # a 503 "no figures published yet" is an answer, not a crash
                server_errors.append((method, url[:120], response.status_code))

    assert server_errors == []
