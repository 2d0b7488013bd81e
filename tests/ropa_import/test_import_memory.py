"""The import must not hold the whole sheet: rows are parsed batch by batch
(an activity handed on once its last row is read), so the memory of the
parsing stage grows by far less per row than a parsed row takes."""

import gc
import tracemalloc
from pathlib import Path

import pytest

from bench.imports import workbook
from ropa_import.read import read_book
from ropa_import.rows import Activities

N = 150
BATCH = 50


def parsing_peak(tmp_path: Path, rows: int, batch: int) -> int:
    """tracemalloc's peak while the rows are parsed, each batch dropped."""
    data = workbook(rows)
    book = read_book(data)
    gc.collect()
    tracemalloc.start()
    try:
        activities = Activities(book.controller)
        for found in activities.batches(batch, []):
            assert found
        assert activities.done == rows
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_parsing_memory_does_not_grow_with_the_rows(tmp_path):
    parsing_peak(tmp_path, N, BATCH)  # warm: lookups and caches filled once
    small = parsing_peak(tmp_path, N, BATCH)
    large = parsing_peak(tmp_path, 4 * N, BATCH)
    whole = parsing_peak(tmp_path, 4 * N, 4 * N)  # as if parsed whole
    assert large - small < (whole - small) / 2, (small, large, whole)
