"""The inventory: what personal data KonnectBot processes, why and with whom.

Every model keeps its full version history (django-simple-history, many-to-many
sets included), because the Art. 30 record must be producible as it stood on any
past date (Art. 30(4) GDPR: made available to the supervisory authority on request).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import UTC, date
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.db import models, transaction
from django.utils import timezone
from django_countries.fields import CountryField

from inventory.history_records import HistoricalRecords

logger = logging.getLogger(__name__)

CCPA_LETTERS = "ABCDEFGHIJKL"
ccpa_validator = RegexValidator(
    r"^([A-L](,[A-L])*)?$",
    "Use CCPA category letters A-L separated by commas, e.g. 'A,F,L'.",
)


class LegalEntity(models.Model):
    """One of our own legal entities: the controller of Art. 30(1)(a) or the
    processor of Art. 30(2)(a), with its DPO and Art. 27 representative."""

    name = models.CharField(max_length=200, unique=True)
    address = models.TextField(blank=True)
    country = CountryField()
    contact = models.CharField(max_length=300, blank=True)
    dpo = models.CharField("DPO", max_length=300, blank=True)
    representative = models.CharField(
        "EU/UK representative (Art. 27)", max_length=300, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "legal entities"

    def __str__(self) -> str:
        return self.name


class DataSubjectCategory(models.Model):
    """A category of data subjects, Art. 30(1)(c) GDPR."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "data-subject categories"

    def __str__(self) -> str:
        return self.name


