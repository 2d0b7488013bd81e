"""How long ``import_ropa`` takes, and how many SQL queries it runs, on a
register of N activities in this service's own ``ropa-controller`` layout.

The workbook is what the export writes (``reports.xlsx.build_workbook``): an
``Organisation`` sheet and a ``Controller record`` sheet whose rows share a
small pool of data-subject categories, data categories, vendors, systems and
security measures, and where one row in five transfers to a third country
under SCCs (to that country's one importer). The import runs in-process,
with full history and seals, into a throwaway SQLite file, first into an
empty inventory (everything created) and then again (everything unchanged).

    .venv/bin/python -m bench.imports                 # 2,000 rows
    .venv/bin/python -m bench.imports --rows 200
    .venv/bin/python -m bench.imports --memory 10000 50000

``--memory`` imports registers of those sizes, each in its own process into
a fresh empty inventory, and prints the seconds, the process's CPU seconds,
the queries, the process's resident memory before the import and its peak
during it (Linux ``VmHWM``), and the machine's load average
(``tracemalloc`` would be exact for Python's own allocations, but slows the
import down about twentyfold).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from bench.reports import set_up_django

AS_OF = datetime(2026, 1, 1, tzinfo=UTC)
COUNTRIES = ("India", "United States of America", "Brazil", "Japan")


def record(i: int) -> dict[str, Any]:
    """Row ``i`` of the synthetic register, keyed by the export's headings."""
    country = COUNTRIES[i % len(COUNTRIES)]
    row: dict[str, Any] = {
        "Reference": f"PA-B{i:05}",
        "Processing activity": f"Bench activity {i:05}",
        "Status": "Active",
        "Owner": f"Team {i % 7}",
        "Purposes": f"Purpose of activity {i}",
        "Lawful basis": "Contract (Art. 6(1)(b))",
        "Categories of data subjects": f"Subjects {i % 10}\nSubjects {(i + 3) % 10}",
        "Categories of personal data": "\n".join(
            f"DC{(i + k) % 20 + 1:02} Category {(i + k) % 20 + 1}" for k in range(3)
        ),
        "Categories of recipients": "\n".join(
            f"Vendor {(i + k) % 50:02}" for k in range(3)
        ),
        "Systems": f"System {i % 15}",
        "Retention": "6 years after the end of the contract",
        "Security measures": f"Measure {i % 8}",
        "DPIA required": "No",
    }
    if i % 5 == 0:  # one importer per country: it is located by the line
        row["Categories of recipients"] = f"Importer in {country}"
        row["Third countries"] = country
        row["Transfer safeguards"] = (
            f"{country}: Standard contractual clauses (Art. 46(2)(c)) (SCC Module 2)"
        )
    return row


def workbook(rows: int) -> bytes:
    """The export layout with ``rows`` activities."""
    from reports.ropa import CONTROLLER_HEADERS, ORGANISATION_HEADERS
    from reports.xlsx import Sheet, build_workbook

    entity = ("Bench Group Ltd", "1 Main St", "United Kingdom", "", "", "")
    cells = [[record(i).get(h) for h in CONTROLLER_HEADERS] for i in range(rows)]
    sheets = [
        Sheet("Organisation", ORGANISATION_HEADERS, [entity]),
        Sheet("Controller record", CONTROLLER_HEADERS, cells),
    ]
    return build_workbook(sheets, [("Report kind", "ropa-controller")], AS_OF)


def timed_import(path: Path) -> tuple[float, int, str, float]:
    """Seconds, SQL queries, the summary and the process's CPU seconds of one
    ``import_ropa`` run (on a shared machine the CPU time varies less)."""
    from django.db import connection

    from ropa_import.apply import import_ropa

    count = 0

    def counted(execute: Any, *args: Any) -> Any:
        nonlocal count
        count += 1
        return execute(*args)

    with connection.execute_wrapper(counted):
        start, cpu = time.perf_counter(), time.process_time()
        result = import_ropa(path)
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
    if result.errors:
        raise SystemExit(f"bench workbook refused: {result.errors[0]}")
    return seconds, count, result.summary(), cpu


def memory(sizes: list[int]) -> None:
    """Each size in its own process and throwaway database (``--peak``); the
    workbook is written first by another process, so that the peak is the
    import's."""
    print(
        "| import_ropa into an empty inventory | seconds | CPU seconds | queries "
        "| resident before | peak resident during the import | load average |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    me = [sys.executable, "-m", "bench.imports"]
    for rows in sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = str(Path(folder) / "register.xlsx")
            subprocess.run([*me, "--rows", str(rows), "--write", path], check=True)
            subprocess.run([*me, "--peak", path], check=True)


def status_mb(key: str) -> float:
    """A size from /proc/self/status (Linux), in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def load_average() -> str:
    """The machine's 1-minute load average now (Linux), as text."""
    return Path("/proc/loadavg").read_text().split()[0]


def reset_peak() -> float:
    """Reset the process's peak resident memory to its current size (Linux
    clear_refs "5"), so that the peak read after is the import's; returns it."""
    Path("/proc/self/clear_refs").write_text("5")
    return status_mb("VmRSS")


def peak_row(path: Path) -> None:
    with tempfile.TemporaryDirectory() as folder:
        set_up_django(Path(folder) / "bench.sqlite3")
        before = reset_peak()
        seconds, queries, summary, cpu = timed_import(path)
        after = status_mb("VmHWM")
        size = path.stat().st_size / 1e6
        rows = summary.split(" created")[0].split()[-1]
        print(
            f"| {rows} rows ({size:.1f} MB workbook) | {seconds:.0f} | {cpu:.0f} "
            f"| {queries:,} | {before:.0f} MB | {after:.0f} MB | {load_average()} |",
            flush=True,
        )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=2000)
    parser.add_argument("--memory", type=int, nargs="*", metavar="ROWS")
    parser.add_argument("--peak", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--write", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.peak:
        peak_row(args.peak)
        return
    if args.write:
        with tempfile.TemporaryDirectory() as folder:
            set_up_django(Path(folder) / "bench.sqlite3")
            args.write.write_bytes(workbook(args.rows))
        return
    if args.memory:
        memory(args.memory)
        return
    with tempfile.TemporaryDirectory() as folder:
        set_up_django(Path(folder) / "bench.sqlite3")
        path = Path(folder) / "register.xlsx"
        path.write_bytes(workbook(args.rows))
        print(
            f"| import_ropa, {args.rows} rows (SQLite) | seconds | CPU seconds "
            "| queries | load average |"
        )
        print("|---|---:|---:|---:|---:|")
        for label in ("into an empty inventory", "again, unchanged"):
            seconds, queries, summary, cpu = timed_import(path)
            print(
                f"| {label} ({summary}) | {seconds:.1f} | {cpu:.1f} | {queries} "
                f"| {load_average()} |"
            )
        from django.core.management import call_command

        call_command("verify_history")


if __name__ == "__main__":
    main()
