"""Complete anonymous API answers, kept per worker and sent again before Django runs (issue 18).

The busiest requests are anonymous reads of the same few URLs. Their answer is fixed by the
request and by the state the API reads (caching.answer_state: the figures versions, the
data watermark, the ledger's change count, today's date), and that state is kept per worker
for at most a second anyway. So the lean handler's answer to such a request is kept here
whole, status, headers and body, exactly as the middleware left it, under

- the request: method, path, query string, what the host and scheme are read from, and
  every request header an API answer varies on (VARIED_HEADERS); an answer that varies on
  any other header is not kept; and
- the state it was answered in: once the state has moved on, it is never sent again.

A repeated request is then a dictionary lookup: no middleware, no URL resolution, no view.
What Django would still have done on the way is done here too: the rate limit counts the
request (a refused one goes on to Django for its 429), and a conditional request gets the
304 Django gave for it (If-None-Match and If-Modified-Since, evaluated by Django's own
function; If-Match and If-Unmodified-Since always go to Django). Only answers the API marks
`replayable` are kept: 200 or 304 to an anonymous read, never a streamed download, never
an answer that sets a cookie. tests/api/test_replay.py compares the answers with Django's.
"""

from types import SimpleNamespace

from django.conf import settings
from django.utils.cache import get_conditional_response
from django.utils.http import parse_http_date_safe

from modellregionen.api.caching import answer_state
from modellregionen.api.rendered import RenderedAnswers
from modellregionen.api.throttling import THROTTLE_VERDICT, count_request
from modellregionen.client_ip import client_ip

# The request headers an API answer may vary on (CORS: Origin; language: Accept-Language and
# the language cookie; content negotiation: Accept; staff or not: Cookie).
VARIED_HEADERS = {
    "accept": "HTTP_ACCEPT",
    "accept-language": "HTTP_ACCEPT_LANGUAGE",
    "cookie": "HTTP_COOKIE",
    "origin": "HTTP_ORIGIN",
}

# Where Django reads host, scheme and the script prefix from (HttpRequest.get_host, .scheme).
ADDRESS_KEYS = (
    "wsgi.url_scheme",
    "HTTP_HOST",
    "SERVER_NAME",
    "SERVER_PORT",
    "SCRIPT_NAME",
    "HTTP_X_FORWARDED_HOST",
    "HTTP_X_FORWARDED_PORT",
    "HTTP_X_FORWARDED_PROTO",
)

# Conditional headers Django answers itself: a kept answer serves neither.
PRECONDITIONS = ("HTTP_IF_MATCH", "HTTP_IF_UNMODIFIED_SINCE")
NOT_MODIFIED_CONDITIONS = ("HTTP_IF_NONE_MATCH", "HTTP_IF_MODIFIED_SINCE")


class KeptAnswer(SimpleNamespace):
    """status (text), headers (list of pairs), body (bytes), etag, last_modified (seconds or None)."""


def _request_key(environ) -> tuple:
    address = tuple(environ.get(name) for name in ADDRESS_KEYS)
    proxy_header = settings.SECURE_PROXY_SSL_HEADER
    varied = tuple(environ.get(name) for name in VARIED_HEADERS.values())
    return (
        environ.get("REQUEST_METHOD"),
        environ.get("PATH_INFO"),
        environ.get("QUERY_STRING", ""),
        address,
        environ.get(proxy_header[0]) if proxy_header else None,
        varied,
    )


def _keepable(response, headers: list[tuple[str, str]]) -> bool:
    if not getattr(response, "replayable", False) or response.streaming:
        return False
    if response.status_code not in (200, 304) or response.cookies:
        return False
    names = {name.lower() for name, _value in headers}
    if "set-cookie" in names:
        return False
    vary = {part.strip().lower() for name, value in headers if name.lower() == "vary" for part in value.split(",")}
    return vary <= VARIED_HEADERS.keys()


class ReplayingHandler:
    """Wrap the lean WSGI handler: send kept answers again, keep the new ones."""

    def __init__(self, handler, *, max_bytes: int):
        self.handler = handler
        self.answers = RenderedAnswers(max_bytes)

    def __call__(self, environ, start_response):
        if any(name in environ for name in PRECONDITIONS):
            return self.handler(environ, start_response)
        try:
            state = answer_state()
        except Exception:  # noqa: BLE001 - e.g. the database is away: Django answers and reports it
            return self.handler(environ, start_response)
        key = (state, _request_key(environ))
        conditional = any(name in environ for name in NOT_MODIFIED_CONDITIONS)
        kept = self._kept_answer(environ, key) if conditional else self.answers.get(key)
        if kept is None:
            return self._answer_and_keep(environ, start_response, key)
        try:
            verdict = count_request(client_ip(SimpleNamespace(META=environ)))
        except Exception:  # noqa: BLE001 - Django counts again, and answers and reports what failed
            return self.handler(environ, start_response)
        if not verdict[0]:
            environ[THROTTLE_VERDICT] = verdict  # Django answers 429 without counting again
            return self.handler(environ, start_response)
        start_response(kept.status, list(kept.headers))
        return [kept.body]

    def _kept_answer(self, environ, key: tuple) -> KeptAnswer | None:
        """The kept 304 if the request's validators match, else the kept 200 if they do not."""
        not_modified = self.answers.get((*key, 304))
        if not_modified is not None and _not_modified(environ, not_modified):
            return not_modified
        kept = self.answers.get(key)
        if kept is not None and not _not_modified(environ, kept):
            return kept
        return None  # Django answers (and its 304 is kept)

    def _answer_and_keep(self, environ, start_response, key: tuple):
        sent = {}

        def keep_status_and_headers(status, headers, exc_info=None):
            sent["status"], sent["headers"] = status, headers
            return start_response(status, headers, exc_info)

        response = self.handler(environ, keep_status_and_headers)
        if sent and _keepable(response, sent["headers"]):
            headers = {name.lower(): value for name, value in sent["headers"]}
            kept = KeptAnswer(
                status=sent["status"],
                headers=tuple(sent["headers"]),
                body=response.content,
                etag=headers.get("etag"),
                last_modified=parse_http_date_safe(headers.get("last-modified", "")),
            )
            if response.status_code == 304:
                self.answers.put((*key, 304), kept, size=len(repr(kept.headers)))
            else:
                self.answers.put(key, kept, size=len(kept.body))
        return response


def _not_modified(environ, kept: KeptAnswer) -> bool:
    """Whether Django would answer the request with 304 given the kept answer's validators."""
    if kept.etag is not None and environ.get("HTTP_IF_NONE_MATCH") == kept.etag:
        return True  # the usual revalidation, the client's copy's own ETag: a match for Django too
    request = SimpleNamespace(META=environ, method=environ["REQUEST_METHOD"], path=environ.get("PATH_INFO"))
    return get_conditional_response(request, etag=kept.etag, last_modified=kept.last_modified) is not None
