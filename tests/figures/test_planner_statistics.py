"""After a full recompute PostgreSQL knows the new version's steps (engine._refresh_planner_statistics)."""

import pytest
from django.db import connection

from funding.figures import engine
from funding.figures.models import FigureStep
from tests.factories import ProgrammeFactory, ProjectFactory


@pytest.mark.django_db(transaction=True)
def test_a_full_recompute_analyses_the_step_table():
    if connection.vendor != "postgresql":
        pytest.skip("planner statistics are PostgreSQL's (SQLite plans without them)")
    # A factory records no ledger change, so nothing recomputes on commit: the one below is the first.
    ProjectFactory(programme=ProgrammeFactory())
    table = FigureStep._meta.db_table

    def analysed() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT analyze_count FROM pg_stat_user_tables WHERE relname = %s", [table])
            return cursor.fetchone()[0]

    before = analysed()
    engine.recompute_figures(full=True)
    assert analysed() == before + 1
    engine.recompute_figures(full=False)  # nothing new: nothing published, nothing analysed
    assert analysed() == before + 1
