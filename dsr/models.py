"""The register of data subject requests (Art. 12-22 GDPR, UK GDPR, FADP Art.
25-32, CCPA sec. 1798.100-1798.135), with the full history of every request.

A request is answered by us when we are the controller of the data concerned,
and forwarded to the customer who is the controller when we only process the
data for it (Art. 28(3)(e)). Its deadlines come from ``dsr.deadlines``; where
the subject's data lives comes from the inventory (``RequestTask``).
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.template.loader import render_to_string
from django.utils import timezone

from dsr import deadlines
from inventory.actors import actor_name
from inventory.chain import reseal
from inventory.history_records import HistoricalRecords
from inventory.models import Customer, DataSubjectCategory

REFERENCE_PREFIX = "DSR"
REFERENCE_ATTEMPTS = 5
# What purging removes (the requester's name becomes their pseudonym).
PURGED_FIELDS = (
    "requester_name",
    "requester_email",
    "subject_identifiers",
    "notes",
    "forwarded_to",
)
PURGE_REASON = "Purged after the retention period"


class Right(models.TextChoices):
    """What a subject may ask for: GDPR Art. 15-18, 20, 21 (also UK GDPR and
    FADP), CCPA sec. 1798.100-1798.121."""

    ACCESS = "access", "Access (Art. 15)"
    RECTIFICATION = "rectification", "Rectification (Art. 16)"
    ERASURE = "erasure", "Erasure (Art. 17)"
    RESTRICTION = "restriction", "Restriction (Art. 18)"
    PORTABILITY = "portability", "Portability (Art. 20)"
    OBJECTION = "objection", "Objection (Art. 21)"
    KNOW = "know", "Know (CCPA 1798.110)"
    DELETE = "delete", "Delete (CCPA 1798.105)"
    CORRECT = "correct", "Correct (CCPA 1798.106)"
    OPT_OUT_SALE_SHARING = (
        "opt_out_sale_sharing",
        "Opt out of sale or sharing (CCPA 1798.120)",
    )
    LIMIT_SENSITIVE = "limit_sensitive", "Limit sensitive data (CCPA 1798.121)"


CCPA_RIGHTS = frozenset(
    {"know", "delete", "correct", "opt_out_sale_sharing", "limit_sensitive"}
)
# Art. 19: recipients are told of a rectification, erasure or restriction.
NOTIFY_RECIPIENTS = frozenset(
    {"rectification", "erasure", "restriction", "delete", "correct"}
)


class RightsField(models.CharField[Any, list[str]]):
    """A set of rights, stored as comma-separated codes in choice order and
    read as a list (the API shows a list; the history stores the text)."""

    def from_db_value(self, value: Any, *args: Any) -> list[str]:
        return self.to_python(value)

    def to_python(self, value: Any) -> list[str]:
        if value is None or value == "":
            return []
        items = value.split(",") if isinstance(value, str) else list(value)
        order = list(Right.values)
        return sorted(set(items), key=lambda r: order.index(r) if r in order else 99)

    def get_prep_value(self, value: Any) -> Any:
        if isinstance(value, list | tuple | set | frozenset):
            return ",".join(self.to_python(list(value)))
        return value

    def value_to_string(self, obj: Any) -> str:
        return ",".join(self.value_from_object(obj))

    def validate(self, value: Any, model_instance: Any) -> None:
        if not value and not self.blank:
            raise ValidationError("Name at least one right.", code="blank")
        unknown = sorted(set(value) - set(Right.values))
        if unknown:
            raise ValidationError(f"Unknown right(s): {', '.join(unknown)}.")

    def formfield(self, **kwargs: Any) -> Any:
        from django import forms

        return forms.TypedMultipleChoiceField(
            choices=Right.choices,
            required=not self.blank,
            widget=forms.CheckboxSelectMultiple,
            label=self.verbose_name.capitalize(),
            help_text=self.help_text,
        )


class RequestQuerySet(models.QuerySet["DataSubjectRequest"]):
    def open(self) -> RequestQuerySet:
        return self.exclude(status=DataSubjectRequest.Status.CLOSED)

    def overdue(self, today: date) -> RequestQuerySet:
        """Open requests past their deadline (a paused clock is not running)."""
        return self.open().filter(due_on__lt=today, paused_on__isnull=True)

    def due_within(self, today: date, days: int) -> RequestQuerySet:
        return self.open().filter(
            due_on__gte=today, due_on__lte=today + timedelta(days=days)
        )

    def with_right(self, right: str) -> RequestQuerySet:
        return self.filter(rights__regex=rf"(^|,){re.escape(right)}(,|$)")

    def past_retention(self, now: datetime) -> RequestQuerySet:
        """Closed requests whose retention ended and that still name someone
        (Art. 5(1)(e) GDPR; CCPA regs sec. 7101(a): records kept 24 months)."""
        cutoff = now - relativedelta(months=settings.DSR_RETENTION_MONTHS)
        return self.filter(
            status=DataSubjectRequest.Status.CLOSED,
            closed_at__lt=cutoff,
            purged_at__isnull=True,
        )


class DataSubjectRequest(models.Model):
    """One request from a data subject (or their authorised agent): Art. 12
    GDPR (transparent modalities, deadlines), Art. 28(3)(e) when we act as
    processor, CCPA regs sec. 7020-7028 (methods, timelines, verification,
    agents) and sec. 7101-7102 (the records and metrics kept for 24 months)."""

    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        WEB = "web", "Web form"
        API = "api", "API"
        LETTER = "letter", "Letter"
        PHONE = "phone", "Phone"

    class Regime(models.TextChoices):
        EU = "eu", "EU GDPR"
        UK = "uk", "UK GDPR"
        CH = "ch", "Swiss FADP"
        CCPA = "ccpa", "CCPA/CPRA"

    class Role(models.TextChoices):
        CONTROLLER = "controller", "Controller: we answer"
        PROCESSOR = "processor", "Processor: we forward to the customer"

    class Verification(models.TextChoices):
        PENDING = "pending", "Pending"
        VERIFIED = "verified", "Verified"
        FAILED = "failed", "Failed"
        NOT_NEEDED = "not_needed", "Not needed"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received"
        IN_PROGRESS = "in_progress", "In progress"
        PAUSED = "paused", "Paused (waiting for the subject)"
        CLOSED = "closed", "Closed"

    class Outcome(models.TextChoices):
        FULFILLED = "fulfilled", "Fulfilled"
        PARTLY = "partly", "Partly fulfilled"
        REFUSED = "refused", "Refused"
        FORWARDED = "forwarded", "Forwarded to the controller"

    reference = models.CharField(max_length=20, unique=True, blank=True)
    received_at = models.DateTimeField(default=timezone.now)
    channel = models.CharField(
        max_length=10, choices=Channel.choices, default=Channel.EMAIL
    )
    requester_name = models.CharField(max_length=200, blank=True)
    requester_email = models.EmailField(blank=True)
    authorised_agent = models.BooleanField(
        default=False,
        help_text="The requester acts for the subject (CCPA regs sec. 7063; "
        "a representative under Art. 12 GDPR).",
    )
    subject_identifiers = models.TextField(
        blank=True,
        help_text="How the subject is identified: account email, order number, "
        "customer's end-user id...",
    )
    subject_category = models.ForeignKey(
        DataSubjectCategory,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name="data-subject category",
    )
    regime = models.CharField(max_length=5, choices=Regime.choices)
    rights = RightsField(max_length=200)
    role = models.CharField(
        "our role", max_length=10, choices=Role.choices, default=Role.CONTROLLER
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The controller, when we process the data for a customer.",
    )
    verification = models.CharField(
        max_length=12, choices=Verification.choices, default=Verification.PENDING
    )
    status = models.CharField(
        max_length=12, choices=Status.choices, default=Status.RECEIVED
    )
    outcome = models.CharField(
        max_length=10, choices=Outcome.choices, blank=True, default=""
    )
    refusal_ground = models.TextField(
        blank=True,
        help_text="Art. 12(5) (manifestly unfounded or excessive), Art. 17(3), "
        "CCPA sec. 1798.105(d)...",
    )
    acknowledged_on = models.DateField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extension_told_on = models.DateField(
        "subject told of the extension on", null=True, blank=True
    )
    extended_to = models.DateField(
        null=True,
        blank=True,
        help_text="Swiss requests: the later date announced to the subject.",
    )
    paused_on = models.DateField(
        null=True, blank=True, help_text="The clock stopped (UK): waiting since."
    )
    paused_days = models.PositiveIntegerField(
        default=0, help_text="Days the clock stood still in earlier pauses."
    )
    forwarded_at = models.DateTimeField(null=True, blank=True)
    forwarded_to = models.CharField(max_length=300, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    notes = models.TextField(blank=True)
    purged_at = models.DateTimeField(
        null=True, blank=True, help_text="Requester identity and messages removed."
    )
    # A keyed hash of the code sent to the subject (never the code itself).
    verification_digest = models.CharField(max_length=64, blank=True, editable=False)
    verification_sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    due_on = models.DateField(editable=False, null=True)
    acknowledge_by = models.DateField(editable=False, null=True)
    history = HistoricalRecords()

    objects = RequestQuerySet.as_manager()

    class Meta:
        ordering = ["due_on", "reference"]
        verbose_name = "data subject request"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="controller")
                | models.Q(customer__isnull=False),
                name="dsr_processor_request_names_customer",
            )
        ]

    def __str__(self) -> str:
        return self.reference

    def save(self, *args: Any, **kwargs: Any) -> None:
        facts = self.facts()
        self.due_on = deadlines.due_on(facts)
        self.acknowledge_by = deadlines.acknowledge_by(facts)
        if self.reference:
            super().save(*args, **kwargs)
            return
        # Two requests filed at once may pick the same next number: the
        # unique reference refuses the second, which takes the one after.
        for attempt in range(REFERENCE_ATTEMPTS):
            self.reference = next_reference(self.received_at)
            try:
                with transaction.atomic():
                    super().save(*args, **kwargs)
                return
            except IntegrityError:
                taken = DataSubjectRequest.objects.filter(reference=self.reference)
                if attempt + 1 == REFERENCE_ATTEMPTS or not taken.exists():
                    raise
                self.reference = ""

    def clean(self) -> None:
        errors = request_errors(
            {f.name: getattr(self, f.attname) for f in self._meta.concrete_fields}
            | {"customer": self.customer_id}
        )
        if errors:
            raise ValidationError(errors)

    # -- deadlines --------------------------------------------------------

    def received_on(self) -> date:
        return timezone.localdate(self.received_at)

    def facts(self) -> deadlines.Facts:
        return deadlines.Facts(
            regime=self.regime,
            received=self.received_on(),
            rights=tuple(self.rights),
            processor=self.role == self.Role.PROCESSOR,
            extended=self.is_extended,
            extended_to=self.extended_to,
            paused_days=self.paused_days,
            public_holidays=public_holidays(self.regime),
        )

    @property
    def is_extended(self) -> bool:
        return bool(self.extension_reason)

    def due_date(self, today: date) -> date | None:
        """The deadline as it stands on ``today``: a running pause pushes it
        back by the days paused so far."""
        if self.due_on is None:
            return None
        if self.paused_on is not None:
            return self.due_on + timedelta(days=max((today - self.paused_on).days, 0))
        return self.due_on

    def days_left(self, today: date | None = None) -> int | None:
        """Calendar days to the deadline (negative: overdue); None once closed."""
        today = today or timezone.localdate()
        due = self.due_date(today)
        if due is None or self.status == self.Status.CLOSED:
            return None
        return (due - today).days

    def is_overdue(self, today: date | None = None) -> bool:
        left = self.days_left(today)
        return left is not None and left < 0

    # -- what the DPO does --------------------------------------------------

    def act(self, user: Any, reason: str, **changes: Any) -> None:
        """Apply ``changes``, check the rules, save one version naming the
        user and why (the history is the evidence, Art. 5(2) GDPR). A change
        that changes nothing records nothing."""
        changes = {n: v for n, v in changes.items() if getattr(self, n) != v}
        if not changes:
            return
        for name, value in changes.items():
            setattr(self, name, value)
        self.full_clean()
        self._history_user = user
        self._change_reason = reason[:100]
        self.save()

    def verify(self, user: Any, verified: bool = True) -> None:
        """Identity checked (Art. 12(6); CCPA regs sec. 7060-7062); a clock
        stopped for it starts again."""
        outcome = self.Verification.VERIFIED if verified else self.Verification.FAILED
        changes: dict[str, Any] = {"verification": outcome}
        if self.paused_on is not None:
            changes |= self.resume_changes(timezone.localdate())
        if self.status == self.Status.RECEIVED:
            changes["status"] = self.Status.IN_PROGRESS
        self.act(user, f"Identity {outcome}", **changes)

    def extend(self, user: Any, reason: str, told_on: date | None = None) -> None:
        """Art. 12(3): two further months, the subject told with reasons;
        CCPA sec. 7021(b): 45 more days with notice; FADP: a stated date."""
        if not reason.strip():
            raise ValidationError({"extension_reason": "Give the reason."})
        if not deadlines.extension_allowed(self.regime, self.rights):
            raise ValidationError(
                {"extension_reason": "Opt-out and limit requests cannot be extended."}
            )
        told_on = told_on or timezone.localdate()
        self.act(
            user,
            f"Extended: {reason}",
            extension_reason=reason.strip(),
            extension_told_on=told_on,
        )

    def pause(self, user: Any, reason: str) -> None:
        """Stop the clock while waiting for identity or clarification (UK:
        Data (Use and Access) Act 2025; ICO guidance on the right of access)."""
        if self.regime != self.Regime.UK:
            raise ValidationError({"paused_on": "Only a UK request's clock stops."})
        if self.paused_on is not None or self.status == self.Status.CLOSED:
            raise ValidationError({"paused_on": "Already paused or closed."})
        if not reason.strip():
            raise ValidationError({"paused_on": "Say what you are waiting for."})
        self.act(
            user,
            f"Paused: {reason}",
            paused_on=timezone.localdate(),
            status=self.Status.PAUSED,
        )

    def resume_changes(self, today: date) -> dict[str, Any]:
        assert self.paused_on is not None
        return {
            "paused_days": self.paused_days + max((today - self.paused_on).days, 0),
            "paused_on": None,
            "status": self.Status.IN_PROGRESS,
        }

    def resume(self, user: Any) -> None:
        if self.paused_on is None:
            return
        self.act(user, "Clock restarted", **self.resume_changes(timezone.localdate()))

    def forward(self, user: Any, to: str = "") -> None:
        """Art. 28(3)(e): pass a request about a customer's data to that
        customer, the controller, which answers it."""
        if self.role != self.Role.PROCESSOR or self.customer is None:
            raise ValidationError(
                {"role": "Only a request about a customer's data is forwarded."}
            )
        self.refuse_if_closed()
        now = timezone.now()
        self.act(
            user,
            f"Forwarded to {self.customer}",
            forwarded_at=now,
            forwarded_to=to or self.customer.notice_email() or str(self.customer),
            outcome=self.Outcome.FORWARDED,
            status=self.Status.CLOSED,
            closed_at=now,
        )

    def close(self, user: Any, outcome: str, ground: str = "") -> None:
        self.refuse_if_closed()
        self.act(
            user,
            f"Closed: {outcome}",
            outcome=outcome,
            refusal_ground=ground or self.refusal_ground,
            status=self.Status.CLOSED,
            closed_at=timezone.now(),
        )

    def refuse_if_closed(self) -> None:
        if self.status == self.Status.CLOSED:
            raise ValidationError({"status": f"{self} is already closed."})

    def pseudonym(self) -> str:
        if self.purged_at is not None:
            return self.requester_name  # the pseudonym it was purged to
        return pseudonym(self.requester_email or self.requester_name)

    def purge(self, user: Any = None) -> None:
        """Minimisation once the retention has passed (Art. 5(1)(c), (e)):
        remove who asked, how they were identified, what was gathered and
        the messages, also from the history, keeping a pseudonymised record
        and its timings as the evidence of a timely answer."""
        with transaction.atomic():
            name = self.pseudonym()
            scrub = {f: "" for f in PURGED_FIELDS} | {"requester_name": name}
            # Deliberately rewriting the past versions: minimisation reaches the
            # audit trail too (the versions keep their dates, users, reasons);
            # their seals are recomputed and the re-sealing recorded, so the
            # chains verify and the auditor sees why they changed.
            self.history.all().update(**scrub)
            tasks = RequestTask.history.filter(request_id=self.pk)
            tasks.update(result="")
            actor = actor_name(user)
            reseal(type(self).history.model, self.pk, PURGE_REASON, actor)
            for task_id in set(tasks.values_list("id", flat=True)):
                reseal(RequestTask.history.model, task_id, PURGE_REASON, actor)
            for task in self.tasks.exclude(result=""):
                task.result = ""
                task._history_user = user
                task._change_reason = PURGE_REASON  # type: ignore[attr-defined]
                task.save()
            self.purge_messages()
            self.act(user, PURGE_REASON, purged_at=timezone.now(), **scrub)

    def purge_messages(self) -> None:
        """Messages and attachments are deleted with the identity."""
        for attachment in Attachment.objects.filter(message__request=self):
            attachment.file.delete(save=False)
        self.messages.all().delete()

    # -- identity verification by a code sent to the address on record -----

    def send_verification(self, user: Any = None) -> str:
        """Art. 12(6) GDPR, CCPA regs sec. 7060-7062: email the requester a
        one-time code; replying with it (or entering it) verifies them.
        Returns the code (only to the caller: the record keeps its hash)."""
        if not self.requester_email:
            raise ValidationError({"requester_email": "No address on record."})
        code = f"{secrets.randbelow(10**6):06d}"
        from dsr.mail import send_to_requester

        send_to_requester(
            self,
            f"Confirm your request {self.reference}",
            render_to_string("dsr/verification.txt", {"request": self, "code": code}),
        )
        self.act(
            user,
            "Verification code sent",
            verification_digest=code_digest(self, code),
            verification_sent_at=timezone.now(),
        )
        return code

    def confirm_code(self, text: str, user: Any = None) -> bool:
        """Verify the requester when ``text`` holds the code sent to them."""
        if not self.verification_digest:
            return False
        if self.verification != self.Verification.PENDING:
            return False
        for candidate in CODE_RE.findall(text):
            if hmac.compare_digest(
                code_digest(self, candidate), self.verification_digest
            ):
                self.verification_digest = ""
                self.verify(user)
                return True
        return False

    def create_tasks(self, user: Any = None) -> int:
        """The checklist of where the subject's data lives (see RequestTask)."""
        from dsr.locate import plan_tasks

        return RequestTask.objects.add_planned(self, plan_tasks(self), user)


