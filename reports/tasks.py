"""Thin Celery tasks that take ids (docs/architecture.md).

Reliability comes from the settings (acks_late, reject_on_worker_lost: a task
whose worker dies goes back to the broker) and from ReportRun.claim (a task that
comes back, or comes twice, finishes its run once).
"""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings

from reports.build import build
from reports.digest import send_digest
from reports.models import ReportRun
from reports.params import ReportError

logger = logging.getLogger(__name__)

# The task stops itself before its run counts as stale (ReportRun.objects.stale).
SOFT_LIMIT = settings.REPORT_STALE_AFTER_SECONDS - 60
HARD_LIMIT = settings.REPORT_STALE_AFTER_SECONDS - 30


@shared_task(
    bind=True,
    acks_late=True,
    reject_on_worker_lost=True,
    soft_time_limit=SOFT_LIMIT,
    time_limit=HARD_LIMIT,
)
def generate_report(self: Task[[int], None], run_id: int) -> None:
    """Build the run's workbook, store it with its SHA-256, record the outcome."""
    run = ReportRun.objects.filter(pk=run_id).first()
    if run is None or not run.claim(str(self.request.id)):
        return
    try:
        data = build(run.kind, run.as_of, **run.build_params())
    except SoftTimeLimitExceeded:
        run.mark_failed(f"Stopped: the build took longer than {SOFT_LIMIT} s.")
    except ReportError as exc:
        run.mark_failed(str(exc))
    except Exception as exc:  # noqa: BLE001 - recorded on the run, never lost
        logger.exception("report run %s failed", run_id)
        run.mark_failed(f"{type(exc).__name__}: {exc}")
    else:
        run.mark_done(data)


@shared_task
def sweep_report_runs() -> int:
    """Every minute from Celery beat: retry or fail runs whose worker vanished,
    send runs that waited for the broker. Returns how many were sent."""
    return ReportRun.objects.sweep()


@shared_task
def send_findings_digest() -> int:
    """Daily (CELERY_BEAT_SCHEDULE): the digest; returns how many were sent."""
    digest = send_digest()
    return len(digest.sent) if digest else 0


@shared_task
def refresh_findings() -> int:
    """After each committed write, and daily just after midnight UTC (review
    dates and deadlines are judged by the day): today's findings, stored.
    Returns how many there are."""
    from reports.findings_store import refresh

    return len(refresh())
