"""Thin Celery tasks that take ids (STYLE.md 7)."""

from __future__ import annotations

import hashlib

from celery import shared_task
from django.core.files.base import ContentFile
from django.utils import timezone

from reports.build import build
from reports.models import ReportRun


@shared_task
def generate_report(run_id: int) -> None:
    """Build the run's workbook, store it with its SHA-256, record the outcome."""
    run = ReportRun.objects.get(pk=run_id)
    run.status, run.started_at = ReportRun.Status.RUNNING, timezone.now()
    run.save(update_fields=["status", "started_at"])
    try:
        data = build(run.kind, run.as_of, **run.parameters)
    except Exception as exc:  # noqa: BLE001 - recorded on the run, never lost
        run.status, run.error = ReportRun.Status.FAILED, str(exc)
    else:
        run.sha256 = hashlib.sha256(data).hexdigest()
        run.file.save(f"{run.kind}-{run.pk}.xlsx", ContentFile(data), save=False)
        run.status = ReportRun.Status.DONE
    run.finished_at = timezone.now()
    run.save()
