"""Report runs: who asked for which workbook, as of when, and what came out.

No lost reports. The Celery task acknowledges late, so a worker that dies
mid-build hands its task back to the broker; before building, the task claims its
run (`ReportRun.claim`), so a re-delivered or duplicated task finishes a run once;
the file goes to a name fixed by the run, overwritten, never duplicated. Runs whose
worker vanished, and runs that never reached a broker that was down, are found by
`ReportRun.objects.sweep()` (every minute from Celery beat, and whenever the run
list is looked at) and retried, or failed with the reason.
"""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import models, transaction
from django.db.models.signals import post_delete
from django.dispatch import receiver
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from inventory.roles import AUDITOR, DPO
from reports.params import ReportError, parse_when, resolve_as_of

logger = logging.getLogger(__name__)

XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
BROKER_DOWN = (
    "The task queue is unreachable: the report is queued and will start as soon "
    "as the queue is back."
)


def may_request(user: Any, kind: str) -> bool:
    """docs/api.md, roles: DPO and Auditor may generate every kind, Sales only the
    DPA annexes; superusers everything."""
    return kind in kinds_for(user)


def kinds_for(user: Any) -> list[str]:
    """The report kinds a user may request, and so see and download."""
    every = list(ReportRun.Kind.values)
    if user.is_superuser:
        return every
    if set(user.groups.values_list("name", flat=True)) & {DPO, AUDITOR}:
        return every
    if user.has_perm("reports.add_reportrun"):
        return [ReportRun.Kind.DPA_ANNEX.value]
    return []


def stale_before(now: datetime) -> datetime:
    """A run that started before this and is still running has lost its worker."""
    return now - timedelta(seconds=settings.REPORT_STALE_AFTER_SECONDS)


class ReportRunQuerySet(models.QuerySet["ReportRun"]):
    def visible_to(self, user: Any) -> ReportRunQuerySet:
        """Each role sees the runs of the kinds it may request (docs/api.md, roles)."""
        return self.filter(kind__in=kinds_for(user))

    def stale(self, now: datetime) -> ReportRunQuerySet:
        """Running longer than any live worker would: the worker is gone."""
        return self.filter(
            status=ReportRun.Status.RUNNING, started_at__lt=stale_before(now)
        )

    def unsent(self, now: datetime) -> ReportRunQuerySet:
        """Queued runs that never reached the broker (it was down), or reached it
        so long ago that the message must be lost (a broker restarted empty)."""
        lost = models.Q(enqueued_at__lt=stale_before(now))
        return self.filter(status=ReportRun.Status.QUEUED).filter(
            models.Q(enqueued_at__isnull=True) | lost
        )

    def sweep(self) -> int:
        """Retry or fail stale runs, then hand waiting runs to the broker; stops
        at the first refusal (the broker is still down). Returns runs sent."""
        now = timezone.now()
        for run in self.stale(now):
            run.retry_or_fail()
        sent = 0
        for run in self.unsent(now).order_by("created_at", "id"):
            if not run.send():
                break
            sent += 1
        return sent