CODE_RE = re.compile(r"\b\d{6}\b")


def code_digest(request: DataSubjectRequest, code: str) -> str:
    key = settings.SECRET_KEY.encode()
    message = f"{request.reference}:{code}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def pseudonym(identity: str) -> str:
    """A stable pseudonym of a requester (Art. 4(5) GDPR): a keyed hash, so
    requests from one person can be linked without naming them."""
    if not identity:
        return "(none)"
    key = settings.SECRET_KEY.encode()
    digest = hmac.new(key, identity.strip().lower().encode(), hashlib.sha256)
    return f"requester-{digest.hexdigest()[:10]}"


def public_holidays(regime: str) -> deadlines.Holidays:
    """The calendar of the regime's working days (``DSR_HOLIDAY_CALENDARS``)."""
    code = settings.DSR_HOLIDAY_CALENDARS.get(regime)
    return deadlines.calendar(code) if code else frozenset()


def next_reference(received_at: datetime) -> str:
    """DSR-2026-0042: the year of receipt and the next number in it."""
    year = timezone.localtime(received_at).year if received_at else date.today().year
    prefix = f"{REFERENCE_PREFIX}-{year}-"
    used = DataSubjectRequest.objects.filter(reference__startswith=prefix)
    numbers = [
        int(r[len(prefix) :])
        for r in used.values_list("reference", flat=True)
        if r[len(prefix) :].isdigit()
    ]
    return f"{prefix}{max(numbers, default=0) + 1:04d}"


