"""Celery tasks of the register: thin, calling the models."""

from __future__ import annotations

from celery import shared_task
from django.utils import timezone

from dsr import intake
from dsr.models import DataSubjectRequest


@shared_task
def purge_requests() -> int:
    """Daily: purge the requests past their retention (beat)."""
    purged = 0
    for request in DataSubjectRequest.objects.past_retention(timezone.now()):
        request.purge()
        purged += 1
    return purged


@shared_task
def poll_mailbox() -> int:
    """Every few minutes (beat, only when DSR_IMAP_HOST is set): file the
    privacy mailbox's new messages."""
    return intake.poll()
