"""Thin Celery tasks that take ids (STYLE.md 7).

Reliability comes from the settings (acks_late, reject_on_worker_lost: a task
whose worker dies goes back to the broker) and from ReportRun.claim (a task that
comes back, or comes twice, finishes its run once).
"""

from __future__ import annotations

import logging
from datetime import timedelta

from celery import Task, shared_task
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

from reports.build import ReportError, build
from reports.models import ReportRun

logger = logging.getLogger(__name__)
# Where the admin's import page keeps a previewed workbook until it is confirmed.
IMPORT_FOLDER = "imports"

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
def delete_stale_import_previews() -> int:
    """Hourly from Celery beat: delete uploaded ROPA workbooks whose preview
    was never confirmed within IMPORT_PREVIEW_HOURS (they hold personal data
    and a name, Art. 5(1)(e) GDPR storage limitation). Returns how many."""
    storage = default_storage
    if not storage.exists(IMPORT_FOLDER):
        return 0
    cutoff = timezone.now() - timedelta(hours=settings.IMPORT_PREVIEW_HOURS)
    _, files = storage.listdir(IMPORT_FOLDER)
    stale = [
        f"{IMPORT_FOLDER}/{name}"
        for name in files
        if storage.get_modified_time(f"{IMPORT_FOLDER}/{name}") < cutoff
    ]
    for path in stale:
        storage.delete(path)
    return len(stale)
