"""The reports benchmark: the ropa-controller workbook on a large inventory.

Builds a synthetic inventory (10,000 controller activities, 2,000 vendors, 200
data categories, 5 categories and 3 recipients per activity, 3 edits each, with
full history) in a throwaway SQLite file, then measures building the report as
it stands now and as of a past date, against a baseline measured in the same
run: openpyxl's write-only mode writing the same cells with the same text and
nothing else. Prints a Markdown table.

    make bench                       # the full size
    .venv/bin/python bench/reports.py --activities 1000 --repeat 1

Targets: now <= 2x the baseline, as of <= 3x, peak memory < 300 MB, and a query
count that does not depend on the number of activities. Speed is only ever
judged here, as a ratio to the baseline, never in the test suite.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def set_up_django(database: Path | str) -> None:
    """Settings as in production (DEBUG off), on a fresh SQLite file (a path)
    or a database URL."""
    # Run as a script, this folder comes first on sys.path and this file would
    # shadow the reports app: put the project root there instead.
    here = str(ROOT / "bench")
    sys.path[:] = [str(ROOT), *(p for p in sys.path if p != here)]
    url = database if isinstance(database, str) else f"sqlite:///{database}"
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kbinventory.settings")
    os.environ.setdefault("SECRET_KEY", "bench-only-secret-key")
    os.environ.setdefault("DEBUG", "False")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)


def materialise(sheets: Sequence[Any]) -> list[tuple[Sequence[str], list[Any]]]:
    """The cells the report writes, computed once outside any timing."""
    return [(sheet.headers, [list(row) for row in sheet.rows]) for sheet in sheets]


def baseline(content: list[tuple[Sequence[str], list[Any]]]) -> None:
    """Plain openpyxl write-only: the same cells, no styles, no neutralising."""
    from openpyxl import Workbook

    wb = Workbook(write_only=True)
    for headers, rows in content:
        ws = wb.create_sheet()
        ws.append(list(headers))
        for row in rows:
            ws.append(row)
    with tempfile.TemporaryFile() as out:
        wb.save(out)


def seconds(func: Callable[[], Any]) -> tuple[float, float]:
    """CPU and wall seconds of one call."""
    start_cpu, start_wall = time.process_time(), time.perf_counter()
    func()
    return time.process_time() - start_cpu, time.perf_counter() - start_wall


def interleaved(
    candidates: dict[str, Callable[[], Any]], base: Callable[[], Any], repeat: int
) -> dict[str, tuple[float, float, float, float]]:
    """Per candidate: median CPU s, median CPU ratio, median wall s, median wall
    ratio. Each round times the baseline, then every candidate, and each ratio is
    taken within its round: on a shared machine, load drifts between rounds
    (and inflates wall time more than CPU time, which the targets use)."""
    runs: dict[str, list[tuple[float, float, float, float]]] = {"baseline": []}
    runs.update({name: [] for name in candidates})
    for _ in range(repeat):
        base_cpu, base_wall = seconds(base)
        runs["baseline"].append((base_cpu, 1.0, base_wall, 1.0))
        for name, func in candidates.items():
            cpu, wall = seconds(func)
            runs[name].append((cpu, cpu / base_cpu, wall, wall / base_wall))
    return {
        name: tuple(statistics.median(column) for column in zip(*rounds, strict=True))
        for name, rounds in runs.items()
    }


def peak_and_queries(func: Callable[[], Any]) -> tuple[float, int]:
    """Peak traced memory (MB) and SQL queries of one untimed run."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    tracemalloc.start()
    with CaptureQueriesContext(connection) as queries:
        func()
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return peak / 1e6, len(queries.captured_queries)


def run(activities: int, repeat: int) -> list[tuple[str, ...]]:
    from django.utils import timezone

    from bench.synthetic import STEP, Shape, populate
    from reports.build import build
    from reports.params import resolve_as_of
    from reports.ropa import controller_sheets
    from reports.snapshot import Snapshot

    started = time.perf_counter()
    shape = populate(Shape(activities=activities))
    built = time.perf_counter() - started
    # A small inventory is written faster than its edits' one-second steps.
    time.sleep(max((shape.edit_dates[-1] - timezone.now()).total_seconds(), 0))
    past = shape.edit_dates[1] - STEP / 2  # after the first edit, before the second
    cells = materialise(controller_sheets(Snapshot(resolve_as_of(None)), {}))
    rows = sum(len(r) for _, r in cells)
    print(f"Inventory: {activities} activities written in {built:.0f} s;", end=" ")
    print(f"report: {rows} rows, {sum(len(h) * (len(r) + 1) for h, r in cells)} cells")
    targets = {
        "now": (None, 2),
        "as of a past date": (past, 3),
        "end to end (manage.py report) now": (None, 1.3),
        "end to end (manage.py report) as of": (past, 1.5),
    }
    candidates = {
        name: (
            (lambda a=as_of: command(a))
            if name.startswith("end")
            else (lambda a=as_of: build("ropa-controller", a))
        )
        for name, (as_of, _) in targets.items()
    }
    results = interleaved(candidates, lambda: baseline(cells), repeat)
    cpu, _, wall, _ = results["baseline"]
    table = [("baseline: openpyxl write-only, same cells", f"{cpu:.2f}", "1.00")]
    table[0] += (f"{wall:.2f}", "1.00", "", "", "")
    for name, (_, target) in targets.items():
        cpu, ratio, wall, wall_ratio = results[name]
        peak, queries = peak_and_queries(candidates[name])
        verdict = f"<= {target}x: {'ok' if ratio <= target else 'MISSED'}"
        table.append(
            (f"ropa-controller {name}", f"{cpu:.2f}", f"{ratio:.2f}", f"{wall:.2f}")
            + (f"{wall_ratio:.2f}", verdict, f"{peak:.0f}", str(queries))
        )
    return table


def command(as_of: Any) -> None:
    """``manage.py report ropa-controller`` in this process: everything but
    the interpreter's start-up (reading the arguments, the build, the
    manifest, writing the file)."""
    from django.core.management import call_command

    with tempfile.TemporaryDirectory() as folder:
        args = ["--out", str(Path(folder) / "ropa.xlsx")]
        if as_of is not None:
            args += ["--as-of", as_of.isoformat()]
        call_command("report", "ropa-controller", *args, stdout=open(os.devnull, "w"))


def print_table(rows: list[tuple[str, ...]]) -> None:
    header = (
        "build",
        "CPU s",
        "x baseline",
        "wall s",
        "x baseline (wall)",
        "target (CPU)",
        "peak MB",
        "SQL queries",
    )
    print("| " + " | ".join(header) + " |")
    print("|" + "---|" * len(header))
    for row in rows:
        print("| " + " | ".join(row) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="median of N rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        set_up_django(Path(tmp) / "bench.sqlite3")
        print_table(run(args.activities, args.repeat))


if __name__ == "__main__":
    main()
