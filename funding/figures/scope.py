"""What the figures API keeps per worker process: the current scope and the rendered answers.

The default programme and each programme's current version are read on every figures
request; each worker keeps them for at most SCOPE_SECONDS. Rendered answers are kept by
(version, parameters, format): a published version never changes.
Saving a programme or a version empties the scope memo at once and again after the commit.
"""

import threading
import time
from collections import OrderedDict

from django.db import transaction
from django.db.models.signals import post_delete, post_save

from funding.figures import selectors
from funding.figures.freshness import ledger_change_count
from funding.figures.models import FiguresVersion
from funding.models import Programme

# Rendered answers, per worker process. A published version never changes, so the answer
# for (version, parameters, format) stays right for as long as it is kept; a new version
# has a new id and so new keys. This is what lets the endpoint serve near the speed of a
# constant view however long the ledger is.
RENDERED: OrderedDict[tuple, tuple[bytes, str]] = OrderedDict()


RENDERED_KEPT = 512


# The default programme and the current version of each programme are read on every figures
# request. Each worker keeps them for at most SCOPE_SECONDS, so a version published by
# another process shows within that time; in the publishing process (and in tests) it shows
# at once, because saving a version or a programme empties the memo.
SCOPE_SECONDS = 1.0
_scope: dict[tuple, object] = {}
_scope_state = {"expires": 0.0, "generation": 0}
_scope_lock = threading.Lock()


def _memoised(key: tuple, load):
    with _scope_lock:
        now = time.monotonic()
        if now >= _scope_state["expires"]:
            _scope.clear()
            _scope_state["expires"] = now + SCOPE_SECONDS
        if key in _scope:
            return _scope[key]
        generation = _scope_state["generation"]
    value = load()
    with _scope_lock:
        # Not kept if a save emptied the memo while it was loading: the value may be stale.
        if generation == _scope_state["generation"]:
            _scope[key] = value
    return value


def forget_scope(**kwargs) -> None:
    """Empty the memo of default programme and current versions (a signal receiver)."""
    with _scope_lock:
        _scope.clear()
        _scope_state["generation"] += 1


def _forget_scope_now_and_after_commit(**kwargs) -> None:
    forget_scope()
    # Again after the commit: a request between the save and the commit may have read the old state.
    transaction.on_commit(forget_scope)


for _model in (Programme, FiguresVersion):
    post_save.connect(_forget_scope_now_and_after_commit, sender=_model, dispatch_uid=f"api-scope-{_model.__name__}")
    post_delete.connect(
        _forget_scope_now_and_after_commit, sender=_model, dispatch_uid=f"api-scope-d-{_model.__name__}"
    )


def memoised_ledger_change_count() -> int:
    """The ledger's change count, at most SCOPE_SECONDS old: part of a figures answer's key,
    since the answer says whether its version includes the latest change."""
    return _memoised(("ledger-change-count",), ledger_change_count)


def memoised_default_programme() -> Programme | None:
    """`selectors.default_programme()`, at most SCOPE_SECONDS old."""
    return _memoised(("default",), selectors.default_programme)


def memoised_current_version(*, programme: Programme) -> FiguresVersion | None:
    """`selectors.current_figures_version()` of `programme`, at most SCOPE_SECONDS old."""
    return _memoised(("current", programme.pk), lambda: selectors.current_figures_version(programme=programme))


def memoised_default_version() -> FiguresVersion | None:
    """The default programme's current version, at most SCOPE_SECONDS old: part of every API answer's
    ETag (settings.API_CURRENT_FIGURES_VERSION), read once per request of any endpoint."""
    programme = memoised_default_programme()
    return memoised_current_version(programme=programme) if programme else None


def _figures_state() -> tuple:
    current = FiguresVersion.objects.filter(is_current=True).order_by("programme_id")
    # includes_change_count: what a current version includes moves when a recompute changes no figure.
    return tuple(current.values_list("programme_id", "pk", "computed_at", "includes_change_count"))


def memoised_figures_state() -> tuple:
    """What any figures answer depends on besides the request, at most SCOPE_SECONDS old: the
    default programme, every programme's current version and the ledger's change count
    (settings.API_FIGURES_STATE: modellregionen.api.caching.answer_state)."""
    programme = memoised_default_programme()
    return (
        programme.pk if programme else None,
        _memoised(("current-versions",), _figures_state),
        memoised_ledger_change_count(),
    )
