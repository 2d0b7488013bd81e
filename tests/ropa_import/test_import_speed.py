"""The import's cost must not grow with the rows: a register of 4N rows runs
the same number of SQL queries as one of N (give or take one per batch)."""

from pathlib import Path

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.imports import record, workbook
from inventory.models import ProcessingActivity
from ropa_import.apply import import_ropa
from transfers.models import Transfer

N = 10
PER_BATCH = 30  # slack for one more batch of bulk writes


def queries_of(tmp_path: Path, rows: int) -> int:
    """The queries of importing ``rows`` rows into an empty inventory (the
    import is rolled back afterwards)."""
    path = tmp_path / f"register-{rows}.xlsx"
    path.write_bytes(workbook(rows))
    with transaction.atomic():
        with CaptureQueriesContext(connection) as queries:
            result = import_ropa(path)
        assert not result.errors
        assert ProcessingActivity.objects.count() == rows
        transaction.set_rollback(True)
    return len(queries.captured_queries)


@pytest.mark.django_db
def test_the_bench_register_imports_every_row_with_its_transfers(tmp_path):
    path = tmp_path / "register.xlsx"
    path.write_bytes(workbook(N))
    result = import_ropa(path)
    assert not result.errors
    assert ProcessingActivity.objects.count() == N
    act = ProcessingActivity.objects.get(ref=record(1)["Reference"])
    assert act.recipients.count() == 3 and act.data_categories.count() == 3
    act = ProcessingActivity.objects.get(ref=record(5)["Reference"])
    (transfer,) = Transfer.objects.filter(activities=act)
    assert transfer.destination.code == "US"
    assert transfer.importer.name == "Importer in United States of America"


@pytest.mark.django_db
def test_queries_do_not_depend_on_the_number_of_rows(tmp_path):
    small = queries_of(tmp_path, N)
    large = queries_of(tmp_path, 4 * N)
    assert large <= small + PER_BATCH, (small, large)
