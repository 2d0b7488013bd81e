"""Checks on deletion runs against the retention periods in force
(Art. 5(1)(e) GDPR)."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from inventory import retention
from reports.findings.base import (
    ERROR,
    Finding,
    check,
)
from reports.snapshot import Record, Snapshot

# Gaps between successful runs are looked for in this many last days.
DELETION_GAP_WINDOW_DAYS = 90


@dataclass(frozen=True)
class RunScope:
    """The runs that delete one data category for one customer (or, with
    ``customer`` None, for every customer)."""

    category: Record
    customer: Record | None
    runs: list[Record]  # oldest first; a customer's includes runs for all

    def successes(self) -> list[Record]:
        return [r for r in self.runs if r["outcome"] == "success"]

    def finding(self, code: str, message: str) -> Finding:
        what = f"{self.category['code']} {self.category['name']}"
        if self.customer is None:
            return Finding(
                code, ERROR, "datacategory", self.category["id"], what, message
            )
        return Finding(
            code,
            ERROR,
            "customer",
            self.customer["id"],
            self.customer["name"],
            f"{what}: {message}",
        )


def run_scopes(snap: Snapshot) -> list[RunScope]:
    """Every (data category, customer or all) some deletion job reports on."""
    runs = sorted(
        snap.records("inventory.DeletionRun"), key=lambda r: (r["finished_at"], r["id"])
    )
    categories = snap.table("inventory.DataCategory")
    customers = snap.table("inventory.Customer")
    keys = sorted({(r["data_category_id"], r["customer_id"] or 0) for r in runs})
    scopes = []
    for category_id, customer_id in keys:
        category = categories.get(category_id)
        if category is None:
            continue
        mine = [
            r
            for r in runs
            if r["data_category_id"] == category_id
            and (r["customer_id"] or 0) in (0, customer_id)
        ]
        scopes.append(RunScope(category, customers.get(customer_id), mine))
    return scopes


def allowed_days(category: Record) -> int:
    return max(1, category["deletion_interval_days"] or 1)


def overdue_message(scope: RunScope, day: date) -> str | None:
    """Why the scope's last successful run is too old on ``day``, if it is."""
    allowed = allowed_days(scope.category)
    done = scope.successes()
    if not done:
        return (
            f"No successful deletion run recorded ({len(scope.runs)} failed or "
            f"partial); the schedule asks for one every {allowed} day(s) "
            "(Art. 5(1)(e) GDPR)."
        )
    last = done[-1]["finished_at"].date()
    if (day - last).days <= allowed:
        return None
    return (
        f"Last successful deletion run on {last:%Y-%m-%d}, {(day - last).days} "
        f"days ago; the schedule asks for one every {allowed} day(s) (Art. 5(1)(e) "
        "GDPR)."
    )


def gap_messages(scope: RunScope, day: date) -> list[str]:
    """Each gap between successful runs longer than the category's interval,
    ending in the DELETION_GAP_WINDOW_DAYS before ``day``."""
    since = day - timedelta(days=DELETION_GAP_WINDOW_DAYS)
    allowed = allowed_days(scope.category)
    days = sorted({r["finished_at"].date() for r in scope.successes()})
    return [
        f"No successful deletion run between {before:%Y-%m-%d} and "
        f"{after:%Y-%m-%d} ({(after - before).days} days; the schedule asks for "
        f"one every {allowed} day(s)): data was kept past its period "
        "(Art. 5(1)(e) GDPR)."
        for before, after in zip(days, days[1:], strict=False)
        if after >= since and (after - before).days > allowed
    ]


def longer_period_message(
    scope: RunScope, categories: dict[int, Record], settings_: list[Record]
) -> str | None:
    """Why the last successful run kept data longer than the period in
    force for its customer (its setting, or the schedule), if it did."""
    done = scope.successes()
    if not done:
        return None
    customer = scope.customer
    overrides = retention.overrides_of(customer["id"], settings_) if customer else {}
    period = retention.effective_period(scope.category, categories, overrides)
    applied = done[-1]["retention_days"]
    if period.days is None or applied <= period.days:
        return None
    return (
        f"The last deletion run kept {applied} days of data; the period in force "
        f"is {period.days} days ({period.source}) (Art. 5(1)(e) GDPR)."
    )


def run_problems(snap: Snapshot, scope: RunScope) -> list[tuple[str, str]]:
    """(code, message) of every deletion-run finding about one scope: the
    checks below and the retention workbook both read them from here."""
    day = snap.as_of.date()
    categories = snap.table("inventory.DataCategory")
    settings_ = snap.records("inventory.RetentionOverride")
    found = [("DEL_RUN_OVERDUE", overdue_message(scope, day))]
    found += [("DEL_RUN_GAP", m) for m in gap_messages(scope, day)]
    found.append(
        ("DEL_RUN_LONGER_PERIOD", longer_period_message(scope, categories, settings_))
    )
    return [(code, message) for code, message in found if message]


def run_findings(snap: Snapshot, code: str) -> Iterator[Finding]:
    for scope in run_scopes(snap):
        for found, message in run_problems(snap, scope):
            if found == code:
                yield scope.finding(code, message)


@check
def deletion_run_overdue(snap: Snapshot) -> Iterator[Finding]:
    """Art. 5(1)(e) GDPR: data kept no longer than necessary, and 5(2): the
    controller (and the processor for its customers, Art. 28(3)(h)) can show
    it. A deletion job that has not succeeded within its interval leaves data
    past its period."""
    return run_findings(snap, "DEL_RUN_OVERDUE")


@check
def deletion_run_gap(snap: Snapshot) -> Iterator[Finding]:
    """Art. 5(1)(e) and 5(2) GDPR: between two successful runs, data outlived
    its period for as long as the gap exceeds the job's interval. Gaps of the
    last DELETION_GAP_WINDOW_DAYS days are reported, one finding per gap."""
    return run_findings(snap, "DEL_RUN_GAP")


@check
def deletion_run_longer_period(snap: Snapshot) -> Iterator[Finding]:
    """The period the last successful run applied is longer than the one in
    force for that customer (its setting, or the schedule): the job keeps data
    the customer asked to be deleted (Art. 28(3)(g), Art. 5(1)(e) GDPR)."""
    return run_findings(snap, "DEL_RUN_LONGER_PERIOD")
