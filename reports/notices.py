"""The ``Sub-processor notices`` sheet of the customer's DPA annex workbook.

SCC 2021/914 Clause 9(a): the importer informs the exporter of intended changes
to its sub-processors in advance, so the exporter can object. The sheet lists
the notices given to one customer in the twelve months up to ``as_of``, each as
it stood on that date (read from the notices' history through the Snapshot).
It goes after ``Annex III Sub-processors`` and before ``Manifest``.
"""

from __future__ import annotations

from dateutil.relativedelta import relativedelta

from inventory.models import SubprocessorNotice
from reports.snapshot import Record, Snapshot
from reports.xlsx import CellValue, Sheet

TITLE = "Sub-processor notices"
HEADERS = (
    "Notice date",
    "Sub-processor",
    "Change",
    "What changed",
    "Effective date",
    "Objection deadline",
    "Status",
)
WIDTHS = (14, 30, 24, 70, 14, 18, 12)
MONTHS_SHOWN = 12


def notices_of(snap: Snapshot, customer_id: int) -> list[Record]:
    """The customer's notices dated within the last 12 months of ``as_of``."""
    since = snap.as_of.date() - relativedelta(months=MONTHS_SHOWN)
    mine = [
        n
        for n in snap.records("inventory.SubprocessorNotice")
        if n["customer_id"] == customer_id and n["notice_date"] > since
    ]
    return sorted(mine, key=lambda n: (n["notice_date"], n["id"]))


def notice_row(notice: Record) -> tuple[CellValue, ...]:
    return (
        notice["notice_date"],
        notice["vendor_name"],
        SubprocessorNotice.Change(notice["change"]).label,
        notice["description"],
        notice["effective_date"],
        notice["objection_deadline"],
        SubprocessorNotice.Status(notice["status"]).label,
    )


def notices_sheet(snap: Snapshot, customer_id: int) -> Sheet:
    """The sheet for one customer (Clause 9(a) notices, last 12 months)."""
    rows = [notice_row(n) for n in notices_of(snap, customer_id)]
    return Sheet(TITLE, HEADERS, rows, widths=WIDTHS)
