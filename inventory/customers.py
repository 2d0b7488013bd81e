"""The customer side of the inventory: the product's features and hosting
regions, plans and their retention limits, customers (each a controller for
whom KonnectBot processes, Art. 28), their retention overrides and the
deletion runs that carry the schedule out. ``inventory.models`` re-exports
every class here, so ``inventory.models.Customer`` is the name to use."""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django_countries.fields import CountryField

from inventory.history_records import HistoricalRecords
from inventory.models import (
    DataCategory,
    ProcessingActivity,
    System,
    Vendor,
    deletion_run_errors,
    model_values,
    plan_limit_errors,
    raise_errors,
)


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


class Region(models.Model):
    """A data residency region a customer can choose (e.g. "EU"): the systems
    and vendors that serve it. A customer's data stays on those (its data map
    follows them); Art. 28(3)(a) GDPR, Clause 8.1 SCC: documented instructions,
    including on transfers."""

    code = models.SlugField(max_length=20, unique=True)
    name = models.CharField(max_length=200, unique=True)
    description = models.TextField(blank=True)
    systems = models.ManyToManyField(System, blank=True)
    vendors = models.ManyToManyField(Vendor, blank=True)
    history = HistoricalRecords(m2m_fields=[systems, vendors])

    class Meta:
        ordering = ["name"]
        verbose_name = "data residency region"

    def __str__(self) -> str:
        return self.name


class Plan(models.Model):
    """A commercial plan: what a customer may configure within it (retention
    limits per data category, transcript export, residency regions, a HIPAA
    BAA). The privacy page's "retention options depend on your plan"."""

    name = models.CharField(max_length=100, unique=True)
    description = models.TextField(blank=True)
    transcript_export = models.BooleanField("Transcript export allowed", default=False)
    baa_available = models.BooleanField("HIPAA BAA available", default=False)
    regions = models.ManyToManyField(
        Region, blank=True, verbose_name="residency regions offered"
    )
    history = HistoricalRecords(m2m_fields=[regions])

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PlanLimit(models.Model):
    """The retention a customer on ``plan`` may choose for one data category,
    in days (e.g. conversation history 30 days to 2 years)."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="limits")
    data_category = models.ForeignKey(
        DataCategory, on_delete=models.PROTECT, related_name="+"
    )
    min_days = models.PositiveIntegerField("Shortest (days)")
    max_days = models.PositiveIntegerField("Longest (days)")
    history = HistoricalRecords()

    class Meta:
        ordering = ["plan__name", "data_category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan", "data_category"], name="one_limit_per_plan_category"
            ),
            models.CheckConstraint(
                condition=models.Q(min_days__lte=models.F("max_days")),
                name="plan_limit_min_not_above_max",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.plan}: {self.data_category} {self.min_days}-{self.max_days} days"

    def clean(self) -> None:
        raise_errors(plan_limit_errors(model_values(self)))


class EndOfService(models.TextChoices):
    """Clause 8.5 SCC 2021/914 (Module 2), Art. 28(3)(g) GDPR."""

    DELETE = "delete", "Delete all personal data and certify it"
    RETURN = "return", "Return all personal data, then delete existing copies"


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
    representative_country = CountryField(
        "Representative's country",
        blank=True,
        help_text="Where the Art. 27 representative is established (Clause 13(a) "
        "SCC 2021/914: its Member State's authority is competent).",
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
    # Workspace settings, judged against the plan by the findings.
    plan = models.ForeignKey(
        Plan, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    transcript_export = models.BooleanField("Transcript export on", default=False)
    residency_region = models.ForeignKey(
        Region,
        verbose_name="Data residency region",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    end_of_service = models.CharField(
        "At the end of the service (Clause 8.5)",
        max_length=10,
        choices=EndOfService.choices,
        default=EndOfService.DELETE,
    )
    end_of_service_days = models.PositiveIntegerField(
        "Deleted or returned within (days)", default=30
    )
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


class RetentionOverride(models.Model):
    """A customer's own retention for one data category, in days (its workspace
    setting, e.g. conversation history 90 days); a category it does not set
    keeps the schedule's period. Within its plan's limits, or an error finding."""

    customer = models.ForeignKey(
        Customer, on_delete=models.CASCADE, related_name="retention_overrides"
    )
    data_category = models.ForeignKey(
        DataCategory, on_delete=models.PROTECT, related_name="+"
    )
    retention_days = models.PositiveIntegerField()
    history = HistoricalRecords()

    class Meta:
        ordering = ["customer__name", "data_category__code"]
        constraints = [
            models.UniqueConstraint(
                fields=["customer", "data_category"],
                name="one_override_per_customer_category",
            )
        ]

    def __str__(self) -> str:
        return f"{self.customer}: {self.data_category} {self.retention_days} days"


class DeletionRun(models.Model):
    """Evidence that a deletion job ran (Art. 5(1)(e) and 5(2) GDPR: storage
    limitation, and being able to demonstrate it): which system, which data
    category, for one customer or all of them, the period applied, how many
    records were deleted or de-identified. Append-only: never changed, never
    deleted, by anyone (no change or delete permission exists)."""

    class Outcome(models.TextChoices):
        SUCCESS = "success", "Success"
        PARTIAL = "partial", "Partial"
        FAILED = "failed", "Failed"

    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="+")
    data_category = models.ForeignKey(
        DataCategory, on_delete=models.PROTECT, related_name="+"
    )
    customer = models.ForeignKey(
        Customer,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Empty: the run covered every customer.",
    )
    retention_days = models.PositiveIntegerField("Period applied (days)")
    deleted = models.PositiveIntegerField("Records deleted or de-identified")
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    outcome = models.CharField(max_length=10, choices=Outcome.choices)
    detail = models.TextField(blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["-finished_at", "-id"]
        default_permissions = ("add", "view")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(finished_at__gte=models.F("started_at")),
                name="deletion_run_finishes_after_start",
            )
        ]

    def __str__(self) -> str:
        whom = self.customer if self.customer_id else "all customers"
        return f"{self.data_category} ({whom}) {self.finished_at:%Y-%m-%d %H:%M}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None and not self._state.adding:
            raise ValidationError("Deletion runs are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise ValidationError("Deletion runs are append-only.")

    def clean(self) -> None:
        raise_errors(deletion_run_errors(model_values(self)))
