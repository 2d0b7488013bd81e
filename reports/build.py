"""The one entry point for every workbook: ``build(kind, as_of, **params)``.

The management command, the Celery task and the tests all call this. Each kind's
module turns a Snapshot (and its parameters) into data sheets; this module adds
the shared Findings and Manifest sheets and the reproducible bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, time
from typing import Any

from django.conf import settings
from django.utils import timezone

from inventory.chain import chain_digest
from reports import findings
from reports.snapshot import Snapshot, first_change, latest_change
from reports.xlsx import (
    FINGERPRINT_FIELD,
    CellValue,
    PageTitle,
    Sheet,
    build_workbook,
)

Params = dict[str, Any]
# The history's seals the report was built from (inventory/chain.py): check a
# filed workbook against the database with verify_history and this value.
SEALS_FIELD = "History seals read (SHA-256)"
END_OF_DAY = time(23, 59, 59, 999999)
SheetsBuilder = Callable[[Snapshot, Params], list[Sheet]]


class ReportError(ValueError):
    """Bad input for a report (unknown kind or customer, future as_of...):
    a one-line message for the user, exit 2 in the command, 400 in the API."""


def registry() -> dict[str, SheetsBuilder]:
    """Kinds of CONTRACT.md section 3, each mapped to its sheets builder."""
    from reports import changes, dpa_annex, ropa, tia

    return {
        "ropa-controller": ropa.controller_sheets,
        "ropa-processor": ropa.processor_sheets,
        "tia": tia.sheets,
        "dpa-annex": dpa_annex.sheets,
        "changes": changes.sheets,
    }


def parse_when(text: str, option: str = "--as-of") -> datetime:
    """ISO 8601 date or date-time; a bare date means the end of that day, UTC
    (CONTRACT.md 3: "2026-03-31 means the end of that day")."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return datetime.combine(day.date(), END_OF_DAY, tzinfo=UTC)
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
    check_recorded(as_of)
    return as_of


def check_recorded(as_of: datetime, option: str = "--as-of") -> None:
    """Refuse a moment before the inventory's first recorded change: the
    report would be an empty register that looks like a real one."""
    first = first_change()
    if first is not None and as_of < first:
        raise ReportError(
            f"{option} {show_as_of(as_of)} is before the inventory's first "
            f"recorded change ({show_as_of(first)})"
        )


def show_as_of(as_of: datetime) -> str:
    """The moment as the user asked for it, in UTC: a bare date was the end of
    that day and is shown as that day (Excel would round 23:59:59.999999 up to
    the next day's midnight)."""
    moment = as_of.astimezone(UTC)
    if moment.time() == END_OF_DAY:
        return f"{moment:%Y-%m-%d} end of day (UTC)"
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return f"{text} UTC"


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
        (
            "Parameters",
            json.dumps(shown, sort_keys=True, default=str, ensure_ascii=False),
        ),
        ("As of (UTC)", show_as_of(snap.as_of)),
        ("Software version", f"kbinventory {settings.VERSION}"),
        (FINGERPRINT_FIELD, snap.fingerprint()),
        (SEALS_FIELD, chain_digest(snap.history_ids())),
    ]


def build(kind: str, as_of: datetime | None = None, **params: Any) -> bytes:
    """The workbook for ``kind`` as the inventory stood at ``as_of``."""
    builders = registry()
    if kind not in builders:
        raise ReportError(f"unknown report kind {kind!r}; one of {', '.join(builders)}")
    snap = Snapshot(resolve_as_of(as_of))
    sheets = builders[kind](snap, params)
    page = page_title(kind, snap, params)
    return build_workbook(
        sheets, lambda: manifest(kind, snap, params), snap.as_of, page
    )


# What each printed page of a report says it is (its page header).
TITLES = {
    "ropa-controller": "Record of processing activities, controller (GDPR Art. 30(1))",
    "ropa-processor": "Record of processing activities, processor (GDPR Art. 30(2))",
    "tia": "Transfer impact assessments (GDPR Art. 46, EDPB Rec. 01/2020)",
    "dpa-annex": "Annexes to the Standard Contractual Clauses (Decision 2021/914)",
    "changes": "Change log of the inventory (GDPR Art. 5(2), 30)",
}


def page_title(kind: str, snap: Snapshot, params: Params) -> PageTitle:
    subject = ""
    if params.get("customer"):
        subject = f"Customer: {params['customer']}"
    elif params.get("transfer"):
        subject = f"Transfer #{params['transfer']}"
    elif params.get("since"):
        subject = f"Since {show_as_of(parse_when(str(params['since']), '--since'))}"
    return PageTitle(TITLES.get(kind, kind), subject, show_as_of(snap.as_of))
