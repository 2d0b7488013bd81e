"""The demo's past: when each KonnectBot record was created and the few edits
since, so that reports as of a past date, the change log and the notices have
something to show from the first ``load_demo``.

The records are created in early 2025 (customers on the day their DPA was
signed, TIAs on the day they were assessed) with the values they had then;
``EDITS`` then bring them, on their dates, to the values of ``inventory.demo``.
simple-history dates a version by the instance's ``_history_date``. Only
records created by this run get a past: a second run finds everything as
``inventory.demo`` says and writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from typing import Any

from inventory import demo

START = datetime(2025, 1, 15, 9, 0, tzinfo=UTC)


@dataclass(frozen=True)
class Edit:
    """On ``when``, ``field`` of the record found by ``key`` goes from
    ``before`` (its value at creation) to its value in ``inventory.demo``."""

    when: datetime
    model: str
    key: str
    field: str
    before: Any
    reason: str


def at(day: str, hour: int = 10) -> datetime:
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=UTC)


EDITS: list[Edit] = [
    Edit(
        at("2025-05-20"),
        "ProcessingActivity",
        "PA-C4",
        "retention",
        "24 months",
        "Retention aligned with the analytics cookie lifetime",
    ),
    Edit(
        at("2025-11-03"),
        "ProcessingActivity",
        "PA-C3",
        "retention",
        "Security logs 6 months",
        "Longer log retention after the annual security review",
    ),
    Edit(
        at("2026-02-16"),
        "ProductFeature",
        "AI chat",
        "vendors",
        ["Nimbus Cloud Inc.", "Cortex AI Inc.", "Tracelight Monitoring Inc."],
        "EdgeShield CDN added as a sub-processor (Clause 9 notice sent)",
    ),
    Edit(
        at("2026-06-01"),
        "Customer",
        "Maison Lumière SAS",
        "dpa_version",
        "DPA v3",
        "DPA v4 signed on contract renewal",
    ),
]

_CUSTOMER_DAYS = {
    row["name"]: at(row["dpa_signed_on"])
    for row in demo.CUSTOMERS
    if row.get("dpa_signed_on")
}


def created_at(model_name: str, row: demo.Row) -> datetime:
    """When the demo says a record was first recorded."""
    if model_name == "Customer" and row["name"] in _CUSTOMER_DAYS:
        return _CUSTOMER_DAYS[row["name"]]
    if model_name == "Transfer" and row.get("exporter_customer") in _CUSTOMER_DAYS:
        return _CUSTOMER_DAYS[row["exporter_customer"]]
    if model_name == "TransferImpactAssessment":
        return at(str(row["assessed_on"]), 11)
    return START


def as_created(model_name: str, key: str, row: demo.Row) -> demo.Row:
    """The row as it was at creation: the values EDITS later change."""
    earlier = {
        e.field: e.before for e in EDITS if (e.model, e.key) == (model_name, key)
    }
    return {**row, **earlier}


def edits_for(created: set[tuple[str, str]]) -> list[Edit]:
    """The edits of the records this run created, oldest first."""
    return sorted(
        (e for e in EDITS if (e.model, e.key) in created), key=lambda e: e.when
    )
