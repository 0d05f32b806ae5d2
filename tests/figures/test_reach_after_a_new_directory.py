"""A new municipal directory publishes new reach figures (issue 26), committed for real."""

import io

import pytest
from django.core.management import call_command

from funding.figures import engine
from funding.figures.verify import figures_verify
from funding.models import FiguresVersion


@pytest.mark.django_db(transaction=True)
def test_a_new_directory_recomputes_the_figures(tmp_path):
    # Committed for real, so the recompute the import schedules after commit runs.
    from tests.regions.test_reimport import newer_directory

    call_command("load_programme_data", stdout=io.StringIO(), stderr=io.StringIO())
    engine.recompute_figures()
    current = FiguresVersion.objects.get(is_current=True, programme__slug="digitale-modellregionen")
    call_command("import_municipalities", newer_directory(tmp_path, population=("05711000", 400000)))

    latest = FiguresVersion.objects.get(is_current=True, programme__slug="digitale-modellregionen")
    assert latest.pk != current.pk
    assert figures_verify() == []
