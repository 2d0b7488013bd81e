"""Art. 30 records of processing: controller (30(1)) and processor (30(2))."""

from __future__ import annotations

from typing import Any

from reports.snapshot import Snapshot
from reports.xlsx import Sheet

# The Controller record sheet's columns, in order. import_ropa reads the same
# headers back (and the UK ICO template's), so change them in one place only.
CONTROLLER_HEADERS: tuple[str, ...] = (
    "Reference",
    "Processing activity",
    "Status",
    "Owner",
    "Purposes",
    "Lawful basis",
    "Legitimate interests",
    "LIA reference",
    "Consent record",
    "Special category condition",
    "Art. 10 basis",
    "Categories of data subjects",
    "Categories of personal data",
    "Special categories of data",
    "Source of the data",
    "Categories of recipients",
    "Systems",
    "Third countries",
    "Transfer safeguards",
    "Retention",
    "Security measures",
    "DPIA required",
    "DPIA reference",
    "Next review",
)


def controller_sheets(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    raise NotImplementedError("ropa-controller is being built")


def processor_sheets(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    raise NotImplementedError("ropa-processor is being built")
