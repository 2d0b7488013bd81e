"""The log of data subject requests (``dsr-log``): every request received in
(since, as_of], as the register stood at as_of, and the metrics a business
must be able to publish.

- ``Requests``: one row per request, requester pseudonymised (Art. 4(5), 25
  GDPR: the log is evidence of timeliness, not a copy of who asked).
- ``Metrics``: per regime and right asked for, the requests received, complied
  with in whole or in part, denied, forwarded and still open, the median and
  mean days to respond (CCPA regs sec. 7102(a)(1)), and the share answered on
  time (Art. 12(3) GDPR; FADP Ordinance Art. 18; CCPA regs sec. 7021, 7026):
  closed by their deadline, out of the closed ones and the open ones already
  past it. A request asking for several rights counts once per right and once
  in its regime's "All rights" row.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime

from django.utils import timezone

from dsr.findings import requests_as_of
from dsr.models import DataSubjectRequest, Right
from reports.changes import window_start
from reports.params import Params
from reports.snapshot import Snapshot
from reports.xlsx import CellValue, Sheet

Request = DataSubjectRequest
REQUEST_HEADERS = (
    "Reference",
    "Received",
    "Channel",
    "Regime",
    "Rights",
    "Our role",
    "Customer",
    "Requester (pseudonym)",
    "Authorised agent",
    "Verification",
    "Status",
    "Outcome",
    "Refusal ground",
    "Acknowledge by",
    "Acknowledged on",
    "Extended",
    "Extension told on",
    "Due on",
    "Days left",
    "Forwarded on",
    "Closed on",
    "Days to respond",
    "On time",
)
REQUEST_WIDTHS = (16, 18, 10, 10, 24, 12, 22, 22, 10, 12, 12, 14, 30) + (12,) * 10
METRIC_HEADERS = (
    "Regime",
    "Right",
    "Received",
    "Complied with in whole or in part",
    "Complied with in whole",
    "Complied with in part",
    "Denied",
    "Forwarded to the controller",
    "Open",
    "Median days to respond",
    "Mean days to respond",
    "Answered on time (%)",
)
ALL_RIGHTS = "All rights"
RIGHT_LABELS = dict(Right.choices)


@dataclass(frozen=True)
class Entry:
    """One request as it stood at as_of, with its timings."""

    request: Request
    as_of: date

    @property
    def closed_on(self) -> date | None:
        closed = self.request.closed_at
        if self.request.status != Request.Status.CLOSED or closed is None:
            return None
        return timezone.localdate(closed)

    @property
    def days(self) -> int | None:
        closed = self.closed_on
        return (closed - self.request.received_on()).days if closed else None

    @property
    def on_time(self) -> bool | None:
        """True/False once it is decided; None while open and not yet due."""
        due = self.request.due_date(self.as_of)
        closed = self.closed_on
        if due is None:
            return None
        if closed is not None:
            return closed <= due
        return False if self.as_of > due else None

    def cells(self) -> tuple[CellValue, ...]:
        r = self.request
        forwarded = timezone.localdate(r.forwarded_at) if r.forwarded_at else None
        on_time = {True: "Yes", False: "No", None: "Open"}[self.on_time]
        return (
            r.reference,
            r.received_at,
            r.get_channel_display(),
            r.get_regime_display(),
            "\n".join(RIGHT_LABELS.get(x, x) for x in r.rights),
            r.role,
            str(r.customer) if r.customer_id else "",
            r.pseudonym(),
            "Yes" if r.authorised_agent else "No",
            r.get_verification_display(),
            r.get_status_display(),
            r.get_outcome_display() if r.outcome else "",
            r.refusal_ground,
            r.acknowledge_by,
            r.acknowledged_on,
            "Yes" if r.is_extended else "No",
            r.extension_told_on,
            r.due_date(self.as_of),
            r.days_left(self.as_of),
            forwarded,
            self.closed_on,
            self.days,
            on_time,
        )


def sheets(snap: Snapshot, params: Params) -> list[Sheet]:
    since = window_start(snap, params.get("since"))
    entries = log_entries(snap, since)
    return [
        Sheet(
            "Requests", REQUEST_HEADERS, [e.cells() for e in entries], REQUEST_WIDTHS
        ),
        Sheet("Metrics", METRIC_HEADERS, metric_rows(entries)),
    ]


def log_entries(snap: Snapshot, since: datetime | None) -> list[Entry]:
    """The requests received in (since, as_of], by receipt then reference."""
    found = requests_as_of(snap.as_of)
    snap.use("dsr.DataSubjectRequest", [(h, when.isoformat()) for _, h, when in found])
    day = timezone.localdate(snap.as_of)
    chosen = [
        Entry(r, day)
        for r, _, _ in found
        if r.received_at <= snap.as_of and (since is None or r.received_at > since)
    ]
    return sorted(chosen, key=lambda e: (e.request.received_at, e.request.reference))


def metric_rows(entries: list[Entry]) -> list[tuple[CellValue, ...]]:
    rows: list[tuple[CellValue, ...]] = []
    for regime, label in Request.Regime.choices:
        mine = [e for e in entries if e.request.regime == regime]
        if not mine:
            continue
        for right in Right.values:
            asked = [e for e in mine if right in e.request.rights]
            if asked:
                rows.append(metric_row(label, RIGHT_LABELS[right], asked))
        rows.append(metric_row(label, ALL_RIGHTS, mine))
    return rows


def metric_row(
    regime: str, right: str, entries: Iterable[Entry]
) -> tuple[CellValue, ...]:
    group = list(entries)
    outcomes = [e.request.outcome for e in group if e.closed_on is not None]
    whole = outcomes.count(Request.Outcome.FULFILLED)
    part = outcomes.count(Request.Outcome.PARTLY)
    days = [e.days for e in group if e.days is not None]
    decided = [e.on_time for e in group if e.on_time is not None]
    return (
        regime,
        right,
        len(group),
        whole + part,
        whole,
        part,
        outcomes.count(Request.Outcome.REFUSED),
        outcomes.count(Request.Outcome.FORWARDED),
        sum(1 for e in group if e.closed_on is None),
        statistics.median(days) if days else None,
        round(statistics.mean(days), 1) if days else None,
        round(100 * sum(decided) / len(decided), 1) if decided else None,
    )
