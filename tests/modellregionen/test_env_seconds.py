"""A duration from the environment is a number of seconds, with a decimal point if need be, and never a guess."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from modellregionen.env import env_seconds


@pytest.mark.parametrize(("raw", "expected"), [("0.25", 0.25), ("1", 1.0), ("0", 0.0), ("", 0.5)])
def test_a_duration_is_read_as_seconds(monkeypatch, raw, expected):
    monkeypatch.setenv("SOME_DELAY", raw)

    assert env_seconds("SOME_DELAY", 0.5) == expected


def test_without_the_variable_the_default_holds(monkeypatch):
    monkeypatch.delenv("SOME_DELAY", raising=False)

    assert env_seconds("SOME_DELAY", 0.5) == 0.5


@pytest.mark.parametrize("raw", ["-1", "1,5", "eine Sekunde", "nan", "inf"])
def test_anything_else_stops_the_start_naming_the_variable(monkeypatch, raw):
    monkeypatch.setenv("SOME_DELAY", raw)

    with pytest.raises(ImproperlyConfigured, match="SOME_DELAY"):
        env_seconds("SOME_DELAY", 0.5)
