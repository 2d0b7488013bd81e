"""The import must not hold the whole sheet: rows are parsed batch by batch
(an activity handed on once its last row is read), so the memory of the
parsing stage grows by far less per row than a parsed row takes."""

import gc
import io
import tracemalloc
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.core.management import call_command

from bench.imports import workbook
from ropa_import.apply import import_ropa, importer
from ropa_import.apply import result as result_module
from ropa_import.headings import norm
from ropa_import.read import read_book
from ropa_import.rows import Activities

N = 150
BATCH = 50


@contextmanager
def collector_reset() -> Iterator[None]:
    """The cyclic garbage collector as in a fresh process. Each import leaves
    cyclic garbage (the workbook's objects) that the collector frees when it
    next runs; when it runs depends on its counts and, for the oldest
    generation, on how many objects the process holds. After a thousand
    earlier tests in the same worker it ran at other points of the import,
    and the peaks moved by 300 KB either way, more than the margin measured.
    Everything already alive is set aside (``gc.freeze``), so the collector
    runs at the same points of the import in any process."""
    gc.collect()
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


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
def test_parsing_memory_does_not_grow_with_the_rows(tmp_path: Path) -> None:
    parsing_peak(tmp_path, N, BATCH)  # warm: lookups and caches filled once
    with collector_reset():
        small = parsing_peak(tmp_path, N, BATCH)
        large = parsing_peak(tmp_path, 4 * N, BATCH)
        whole = parsing_peak(tmp_path, 4 * N, 4 * N)  # as if parsed whole
    assert large - small < (whole - small) / 2, (small, large, whole)


def import_peak(rows: int, batch: int, monkeypatch: pytest.MonkeyPatch) -> int:
    """tracemalloc's peak during a whole import (a dry run: everything is
    written, then rolled back), in batches of ``batch`` activities."""
    monkeypatch.setattr(importer, "BATCH", batch)
    monkeypatch.setattr(result_module, "KEPT", 10)  # the rest spooled to a file
    data = workbook(rows)
    gc.collect()
    tracemalloc.start()
    try:
        result = import_ropa(io.BytesIO(data), "register.xlsx", dry_run=True)
        assert result.count("created") == rows + 1, result.errors[:3]  # and the entity
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


@pytest.mark.django_db
def test_import_memory_does_not_grow_with_the_rows(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What the import keeps of each written batch (outcomes, keys, links)
    is a few bytes a row: the peak of 4N rows in batches stays close to that
    of N rows, far below that of 4N rows in one batch."""
    for i in range(norm.cache_info().maxsize or 0):  # the name cache full,
        norm(f"warm-up {i}")  # as it is in any large import
    import_peak(N, BATCH, monkeypatch)  # warm: lookups and caches filled once
    with collector_reset():
        small = import_peak(N, BATCH, monkeypatch)
        large = import_peak(4 * N, BATCH, monkeypatch)
        whole = import_peak(4 * N, 4 * N, monkeypatch)  # as if written in one batch
    assert large - small < (whole - small) / 50, (small, large, whole)


@pytest.mark.django_db
def test_outcomes_past_the_kept_ones_are_counted_and_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Only the first outcomes stay in memory; the command still prints
    every row's outcome, in order, and the summary counts them all."""
    monkeypatch.setattr(result_module, "KEPT", 2)
    path = tmp_path / "register.xlsx"
    path.write_bytes(workbook(5))
    result = import_ropa(path, dry_run=True)
    assert len(result.rows) == 2
    assert [r.row for r in result.outcomes()] == [2, 2, 3, 4, 5, 6]
    assert result.count("created") == 6
    assert result.as_json(10)["row_count"] == 6
    out = io.StringIO()
    call_command("import_ropa", str(path), "--dry-run", stdout=out)
    lines = [line for line in out.getvalue().splitlines() if " row " in line]
    rows = [line.split(":")[0] for line in lines if line.startswith("Controller")]
    assert rows == [f"Controller record row {n}" for n in range(2, 7)]
    assert "Dry run, nothing written: 6 would be created" in out.getvalue()