def request_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """The rules every request keeps, in the admin and the API alike."""
    errors: dict[str, str] = {}
    received = values.get("received_at")
    if isinstance(received, datetime) and received > timezone.now():
        errors["received_at"] = "A request cannot be received in the future."
    extended_to = values.get("extended_to")
    if isinstance(received, datetime) and isinstance(extended_to, date):
        if extended_to < timezone.localdate(received):
            errors["extended_to"] = "The extension ends before the request came."
    regime, rights = values.get("regime"), list(values.get("rights") or [])
    ccpa = set(rights) & CCPA_RIGHTS
    if regime == DataSubjectRequest.Regime.CCPA and set(rights) - CCPA_RIGHTS:
        errors["rights"] = "A CCPA request asks for CCPA rights (know, delete, ...)."
    elif regime and regime != DataSubjectRequest.Regime.CCPA and ccpa:
        errors["rights"] = "CCPA rights only under the CCPA regime."
    processor = values.get("role") == DataSubjectRequest.Role.PROCESSOR
    if processor and not values.get("customer"):
        errors["customer"] = "Name the customer we process this data for."
    if not processor and values.get("customer"):
        errors["customer"] = "Only a request about a customer's data names one."
    if values.get("extension_reason") and not deadlines.extension_allowed(
        str(regime), rights
    ):
        errors["extension_reason"] = "Opt-out and limit requests cannot be extended."
    if regime == DataSubjectRequest.Regime.CH and values.get("extension_reason"):
        if not values.get("extended_to"):
            errors["extended_to"] = "A Swiss extension states the new date."
    status = values.get("status")
    closed = status == DataSubjectRequest.Status.CLOSED
    if closed and not values.get("outcome"):
        errors["outcome"] = "A closed request has an outcome."
    if (
        values.get("outcome") == DataSubjectRequest.Outcome.REFUSED
        and not (values.get("refusal_ground") or "").strip()
    ):
        errors["refusal_ground"] = "A refusal states its ground (Art. 12(4), (5))."
    return errors


