"""Today's findings, stored: computed once per write, read by every page.

The checks of ``reports.findings`` judge the whole inventory; running them on
each admin page or API call cost seconds at 10,000 activities. So today's
findings live in a table (``StoredFinding``), and ``FindingsState`` notes the
history and the day they were computed from (the *stamp*: the UTC day, since
review dates and deadlines are judged by the day, and the latest history id of
every table the checks read).

- **On each write**: every historical record written (a save, a delete, a
  many-to-many change) asks for one refresh when its transaction commits;
  ``refresh_findings`` is a Celery task. Without a broker it runs in-process:
  after the response when the write came in a request, at once otherwise
  (a command, a shell). A refresh rewrites only the rows that changed.
- **On each read**: the stamp is taken again (one query); if the history or
  the day moved on without a refresh (a bulk write that sends no signal, a
  worker that has not run yet, midnight), the reader refreshes first. So what
  a page shows is always what a full computation would give.

Past dates (``?as_of=``) are computed from history on demand, as before.
docs/performance.md explains the numbers.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from datetime import datetime
from difflib import SequenceMatcher
from functools import cache
from operator import attrgetter
from typing import Any

from django.apps import apps
from django.core.signals import request_finished, request_started
from django.db import connection, models, transaction
from django.dispatch import receiver
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError
from simple_history.signals import post_create_historical_record

from reports import findings
from reports.findings import Finding
from reports.models import FindingsState, StoredFinding
from reports.snapshot import (
    DATED_ALSO,
    TRACKED,
    LiveSnapshot,
    collector_paused,
    column,
)

logger = logging.getLogger(__name__)
STATE = 1  # the primary key of the one FindingsState row
FIELDS = ("code", "severity", "object_type", "object_id", "object_name", "message")
TALLIED = ("severity", "code", "object_type")
COLUMNS = ("position", *FIELDS)
GAP = 1024  # between stored positions, room for findings inserted later
BATCH = 2000


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
        with collector_paused():
            found = findings.compute(LiveSnapshot(now))
            store(found)
        state.stamp, state.refreshed_at = stamp, now
        state.tallies = tally(found)
        state.save()
    return found


def tally(found: Iterable[Finding]) -> dict[str, dict[str, int]]:
    """Per TALLIED field, how many findings have each value."""
    found = list(found)
    return {name: dict(Counter(getattr(f, name) for f in found)) for name in TALLIED}


def store(found: list[Finding]) -> None:
    """Rewrite only the rows that changed: the stored findings and the new
    ones are compared in order (``difflib``); rows in a run both share stay,
    the others are deleted and inserted. ``position`` only orders the rows:
    they are spaced GAP apart, new ones go between their neighbours, and the
    table is renumbered when a gap is too small."""
    old = list(StoredFinding.objects.values_list("id", "position", *FIELDS))
    new = [values(f) for f in found]
    stored_ = [r[2:] for r in old]
    if stored_ == new:
        return  # the usual case: a write that changes no finding
    matcher = SequenceMatcher(None, stored_, new, autojunk=False)
    drop: list[int] = []
    add: list[tuple[Any, ...]] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        drop.extend(r[0] for r in old[i1:i2])
        low = old[i1 - 1][1] if i1 else -1
        high = old[i2][1] if i2 < len(old) else low + GAP * (j2 - j1 + 1)
        if high - low <= j2 - j1:
            return renumber(found)
        step = (high - low) / (j2 - j1 + 1)
        add.extend((low + int(step * (n + 1)), *f) for n, f in enumerate(new[j1:j2]))
    for start in range(0, len(drop), BATCH):
        StoredFinding.objects.filter(id__in=drop[start : start + BATCH])._raw_delete(
            connection.alias
        )
    insert(add)


def renumber(found: Iterable[Finding]) -> None:
    StoredFinding.objects.all()._raw_delete(connection.alias)
    insert([(n * GAP, *values(f)) for n, f in enumerate(found)])


def insert(rows: list[tuple[Any, ...]]) -> None:
    """Rows of (position, *FIELDS), no model instance each (``bulk_create``
    spent more than building the findings on 17,000 instances and their
    SQL): on PostgreSQL by ``COPY`` (17,000 rows in 0.4 s wall instead of
    1.2-1.7 s by ``executemany``), elsewhere one statement run for every row."""
    if not rows:
        return
    quote = connection.ops.quote_name
    table = quote(StoredFinding._meta.db_table)
    columns = ", ".join(quote(column(StoredFinding, name)) for name in COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # psycopg's own cursor: Django's execute wrappers (query counts,
            # debug logging) do not see a COPY.
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            return
        marks = ", ".join(["%s"] * len(COLUMNS))
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


# A finding's FIELDS, as a tuple.
values: Callable[[Finding], tuple[Any, ...]] = attrgetter(*FIELDS)


def ensure_current() -> dict[str, dict[str, int]]:
    """Refresh first if the history or the day moved on since the last one;
    the stored findings' tallies (``tally``), read in the same query."""
    state = FindingsState.objects.filter(pk=STATE).values_list("stamp", "tallies")
    row = state.first()
    if row is None or row[0] != history_stamp(timezone.now()):
        return tally(refresh())
    tallies: dict[str, dict[str, int]] = row[1]
    return tallies


def stored() -> models.QuerySet[StoredFinding]:
    """Today's findings, current, in the checks' order."""
    return stored_and_tallied()[0]


def stored_and_tallied() -> tuple[
    models.QuerySet[StoredFinding], dict[str, dict[str, int]]
]:
    """Today's findings and, per TALLIED field, how many have each value:
    counted when they were stored, not by a GROUP BY over the table per page
    (three of them cost the findings page 15 ms on PostgreSQL at 17,000
    findings)."""
    counted = ensure_current()
    return StoredFinding.objects.all(), counted


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


# -- keeping the table current ----------------------------------------------


def enqueue() -> None:
    """After a commit: refresh in a worker. Without a broker the task runs
    in-process: inside a request, once its response has been handed to the
    server (``after_response``), so the user who saved does not wait for it.
    A broker that is down only delays it: the next reader refreshes."""
    from reports.tasks import refresh_findings

    if refresh_findings.app.conf.task_always_eager and getattr(_request, "open", False):
        _request.pending = True
        return
    try:
        refresh_findings.delay()
    except BrokerError:
        logger.warning("findings refresh not queued: broker unreachable")


# The request this thread serves (WSGI: one at a time per thread), and whether
# a write in it asked for a refresh.
_request = threading.local()


@receiver(request_started)
def request_opened(**kwargs: Any) -> None:
    _request.open, _request.pending = True, False


@receiver(request_finished)
def after_response(**kwargs: Any) -> None:
    """Sent when the server closes the response, after sending it. A refresh
    that fails here is logged; the next reader's stamp check redoes it."""
    pending = getattr(_request, "pending", False)
    _request.open, _request.pending = False, False
    if not pending:
        return
    from reports.tasks import refresh_findings

    try:
        refresh_findings.delay()
    except Exception:  # noqa: BLE001 - the response is gone; readers catch up
        logger.exception("findings refresh after the response failed")


def schedule_refresh(using: str | None = None) -> None:
    """One refresh per transaction, however many records it writes."""
    pending = transaction.get_connection(using).run_on_commit
    if not any(func is enqueue for _, func, _ in pending):
        transaction.on_commit(enqueue, using=using)


@receiver(post_create_historical_record)
def history_written(sender: Any, using: str | None = None, **kwargs: Any) -> None:
    if sender in historical_models():
        schedule_refresh(using)
