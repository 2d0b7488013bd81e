"""The data map on a large inventory: how long deriving every flow takes, and
that the number of queries does not depend on the inventory's size.

Writes the synthetic inventory of ``bench.synthetic`` (by default 10,000
controller activities with 3 recipients each, 2,000 vendors, full history) to a
throwaway SQLite file, adds a customer side (processor activities, features
with vendors, customers that enable them), then measures:

- reading the snapshot the flows need and deriving them (``DataMap.flows()``),
- deriving them from an already-read snapshot (the pure function alone),
- the SQL queries of the first, here and on a small inventory (a tenth of the
  activities) written and rolled back first in the same database.

Time is measured, not judged (no target): CPU and wall seconds, median of
``--repeat`` rounds. Prints a Markdown table.

    .venv/bin/python -m bench.flows                     # 10,000 activities
    .venv/bin/python -m bench.flows --activities 1000 --repeat 1
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench.reports import set_up_django


def add_customers(customers: int = 100, features: int = 20) -> None:
    """Processor activities behind features (2 vendors each), and customers
    enabling 3 features each, written with their history."""
    from inventory.models import Customer, ProcessingActivity, ProductFeature, Vendor

    vendors = list(Vendor.objects.order_by("id")[:40])
    made = []
    for i in range(features):
        act = ProcessingActivity.objects.create(
            ref=f"PA-PB{i:03}", name=f"Bench processing {i:03}", role="processor"
        )
        act.recipients.set(vendors[i % 20 : i % 20 + 3])
        feature = ProductFeature.objects.create(name=f"Bench feature {i:03}")
        feature.activities.add(act)
        feature.vendors.set(vendors[20 + i % 20 : 20 + i % 20 + 2])
        made.append(feature)
    for i in range(customers):
        customer = Customer.objects.create(name=f"Bench customer {i:03}", country="FR")
        customer.features.set(made[i % features : i % features + 3])


def seconds(func: Callable[[], Any]) -> tuple[float, float]:
    """(CPU, wall) seconds of one call."""
    cpu, wall = time.process_time(), time.perf_counter()
    func()
    return time.process_time() - cpu, time.perf_counter() - wall


def measure(repeat: int) -> dict[str, Any]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from reports.snapshot import Snapshot
    from transfers.flows import DataMap

    now = timezone.now()
    with CaptureQueriesContext(connection) as ctx:
        flows = DataMap(Snapshot(now)).flows()
    snap = Snapshot(now)
    data_map = DataMap(snap)  # reads every table the flows need
    full = [seconds(lambda: DataMap(Snapshot(now)).flows()) for _ in range(repeat)]
    pure = [seconds(lambda: DataMap(snap).flows()) for _ in range(repeat)]
    return {
        "queries": len(ctx.captured_queries),
        "flows": len(flows),
        "legs": len(data_map.legs),
        "full": [statistics.median(x) for x in zip(*full, strict=True)],
        "pure": [statistics.median(x) for x in zip(*pure, strict=True)],
    }


def small_queries(activities: int) -> int:
    """Queries on a small inventory, written and rolled back."""
    from django.db import transaction

    from bench.synthetic import Shape, populate

    with transaction.atomic():
        populate(Shape(activities=activities, vendors=200, data_categories=20))
        add_customers()
        result = measure(1)
        transaction.set_rollback(True)
    return int(result["queries"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--activities", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5, help="median of N rounds")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        set_up_django(Path(folder) / "bench-flows.sqlite3")
        from bench.synthetic import Shape, populate

        small = small_queries(max(10, args.activities // 10))
        start = time.perf_counter()
        populate(Shape(activities=args.activities))
        add_customers()
        written = time.perf_counter() - start
        result = measure(args.repeat)
    print(f"Inventory written in {written:.0f} s; {args.activities} controller")
    print("activities, 20 processor activities behind 20 features, 100 customers;")
    print(f"{result['legs']} legs merged into {result['flows']} flows.\n")
    print("| measure | CPU s | wall s | SQL queries |")
    print("|---|---|---|---|")
    cpu, wall = result["full"]
    print(f"| snapshot + flows | {cpu:.2f} | {wall:.2f} | {result['queries']} |")
    cpu, wall = result["pure"]
    print(f"| flows from a read snapshot | {cpu:.2f} | {wall:.2f} | 0 |")
    print(
        f"\nQueries with {max(10, args.activities // 10)} activities: {small}; "
        f"with {args.activities}: {result['queries']}."
    )


if __name__ == "__main__":
    main()