class DataCategory(models.Model):
    """A category of personal data, Art. 30(1)(c); special categories per
    Art. 9(1), criminal-offence data per Art. 10, CCPA category per
    Cal. Civ. Code 1798.140(v)(1), retention per Art. 30(1)(f)."""

    class Art9Kind(models.TextChoices):
        RACIAL_ETHNIC = "racial_ethnic", "Racial or ethnic origin"
        POLITICAL = "political", "Political opinions"
        RELIGIOUS = "religious", "Religious or philosophical beliefs"
        TRADE_UNION = "trade_union", "Trade-union membership"
        GENETIC = "genetic", "Genetic data"
        BIOMETRIC = "biometric", "Biometric data for unique identification"
        HEALTH = "health", "Health data"
        SEX_LIFE = "sex_life", "Sex life or sexual orientation"

    code = models.CharField(max_length=20, unique=True)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    special_category = models.BooleanField(default=False)
    art9_kind = models.CharField(
        "Art. 9 kind", max_length=20, choices=Art9Kind.choices, blank=True
    )
    criminal_offence = models.BooleanField(default=False)
    ccpa_category = models.CharField(
        "CCPA categories", max_length=30, blank=True, validators=[ccpa_validator]
    )
    retention = models.CharField(max_length=300, blank=True)
    retention_months = models.IntegerField(
        null=True, blank=True, help_text="Numeric retention, where there is one."
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "data categories"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(retention_months__gte=0)
                | models.Q(retention_months__isnull=True),
                name="datacategory_retention_not_negative",
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        raise_errors(data_category_errors(model_values(self)))


class SecurityMeasure(models.Model):
    """A technical or organisational measure, Art. 32(1) GDPR, filed under its
    heading of SCC 2021/914 Annex II."""

    class AnnexII(models.TextChoices):
        PSEUDONYMISATION_ENCRYPTION = "encryption", "Pseudonymisation and encryption"
        CONFIDENTIALITY = (
            "confidentiality",
            ("Ongoing confidentiality, integrity, availability and resilience"),
        )
        RESTORATION = "restoration", "Timely restoration after incidents"
        TESTING = "testing", "Regular testing and evaluation"
        IDENTIFICATION = "identification", "User identification and authorisation"
        TRANSIT = "transit", "Protection of data in transit"
        AT_REST = "at_rest", "Protection of data at rest"
        PHYSICAL = "physical", "Physical security of locations"
        LOGGING = "logging", "Event logging"
        CONFIGURATION = "configuration", "System configuration, including defaults"
        GOVERNANCE = "governance", "Internal IT and security governance"
        CERTIFICATION = "certification", "Certification and assurance"
        MINIMISATION = "minimisation", "Data minimisation"
        QUALITY = "quality", "Data quality"
        RETENTION = "retention", "Limited data retention"
        ACCOUNTABILITY = "accountability", "Accountability"
        PORTABILITY_ERASURE = "erasure", "Data portability and erasure"
        ASSISTANCE = "assistance", "Assistance to the controller"

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    annex_ii_heading = models.CharField(
        "SCC Annex II heading", max_length=20, choices=AnnexII.choices
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["annex_ii_heading", "name"]

    def __str__(self) -> str:
        return self.name


class Vendor(models.Model):
    """A recipient of personal data, Art. 30(1)(d): a processor (Art. 28), a
    sub-processor (Art. 28(2), (4)), or an independent or joint controller."""

    class Role(models.TextChoices):
        PROCESSOR = "processor", "Processor"
        SUB_PROCESSOR = "sub_processor", "Sub-processor"
        INDEPENDENT_CONTROLLER = "independent_controller", "Independent controller"
        JOINT_CONTROLLER = "joint_controller", "Joint controller"

    name = models.CharField(max_length=200, unique=True)
    service = models.CharField(max_length=300, blank=True)
    role = models.CharField(max_length=30, choices=Role.choices)
    country = CountryField()
    processing_countries = CountryField(multiple=True, blank=True)
    dpf_certified = models.BooleanField("DPF certified", default=False)
    dpa_signed_on = models.DateField("DPA signed on", null=True, blank=True)
    baa_signed = models.BooleanField("HIPAA BAA signed", default=False)
    contact = models.CharField(max_length=300, blank=True)
    address = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def save(self, *args: Any, **kwargs: Any) -> None:
        """A change of processing countries is announced to every customer whose
        enabled features use this vendor, in the same transaction (Clause 9(a)
        SCC 2021/914; Art. 28(2) GDPR)."""
        with transaction.atomic():
            before = self._stored_processing_countries()
            super().save(*args, **kwargs)
            if before is not None and before != self.processing_country_codes():
                SubprocessorNotice.objects.announce_move(self, before)

    def processing_country_codes(self) -> list[str]:
        return [c.code for c in self.processing_countries]

    def _stored_processing_countries(self) -> list[str] | None:
        if self.pk is None:
            return None
        stored = Vendor.objects.filter(pk=self.pk).first()
        return stored.processing_country_codes() if stored else None


class System(models.Model):
    """An application or data store where personal data lives (ICO template:
    location of personal data), with the countries that host it."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    hosting_countries = CountryField(multiple=True, blank=True)
    vendor = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ProcessingActivity(models.Model):
    """One entry of the record of processing activities: Art. 30(1)(a)-(g) for
    controller activities, Art. 30(2)(b) categories of processing for processor
    activities. Lawful basis per Art. 6(1), special-category condition per
    Art. 9(2), criminal-offence basis per Art. 10."""

    class Role(models.TextChoices):
        CONTROLLER = "controller", "Controller"
        PROCESSOR = "processor", "Processor"

    class LawfulBasis(models.TextChoices):
        CONSENT = "consent", "Consent (Art. 6(1)(a))"
        CONTRACT = "contract", "Contract (Art. 6(1)(b))"
        LEGAL_OBLIGATION = "legal_obligation", "Legal obligation (Art. 6(1)(c))"
        VITAL_INTERESTS = "vital_interests", "Vital interests (Art. 6(1)(d))"
        PUBLIC_TASK = "public_task", "Public task (Art. 6(1)(e))"
        LEGITIMATE_INTERESTS = (
            "legitimate_interests",
            "Legitimate interests (Art. 6(1)(f))",
        )

    class Art9Condition(models.TextChoices):
        EXPLICIT_CONSENT = "9_2_a", "Explicit consent (Art. 9(2)(a))"
        EMPLOYMENT = "9_2_b", "Employment and social security law (Art. 9(2)(b))"
        VITAL_INTERESTS = "9_2_c", "Vital interests (Art. 9(2)(c))"
        NOT_FOR_PROFIT = "9_2_d", "Not-for-profit body (Art. 9(2)(d))"
        MADE_PUBLIC = "9_2_e", "Manifestly made public (Art. 9(2)(e))"
        LEGAL_CLAIMS = "9_2_f", "Legal claims (Art. 9(2)(f))"
        PUBLIC_INTEREST = "9_2_g", "Substantial public interest (Art. 9(2)(g))"
        HEALTH_CARE = "9_2_h", "Health or social care (Art. 9(2)(h))"
        PUBLIC_HEALTH = "9_2_i", "Public health (Art. 9(2)(i))"
        RESEARCH = "9_2_j", "Archiving, research or statistics (Art. 9(2)(j))"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        ACTIVE = "active", "Active"
        RETIRED = "retired", "Retired"

    ref = models.CharField("Reference", max_length=20, unique=True)
    name = models.CharField(max_length=200, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    purposes = models.TextField(blank=True)
    # null, not "": the API shows processor activities with a null basis.
    lawful_basis = models.CharField(  # noqa: DJ001
        max_length=30, choices=LawfulBasis.choices, null=True, blank=True
    )
    legitimate_interest = models.TextField(blank=True)
    lia_reference = models.CharField("LIA reference", max_length=300, blank=True)
    consent_record_reference = models.CharField(max_length=300, blank=True)
    art9_condition = models.CharField(
        "Art. 9 condition", max_length=10, choices=Art9Condition.choices, blank=True
    )
    art10_basis = models.CharField("Art. 10 basis", max_length=300, blank=True)
    data_subject_categories = models.ManyToManyField(DataSubjectCategory, blank=True)
    data_categories = models.ManyToManyField(DataCategory, blank=True)
    recipients = models.ManyToManyField(Vendor, blank=True)
    systems = models.ManyToManyField(System, blank=True)
    security_measures = models.ManyToManyField(SecurityMeasure, blank=True)
    data_source = models.CharField(max_length=300, blank=True)
    retention = models.CharField(max_length=300, blank=True)
    dpia_required = models.BooleanField("DPIA required", default=False)
    dpia_reference = models.CharField("DPIA reference", max_length=300, blank=True)
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    owner = models.CharField("Owner / business function", max_length=200, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    reviewed_on = models.DateField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords(
        m2m_fields=[
            data_subject_categories,
            data_categories,
            recipients,
            systems,
            security_measures,
        ]
    )

    class Meta:
        ordering = ["ref"]
        verbose_name_plural = "processing activities"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role="controller")
                | models.Q(lawful_basis__isnull=True),
                name="processor_activity_has_no_lawful_basis",
            )
        ]

    def __str__(self) -> str:
        return f"{self.ref} {self.name}"

    def clean(self) -> None:
        raise_errors(activity_errors(model_values(self)))

    def mark_reviewed(self, user: Any, next_review_on: date | None = None) -> None:
        """Record a review by ``user`` today and schedule the next one (Art. 24(1)
        GDPR: measures reviewed and updated where necessary)."""
        record_review(self, user, next_review_on)


class ProductFeature(models.Model):
    """Something a customer can switch on. Each feature is a category of
    processing carried out for that customer (Art. 30(2)(b)) and needs the
    vendors that become its sub-processors (Art. 28(2), SCC Annex III) and,
    where only its customers use them, systems."""

    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    activities = models.ManyToManyField(
        ProcessingActivity,
        blank=True,
        limit_choices_to={"role": ProcessingActivity.Role.PROCESSOR},
    )
    vendors = models.ManyToManyField(Vendor, blank=True)
    # Systems only this feature's customers use (e.g. the customer's own shop
    # it connects to); a system of its activities that no feature names
    # serves every customer of the activity.
    systems = models.ManyToManyField(System, blank=True)
    history = HistoricalRecords(m2m_fields=[activities, vendors, systems])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Customer(models.Model):
    """A controller we process personal data for (Art. 30(2)(a)): the data
    exporter of SCC Module 2, Annex I.A."""

    class Clause9(models.TextChoices):
        SPECIFIC = "specific", "Option 1: specific prior authorisation"
        GENERAL = "general", "Option 2: general written authorisation"

    name = models.CharField(max_length=200, unique=True)
    country = CountryField()
    address = models.TextField(blank=True)
    contact = models.CharField(max_length=300, blank=True)
    privacy_email = models.EmailField(
        "Privacy contact email",
        blank=True,
        help_text="Where sub-processor change notices go; empty: the first email "
        "address in the contact field.",
    )
    dpo = models.CharField("DPO", max_length=300, blank=True)
    representative = models.CharField(
        "EU/UK representative (Art. 27)", max_length=300, blank=True
    )
    supervisory_authority = models.CharField(
        "Competent supervisory authority (Clause 13)", max_length=200, blank=True
    )
    dpa_version = models.CharField("DPA version", max_length=50, blank=True)
    dpa_signed_on = models.DateField("DPA signed on", null=True, blank=True)
    clause9_option = models.CharField(
        "Clause 9 option",
        max_length=10,
        choices=Clause9.choices,
        default=Clause9.GENERAL,
    )
    notice_period_days = models.PositiveIntegerField(
        "Sub-processor notice period (days)", default=30
    )
    baa_signed = models.BooleanField("HIPAA BAA signed", default=False)
    features = models.ManyToManyField(ProductFeature, blank=True)
    history = HistoricalRecords(m2m_fields=[features])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def notice_email(self) -> str:
        """Where sub-processor notices go: ``privacy_email``, else the first
        address found in ``contact``; "" when there is none."""
        for text in (self.privacy_email, self.contact):
            match = EMAIL_IN_TEXT.search(text)
            if match:
                return match.group(0)
        return ""


EMAIL_IN_TEXT = re.compile(r"[\w.+-]+@[\w-]+(\.[\w-]+)+")


# -- the review cycle: one rule, used by activities and TIAs alike


def next_review_date(day: date) -> date:
    """The default next review: REVIEW_INTERVAL_MONTHS after ``day`` (Art. 24(1)
    GDPR; EDPB Recommendations 01/2020 step 6 for TIAs)."""
    result: date = day + relativedelta(months=settings.REVIEW_INTERVAL_MONTHS)
    return result


def review_date_errors(next_review_on: date | None, today: date) -> dict[str, str]:
    """A review cannot be scheduled in the past."""
    if next_review_on is not None and next_review_on < today:
        return {
            "next_review_on": f"The next review date {next_review_on:%Y-%m-%d} is "
            "in the past."
        }
    return {}


def record_review(record: Any, user: Any, next_review_on: date | None) -> None:
    """Set who reviewed and when, move the next review date, save with history
    and a change reason. A review date in the past changes nothing."""
    today = timezone.localdate()
    raise_errors(review_date_errors(next_review_on, today))
    record.reviewed_on, record.reviewed_by = today, user
    record.next_review_on = next_review_on or next_review_date(today)
    record._change_reason = f"Marked reviewed; next review {record.next_review_on}"
    record._history_user = user
    record.save()


# -- validation rules: one function each, called from Model.clean() (admin) and
# -- Serializer.validate() (API), which passes the merged incoming values.


def model_values(instance: models.Model) -> dict[str, Any]:
    """The concrete field values of an instance, keyed by field name."""
    return {
        f.name: getattr(instance, f.attname) for f in instance._meta.concrete_fields
    }


def raise_errors(errors: Mapping[str, str]) -> None:
    if errors:
        raise ValidationError(dict(errors))


def data_category_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """A special category (Art. 9(1)) must say which kind; retention cannot be
    negative (Art. 5(1)(e), Art. 30(1)(f))."""
    errors: dict[str, str] = {}
    if values.get("special_category") and not values.get("art9_kind"):
        errors["art9_kind"] = "A special-category data category needs its Art. 9 kind."
    if not values.get("special_category") and values.get("art9_kind"):
        errors["art9_kind"] = "Only special-category data has an Art. 9 kind."
    months = values.get("retention_months")
    if months is not None and months < 0:
        errors["retention_months"] = "Retention cannot be negative."
    return errors


def activity_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """A processor does not choose a lawful basis: the controller does
    (Art. 28(3)(a)). Gaps such as a missing basis are not errors
    here but findings: the inventory records the truth, the checks judge it."""
    errors: dict[str, str] = {}
    role = values.get("role")
    basis = values.get("lawful_basis")
    if role == ProcessingActivity.Role.PROCESSOR and basis:
        errors["lawful_basis"] = (
            "A processor activity has no lawful basis of its own: the controller "
            "decides it (Art. 28(3)(a))."
        )
    review = values.get("next_review_on")
    reviewed = values.get("reviewed_on")
    if isinstance(review, date) and isinstance(reviewed, date) and review < reviewed:
        errors["next_review_on"] = "The next review cannot be before the last one."
    return errors


# -- no lost updates: an edit based on an old version is refused.


def latest_version(instance: models.Model) -> Any:
    """The newest historical record of a tracked instance (None if it has none):
    its history_id is the version an editor started from."""
    history = instance.history  # type: ignore[attr-defined]
    return history.order_by("-history_date", "-history_id").first()


def stale_edit_message(instance: models.Model, version: str | int | None) -> str:
    """Why an edit started from ``version`` must be refused, naming who changed
    the record since and when; "" when the version is still the latest (or no
    version was given: nothing to compare)."""
    latest = latest_version(instance)
    if not version or latest is None or str(latest.history_id) == str(version):
        return ""
    user = latest.history_user
    who = user.get_username() if user is not None else "someone (no user recorded)"
    when = latest.history_date.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S UTC")
    return (
        f"{who} changed this record at {when}, after you opened it. Nothing was "
        "saved: reload the page to see their version, then make your change again."
    )


# Sub-processor notices live in their own module (inventory/notices.py); importing
# the model here registers it with the app and keeps it in ``inventory.models``.
from inventory.notices import SubprocessorNotice as SubprocessorNotice  # noqa: E402
