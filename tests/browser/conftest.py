"""Browser tests of the public pages; the browser fixtures live in tests/conftest.py."""

import os

import pytest

from tests.pages.conftest import _fresh_rate_limits  # noqa: F401  (a shared autouse fixture)


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.browser)
