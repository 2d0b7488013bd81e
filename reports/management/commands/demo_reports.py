"""``manage.py demo_reports --out DIR``: every report kind for the current
inventory, as ``make demo`` shows them (README, Quick start)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db.models import Min
from django.utils.text import slugify

from reports.build import build
from reports.params import ReportError
from reports.snapshot import Snapshot, latest_change, tracked_models

Job = tuple[str, str, dict[str, Any]]  # file name, kind, parameters


def first_change() -> datetime | None:
    """The time of the first recorded change in the inventory."""
    dates = [
        m.history.aggregate(first=Min("history_date"))["first"]  # type: ignore[attr-defined]
        for m in tracked_models()
    ]
    present = [d for d in dates if d is not None]
    return min(present) if present else None


def jobs() -> Iterator[Job]:
    """One workbook per kind; the change log from the start of the day of the
    first change; the DPA annexes once per customer."""
    yield "ropa-controller.xlsx", "ropa-controller", {}
    yield "ropa-processor.xlsx", "ropa-processor", {}
    yield "tia.xlsx", "tia", {}
    first = first_change()
    if first is not None:
        start = first.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
        yield "changes.xlsx", "changes", {"since": start.isoformat()}
    yield "dsr-log.xlsx", "dsr-log", {}
    when = latest_change()
    customers = Snapshot(when).records("inventory.Customer") if when else []
    for name in sorted(c["name"] for c in customers):
        yield f"dpa-annex-{slugify(name)}.xlsx", "dpa-annex", {"customer": name}


class Command(BaseCommand):
    help = (
        "Write every report for the current inventory into a directory: both "
        "Art. 30 records, the TIAs, the change log and each customer's DPA annexes."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--out", required=True, help="Directory to write into")

    def handle(self, *args: Any, **options: Any) -> None:
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        count = 0
        for filename, kind, params in jobs():
            try:
                data = build(kind, **params)
            except ReportError as exc:
                raise CommandError(f"{kind}: {exc}", returncode=2) from None
            path = out / filename
            path.write_bytes(data)
            self.stdout.write(f"{path} {hashlib.sha256(data).hexdigest()}")
            count += 1
        self.stdout.write(f"Wrote {count} workbooks to {out}.")
