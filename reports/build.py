"""The one entry point for every workbook: ``build(kind, as_of, **params)``.

The management command, the Celery task and the tests all call this. Each kind's
module turns a Snapshot (and its parameters) into data sheets; this module adds
the Manifest sheet and the reproducible bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.conf import settings

from reports import changes, dpa_annex, dsr_log, ropa, tia
from reports.params import Params, ReportError, resolve_as_of
from reports.snapshot import Snapshot
from reports.xlsx import CellValue, Sheet, build_workbook

SheetsBuilder = Callable[[Snapshot, Params], list[Sheet]]


def registry() -> dict[str, SheetsBuilder]:
    """Every report kind (docs/reports.md), mapped to its sheets builder."""
    return {
        "ropa-controller": ropa.controller_sheets,
        "ropa-processor": ropa.processor_sheets,
        "tia": tia.sheets,
        "dpa-annex": dpa_annex.sheets,
        "changes": changes.sheets,
        "dsr-log": dsr_log.sheets,
    }


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
