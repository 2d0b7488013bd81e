"""Sub-processor change notices: SCC 2021/914 Clause 9(a) and Art. 28(2) GDPR.

A change to which vendors a customer's enabled features use, or to where a
vendor processes, drafts a notice for each customer concerned; the DPO sends
it (its dates count from the sending), records the customer's answer once and
how an objection ended. The rules and their legal basis: docs/notices.md.
"""

from __future__ import annotations

import logging
import smtplib
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import models, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_countries import countries
from django_countries.fields import CountryField

from inventory.history_records import HistoricalRecords
from inventory.models import (
    Customer,
    DataCategory,
    ProductFeature,
    Vendor,
    raise_errors,
)
from transfers.countries import in_sentence

logger = logging.getLogger(__name__)


def country_label(code: str) -> str:
    """A country as a customer reads it, with the code the register uses:
    "India (IN)"."""
    return f"{countries.name(code) or code} ({code})"


def countries_text(codes: Iterable[str]) -> str:
    return ", ".join(country_label(c) for c in codes) or "none"


def vendor_use(feature_ids: Iterable[int]) -> dict[Customer, dict[int, set[int]]]:
    """For each customer that enabled any of these features: every vendor
    behind any of its enabled features (its sub-processors), with the ids of
    the features that use it."""
    customers = (
        Customer.objects.filter(features__in=list(feature_ids))
        .distinct()
        .prefetch_related("features__vendors")
    )
    use: dict[Customer, dict[int, set[int]]] = {}
    for customer in customers:
        by_vendor: dict[int, set[int]] = defaultdict(set)
        for feature in customer.features.all():
            for vendor in feature.vendors.all():
                by_vendor[vendor.pk].add(feature.pk)
        use[customer] = dict(by_vendor)
    return use


def concerned(feature_ids: Iterable[int]) -> tuple[str, str]:
    """The features a change concerns and the data categories their processor
    activities process, one per line (what the customer needs to judge the
    change: Clause 9(a) option 2, "the information necessary")."""
    ids = list(feature_ids)
    features = ProductFeature.objects.filter(pk__in=ids).order_by("name")
    categories = (
        DataCategory.objects.filter(processingactivity__productfeature__in=ids)
        .distinct()
        .order_by("code")
    )
    return (
        "\n".join(f.name for f in features),
        "\n".join(str(c) for c in categories),
    )


def carry_author(origin: Any, notice: SubprocessorNotice) -> None:
    """The notice's first version names who made the change it announces and
    why, as that change's own version does (a command's actor included)."""
    if origin is None:
        return
    user = getattr(origin, "_history_user", None)
    if user is not None:
        notice._history_user = user
    reason = getattr(origin, "_change_reason", None)
    text = f"Announces: {reason}" if reason else f"Announces a change to {origin}"
    notice._change_reason = text[:100]


class MailServerDown(Exception):
    """The mail server could not be reached or would not take the message:
    the notice stays pending and the retry task sends it later (HTTP 503)."""


MAIL_DOWN_ADVICE = (
    "The notice stays pending and is sent automatically when the mail server is back."
)


class NoticeStateError(Exception):
    """An action the notice's state does not allow: answering a notice never
    sent, a second answer, sending a change that already took effect
    (HTTP 409)."""


def deliver(message: EmailMessage) -> None:
    """Hand one message to the mail server (Django's email backend). A refused
    address is bad input; anything else is the server being unavailable."""
    try:
        message.send()
    except (smtplib.SMTPRecipientsRefused, smtplib.SMTPSenderRefused) as exc:
        raise ValidationError(
            {"customer": f"The mail server refused the address: {exc}"}
        ) from exc
    except (smtplib.SMTPException, OSError) as exc:
        where = f"{settings.EMAIL_HOST}:{settings.EMAIL_PORT}"
        raise MailServerDown(
            f"The mail server ({where}) is unavailable: "
            f"{type(exc).__name__}: {exc}".strip()
        ) from exc


