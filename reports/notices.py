"""Sub-processor notices in the customer's DPA annex workbook.

SCC 2021/914 Clause 9(a): the importer informs the exporter of intended changes
to its sub-processors at least the agreed period in advance, so the exporter
can object (option 2), or asks for its specific authorisation (option 1). Two
places show the notices, each as it stood on ``as_of`` (read from the notices'
history through the Snapshot):

- the ``Sub-processor notices`` sheet (after ``Annex III Sub-processors``,
  before ``Manifest``): the customer's notices drafted in the twelve months up
  to ``as_of``, with the dates the customer was given and its answer;
- the status column of Annex III: a sub-processor is authorised only from the
  effective date of the notice that announced it; before that it is marked
  pending, and an objection marks it until its resolution is recorded.

The rules are explained in docs/notices.md.
"""

from __future__ import annotations

from datetime import date, datetime

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.utils import timezone

from inventory.notices import SubprocessorNotice, countries_text
from reports.snapshot import Record, Snapshot
from reports.xlsx import CellValue, Sheet

TITLE = "Sub-processor notices"
HEADERS = (
    "Drafted on",
    "Sub-processor",
    "Change",
    "What changed",
    "Features concerned",
    "Data categories concerned",
    "Sent on",
    "Sent to",
    "Effective date",
    "Objection deadline",
    "Status",
    "Customer's answer",
    "Resolution of the objection",
)
WIDTHS = (12, 24, 20, 50, 24, 30, 12, 26, 12, 18, 24, 30, 30)
MONTHS_SHOWN = 12
AUTHORISED = "Authorised"
ANNEX_STATUS_HEADER = "Status (Clause 9(a))"

Notice = SubprocessorNotice
Change, Status, Resolution = Notice.Change, Notice.Status, Notice.Resolution


def notices_of(snap: Snapshot, customer_id: int) -> list[Record]:
    """The customer's notices drafted within the last 12 months of ``as_of``."""
    since = snap.as_of.date() - relativedelta(months=MONTHS_SHOWN)
    mine = [
        n
        for n in snap.records("inventory.SubprocessorNotice")
        if n["customer_id"] == customer_id and n["drafted_on"] > since
    ]
    return sorted(mine, key=lambda n: (n["drafted_on"], n["id"]))


def day_of(moment: datetime | None) -> date | None:
    return timezone.localtime(moment).date() if moment else None


def asks(notice: Record) -> bool:
    """Mirrors SubprocessorNotice.asks_customer on a record."""
    return notice["change"] == Change.ADDED or (
        notice["change"] == Change.MOVED and bool(notice["countries_added"])
    )


def specific(notice: Record) -> bool:
    return bool(notice["clause9_option"] == "specific")


def deadline_cell(notice: Record) -> CellValue:
    deadline: date | None = notice["objection_deadline"]
    if deadline:
        return deadline
    if not asks(notice):
        return "None: for information"
    if notice["sent_at"] is None:
        return "Set when sent"
    return "None: authorisation requested (option 1)"


def status_cell(notice: Record, day: date) -> str:
    label = Status(notice["status"]).label
    if notice["status"] != Status.PENDING:
        return label
    if notice["send_queued_at"]:
        return "Pending: queued, the mail server was down"
    if asks(notice) and notice["planned_effective_date"] <= day:
        return (
            f"Pending, overdue: was due on {notice['planned_effective_date']:%Y-%m-%d}"
            "; needs a new period"
        )
    return label


def answer_cell(notice: Record, users: dict[int, str]) -> str:
    if not notice["responded_on"]:
        return ""
    who = users.get(notice["response_recorded_by_id"], "")
    recorded = f" (recorded by {who})" if who else ""
    answer = Status(notice["status"]).label
    return f"{answer} on {notice['responded_on']:%Y-%m-%d}{recorded}"


def resolution_cell(notice: Record, users: dict[int, str]) -> str:
    if not notice["resolution"]:
        return "Unresolved" if notice["status"] == Status.OBJECTED else ""
    who = users.get(notice["resolved_by_id"], "")
    recorded = f" (recorded by {who})" if who else ""
    text = (
        f"{Resolution(notice['resolution']).label} on {notice['resolved_on']:%Y-%m-%d}"
    )
    return (
        text
        + recorded
        + (f": {notice['resolution_note']}" if notice["resolution_note"] else "")
    )


