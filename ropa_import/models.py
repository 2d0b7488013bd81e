"""The column mapping a DPO chose for a layout, reused for the next file with
the same headings (docs/import.md, "Mapping")."""

from __future__ import annotations

import hashlib
import json
import logging

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from ropa_import.headings import norm

logger = logging.getLogger(__name__)
BROKER_DOWN = "The task queue is unreachable: upload the workbook again later."


def headings_key(headings: list[str]) -> str:
    """SHA-256 of the normalised headings, in order: the layout's identity."""
    text = json.dumps([norm(h) for h in headings])
    return hashlib.sha256(text.encode()).hexdigest()


class SavedMapping(models.Model):
    """Heading -> field (or "ignored") for one layout of register. Not part of
    the inventory (no Art. 30 content), so it keeps no history."""

    key = models.CharField(max_length=64, unique=True)
    headings = models.JSONField()
    mapping = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"mapping for {len(self.headings)} headings ({self.key[:12]})"

    @classmethod
    def for_headings(cls, headings: list[str]) -> dict[str, str] | None:
        found = cls.objects.filter(key=headings_key(headings)).first()
        return dict(found.mapping) if found else None

    @classmethod
    def remember(
        cls, headings: list[str], mapping: dict[str, str], user: object
    ) -> None:
        user_id = getattr(user, "pk", None)
        cls.objects.update_or_create(
            key=headings_key(headings),
            defaults={
                "headings": headings,
                "mapping": mapping,
                "updated_by_id": user_id,
            },
        )


class ImportRun(models.Model):
    """One upload run by the admin's import page in a Celery task: a preview
    (dry run) or the import itself, its progress and its result. Bookkeeping,
    not inventory (no history). The workbook is deleted when the import has
    run, and previews that were never confirmed after IMPORT_PREVIEW_HOURS
    (it holds personal data, Art. 5(1)(e) GDPR)."""

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    file = models.FileField(upload_to="imports/", blank=True)
    file_name = models.CharField(max_length=255)
    sha256 = models.CharField("SHA-256", max_length=64)
    dry_run = models.BooleanField(default=True)
    mapping = models.JSONField(default=dict, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    rows_done = models.PositiveIntegerField(default=0)
    rows_total = models.PositiveIntegerField(default=0)
    summary = models.TextField(blank=True)
    result = models.JSONField(
        default=dict, blank=True, help_text="Columns, rows, errors and warnings."
    )
    error = models.TextField(blank=True, help_text="Why the file could not be read.")
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        kind = "preview" if self.dry_run else "import"
        return f"{kind} of {self.file_name} #{self.pk} ({self.status})"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED)

    def enqueue(self) -> None:
        """Run in the background once the request is committed."""
        transaction.on_commit(self.send)

    def send(self) -> None:
        """Hand the run to the task queue (in-process without a broker, as
        reports are); a queue that is down fails the run with the reason."""
        from ropa_import.tasks import run_import

        try:
            run_import.delay(self.pk)
        except BrokerError as exc:
            logger.warning("import run %s not sent: broker down (%s)", self.pk, exc)
            runs = ImportRun.objects.filter(pk=self.pk, status=self.Status.QUEUED)
            runs.update(
                status=self.Status.FAILED, error=BROKER_DOWN, finished_at=timezone.now()
            )
