"""The findings machinery: a Finding, the @check registry and how findings
are computed, filtered and grouped. The checks themselves live in the
sibling modules, by the kind of record they judge."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from reports.snapshot import TRACKED, Record, Snapshot, collector_paused
from reports.xlsx import Sheet

logger = logging.getLogger(__name__)

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
# Transfers relying on an adequacy decision are warned this long before it ends.
ADEQUACY_EXPIRY_WARNING_DAYS = 180
# What findings can be about (the admin shows a findings column for these).
OBJECT_TYPES = (
    "processingactivity",
    "datacategory",
    "vendor",
    "transfer",
    "countryprofile",
    "customer",
    "subprocessornotice",
    "datasubjectrequest",
)
# object_type (model name) -> "app_label.ModelName", for links and labels.
OBJECT_LABELS: dict[str, str] = {
    label.split(".")[1].lower(): label for label in TRACKED
} | {"datasubjectrequest": "dsr.DataSubjectRequest"}


@dataclass(frozen=True, order=True)
class Finding:
    code: str
    severity: str  # "error", "warning", "info"
    object_type: str  # model name, e.g. "processingactivity"
    object_id: int
    object_name: str
    message: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        """What makes a finding the same finding from one day to the next
        (the digest reports a key it has not reported before)."""
        return (self.code, self.object_type, self.object_id, self.message)

    def as_dict(self) -> dict[str, Any]:
        """The API / ``--json`` shape: docs/api.md fields plus the
        object's name."""
        data = asdict(self)
        data["object"] = data.pop("object_name")
        return data

    def admin_url(self) -> str | None:
        """The change page of the object the finding is about, if it has one."""
        label = OBJECT_LABELS.get(self.object_type)
        if label is None:
            return None
        app_label = label.split(".")[0]
        try:
            return reverse(
                f"admin:{app_label}_{self.object_type}_change", args=[self.object_id]
            )
        except NoReverseMatch:
            return None


def type_label(object_type: str) -> str:
    """The model's verbose name for an object_type ("processing activity")."""
    label = OBJECT_LABELS.get(object_type)
    return str(apps.get_model(label)._meta.verbose_name) if label else object_type


Check = Callable[[Snapshot], Iterator[Finding]]
CHECKS: list[Check] = []


def check(func: Check) -> Check:
    CHECKS.append(func)
    return func


def compute(snapshot: Snapshot) -> list[Finding]:
    """Every finding, sorted by severity then code then object."""
    found: list[Finding] = []
    with collector_paused():
        for func in CHECKS:
            try:
                found.extend(func(snapshot))
            except Exception:  # noqa: BLE001 - one broken check must not hide others
                # The exception's text is for the server log, not for the reader.
                logger.exception("finding check %s failed", func.__name__)
                message = (
                    "This check could not be run; the reason is in the server log."
                )
                found.append(
                    Finding("CHECK_FAILED", "error", "check", 0, func.__name__, message)
                )
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(
        found, key=lambda f: (order[f.severity], f.code, f.object_type, f.object_id)
    )


def current(as_of: datetime | None = None) -> list[Finding]:
    """The findings as of ``as_of`` (default: now). Review dates are judged
    against that day, so "now" rather than the latest change is the default."""
    return compute(Snapshot(as_of or timezone.now()))


def select(
    found: Iterable[Finding],
    severity: str | None = None,
    code: str | None = None,
    object_type: str | None = None,
) -> list[Finding]:
    """The findings matching every filter given (the admin list and the API)."""
    return [
        f
        for f in found
        if (not severity or f.severity == severity)
        and (not code or f.code == code)
        and (not object_type or f.object_type == object_type)
    ]


def by_object(found: Iterable[Finding]) -> dict[tuple[str, int], list[Finding]]:
    """Findings grouped by (object_type, object_id): one computation serves a
    whole changelist (no query per row)."""
    grouped: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for f in found:
        grouped[(f.object_type, f.object_id)].append(f)
    return dict(grouped)


def names(records: Iterable[Record], key: str = "name") -> str:
    return ", ".join(sorted(str(r[key]) for r in records))


def review_interval() -> relativedelta:
    return relativedelta(months=settings.REVIEW_INTERVAL_MONTHS)


def findings_sheet(snap: Snapshot) -> Sheet:
    """The checks of reports.findings, as they stood at as_of."""
    rows = [
        (f.severity, f.code, f.object_type, f.object_name, f.message)
        for f in compute(snap)
    ]
    headers = ("Severity", "Code", "Object type", "Object", "Message")
    # Message wide enough that most fit one line: the sheet prints on few
    # pages at about 70 % (docs/workbooks.md).
    return Sheet(
        "Findings", headers, rows, widths=(10, 24, 18, 40, 104), fit_content=True
    )
