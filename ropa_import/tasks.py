"""Celery tasks of the ROPA import."""

from __future__ import annotations

from datetime import timedelta

from celery import shared_task
from django.conf import settings
from django.core.files.storage import default_storage
from django.utils import timezone

# Where the admin's import page keeps a previewed workbook until it is confirmed.
IMPORT_FOLDER = "imports"


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
