"""Celery tasks of the register: thin, calling the models."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from dsr.models import DataSubjectRequest


@shared_task
def purge_requests() -> int:
    """Daily: purge the requests past their retention (beat)."""
    purged = 0
    for request in DataSubjectRequest.objects.past_retention(timezone.now()):
        request.purge()
        purged += 1
    return purged
