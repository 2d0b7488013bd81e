"""The inventory as of a date reads the historical tables' indexes alone:
each object's latest record (its history_id included) and the activities'
creation dates, not every version of every record."""

import pytest
from django.db import connection
from django.utils import timezone

from inventory.models import ProcessingActivity
from reports.snapshot import latest_records

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's plans"),
]


def scans(sql, params):
    """How each table is read (SQLite's plan; PostgreSQL's depends on the
    tables' size and vacuuming: bench.pages --postgres measures it)."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        steps = [row[-1] for row in cursor.fetchall()]
    return [s for s in steps if s.startswith(("SCAN inv", "SEARCH"))]


def index_only(step):
    return "COVERING INDEX" in step


def test_latest_records_read_only_the_index():
    subquery = latest_records(ProcessingActivity.history.model, timezone.now())
    steps = scans(subquery.sql, subquery.params)
    assert steps and all(index_only(s) for s in steps), steps


def test_creation_dates_read_only_their_index():
    rows = ProcessingActivity.history.filter(
        history_date__lte=timezone.now(), history_type="+"
    ).values_list("id", "history_date")
    sql, params = rows.query.sql_with_params()
    steps = scans(sql, params)
    assert steps and all(index_only(s) for s in steps), steps
