"""The one entry point for every workbook: ``build(kind, as_of, **params)``.

The management command, the Celery task and the tests all call this. Each kind's
module turns a Snapshot (and its parameters) into data sheets; this module adds
the shared Findings and Manifest sheets and the reproducible bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings
from django.utils import timezone

from reports import findings
from reports.snapshot import Snapshot, latest_change
from reports.xlsx import CellValue, Sheet, build_workbook

Params = dict[str, Any]
SheetsBuilder = Callable[[Snapshot, Params], list[Sheet]]


class ReportError(ValueError):
    """Bad input for a report (unknown kind or customer, future as_of...):
    a one-line message for the user, exit 2 in the command, 400 in the API."""


def registry() -> dict[str, SheetsBuilder]:
    """Kinds of CONTRACT.md section 3, each mapped to its sheets builder."""
    from reports import changes, dpa_annex, dsr_log, ropa, tia

    return {
        "ropa-controller": ropa.controller_sheets,
        "ropa-processor": ropa.processor_sheets,
        "tia": tia.sheets,
        "dpa-annex": dpa_annex.sheets,
        "changes": changes.sheets,
        "dsr-log": dsr_log.sheets,
    }


def parse_when(text: str, option: str = "--as-of") -> datetime:
    """ISO 8601 date or date-time; a bare date means the end of that day, UTC
    (CONTRACT.md 3: "2026-03-31 means the end of that day")."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return day.replace(
                hour=23, minute=59, second=59, microsecond=999999, tzinfo=UTC
            )
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReportError(
            f"{option} {text!r} is not an ISO 8601 date or date-time"
        ) from None
    return when if timezone.is_aware(when) else when.replace(tzinfo=UTC)


def resolve_as_of(as_of: datetime | None) -> datetime:
    """No as_of means the latest recorded change, not "now" (DESIGN.md)."""
    now = timezone.now()
    if as_of is None:
        return latest_change() or now
    if timezone.is_naive(as_of):
        as_of = as_of.replace(tzinfo=UTC)
    if as_of > now:
        raise ReportError(
            f"--as-of {as_of.isoformat()} is in the future (a date means the end "
            "of that day, UTC; leave --as-of out for the latest recorded state)"
        )
    return as_of


def findings_sheet(snap: Snapshot) -> Sheet:
    """The checks of reports.findings, as they stood at as_of."""
    rows = [
        (f.severity, f.code, f.object_type, f.object_name, f.message)
        for f in findings.compute(snap)
    ]
    headers = ("Severity", "Code", "Object type", "Object", "Message")
    return Sheet("Findings", headers, rows, widths=(10, 24, 20, 45, 80))


def manifest(kind: str, snap: Snapshot, params: Params) -> list[tuple[str, CellValue]]:
    shown = {k: v for k, v in sorted(params.items()) if v not in (None, "")}
    return [
        ("Report kind", kind),
        ("Parameters", json.dumps(shown, sort_keys=True, default=str)),
        ("As of (UTC)", snap.as_of.astimezone(UTC).replace(tzinfo=None)),
        ("Software version", f"kbinventory {settings.VERSION}"),
        ("Inventory fingerprint (SHA-256)", snap.fingerprint()),
    ]


def build(kind: str, as_of: datetime | None = None, **params: Any) -> bytes:
    """The workbook for ``kind`` as the inventory stood at ``as_of``."""
    builders = registry()
    if kind not in builders:
        raise ReportError(f"unknown report kind {kind!r}; one of {', '.join(builders)}")
    snap = Snapshot(resolve_as_of(as_of))
    sheets = builders[kind](snap, params)
    return build_workbook(sheets, lambda: manifest(kind, snap, params), snap.as_of)
