"""Report runs: who asked for which workbook, as of when, and what came out."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone

from inventory.roles import AUDITOR, DPO


def may_request(user: Any, kind: str) -> bool:
    """CONTRACT.md 5: DPO and Auditor may generate every kind, Sales only the
    DPA annexes; superusers everything."""
    if user.is_superuser:
        return True
    groups = set(user.groups.values_list("name", flat=True))
    if groups & {DPO, AUDITOR}:
        return True
    return kind == ReportRun.Kind.DPA_ANNEX and user.has_perm("reports.add_reportrun")


class ReportRun(models.Model):
    """One request for a workbook. The file is a pure function of (kind,
    parameters, as_of), so its SHA-256 lets an auditor prove it unaltered."""

    class Kind(models.TextChoices):
        ROPA_CONTROLLER = "ropa-controller", "Art. 30(1) controller record"
        ROPA_PROCESSOR = "ropa-processor", "Art. 30(2) processor record"
        TIA = "tia", "Transfer impact assessments"
        DPA_ANNEX = "dpa-annex", "DPA annexes (SCC Annex I-III) for one customer"
        CHANGES = "changes", "Change log"

    class Status(models.TextChoices):
        QUEUED = "queued", "Queued"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    parameters = models.JSONField(default=dict, blank=True)
    as_of = models.DateTimeField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="report_runs",
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    error = models.TextField(blank=True)
    file = models.FileField(upload_to="reports/", blank=True)
    sha256 = models.CharField("SHA-256", max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def enqueue(self) -> None:
        """Generate in the background once the request is committed."""
        from reports.tasks import generate_report

        run_id = self.pk
        transaction.on_commit(lambda: generate_report.delay(run_id))


class FindingsDigest(models.Model):
    """One run of the daily findings digest to the DPO (Art. 39(1)(b) GDPR: the
    DPO monitors compliance). ``findings`` holds every finding at the run, the
    baseline the next run compares against; ``sent`` the new ones it emailed."""

    created_at = models.DateTimeField(default=timezone.now)
    recipients = models.JSONField(default=list, blank=True)
    findings = models.JSONField(default=list, blank=True)
    sent = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        get_latest_by = ["created_at", "id"]
        verbose_name = "findings digest"

    def __str__(self) -> str:
        return f"Digest {self.created_at:%Y-%m-%d %H:%M} ({len(self.sent)} new)"
