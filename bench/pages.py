"""The pages a DPO clicks, timed in-process at 10,000 activities.

Writes bench.synthetic's inventory (10,000 controller activities with 10 edits
each behind them, plus a customer side: processor activities, features,
customers) to a throwaway SQLite file, logs a DPO in with Django's test client
and times each admin page and API call server-side (no network, no browser):
median of ``--repeat`` calls after one warm-up, and the SQL queries of one call.
The same pages are first measured on a small inventory (a tenth of the size,
written and rolled back in the same database), so the table shows whether a
page's query count depends on the inventory's size.

    make bench-pages
    .venv/bin/python -m bench.pages --activities 1000 --repeat 3
    .venv/bin/python -m bench.pages --database /tmp/pages.sqlite3  # kept, reused

With ``--database`` the inventory is written once to that file and read again
on the next run (which then skips the small inventory).

Targets (docs/performance.md): 50 ms per page, 200 ms for 500 API rows, 1 s
for a full recomputation of the stored findings; the ratio column is the
median CPU time over its target (the server runs in this process, SQLite
included, so its CPU time is the server's work whatever else loads the
machine; wall time is shown too). Speed is only judged here,
never in the test suite, which asserts the query counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench.reports import set_up_django

PAGE_MS = 50.0
BIG_PAGE_MS = 200.0


@dataclass(frozen=True)
class Page:
    name: str
    path: str  # {activity} and {vendor} are filled in
    target_ms: float = PAGE_MS


PAGES = (
    Page("admin: index (today panel)", "/admin/"),
    Page("admin: processing activities list", "/admin/inventory/processingactivity/"),
    Page(
        "admin: one activity's change page",
        "/admin/inventory/processingactivity/{activity}/change/",
    ),
    Page(
        "admin: one activity's history page",
        "/admin/inventory/processingactivity/{activity}/history/",
    ),
    Page("admin: vendors list", "/admin/inventory/vendor/"),
    Page("admin: one vendor's change page", "/admin/inventory/vendor/{vendor}/change/"),
    Page(
        "admin: one vendor's history page", "/admin/inventory/vendor/{vendor}/history/"
    ),
    Page("admin: findings page", "/admin/findings/"),
    Page("API findings/", "/api/v1/findings/"),
    Page("API activities/ (page of 50)", "/api/v1/activities/"),
    Page(
        "API activities/?page_size=500",
        "/api/v1/activities/?page_size=500",
        BIG_PAGE_MS,
    ),
    Page("API one activity", "/api/v1/activities/{activity}/"),
    Page("API one activity's history", "/api/v1/activities/{activity}/history/"),
    Page("API vendors/", "/api/v1/vendors/"),
)


@dataclass
class Measured:
    median_ms: float
    queries: int
    cpu_ms: float = 0.0  # this process's CPU: the server's work, load aside


def dpo_client() -> Any:
    from django.contrib.auth.models import Group, User
    from django.test import Client

    from inventory.roles import DPO

    user, _ = User.objects.get_or_create(username="bench-dpo", is_staff=True)
    user.groups.add(Group.objects.get(name=DPO))
    client = Client()
    client.force_login(user)
    return client


def ids() -> dict[str, int]:
    """A mid-range activity and vendor."""
    from inventory.models import ProcessingActivity, Vendor

    found = {}
    for name, model in (("activity", ProcessingActivity), ("vendor", Vendor)):
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        found[name] = pks[len(pks) // 2]
    return found


def measure(client: Any, path: str, repeat: int) -> Measured:
    from django.db import connection

    queries: list[str] = []

    def count(execute: Any, sql: str, *args: Any) -> Any:
        queries.append(sql)
        return execute(sql, *args)

    with connection.execute_wrapper(count):
        response = client.get(path)  # also the warm-up
    if response.status_code != 200:
        raise SystemExit(f"{path} answered {response.status_code}")
    times = timed(lambda: client.get(path), repeat)
    return Measured(times[0], len(queries), times[1])


def timed(call: Any, repeat: int, before: Any = None) -> tuple[float, float]:
    """Median wall and CPU milliseconds of ``repeat`` calls."""
    wall, cpu = [], []
    for _ in range(repeat):
        if before:
            before()
        start, start_cpu = time.perf_counter(), time.process_time()
        call()
        wall.append((time.perf_counter() - start) * 1000)
        cpu.append((time.process_time() - start_cpu) * 1000)
    return statistics.median(wall), statistics.median(cpu)


def measure_all(repeat: int) -> dict[str, Measured]:
    client = dpo_client()
    found = ids()
    measured = {
        page.name: measure(client, page.path.format(**found), repeat) for page in PAGES
    }
    return measured | measure_refresh(repeat)


RECOMPUTE_MS = 1000.0
RECOMPUTES = (
    "findings: full recompute, table unchanged",
    "findings: full recompute, table rewritten",
)


def measure_refresh(repeat: int) -> dict[str, Measured]:
    """A full recomputation of today's findings as a write triggers it: every
    check over the snapshot, then the stored table brought up to date (no row
    to change; then every row, from an empty table)."""
    from django.db import connection

    from reports.findings_store import refresh
    from reports.models import StoredFinding

    def empty() -> None:
        StoredFinding.objects.all()._raw_delete(connection.alias)

    measured = {}
    for name, before in zip(RECOMPUTES, (lambda: None, empty), strict=True):
        wall, cpu = timed(refresh, repeat, before)
        before()
        with connection.execute_wrapper(counter := Counter()):
            refresh()
        measured[name] = Measured(wall, counter.count, cpu)
    return measured


class Counter:
    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Any, sql: str, *args: Any) -> Any:
        self.count += 1
        return execute(sql, *args)


def write_inventory(activities: int, edits: int) -> float:
    """The synthetic inventory and its customer side; seconds taken."""
    from django.db import transaction

    from bench.flows import add_customers
    from bench.synthetic import Shape, populate

    start = time.perf_counter()
    shape = Shape(
        activities=activities,
        vendors=max(20, activities // 5),
        data_categories=max(10, min(200, activities // 50)),
        edits=edits,
    )
    with transaction.atomic():  # one refresh of the stored findings, not one a write
        populate(shape)
        add_customers(customers=max(10, activities // 100))
    refresh_stored_findings()
    return time.perf_counter() - start


def settle() -> None:
    """On PostgreSQL, VACUUM ANALYZE what was just written, as autovacuum soon
    would on a server: ten edits in one transaction leave ten dead versions of
    each row behind, and the planner no statistics, which a live inventory
    written over months never has."""
    from django.db import connection

    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def refresh_stored_findings() -> None:
    """The bulk writes above bypass the save signals: bring any stored
    findings up to date, as a write through the admin or the API does."""
    try:
        from reports.findings_store import refresh
    except ImportError:  # findings computed per request: nothing is stored
        return
    refresh()


def small_inventory(activities: int, edits: int, repeat: int) -> dict[str, Measured]:
    """The same pages on a small inventory, written and rolled back."""
    from django.db import transaction

    with transaction.atomic():
        write_inventory(activities, edits)
        measured = measure_all(repeat)
        transaction.set_rollback(True)
    return measured


def print_table(
    activities: int, big: dict[str, Measured], small: dict[str, Measured], few: int
) -> None:
    print(
        f"| page | ms (median) | CPU ms | x target (CPU) | queries at {activities} "
        f"| at {few} |"
    )
    print("|---|---|---|---|---|---|")
    targets = [(p.name, p.target_ms) for p in PAGES]
    for name, target in [*targets, *((r, RECOMPUTE_MS) for r in RECOMPUTES)]:
        got, base = big[name], small.get(name)
        ratio = got.cpu_ms / target
        print(
            f"| {name} | {got.median_ms:.0f} | {got.cpu_ms:.0f} | {ratio:.2f} "
            f"| {got.queries} "
            f"| {base.queries if base else '-'} |"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--edits", type=int, default=10, help="edits per activity")
    parser.add_argument("--repeat", type=int, default=5, help="median of N calls")
    parser.add_argument("--database", type=Path, help="keep the inventory here")
    parser.add_argument(
        "--postgres",
        action="store_true",
        help="on a throwaway PostgreSQL database on 127.0.0.1 (dropped at the end)",
    )
    args = parser.parse_args()
    os.environ.setdefault("ALLOWED_HOSTS", "testserver")
    os.environ.setdefault("HTTPS", "False")
    if args.postgres:
        from bench.load import DATABASE, SERVER, throwaway_database

        with throwaway_database():
            set_up_django(f"{SERVER}/{DATABASE}")
            run(args, reuse=False)
        return
    with tempfile.TemporaryDirectory() as folder:
        database = args.database or Path(folder) / "bench-pages.sqlite3"
        reuse = database.exists()
        set_up_django(database)
        if reuse:
            print(f"Inventory read from {database}.")
        run(args, reuse)


def run(args: argparse.Namespace, reuse: bool) -> None:
    """Write the inventory (unless kept from an earlier run), time the pages."""
    few = max(10, args.activities // 10)
    small = {} if reuse else small_inventory(few, args.edits, 1)
    if reuse:
        refresh_stored_findings()
    else:
        written = write_inventory(args.activities, args.edits)
        print(f"Inventory: {args.activities} activities, {args.edits} edits")
        print(f"each, written in {written:.0f} s.")
        settle()
    print(f"Server time, median of {args.repeat}.\n")
    print_table(args.activities, measure_all(args.repeat), small, few)


if __name__ == "__main__":
    main()
