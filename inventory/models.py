"""The inventory: what personal data KonnectBot processes, why and with whom.

Every model keeps its full version history (django-simple-history, many-to-many
sets included), because the Art. 30 record must be producible as it stood on any
past date (Art. 30(4) GDPR: made available to the supervisory authority on request).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta
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
    representative_country = CountryField(
        "Representative's country",
        blank=True,
        help_text="Where the Art. 27 representative is established (Clause 13(a) "
        "SCC 2021/914: its Member State's authority is competent).",
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


class PeriodUnit(models.TextChoices):
    DAYS = "days", "days"
    WEEKS = "weeks", "weeks"
    MONTHS = "months", "months"
    YEARS = "years", "years"


class RetentionEvent(models.TextChoices):
    """What a retention period is counted from."""

    COLLECTED = "collected", "after collection"
    LAST_ACTIVITY = "last_activity", "after the last activity"
    CONTRACT_END = "contract_end", "after the end of the contract"
    CLOSED = "closed", "after the matter is closed"
    CONSENT_WITHDRAWN = "consent_withdrawn", "after consent is withdrawn"


class EndAction(models.TextChoices):
    """What happens at the end of the period (Art. 5(1)(e): kept in a form
    which permits identification no longer than necessary)."""

    DELETE = "delete", "Deletion"
    DEIDENTIFY = "deidentify", "De-identification"


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
    # The retention schedule (Art. 5(1)(e), Art. 30(1)(f)): a period counted
    # from an event, what happens at its end, and why, where the law sets it.
    retention = models.CharField(
        "Retention (criterion)",
        max_length=300,
        blank=True,
        help_text="The period in words, or the criterion where there is no number.",
    )
    retention_period = models.PositiveIntegerField(
        null=True, blank=True, help_text="A number of units; empty: see criterion."
    )
    retention_unit = models.CharField(
        max_length=10, choices=PeriodUnit.choices, blank=True
    )
    retention_from = models.CharField(
        "Counted from",
        max_length=20,
        choices=RetentionEvent.choices,
        default=RetentionEvent.COLLECTED,
    )
    retention_follows = models.ForeignKey(
        "self",
        verbose_name="Same period as",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="e.g. attachments are kept as long as the conversation.",
    )
    end_action = models.CharField(
        "At the end", max_length=20, choices=EndAction.choices, default="delete"
    )
    end_method = models.CharField(
        "Method", max_length=300, blank=True, help_text="How deletion is done."
    )
    retention_legal_basis = models.CharField(
        "Legal reason for the period",
        max_length=300,
        blank=True,
        help_text="Where a law sets the period (e.g. tax records).",
    )
    deletion_interval_days = models.PositiveIntegerField(
        "Deletion job runs at least every (days)",
        default=1,
        help_text="A successful deletion run older than this is an error finding.",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name_plural = "data categories"

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
    # Annex II lists every heading; one that does not apply says why.
    not_applicable = models.BooleanField(
        "Heading not applicable",
        default=False,
        help_text="Records that this Annex II heading does not apply to our "
        "processing; the description gives the reason.",
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
    # Partial adequacy decisions cover an importer only where it falls under
    # them (Art. 45(1) "specified sectors"): recorded per decision, default no.
    dpf_certified = models.BooleanField("DPF certified", default=False)
    dpf_certified_on = models.DateField(
        "DPF certified on", null=True, blank=True, help_text="Date on the DPF List."
    )
    uk_extension = models.BooleanField("UK Extension to the DPF", default=False)
    swiss_dpf = models.BooleanField("Swiss-US DPF certified", default=False)
    subject_to_pipeda = models.BooleanField("Subject to PIPEDA (Canada)", default=False)
    subject_to_appi = models.BooleanField("Subject to the APPI (Japan)", default=False)
    subject_to_pipa = models.BooleanField(
        "Subject to PIPA, not credit information (Korea)", default=False
    )
    # Recital 7 of Decision (EU) 2021/914: the SCCs are not for importers
    # whose processing is itself subject to the GDPR.
    subject_to_gdpr = models.BooleanField(
        "Itself subject to the GDPR (Art. 3(2))",
        default=False,
        help_text="The vendor offers goods or services to, or monitors, people "
        "in the EU: the 2021 SCCs do not cover its processing.",
    )
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

    class DpiaStatus(models.TextChoices):
        NOT_STARTED = "not_started", "Not started"
        IN_PROGRESS = "in_progress", "In progress"
        COMPLETED = "completed", "Completed"

    ref = models.CharField("Reference", max_length=20, unique=True)
    name = models.CharField(max_length=200, unique=True)
    role = models.CharField(max_length=20, choices=Role.choices)
    purposes = models.TextField(blank=True)
    # null, not "": the API shows processor activities with a null basis.
    lawful_basis = models.CharField(  # noqa: DJ001
        max_length=30,
        choices=LawfulBasis.choices,
        null=True,
        blank=True,
        help_text="The main basis. Where purposes rest on different bases, list "
        "each basis with its purposes under Lawful bases (this one among them).",
    )
    legitimate_interest = models.TextField(blank=True)
    lia_reference = models.CharField("LIA reference", max_length=300, blank=True)
    consent_record_reference = models.CharField(max_length=300, blank=True)
    art9_condition = models.CharField(
        "Art. 9 condition",
        max_length=10,
        choices=Art9Condition.choices,
        blank=True,
        help_text="For every special category without a condition of its own "
        "under Special category conditions.",
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
    # Art. 35: where a DPIA stands (the UK ICO template's "DPIA progress").
    dpia_status = models.CharField(
        "DPIA progress", max_length=20, choices=DpiaStatus.choices, blank=True
    )
    # Art. 12-22: the rights the lawful basis leaves to the data subjects
    # (e.g. portability only under consent or contract, Art. 20(1)(a)).
    rights_available = models.TextField("Rights available to individuals", blank=True)
    # Art. 4(4) profiling and Art. 22(1) decisions based solely on automated
    # processing; Art. 13(2)(f) asks for the logic involved and its effects.
    profiling = models.BooleanField("Profiling (Art. 4(4))", default=False)
    automated_decisions = models.BooleanField(
        "Automated decisions (Art. 22)", default=False
    )
    automated_decision_logic = models.TextField(
        "Automated decision-making and profiling: logic and effects", blank=True
    )
    status = models.CharField(
        max_length=10, choices=Status.choices, default=Status.ACTIVE
    )
    owner = models.CharField("Owner / business function", max_length=200, blank=True)
    next_review_on = models.DateField(null=True, blank=True)
    recipient_categories = models.TextField(
        blank=True,
        help_text="Kinds of recipient without a name (Art. 30(1)(d)), one per "
        "line, e.g. 'Tax authorities'.",
    )
    notes = models.TextField(
        blank=True,
        help_text="Free text, e.g. what an imported register said that has no "
        "field of its own.",
    )
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
        # The admin index's panel asks for reviews due within 30 days on every
        # visit: without it, a scan of every activity (8 ms at 10,000 on
        # PostgreSQL) to find a few dozen.
        indexes = [models.Index(fields=["next_review_on"])]
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


class ActivityLawfulBasis(models.Model):
    """One of an activity's Art. 6(1) lawful bases with the purposes it covers:
    an activity pursuing several purposes may rest on a different basis for
    each (Art. 6(1): "for one or more specific purposes"; Art. 5(1)(b)). When
    an activity has these rows, its ``lawful_basis`` is the main one of them."""

    activity = models.ForeignKey(
        ProcessingActivity, on_delete=models.CASCADE, related_name="lawful_bases"
    )
    basis = models.CharField(
        "Lawful basis", max_length=30, choices=ProcessingActivity.LawfulBasis.choices
    )
    purposes = models.TextField(help_text="The purposes this basis covers.")
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity__ref", "id"]
        verbose_name = "lawful basis"
        verbose_name_plural = "lawful bases"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "basis"], name="one_row_per_activity_basis"
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity.ref}: {self.get_basis_display()}"


class SpecialCategoryCondition(models.Model):
    """The Art. 9(2) condition under which an activity processes one special
    category of data (Art. 9(1)), in addition to its Art. 6 basis. A category
    without a row of its own falls under the activity's ``art9_condition``."""

    activity = models.ForeignKey(
        ProcessingActivity,
        on_delete=models.CASCADE,
        related_name="special_category_conditions",
    )
    data_category = models.ForeignKey(
        DataCategory, on_delete=models.PROTECT, related_name="+"
    )
    condition = models.CharField(
        "Art. 9(2) condition",
        max_length=10,
        choices=ProcessingActivity.Art9Condition.choices,
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["activity__ref", "data_category__code"]
        verbose_name = "special category condition"
        constraints = [
            models.UniqueConstraint(
                fields=["activity", "data_category"],
                name="one_condition_per_activity_category",
            )
        ]

    def __str__(self) -> str:
        return f"{self.activity.ref}: {self.data_category.code}"


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
    errors.update(schedule_errors(values))
    return errors


def schedule_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """A period is a number with its unit; a category either has its own
    period or follows another's, never both, and never its own."""
    period, unit = values.get("retention_period"), values.get("retention_unit")
    follows = values.get("retention_follows")
    follows_id = getattr(follows, "pk", follows)
    errors: dict[str, str] = {}
    if period is not None and period < 0:
        errors["retention_period"] = "Retention cannot be negative."
    elif period is not None and not unit:
        errors["retention_unit"] = "A retention period needs its unit."
    elif unit and period is None:
        errors["retention_period"] = "A unit needs a number of units."
    if follows_id is not None and period is not None:
        errors["retention_follows"] = (
            "Either the category's own period or the period of another, not both."
        )
    if follows_id is not None and follows_id == values.get("id"):
        errors["retention_follows"] = "A category cannot follow its own period."
    interval = values.get("deletion_interval_days")
    if interval is not None and interval < 1:
        errors["deletion_interval_days"] = "At least one day."
    return errors


def plan_limit_errors(values: Mapping[str, Any]) -> dict[str, str]:
    low, high = values.get("min_days"), values.get("max_days")
    if low is not None and high is not None and low > high:
        return {"max_days": "The longest period cannot be below the shortest."}
    return {}


def deletion_run_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """A run finishes after it starts, and not in the future."""
    started, finished = values.get("started_at"), values.get("finished_at")
    errors: dict[str, str] = {}
    if isinstance(started, datetime) and isinstance(finished, datetime):
        if finished < started:
            errors["finished_at"] = "A run cannot finish before it starts."
        elif finished > timezone.now() + timedelta(minutes=5):
            errors["finished_at"] = "A run cannot finish in the future."
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


def lawful_bases_errors(
    values: Mapping[str, Any],
    bases: list[str],
    conditions: list[tuple[DataCategory, str]],
    category_ids: set[int] | None = None,
) -> dict[str, str]:
    """Several lawful bases (Art. 6(1)) and per-category Art. 9(2) conditions:
    none for a processor (Art. 28(3)(a)); each basis once, and the activity's
    ``lawful_basis`` one of them; a condition only for a special category
    (Art. 9(1)) the activity processes (``category_ids``, when known), once."""
    errors: dict[str, str] = {}
    processor = values.get("role") == ProcessingActivity.Role.PROCESSOR
    main = values.get("lawful_basis")
    if processor and bases:
        errors["lawful_bases"] = "A processor activity has no lawful basis of its own."
    elif len(set(bases)) < len(bases):
        errors["lawful_bases"] = "Each lawful basis at most once."
    elif bases and main not in bases:
        errors["lawful_basis"] = (
            "The main lawful basis must be one of the activity's lawful bases "
            f"({', '.join(bases)})."
        )
    problem = condition_problem(processor, conditions, category_ids)
    if problem:
        errors["special_category_conditions"] = problem
    return errors


def condition_problem(
    processor: bool,
    conditions: list[tuple[DataCategory, str]],
    category_ids: set[int] | None,
) -> str:
    codes = [category.code for category, _ in conditions]
    if processor and conditions:
        return "A processor activity has no Art. 9 condition of its own."
    if len(set(codes)) < len(codes):
        return "Each data category at most once."
    for category, _ in conditions:
        if not category.special_category:
            return f"{category.code} is not a special category (Art. 9(1))."
        if category_ids is not None and category.pk not in category_ids:
            return f"{category.code} is not among the activity's data categories."
    return ""


def art9_conditions(
    special_ids: list[int], rows: Mapping[int, str], fallback: str
) -> dict[int, str]:
    """The Art. 9(2) condition of each special category an activity processes:
    its own row's, else the activity's ``art9_condition``, else "" (none)."""
    return {pk: rows.get(pk) or fallback for pk in special_ids}


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
# The history's seals (tamper evidence) live in their own module.
from inventory.chain import ChainHead as ChainHead  # noqa: E402
from inventory.chain import HistorySeal as HistorySeal  # noqa: E402
from inventory.chain import Reseal as Reseal  # noqa: E402
from inventory.customers import Customer as Customer  # noqa: E402
from inventory.customers import DeletionRun as DeletionRun  # noqa: E402
from inventory.customers import EndOfService as EndOfService  # noqa: E402
from inventory.customers import Plan as Plan  # noqa: E402
from inventory.customers import PlanLimit as PlanLimit  # noqa: E402
from inventory.customers import ProductFeature as ProductFeature  # noqa: E402
from inventory.customers import Region as Region  # noqa: E402
from inventory.customers import RetentionOverride as RetentionOverride  # noqa: E402
from inventory.notices import SubprocessorNotice as SubprocessorNotice  # noqa: E402