class TaskQuerySet(models.QuerySet["RequestTask"]):
    def add_planned(
        self, request: DataSubjectRequest, planned: Iterable[dict[str, Any]], user: Any
    ) -> int:
        """Create the planned tasks the request does not have yet."""
        have = {(t.action, t.object_type, t.object_id) for t in request.tasks.all()}
        created = 0
        for values in planned:
            key = (values["action"], values["object_type"], values["object_id"])
            if key in have:
                continue
            task = RequestTask(request=request, **values)
            task._history_user = user
            task.save()
            created += 1
        return created


class RequestTask(models.Model):
    """One thing to do for a request, in one place the inventory says the
    subject's data lives: search, export, erase, rectify, restrict there, or
    notify a recipient (Art. 19 GDPR) - with who did it and when."""

    class Action(models.TextChoices):
        SEARCH = "search", "Search"
        EXPORT = "export", "Export"
        ERASE = "erase", "Erase"
        RECTIFY = "rectify", "Rectify"
        RESTRICT = "restrict", "Restrict"
        NOTIFY = "notify", "Notify recipient (Art. 19)"
        FORWARD = "forward", "Forward to the controller"

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="tasks"
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=30)  # activity, system, vendor, customer
    object_id = models.PositiveBigIntegerField()
    target = models.CharField(max_length=300)
    detail = models.TextField(blank=True)
    result = models.TextField(
        blank=True, help_text="What was found or done there (exported data...)."
    )
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    done_at = models.DateTimeField(null=True, blank=True)
    history = HistoricalRecords()

    objects = TaskQuerySet.as_manager()

    class Meta:
        ordering = ["request", "id"]

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.target}"

    def mark_done(self, user: Any, result: str = "") -> None:
        if self.done_at is not None and not result:
            return
        self.done_by, self.done_at = user, timezone.now()
        self.result = result or self.result
        self._history_user = user
        self.save()


