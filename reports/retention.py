"""The retention workbook: the schedule, each customer's effective periods,
and the deletion runs that show the periods were kept (docs/retention.md).

An auditor compares the promise with the evidence: Art. 5(1)(e) GDPR (storage
limitation) and 5(2) (accountability), Art. 30(1)(f) (time limits per
category), Art. 28(3)(g) and SCC Clause 8.5 (deletion or return at the end of
the service), Cal. Civ. Code 1798.100(a)(3) (retention per category).

Sheets: ``Schedule`` (one row per data category), ``Customers`` (one row per
customer and data category its enabled features process or it set a period
for), ``Manifest``, then ``Deletion runs`` (every run recorded in (since,
as_of], newest first). The Manifest counts the runs too. The deletion-run
findings (overdue, gap, longer period) are shown on the row they are about.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

from inventory import retention
from reports import findings
from reports.changes import window_start
from reports.params import Params
from reports.snapshot import Record, Snapshot
from reports.xlsx import CellValue, Sheet

SCHEDULE_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Code", 9),
    ("Data category", 28),
    ("Period", 36),
    ("Period (days)", 10),
    ("Same period as", 14),
    ("At the end", 16),
    ("Method", 40),
    ("Legal reason for the period", 36),
    ("Deletion job runs every (days)", 12),
    ("Plan limits", 30),
    ("Last successful run (all customers)", 20),
    ("Deletion evidence", 50),
)
CUSTOMER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Customer", 26),
    ("Plan", 12),
    ("Residency region", 16),
    ("Transcript export", 10),
    ("Code", 9),
    ("Data category", 28),
    ("Period in force", 40),
    ("Period (days)", 10),
    ("Source", 24),
    ("Plan limit", 16),
    ("Within plan", 10),
    ("At the end", 16),
    ("End of service (Clause 8.5)", 44),
    ("Last successful run", 20),
    ("Deletion evidence", 50),
)
RUN_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Finished", 20),
    ("Started", 20),
    ("System", 28),
    ("Code", 9),
    ("Data category", 28),
    ("Customer", 26),
    ("Period applied (days)", 10),
    ("Deleted or de-identified", 12),
    ("Outcome", 10),
    ("Detail", 40),
)
ALL_CUSTOMERS = "All customers"
NO_RUN = "No deletion run recorded"
UP_TO_DATE = "Up to date"


def sheet(title: str, columns: tuple[tuple[str, int], ...], rows: Any) -> Sheet:
    return Sheet(
        title, tuple(h for h, _ in columns), rows, tuple(w for _, w in columns)
    )


def naive(when: datetime | None) -> datetime | None:
    """Times in UTC, as the other workbooks write them."""
    return when.astimezone(UTC).replace(tzinfo=None) if when else None


class Evidence:
    """The deletion runs and their findings, by (data category, customer or
    None for the runs covering every customer)."""

    def __init__(self, snap: Snapshot) -> None:
        self.categories = snap.table("inventory.DataCategory")
        self.scopes = {
            (s.category["id"], s.customer["id"] if s.customer else None): s
            for s in findings.run_scopes(snap)
        }
        self.problems = {
            key: findings.run_problems(snap, scope)
            for key, scope in self.scopes.items()
        }

    def scope(self, category_id: int, customer_id: int | None) -> Any:
        """The customer's own runs, else the runs covering every customer; for
        a category kept "as" another, that one's runs (deleted together)."""
        category = self.categories.get(category_id)
        source = retention.root(category, self.categories) if category else None
        for candidate in dict.fromkeys([category_id, source and source["id"]]):
            for key in dict.fromkeys([(candidate, customer_id), (candidate, None)]):
                if key in self.scopes:
                    return key
        return None

    def last_success(self, category_id: int, customer_id: int | None) -> Any:
        key = self.scope(category_id, customer_id)
        done = self.scopes[key].successes() if key else []
        return naive(done[-1]["finished_at"]) if done else None

    def status(self, category_id: int, customer_id: int | None) -> str:
        key = self.scope(category_id, customer_id)
        if key is None:
            return NO_RUN
        lines = [f"{code}: {message}" for code, message in self.problems[key]]
        return "\n".join(lines) or UP_TO_DATE


def plan_limits(snap: Snapshot) -> dict[int, dict[int, Record]]:
    """{data category id: {plan id: limit}}."""
    limits: dict[int, dict[int, Record]] = defaultdict(dict)
    for limit in snap.records("inventory.PlanLimit"):
        limits[limit["data_category_id"]][limit["plan_id"]] = limit
    return limits


def limit_text(limit: Record | None) -> str:
    return f"{limit['min_days']}-{limit['max_days']} days" if limit else ""


