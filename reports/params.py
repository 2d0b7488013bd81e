"""What every report request and builder shares: the parameters, the error
for bad input, and reading the times a request names (docs/reports.md).

Builders, the command, the API, the admin and the Celery task import these;
this module imports no builder, so nothing here can form a cycle.
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from django.utils import timezone

from reports.snapshot import first_change, latest_change

Params = dict[str, Any]
END_OF_DAY = time(23, 59, 59, 999999)


class ReportError(ValueError):
    """Bad input for a report (unknown kind or customer, future as_of...):
    a one-line message for the user, exit 2 in the command, 400 in the API."""


def parse_when(text: str, option: str = "--as-of") -> datetime:
    """ISO 8601 date or date-time; a bare date means the end of that day, UTC
    (docs/reports.md: "2026-03-31 means the end of that day")."""
    try:
        if len(text) == 10:
            day = datetime.strptime(text, "%Y-%m-%d")
            return datetime.combine(day.date(), END_OF_DAY, tzinfo=UTC)
        when = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise ReportError(
            f"{option} {text!r} is not an ISO 8601 date or date-time"
        ) from None
    when = when if timezone.is_aware(when) else when.replace(tzinfo=UTC)
    try:
        return when.astimezone(UTC)
    except OverflowError:  # 0001-01-01T00:00:00+01:00 is in year 0 in UTC
        raise ReportError(f"{option} {text!r} is out of range") from None


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
    check_recorded(as_of)
    return as_of


def check_recorded(as_of: datetime, option: str = "--as-of") -> None:
    """Refuse a moment before the inventory's first recorded change: the
    report would be an empty register that looks like a real one."""
    first = first_change()
    if first is not None and as_of < first:
        raise ReportError(
            f"{option} {show_as_of(as_of)} is before the inventory's first "
            f"recorded change ({show_as_of(first)})"
        )


def show_as_of(as_of: datetime) -> str:
    """The moment as the user asked for it, in UTC: a bare date was the end of
    that day and is shown as that day (Excel would round 23:59:59.999999 up to
    the next day's midnight)."""
    moment = as_of.astimezone(UTC)
    if moment.time() == END_OF_DAY:
        return f"{moment:%Y-%m-%d} end of day (UTC)"
    text = moment.strftime("%Y-%m-%d %H:%M:%S")
    if moment.microsecond:
        text += f".{moment.microsecond:06d}"
    return f"{text} UTC"