class Message(models.Model):
    """One message of a request's correspondence, kept with the request as
    evidence of when it arrived and what was answered (Art. 5(2), 12(1)
    GDPR; CCPA regs sec. 7101). Deleted when the request is purged."""

    class Direction(models.TextChoices):
        IN = "in", "Received"
        OUT = "out", "Sent"

    request = models.ForeignKey(
        DataSubjectRequest, on_delete=models.CASCADE, related_name="messages"
    )
    direction = models.CharField(max_length=3, choices=Direction.choices)
    message_id = models.CharField(max_length=500, db_index=True)
    in_reply_to = models.CharField(max_length=500, blank=True)
    references = models.TextField(blank=True)
    subject = models.TextField(blank=True)
    sender = models.CharField(max_length=500)
    recipients = models.TextField(blank=True)
    sent_at = models.DateTimeField()
    body = models.TextField(blank=True)

    class Meta:
        ordering = ["sent_at", "id"]

    def __str__(self) -> str:
        return f"{self.get_direction_display()} {self.sent_at:%Y-%m-%d %H:%M}"


class Attachment(models.Model):
    """A file that came with a message (proof of identity, an authorisation
    from the subject to their agent...)."""

    message = models.ForeignKey(
        Message, on_delete=models.CASCADE, related_name="attachments"
    )
    filename = models.CharField(max_length=255)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    file = models.FileField(upload_to="dsr/attachments/")

    def __str__(self) -> str:
        return self.filename