def usernames(notices: list[Record]) -> dict[int, str]:
    ids = {n[k] for n in notices for k in ("response_recorded_by_id", "resolved_by_id")}
    users = get_user_model().objects.filter(pk__in=[i for i in ids if i])
    return {u.pk: u.get_username() for u in users}


def notice_row(
    notice: Record, day: date, users: dict[int, str]
) -> tuple[CellValue, ...]:
    return (
        notice["drafted_on"],
        notice["vendor_name"],
        Change(notice["change"]).label,
        notice["description"],
        notice["features_concerned"],
        notice["data_concerned"],
        day_of(notice["sent_at"]),
        notice["sent_to"],
        notice["effective_date"] or "Set when sent",
        deadline_cell(notice),
        status_cell(notice, day),
        answer_cell(notice, users),
        resolution_cell(notice, users),
    )


def notices_sheet(snap: Snapshot, customer_id: int) -> Sheet:
    """The sheet for one customer (Clause 9(a) notices, last 12 months)."""
    notices = notices_of(snap, customer_id)
    users = usernames(notices)
    day = snap.as_of.date()
    rows = [notice_row(n, day, users) for n in notices]
    return Sheet(TITLE, HEADERS, rows, widths=WIDTHS, key_columns=2)


# -- Annex III: is each sub-processor authorised on the snapshot's day?


def annex_statuses(snap: Snapshot, customer_id: int) -> dict[int, str]:
    """Vendor id -> its Clause 9(a) status for the customer on ``as_of``,
    from the latest notice that asked the customer about it; vendors with no
    such notice are authorised (they were in the agreed list)."""
    latest: dict[int, Record] = {}
    for notice in snap.records("inventory.SubprocessorNotice"):
        if notice["customer_id"] != customer_id or not asks(notice):
            continue
        vendor = notice["vendor_id"]
        key = (notice["drafted_on"], notice["id"])
        if vendor and (vendor not in latest or key > _key(latest[vendor])):
            latest[vendor] = notice
    day = snap.as_of.date()
    return {vendor: annex_status(n, day) for vendor, n in latest.items()}


def _key(notice: Record) -> tuple[date, int]:
    return notice["drafted_on"], notice["id"]


def annex_status(notice: Record, day: date) -> str:
    """One sub-processor's status on ``day`` under its latest notice."""
    text = notice_state(notice, day)
    if text == AUTHORISED or notice["change"] != Change.MOVED:
        return text
    codes = [c for c in notice["countries_added"].split(",") if c]
    return f"{AUTHORISED}; new processing countries ({countries_text(codes)}): {text}"


def notice_state(notice: Record, day: date) -> str:
    sent = day_of(notice["sent_at"])
    if sent is None:
        return (
            f"Pending: notice drafted on {notice['drafted_on']:%Y-%m-%d}, not yet sent"
        )
    if notice["status"] == Status.OBJECTED:
        return objected_state(notice, day)
    effective = notice["effective_date"]
    if specific(notice) and notice["status"] != Status.ACCEPTED:
        return f"Pending: your authorisation was requested on {sent:%Y-%m-%d}"
    if day < effective:
        if specific(notice):
            return (
                f"Authorised on {notice['responded_on']:%Y-%m-%d}; effective from "
                f"{effective:%Y-%m-%d}"
            )
        return (
            f"Pending: notified on {sent:%Y-%m-%d}; effective from "
            f"{effective:%Y-%m-%d} unless you object by "
            f"{notice['objection_deadline']:%Y-%m-%d}"
        )
    return AUTHORISED


def objected_state(notice: Record, day: date) -> str:
    objected = f"Objected on {notice['responded_on']:%Y-%m-%d}"
    resolution = notice["resolution"]
    if not resolution:
        return f"{objected}: not to be used for your data until resolved"
    if resolution == Resolution.OBJECTION_WITHDRAWN:
        withdrawn = {**notice, "status": Status.ACCEPTED}
        if not withdrawn["responded_on"]:
            return AUTHORISED
        return notice_state(withdrawn, day)
    label = Resolution(resolution).label.lower()
    return f"{objected}; {label} on {notice['resolved_on']:%Y-%m-%d}"
