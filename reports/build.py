"""The one entry point for every workbook: ``build(kind, as_of, **params)``.

The management command, the Celery task and the tests all call this. Each kind's
module turns a Snapshot (and its parameters) into data sheets; this module adds
the Manifest sheet and the reproducible bytes.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import datetime
from typing import Any

from django.conf import settings

from inventory.chain import chain_digest
from reports import changes, dpa_annex, dsr_log, ropa, tia
from reports.params import Params, ReportError, parse_when, resolve_as_of, show_as_of
from reports.snapshot import Snapshot, collector_paused
from reports.xlsx import FINGERPRINT_FIELD, CellValue, PageTitle, Sheet, build_workbook

# The history's seals the report was built from (inventory/chain.py): check a
# filed workbook against the database with verify_history and this value.
SEALS_FIELD = "History seals read (SHA-256)"

SheetsBuilder = Callable[[Snapshot, Params], list[Sheet]]


def registry() -> dict[str, SheetsBuilder]:
    """Every report kind (docs/reports.md), mapped to its sheets builder."""
    from reports import retention

    return {
        "ropa-controller": ropa.controller_sheets,
        "ropa-processor": ropa.processor_sheets,
        "tia": tia.sheets,
        "dpa-annex": dpa_annex.sheets,
        "changes": changes.sheets,
        "retention": retention.sheets,
        "dsr-log": dsr_log.sheets,
    }


def shown_params(snap: Snapshot, params: Params) -> dict[str, Any]:
    """The report options as the Manifest shows them: a customer or transfer
    by its id (what regenerating the report takes) and its name as of the
    report (what a reader recognises)."""
    shown = {k: v for k, v in sorted(params.items()) if v not in (None, "")}
    if "customer" in shown:
        customer = dpa_annex.find_customer(snap, shown["customer"])
        shown["customer"] = {"id": customer["id"], "name": customer["name"]}
    if "transfer" in shown:
        transfer = tia.selected(snap, shown)[0]
        shown["transfer"] = {"id": transfer["id"], "name": transfer["name"]}
    return shown


def manifest(kind: str, snap: Snapshot, params: Params) -> list[tuple[str, CellValue]]:
    shown = shown_params(snap, params)
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
    with collector_paused():
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
    "dsr-log": "Data subject requests (GDPR Art. 12-22)",
}


def page_title(kind: str, snap: Snapshot, params: Params) -> PageTitle:
    subject = ""
    if params.get("customer"):
        subject = (
            f"Customer: {dpa_annex.find_customer(snap, params['customer'])['name']}"
        )
    elif params.get("transfer"):
        transfer = tia.selected(snap, params)[0]
        subject = f"Transfer #{transfer['id']}: {transfer['name']}"
    elif params.get("since"):
        subject = f"Since {show_as_of(parse_when(str(params['since']), '--since'))}"
    return PageTitle(TITLES.get(kind, kind), subject, show_as_of(snap.as_of))
