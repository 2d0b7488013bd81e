"""Celery tasks of the ROPA import: the admin's runs (a preview or an import,
with its progress) and the hourly clean-up of workbooks never imported."""

from __future__ import annotations

import logging
from datetime import timedelta
from typing import Any

from celery import shared_task
from django.conf import settings
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

# Where the admin's import page keeps an uploaded workbook until it is imported.
IMPORT_FOLDER = "imports"
SHOWN = 1000  # rows and errors kept for the status page; counts are kept in full


def progress_key(run_id: int) -> str:
    return f"ropa_import:run:{run_id}:progress"


def progress_of(run: Any) -> tuple[int, int]:
    """(activities done, activities in all): live from the cache while the
    run's transaction is open (its own writes are not visible until the
    commit), else as recorded on the run."""
    live = cache.get(progress_key(run.pk))
    if not run.finished and live is not None:
        return int(live[0]), int(live[1])
    return run.rows_done, run.rows_total


@shared_task(acks_late=True, reject_on_worker_lost=True)
def run_import(run_id: int) -> str:
    """Run an ImportRun (``ropa_import.apply.import_ropa``), recording its
    progress after each batch and its result; returns the run's status."""
    from ropa_import.apply import import_ropa
    from ropa_import.models import ImportRun
    from ropa_import.read import ImportFileError

    claimed = ImportRun.objects.filter(pk=run_id, status=ImportRun.Status.QUEUED)
    if not claimed.update(status=ImportRun.Status.RUNNING):
        return "not queued"
    run = ImportRun.objects.get(pk=run_id)

    def progress(done: int, total: int) -> None:
        run.rows_done, run.rows_total = done, total
        cache.set(progress_key(run_id), (done, total), 24 * 3600)

    try:
        with run.file.open("rb") as stored:
            result = import_ropa(
                stored,
                run.file_name,
                user=run.requested_by,
                dry_run=run.dry_run,
                mapping=run.mapping or None,
                progress=progress,
            )
    except ImportFileError as exc:
        run.status, run.error = ImportRun.Status.FAILED, str(exc)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, never lost
        logger.exception("import run %s failed", run_id)
        run.status, run.error = ImportRun.Status.FAILED, f"{type(exc).__name__}: {exc}"
    else:
        run.status, run.summary = ImportRun.Status.DONE, result.summary()
        run.result = result.as_json(SHOWN)
    run.finished_at = timezone.now()
    if not run.dry_run and run.file:  # imported (or refused): not kept
        run.file.delete(save=False)
    run.save()
    cache.delete(progress_key(run_id))
    return str(run.status)


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
