"""Today's findings, stored: computed once per write, read by every page.

The checks of ``reports.findings`` judge the whole inventory; running them on
each admin page or API call cost seconds at 10,000 activities. So today's
findings live in a table (``StoredFinding``), and ``FindingsState`` notes the
history and the day they were computed from (the *stamp*: the UTC day, since
review dates and deadlines are judged by the day, and the latest history id of
every table the checks read).

- **On each write**: every historical record written (a save, a delete, a
  many-to-many change) asks for one refresh when its transaction commits;
  ``refresh_findings`` is a Celery task, run in-process without a broker.
- **On each read**: the stamp is taken again (one query); if the history or
  the day moved on without a refresh (a bulk write that sends no signal, a
  worker that has not run yet, midnight), the reader refreshes first. So what
  a page shows is always what a full computation would give.

Past dates (``?as_of=``) are computed from history on demand, as before.
docs/performance.md explains the numbers.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime
from functools import cache
from typing import Any

from django.apps import apps
from django.db import connection, models, transaction
from django.dispatch import receiver
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from simple_history.signals import post_create_historical_record

from reports import findings
from reports.findings import Finding
from reports.models import FindingsState, StoredFinding
from reports.snapshot import DATED_ALSO, TRACKED, Snapshot

logger = logging.getLogger(__name__)
STATE = 1  # the primary key of the one FindingsState row


@cache
def historical_models() -> tuple[type[models.Model], ...]:
    """The history tables the checks read: the inventory's and the register's."""
    return tuple(
        apps.get_model(label).history.model for label in (*TRACKED, *DATED_ALSO)
    )


def history_stamp(now: datetime) -> str:
    """The UTC day and each history table's latest id, in one query."""
    quote = connection.ops.quote_name
    columns = [
        f"(SELECT MAX({quote(str(m._meta.pk.column))}) FROM {quote(m._meta.db_table)})"
        for m in historical_models()
    ]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {', '.join(columns)}")
        latest = cursor.fetchone()
    return f"{now.date().isoformat()} " + ",".join(str(v or 0) for v in latest)


def refresh() -> list[Finding]:
    """Recompute today's findings and store them (one transaction; a refresh
    running elsewhere is waited for, then this one reads what it left)."""
    with transaction.atomic():
        state, _ = FindingsState.objects.select_for_update().get_or_create(pk=STATE)
        now = timezone.now()
        stamp = history_stamp(now)  # before reading: a later write re-stamps
        found = findings.compute(Snapshot(now))
        StoredFinding.objects.all().delete()
        StoredFinding.objects.bulk_create(rows(found), batch_size=2000)
        state.stamp, state.refreshed_at = stamp, now
        state.save()
    return found


def rows(found: Iterable[Finding]) -> list[StoredFinding]:
    return [
        StoredFinding(
            position=n,
            code=f.code,
            severity=f.severity,
            object_type=f.object_type,
            object_id=f.object_id,
            object_name=f.object_name,
            message=f.message,
        )
        for n, f in enumerate(found)
    ]


def ensure_current() -> None:
    """Refresh first if the history or the day moved on since the last one."""
    stamp = FindingsState.objects.filter(pk=STATE).values_list("stamp", flat=True)
    if stamp.first() != history_stamp(timezone.now()):
        refresh()


def stored() -> models.QuerySet[StoredFinding]:
    """Today's findings, current, in the checks' order."""
    ensure_current()
    return StoredFinding.objects.all()


def as_finding(row: StoredFinding) -> Finding:
    return Finding(
        row.code,
        row.severity,
        row.object_type,
        row.object_id,
        row.object_name,
        row.message,
    )


def current() -> list[Finding]:
    """Today's findings as ``reports.findings.compute`` gives them."""
    return [as_finding(row) for row in stored()]


def of_object(object_type: str, object_id: int) -> list[Finding]:
    rows_ = stored().filter(object_type=object_type, object_id=object_id)
    return [as_finding(row) for row in rows_]


def counts(object_type: str, ids: Iterable[int]) -> dict[int, int]:
    """Findings per object of one type (a changelist page), in one query."""
    per = (
        stored()
        .filter(object_type=object_type, object_id__in=list(ids))
        .values("object_id")
        .annotate(n=models.Count("id"))
        .order_by()
    )
    return {row["object_id"]: row["n"] for row in per}


def counts_by(field: str, found: models.QuerySet[StoredFinding]) -> dict[str, int]:
    """How many findings have each value of ``field`` (a sidebar filter)."""
    per = found.values(field).annotate(n=models.Count("id")).order_by()
    return {row[field]: row["n"] for row in per}


# -- keeping the table current ----------------------------------------------


def enqueue() -> None:
    """After a commit: refresh in a worker (in-process without a broker). A
    broker that is down only delays it: the next reader refreshes."""
    from reports.tasks import refresh_findings

    try:
        refresh_findings.delay()
    except BrokerError:
        logger.warning("findings refresh not queued: broker unreachable")


def schedule_refresh(using: str | None = None) -> None:
    """One refresh per transaction, however many records it writes."""
    pending = transaction.get_connection(using).run_on_commit
    if not any(func is enqueue for _, func, _ in pending):
        transaction.on_commit(enqueue, using=using)


@receiver(post_create_historical_record)
def history_written(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    if sender in historical_models():
        schedule_refresh(using)