class SubprocessorNoticeQuerySet(models.QuerySet["SubprocessorNotice"]):
    def for_customer(self, customer: Customer | int) -> SubprocessorNoticeQuerySet:
        return self.filter(customer=customer)

    def pending(self) -> SubprocessorNoticeQuerySet:
        return self.filter(status=SubprocessorNotice.Status.PENDING)

    def queued(self) -> SubprocessorNoticeQuerySet:
        """Notices the DPO asked to send while the mail server was down."""
        return self.pending().filter(send_queued_at__isnull=False)

    def announce(
        self,
        customer: Customer,
        vendor: Vendor,
        change: str,
        description: str,
        *,
        features: Iterable[int] = (),
        added: Iterable[str] = (),
        removed: Iterable[str] = (),
        origin: Any = None,
    ) -> SubprocessorNotice:
        """One drafted notice. Its dates to the customer are fixed when it is
        sent (Clause 9(a): the period runs from the information)."""
        notice = self.model(
            customer=customer,
            vendor=vendor,
            vendor_name=vendor.name,
            change=change,
            description=description,
            countries_added=",".join(added),
            countries_removed=",".join(removed),
            drafted_on=timezone.localdate(),
        )
        notice.features_concerned, notice.data_concerned = concerned(features)
        notice.plan(customer.notice_period_days)
        carry_author(origin, notice)
        notice.save()
        return notice

    def announce_features_change(
        self,
        before: Mapping[Customer, dict[int, set[int]]],
        after: Mapping[Customer, dict[int, set[int]]],
        origin: Any = None,
    ) -> list[SubprocessorNotice]:
        """Notices for each customer whose set of sub-processors changed."""
        notices = []
        for customer in sorted(set(before) | set(after), key=lambda c: c.name):
            old, new = before.get(customer, {}), after.get(customer, {})
            for vendor in Vendor.objects.filter(pk__in=set(new) - set(old)):
                codes = vendor.processing_country_codes()
                what = vendor.service or vendor.get_role_display()
                notices.append(
                    self.announce(
                        customer,
                        vendor,
                        SubprocessorNotice.Change.ADDED,
                        f"New sub-processor: {vendor.name} ({what}), processing "
                        f"in {countries_text(codes)}.",
                        features=new[vendor.pk],
                        added=codes,
                        origin=origin,
                    )
                )
            for vendor in Vendor.objects.filter(pk__in=set(old) - set(new)):
                notices.append(
                    self.announce(
                        customer,
                        vendor,
                        SubprocessorNotice.Change.REMOVED,
                        f"{vendor.name} no longer processes your data as a "
                        "sub-processor.",
                        features=old[vendor.pk],
                        origin=origin,
                    )
                )
        return notices

    def announce_move(
        self, vendor: Vendor, before: list[str]
    ) -> list[SubprocessorNotice]:
        """Notices of a change of the vendor's processing countries."""
        after = vendor.processing_country_codes()
        added = [c for c in after if c not in before]
        dropped = [c for c in before if c not in after]
        words = [f"now also in {countries_text(added)}"] if added else []
        words += [f"no longer in {countries_text(dropped)}"] if dropped else []
        description = (
            f"{vendor.name} changes where it processes your data: "
            f"{'; '.join(words)} (was: {countries_text(before)}; now: "
            f"{countries_text(after)})."
        )
        features = ProductFeature.objects.filter(vendors=vendor)
        use = vendor_use(features.values_list("pk", flat=True))
        return [
            self.announce(
                customer,
                vendor,
                SubprocessorNotice.Change.MOVED,
                description,
                features=by_vendor[vendor.pk],
                added=added,
                removed=dropped,
                origin=vendor,
            )
            for customer, by_vendor in sorted(use.items(), key=lambda i: i[0].name)
            if vendor.pk in by_vendor
        ]


USER = settings.AUTH_USER_MODEL


def user_field(verbose_name: str) -> Any:
    return models.ForeignKey(
        USER,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=verbose_name,
    )