def schedule_rows(
    snap: Snapshot, evidence: Evidence
) -> Iterator[tuple[CellValue, ...]]:
    """Art. 30(1)(f): each category's period, end action, method and reason."""
    categories = snap.table("inventory.DataCategory")
    plans = snap.table("inventory.Plan")
    limits = plan_limits(snap)
    for category in sorted(categories.values(), key=lambda c: c["code"]):
        period = retention.schedule_period(category, categories)
        follows = categories.get(category["retention_follows_id"] or 0)
        mine = limits.get(category["id"], {})
        yield (
            category["code"],
            category["name"],
            period.text,
            period.days,
            follows["code"] if follows else "",
            period.action,
            period.method,
            period.legal_basis,
            category["deletion_interval_days"],
            "\n".join(
                sorted(f"{plans[p]['name']}: {limit_text(v)}" for p, v in mine.items())
            ),
            evidence.last_success(category["id"], None),
            evidence.status(category["id"], None),
        )


def customer_categories(snap: Snapshot, customer: Record) -> set[int]:
    """The categories the customer's enabled features process, and any it set."""
    features = snap.table("inventory.ProductFeature")
    activities = snap.table("inventory.ProcessingActivity")
    ids = {
        c
        for f in customer["features"]
        if f in features
        for a in features[f]["activities"]
        if a in activities and activities[a]["status"] != "retired"
        for c in activities[a]["data_categories"]
    }
    settings = snap.records("inventory.RetentionOverride")
    return ids | set(retention.overrides_of(customer["id"], settings))


def within(limit: Record | None, days: int | None, source: str) -> str:
    """Whether the customer's own setting is inside its plan's limit."""
    if source != retention.CUSTOMER_SETTING or days is None:
        return ""
    if limit is None:
        return "No: not offered"
    return "Yes" if limit["min_days"] <= days <= limit["max_days"] else "No"


def customer_rows(
    snap: Snapshot, evidence: Evidence
) -> Iterator[tuple[CellValue, ...]]:
    """Per customer and category: the period in force (its setting or the
    schedule), its plan's limit, Clause 8.5, and the deletion evidence."""
    categories = snap.table("inventory.DataCategory")
    plans = snap.table("inventory.Plan")
    regions = snap.table("inventory.Region")
    limits = plan_limits(snap)
    settings = snap.records("inventory.RetentionOverride")
    for customer in sorted(snap.records("inventory.Customer"), key=lambda c: c["name"]):
        plan = plans.get(customer["plan_id"] or 0)
        region = regions.get(customer["residency_region_id"] or 0)
        ids = customer_categories(snap, customer)
        periods = retention.customer_periods(customer["id"], ids, categories, settings)
        for category, period in periods:
            limit = limits.get(category["id"], {}).get(plan["id"]) if plan else None
            yield (
                customer["name"],
                plan["name"] if plan else "",
                region["name"] if region else "",
                "Yes" if customer["transcript_export"] else "No",
                category["code"],
                category["name"],
                period.short(),
                period.days,
                period.source,
                limit_text(limit),
                within(limit, period.days, period.source),
                period.action,
                retention.end_of_service_text(customer),
                evidence.last_success(category["id"], customer["id"]),
                evidence.status(category["id"], customer["id"]),
            )


def run_rows(snap: Snapshot, since: datetime | None) -> Iterable[tuple[CellValue, ...]]:
    """Every run recorded in (since, as_of], newest first."""
    systems = snap.table("inventory.System")
    categories = snap.table("inventory.DataCategory")
    customers = snap.table("inventory.Customer")
    runs = [
        r
        for r in snap.records("inventory.DeletionRun")
        if since is None or r["finished_at"] > since
    ]
    runs.sort(key=lambda r: (r["finished_at"], r["id"]), reverse=True)
    for run in runs:
        category = categories.get(run["data_category_id"])
        customer = customers.get(run["customer_id"] or 0)
        system = systems.get(run["system_id"])
        yield (
            naive(run["finished_at"]),
            naive(run["started_at"]),
            system["name"] if system else f"#{run['system_id']}",
            category["code"] if category else "",
            category["name"] if category else f"#{run['data_category_id']}",
            customer["name"] if customer else ALL_CUSTOMERS,
            run["retention_days"],
            run["deleted"],
            run["outcome"],
            run["detail"],
        )


def sheets(snap: Snapshot, params: Params) -> list[Sheet]:
    """Schedule, Customers, then (after the Manifest) the deletion runs."""
    evidence = Evidence(snap)
    runs = sheet(
        "Deletion runs", RUN_COLUMNS, list(run_rows(snap, window(snap, params)))
    )
    return [
        sheet("Schedule", SCHEDULE_COLUMNS, list(schedule_rows(snap, evidence))),
        sheet("Customers", CUSTOMER_COLUMNS, list(customer_rows(snap, evidence))),
        Sheet(runs.title, runs.headers, runs.rows, runs.widths, after_manifest=True),
    ]


def window(snap: Snapshot, params: Params) -> datetime | None:
    return window_start(snap, params.get("since"))
