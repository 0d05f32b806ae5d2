"""Rendered API answers kept per worker process, by their ETag: a repeated read is a dictionary lookup.

An anonymous answer's ETag names everything its body depends on (the figures version, the
data watermark, path, query, format, dialect; see base.answer_validators), and it is computed
from the database on every request. So a body kept under its ETag is right for as long as
that ETag is the answer's ETag: when a record changes or a figures version is published,
the ETag changes and the kept body is never looked up again. Nothing has to be told to
forget anything, which is why this works the same with one worker or many hosts.

Besides the ETag the key holds what the ETag leaves out but the body shows: the scheme and
host (pagination links are absolute) and the language (labels may be translated).

The store is a least-recently-used dictionary bounded by the bytes it holds
(settings.API_RENDERED_BYTES per worker); a body larger than a tenth of that is not kept.
"""

import threading
from collections import OrderedDict
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpResponse

# The headers a kept answer carries again; the others are set afresh on every answer
# (ETag, Cache-Control, Last-Modified by the view; CSP, CORS, security by middleware).
KEPT_HEADERS = ("Content-Type", "Content-Disposition", "Link", "X-Total-Count", "Allow", "Vary")


@dataclass(frozen=True)
class RenderedAnswer:
    body: bytes
    headers: tuple[tuple[str, str], ...]

    def response(self) -> HttpResponse:
        response = HttpResponse(self.body)
        for name, value in self.headers:
            response[name] = value
        return response


class RenderedAnswers:
    """A byte-bounded LRU of rendered answers (or of any value with a size); safe to share between threads."""

    def __init__(self, max_bytes: int):
        self.max_bytes = max_bytes
        self._answers: OrderedDict[tuple, tuple[object, int]] = OrderedDict()
        self._bytes = 0
        self._lock = threading.Lock()

    def get(self, key: tuple):
        with self._lock:
            entry = self._answers.get(key)
            if entry is None:
                return None
            self._answers.move_to_end(key)
            return entry[0]

    def keep(self, key: tuple, response) -> None:
        """Keep the rendered body of `response` and the headers the view set (KEPT_HEADERS)."""
        headers = tuple((name, response[name]) for name in KEPT_HEADERS if response.has_header(name))
        body = response.content
        self.put(key, RenderedAnswer(body=body, headers=headers), size=len(body))

    def put(self, key: tuple, value, *, size: int) -> None:
        """Keep `value`, which takes `size` bytes, unless it alone would fill a tenth of the store."""
        if size > self.max_bytes // 10:
            return
        with self._lock:
            old = self._answers.pop(key, None)
            if old is not None:
                self._bytes -= old[1]
            self._answers[key] = (value, size)
            self._bytes += size
            while self._bytes > self.max_bytes and self._answers:
                _key, (_value, dropped_size) = self._answers.popitem(last=False)
                self._bytes -= dropped_size

    def clear(self) -> None:
        with self._lock:
            self._answers.clear()
            self._bytes = 0

    @property
    def size_bytes(self) -> int:
        return self._bytes

    def __len__(self) -> int:
        return len(self._answers)


ANSWERS = RenderedAnswers(settings.API_RENDERED_BYTES)
