"""What every report request and builder shares: the parameters, the error
for bad input, and reading the times a request names (docs/reports.md).

Builders, the command, the API, the admin and the Celery task import these;
this module imports no builder, so nothing here can form a cycle.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from reports.snapshot import latest_change

Params = dict[str, Any]


class ReportError(ValueError):
    """Bad input for a report (unknown kind or customer, future as_of...):
    a one-line message for the user, exit 2 in the command, 400 in the API."""


def parse_when(text: str, option: str = "--as-of") -> datetime:
    """ISO 8601 date or date-time; a bare date means the end of that day, UTC
    (docs/reports.md: "2026-03-31 means the end of that day")."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return day.replace(
                hour=23, minute=59, second=59, microsecond=999999, tzinfo=UTC
            )
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReportError(
            f"{option} {text!r} is not an ISO 8601 date or date-time"
        ) from None
    return when if timezone.is_aware(when) else when.replace(tzinfo=UTC)


def resolve_as_of(as_of: datetime | None) -> datetime:
    """No as_of means the latest recorded change, not "now" (docs/architecture.md)."""
    now = timezone.now()
    if as_of is None:
        return latest_change() or now
    if timezone.is_naive(as_of):
        as_of = as_of.replace(tzinfo=UTC)
    if as_of > now:
        raise ReportError(
            f"--as-of {as_of.isoformat()} is in the future (a date means the end "
            "of that day, UTC; leave --as-of out for the latest recorded state)"
        )
    return as_of