class SubprocessorNotice(models.Model):
    """A notice to a customer that its sub-processors change: SCC 2021/914
    Clause 9(a) and Art. 28(2) GDPR. Option 2 (general written authorisation):
    inform in writing at least the agreed period in advance, so the customer
    can object; option 1 (specific prior authorisation): ask for it at least
    that period before the engagement. Created when a feature's vendors or a
    vendor's processing countries change; the period runs from the sending.
    The rules are explained in docs/notices.md."""

    class Change(models.TextChoices):
        ADDED = "added", "Sub-processor added"
        REMOVED = "removed", "Sub-processor removed"
        MOVED = "moved", "Processing countries changed"

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        OBJECTED = "objected", "Objected"
        ACCEPTED = "accepted", "Accepted"

    class Response(models.TextChoices):
        OBJECTED = "objected", "Objected"
        ACCEPTED = "accepted", "Accepted"

    class Resolution(models.TextChoices):
        CHANGE_WITHDRAWN = "change_withdrawn", "Change withdrawn"
        CUSTOMER_TERMINATED = "customer_terminated", "Customer terminated"
        OBJECTION_WITHDRAWN = "objection_withdrawn", "Objection withdrawn"

    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="subprocessor_notices"
    )
    vendor = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    vendor_name = models.CharField("Sub-processor", max_length=200)
    change = models.CharField(max_length=10, choices=Change.choices)
    description = models.TextField("What changed")
    countries_added = CountryField(multiple=True, blank=True)
    countries_removed = CountryField(multiple=True, blank=True)
    features_concerned = models.TextField(blank=True)
    data_concerned = models.TextField("Data categories concerned", blank=True)
    drafted_on = models.DateField()
    planned_effective_date = models.DateField(
        help_text="The drafting day plus the customer's notice period. A notice "
        "asking the customer that is not sent by then needs a new period."
    )
    effective_date = models.DateField(
        null=True,
        blank=True,
        help_text="Set when sent: the sending day plus the "
        "notice period (removals: the day of the change).",
    )
    objection_deadline = models.DateField(
        null=True,
        blank=True,
        help_text="Option 2 only, set when sent: the day "
        "before the effective date. Removals have none.",
    )
    clause9_option = models.CharField(
        "Clause 9 option when sent",
        max_length=10,
        choices=Customer.Clause9.choices,
        blank=True,
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.PENDING
    )
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_to = models.CharField(max_length=300, blank=True)
    sent_by = user_field("sent by")
    new_period = models.BooleanField(
        "sent with a new period",
        default=False,
        help_text="The change was due "
        "before the customer was told; it was postponed by a full period.",
    )
    send_queued_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="The mail server was down when the DPO "
        "sent it: the retry task sends it when the server is back.",
    )
    send_error = models.TextField(blank=True)
    resent_at = models.DateTimeField(null=True, blank=True)
    resent_to = models.CharField(max_length=300, blank=True)
    resend_count = models.PositiveIntegerField(default=0)
    responded_on = models.DateField(null=True, blank=True)
    response_recorded_at = models.DateTimeField(null=True, blank=True)
    response_recorded_by = user_field("response recorded by")
    resolution = models.CharField(max_length=20, choices=Resolution.choices, blank=True)
    resolved_on = models.DateField(null=True, blank=True)
    resolved_by = user_field("resolution recorded by")
    resolution_note = models.TextField(blank=True)
    history = HistoricalRecords()

    objects = SubprocessorNoticeQuerySet.as_manager()

    class Meta:
        ordering = ["-drafted_on", "customer__name", "vendor_name", "-id"]
        verbose_name = "sub-processor notice"

    def __str__(self) -> str:
        return f"{self.customer} - {self.vendor_name}: {self.get_change_display()}"

    @property
    def asks_customer(self) -> bool:
        """A new sub-processor, or new processing countries, asks the customer
        (to object, or to authorise); a removal only informs it."""
        return self.change == self.Change.ADDED or (
            self.change == self.Change.MOVED and bool(self.countries_added)
        )

    def plan(self, period_days: int) -> None:
        """Dates known when drafting: the earliest the change can take effect;
        a notice that only informs takes effect on the day of the change."""
        if self.asks_customer:
            self.planned_effective_date = self.drafted_on + timedelta(period_days)
        else:
            self.planned_effective_date = self.effective_date = self.drafted_on

    def terms(self, sent_on: date) -> tuple[date | None, date | None, str]:
        """Effective date, objection deadline and Clause 9 option for a notice
        sent on ``sent_on``: the customer's full period from that day."""
        option = self.customer.clause9_option
        if not self.asks_customer:
            return self.effective_date, None, option
        effective = sent_on + timedelta(days=self.customer.notice_period_days)
        general = option == Customer.Clause9.GENERAL
        return effective, effective - timedelta(days=1) if general else None, option

    def took_effect_message(self, today: date) -> str:
        """Why a notice asking the customer cannot go out without a new
        period: its change was due to take effect before the customer heard
        of it. "" when it can."""
        if not self.asks_customer or self.planned_effective_date > today:
            return ""
        later = today + timedelta(days=self.customer.notice_period_days)
        return (
            f"This change was due to take effect on "
            f"{self.planned_effective_date:%Y-%m-%d}, before the customer was "
            "told (Clause 9(a) SCC: the period runs from the information). Send "
            f"it with a new notice period (the change then takes effect on "
            f"{later:%Y-%m-%d}), or withdraw the change."
        )

    def email_message(self, address: str, copy: bool = False) -> EmailMessage:
        """The notice as the customer receives it (plain text)."""
        context = {
            "notice": self,
            "sent_on": timezone.localtime(self.sent_at).date()
            if self.sent_at
            else timezone.localdate(),
            "copy": copy,
            "sender": settings.DEFAULT_FROM_EMAIL,
            "specific": self.clause9_option == Customer.Clause9.SPECIFIC,
            "added": countries_text(self.countries_added),
            "removed": countries_text(self.countries_removed),
            "established": in_sentence(country_label(self.vendor.country.code))
            if self.vendor and self.vendor.country
            else "",
        }
        body = render_to_string("inventory/email/subprocessor_notice.txt", context)
        return EmailMessage(self.email_subject(copy), body, to=[address])

    def email_subject(self, copy: bool = False) -> str:
        prefix = "Copy: " if copy else ""
        if not self.asks_customer:
            return f"{prefix}Sub-processor change: {self.vendor_name} (for information)"
        if self.clause9_option == Customer.Clause9.SPECIFIC:
            return (
                f"{prefix}Request for authorisation: sub-processor {self.vendor_name}"
            )
        return (
            f"{prefix}Sub-processor change: {self.vendor_name} (objections by "
            f"{self.objection_deadline:%Y-%m-%d})"
        )

    # -- sending: once, then resending is an explicit, recorded action

    def send(self, user: Any = None, new_period: bool = False) -> bool:
        """Email the notice to the customer's privacy contact, with its
        effective date and objection deadline counted from today. False when
        it was already sent (nothing is sent again: see ``resend``). Raises
        MailServerDown once it is queued for the retry task."""
        failure: MailServerDown | None = None
        with transaction.atomic():
            notice = self.locked()
            already = notice.sent_at is not None
            if not already:
                failure = notice.first_delivery(user, new_period)
        self.refresh_from_db()
        if failure is not None:
            raise failure
        return not already

    def locked(self) -> SubprocessorNotice:
        """This notice, re-read under a row lock: two sends at once send once."""
        rows = type(self).objects.select_for_update().select_related("customer")
        return rows.get(pk=self.pk)

    def first_delivery(self, user: Any, new_period: bool) -> MailServerDown | None:
        today = timezone.localdate()
        new_period = new_period or self.new_period
        refusal = "" if new_period else self.took_effect_message(today)
        if refusal:
            raise NoticeStateError(refusal)
        address = self.customer.notice_email()
        if not address:
            raise ValidationError(
                {
                    "customer": f"{self.customer} has no privacy contact email: set "
                    "its privacy email (or an address in its contact) first."
                }
            )
        before = (self.effective_date, self.objection_deadline, self.clause9_option)
        self.effective_date, self.objection_deadline, self.clause9_option = self.terms(
            today
        )
        try:
            deliver(self.email_message(address))
        except MailServerDown as exc:
            self.effective_date, self.objection_deadline, self.clause9_option = before
            self.queue(user, new_period, str(exc))
            return exc
        self.status, self.sent_at, self.sent_to = (
            self.Status.SENT,
            timezone.now(),
            address,
        )
        self.sent_by, self.new_period = user or self.sent_by, new_period
        self.send_queued_at, self.send_error = None, ""
        period = " with a new notice period" if new_period else ""
        self.note(self.sent_by, f"Notice sent to {address}{period}")
        self.save()
        return None

    def queue(self, user: Any, new_period: bool, error: str) -> None:
        """Remember that the DPO asked to send it while the server was down;
        later failures of the retry change nothing (no empty versions)."""
        if self.send_queued_at is not None:
            logger.warning("notice %s: mail server still down: %s", self.pk, error)
            return
        self.send_queued_at, self.send_error = timezone.now(), error
        self.sent_by, self.new_period = user, new_period
        self.note(user, "Mail server down: queued for sending")
        self.save()

    def unqueue(self, reason: str) -> None:
        """Stop retrying: the notice stays pending for the DPO to decide."""
        self.send_queued_at, self.send_error = None, reason
        self.note(None, reason)
        self.save()

    def note(self, user: Any, reason: str) -> None:
        """The user and reason of the next version (the retry task has no
        request, so the user who asked is named explicitly)."""
        if user is not None:
            self._history_user = user
        self._change_reason = reason[:100]

    def resend(self, user: Any = None) -> None:
        """Email a copy of a notice already sent, with the same dates, to the
        customer's current privacy contact; recorded on the notice."""
        with transaction.atomic():
            notice = self.locked()
            if notice.sent_at is None:
                raise NoticeStateError(
                    "This notice has not been sent yet: send it (a resend repeats "
                    "a notice already sent)."
                )
            address = notice.customer.notice_email() or notice.sent_to
            deliver(notice.email_message(address, copy=True))
            notice.resent_at, notice.resent_to = timezone.now(), address
            notice.resend_count += 1
            notice.note(user, f"Resent to {address}")
            notice.save()
        self.refresh_from_db()

    # -- the customer's answer, recorded once, and how an objection ended

    def record_objection(
        self, customer: Customer, on: date | None = None, user: Any = None
    ) -> None:
        """The customer objects (option 2) or refuses authorisation (option 1)."""
        self.record_response(customer, self.Response.OBJECTED, on, user)

    def record_acceptance(
        self, customer: Customer, on: date | None = None, user: Any = None
    ) -> None:
        self.record_response(customer, self.Response.ACCEPTED, on, user)

    def record_response(
        self, customer: Customer, response: str, on: date | None, user: Any
    ) -> None:
        """Record the customer's answer, once, after the notice was sent."""
        day = on or timezone.localdate()
        with transaction.atomic():
            notice = self.locked()
            raise_errors(notice_response_errors(notice, customer, day))
            message = notice.response_refusal()
            if message:
                raise NoticeStateError(message)
            notice.status, notice.responded_on = response, day
            notice.response_recorded_at, notice.response_recorded_by = (
                timezone.now(),
                user,
            )
            notice.note(user, f"{customer}: {response} on {day:%Y-%m-%d}")
            notice.save()
        self.refresh_from_db()

    def response_refusal(self) -> str:
        """Why no answer can be recorded now; "" when one can."""
        if self.status == self.Status.PENDING:
            return (
                "This notice has not been sent: the customer cannot have answered "
                "it. Send it first."
            )
        if not self.asks_customer:
            return "This notice only informs the customer: there is nothing to answer."
        if self.status != self.Status.SENT:
            recorded = self.response_recorded_at
            when = (
                f" at {timezone.localtime(recorded):%Y-%m-%d %H:%M}" if recorded else ""
            )
            return (
                f"The customer's answer is already recorded: {self.status} on "
                f"{self.responded_on:%Y-%m-%d} (recorded by "
                f"{self.response_recorded_by or 'someone'}{when}). An answer is "
                "recorded once; an objection is closed by recording its resolution."
            )
        return ""

    def resolve(
        self,
        resolution: str,
        on: date | None = None,
        user: Any = None,
        note: str = "",
    ) -> None:
        """Record how an objection ended: the change withdrawn, the customer's
        agreement terminated, or the objection withdrawn (Clause 9(a))."""
        day = on or timezone.localdate()
        with transaction.atomic():
            notice = self.locked()
            if notice.status != self.Status.OBJECTED or notice.resolution:
                raise NoticeStateError(notice.resolve_refusal())
            raise_errors(resolution_errors(notice, day))
            notice.resolution, notice.resolved_on, notice.resolved_by = (
                resolution,
                day,
                user,
            )
            notice.resolution_note = note
            label = self.Resolution(resolution).label.lower()
            notice.note(user, f"Objection resolved: {label}")
            notice.save()
        self.refresh_from_db()

    def resolve_refusal(self) -> str:
        if self.resolution:
            return (
                f"This objection was already resolved on {self.resolved_on:%Y-%m-%d}"
                f" ({self.get_resolution_display().lower()}, recorded by "
                f"{self.resolved_by or 'someone'})."
            )
        return f"Only an objection can be resolved; this notice is {self.status}."


def notice_response_errors(
    notice: SubprocessorNotice, customer: Customer, day: date
) -> dict[str, str]:
    """Only the customer a notice was given to answers it, on a day between
    the sending and today."""
    errors: dict[str, str] = {}
    if customer.pk != notice.customer_id:
        errors["customer"] = (
            f"{customer} cannot respond to a notice given to {notice.customer}."
        )
    if day > timezone.localdate():
        errors["responded_on"] = f"{day:%Y-%m-%d} is in the future."
    elif notice.sent_at and day < timezone.localtime(notice.sent_at).date():
        sent = timezone.localtime(notice.sent_at)
        errors["responded_on"] = (
            f"{day:%Y-%m-%d} is before the notice was sent ({sent:%Y-%m-%d})."
        )
    return errors


def resolution_errors(notice: SubprocessorNotice, day: date) -> dict[str, str]:
    """An objection is resolved after it was made, and not in the future."""
    if day > timezone.localdate():
        return {"resolved_on": f"{day:%Y-%m-%d} is in the future."}
    if notice.responded_on and day < notice.responded_on:
        return {
            "resolved_on": f"{day:%Y-%m-%d} is before the objection "
            f"({notice.responded_on:%Y-%m-%d})."
        }
    return {}