class ReportRun(models.Model):
    """One request for a workbook. The file is a pure function of (kind,
    parameters, as_of), so its SHA-256 lets an auditor prove it unaltered."""

    class Kind(models.TextChoices):
        ROPA_CONTROLLER = "ropa-controller", "Art. 30(1) controller record"
        ROPA_PROCESSOR = "ropa-processor", "Art. 30(2) processor record"
        TIA = "tia", "Transfer impact assessments"
        DPA_ANNEX = "dpa-annex", "DPA annexes (SCC Annex I-III) for one customer"
        CHANGES = "changes", "Change log"
        RETENTION = "retention", "Retention schedule, periods and deletion runs"
        DSR_LOG = "dsr-log", "Data subject requests: log and metrics"

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
    enqueued_at = models.DateTimeField(
        null=True, blank=True, help_text="When the task was handed to the broker."
    )
    task_id = models.CharField(max_length=64, blank=True)
    attempts = models.PositiveSmallIntegerField(
        default=0, help_text="How many times a worker started building it."
    )

    objects = ReportRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} #{self.pk} ({self.status})"

    def enqueue(self) -> None:
        """Generate in the background once the request is committed."""
        transaction.on_commit(self.send)

    def send(self) -> bool:
        """Hand the run to the broker; if it is down, the run stays queued with
        BROKER_DOWN as its note and the next sweep sends it. Never raises."""
        from reports.tasks import generate_report

        # ReportRun is bookkeeping, not inventory: it has no history to bypass,
        # and a conditional update cannot overwrite a run a worker has claimed.
        runs = ReportRun.objects.filter(pk=self.pk, status=self.Status.QUEUED)
        runs.update(enqueued_at=timezone.now())
        try:
            generate_report.delay(self.pk)
        except BrokerError as exc:
            logger.warning("report run %s not sent: broker down (%s)", self.pk, exc)
            runs.update(enqueued_at=None, error=BROKER_DOWN)
            return False
        return True

    @property
    def waiting_for_broker(self) -> bool:
        return self.status == self.Status.QUEUED and self.enqueued_at is None

    def claim(self, task_id: str) -> bool:
        """Start building for task ``task_id``, or return False: a finished run
        is final, and a running one belongs to its task unless that task is
        re-delivered (its worker died) or the run is stale."""
        with transaction.atomic():
            run = ReportRun.objects.select_for_update().get(pk=self.pk)
            if not run.claimable_by(task_id):
                return False
            if run.attempts >= settings.REPORT_MAX_ATTEMPTS:
                run.mark_failed(self.gave_up_message(run.attempts))
                return False
            try:
                run.start(task_id)
            except ReportError as exc:  # an as_of in the future
                run.mark_failed(str(exc))
                return False
        self.refresh_from_db()
        return True

    def claimable_by(self, task_id: str) -> bool:
        if self.status == self.Status.DONE:
            name = self.file.name
            return not (name and self.file.storage.exists(name))
        if self.status == self.Status.RUNNING and self.task_id != task_id:
            started = self.started_at
            return started is not None and started < stale_before(timezone.now())
        return self.status != self.Status.FAILED

    def start(self, task_id: str) -> None:
        # Fixed at the first attempt, so a retry builds the very same workbook.
        self.as_of = resolve_as_of(self.as_of)
        self.status, self.task_id, self.error = self.Status.RUNNING, task_id, ""
        self.attempts += 1
        self.started_at, self.finished_at = timezone.now(), None
        self.save()

    def build_params(self) -> dict[str, Any]:
        """The stored JSON parameters as build() takes them (since: a datetime)."""
        params = dict(self.parameters)
        if params.get("since"):
            params["since"] = parse_when(str(params["since"]), "since")
        return params

    def file_name(self) -> str:
        """One name per run: a second build overwrites, never adds a file."""
        return f"reports/run-{self.pk}-{self.kind}.xlsx"

    def download_name(self) -> str:
        stamp = self.as_of.strftime("%Y-%m-%dT%H%M%SZ") if self.as_of else "latest"
        customer = str(self.parameters.get("customer") or "")
        label = "-".join(p for p in (self.kind, customer, stamp) if p)
        return "".join(c if c.isalnum() or c in "-_." else "_" for c in label) + ".xlsx"

    def store(self, data: bytes) -> None:
        """Write the workbook under file_name(), replacing what an earlier,
        interrupted attempt left there."""
        name, storage = self.file_name(), self.file.storage
        if storage.exists(name):
            storage.delete(name)
        saved = storage.save(name, ContentFile(data))
        if saved != name:  # a concurrent attempt stored the same bytes first
            storage.delete(saved)
        self.file.name, self.sha256 = name, hashlib.sha256(data).hexdigest()

    def mark_done(self, data: bytes) -> None:
        self.store(data)
        self.status, self.error, self.finished_at = self.Status.DONE, "", timezone.now()
        self.save(update_fields=["file", "sha256", "status", "error", "finished_at"])

    def mark_failed(self, error: str) -> None:
        """Record why; earlier runs and their files are not touched."""
        self.status, self.error = self.Status.FAILED, error
        self.finished_at = timezone.now()
        self.save(update_fields=["status", "error", "finished_at"])

    def retry_or_fail(self) -> None:
        """A stale run: queue it again for the sweep to send, or give up."""
        limit = settings.REPORT_STALE_AFTER_SECONDS
        same = ReportRun.objects.filter(
            pk=self.pk, status=self.Status.RUNNING, started_at=self.started_at
        )
        if self.attempts >= settings.REPORT_MAX_ATTEMPTS:
            note = self.gave_up_message(self.attempts)
            same.update(
                status=self.Status.FAILED, error=note, finished_at=timezone.now()
            )
            return
        note = (
            f"Attempt {self.attempts} lost its worker (no result after {limit} s); "
            "retrying."
        )
        same.update(status=self.Status.QUEUED, enqueued_at=None, error=note)

    @staticmethod
    def gave_up_message(attempts: int) -> str:
        limit = settings.REPORT_STALE_AFTER_SECONDS
        return (
            f"Gave up after {attempts} attempts: each time the worker was lost or "
            f"gave no result within {limit} s (killed, out of memory?)."
        )


@receiver(post_delete, sender=ReportRun)
def delete_report_file(sender: type[ReportRun], instance: ReportRun, **_: Any) -> None:
    """A deleted run takes its stored workbook with it, once the deletion is
    committed: a deletion rolled back keeps a downloadable file."""
    name, storage = instance.file.name, instance.file.storage
    if name:
        transaction.on_commit(lambda: storage.delete(name))


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


class StoredFinding(models.Model):
    """One of today's findings as the checks gave it at the last refresh
    (``reports.findings_store``): the admin and the API read this table instead
    of running every check over the whole inventory on each request."""

    position = models.PositiveIntegerField(unique=True)  # the checks' order
    code = models.CharField(max_length=64)
    severity = models.CharField(max_length=8)
    object_type = models.CharField(max_length=64)
    object_id = models.BigIntegerField()
    object_name = models.TextField()
    message = models.TextField()

    class Meta:
        ordering = ["position"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            models.Index(fields=["severity", "position"]),
            models.Index(fields=["code", "position"]),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.object_type} #{self.object_id}"


class FindingsState(models.Model):
    """The one row saying which history and which day the stored findings
    were computed from (``reports.findings_store.history_stamp``)."""

    stamp = models.TextField(default="")
    refreshed_at = models.DateTimeField(null=True)
    tallies = models.JSONField(
        default=dict,
        help_text="How many stored findings have each severity, code and object "
        "type, counted when they were stored (the findings page's filters, the "
        "admin index's panel).",
    )

    def __str__(self) -> str:
        return f"Findings as of {self.refreshed_at}"
