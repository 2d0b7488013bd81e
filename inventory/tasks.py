"""Celery tasks of the inventory: sending the sub-processor notices that
waited for the mail server (thin, taking ids: docs/architecture.md)."""

from __future__ import annotations

import logging

from celery import shared_task
from django.core.exceptions import ValidationError

from inventory.notices import MailServerDown, NoticeStateError, SubprocessorNotice

logger = logging.getLogger(__name__)


def attempt(notice: SubprocessorNotice) -> bool:
    """Send one queued notice as the DPO who asked; False when the mail
    server is still down (it stays queued). A notice that can no longer go out
    as asked (its change came due meanwhile, its address was refused) is taken
    off the queue with the reason, for the DPO to decide."""
    try:
        notice.send(notice.sent_by, notice.new_period)
    except MailServerDown:
        return False
    except (NoticeStateError, ValidationError) as exc:
        text = " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc)
        notice.unqueue(f"Not sent: {text}")
        logger.warning("notice %s taken off the send queue: %s", notice.pk, text)
    return True


@shared_task
def send_queued_notices() -> int:
    """Every NOTICE_RETRY_SECONDS from Celery beat: send the notices queued
    while the mail server was down, oldest first, stopping at the first that
    still cannot reach it. Returns how many are still queued."""
    queued = SubprocessorNotice.objects.queued().order_by("send_queued_at", "pk")
    for notice in queued:
        if not attempt(notice):
            break
    return SubprocessorNotice.objects.queued().count()
