"""Transfers of personal data out of the EEA (GDPR Chapter V) and their
assessments. The law that changes (adequacy decisions) lives in CountryProfile
rows the DPO edits; the reasoning over it lives in ``transfers.rules``."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django_countries.fields import CountryField

from inventory.history_records import HistoricalRecords
from inventory.models import (
    Customer,
    DataCategory,
    LegalEntity,
    ProcessingActivity,
    SecurityMeasure,
    Vendor,
    model_values,
    next_review_date,
    raise_errors,
    record_review,
)
from transfers import law, rules


class CountryProfile(models.Model):
    """A country as Chapter V sees it: EEA member (Art. 44 does not apply) or
    third country with or without a Commission adequacy decision (Art. 45),
    possibly partial (only some importers or sectors)."""

    class Adequacy(models.TextChoices):
        NONE = rules.Adequacy.NONE, "No adequacy decision"
        FULL = rules.Adequacy.FULL, "Full adequacy"
        PARTIAL = rules.Adequacy.PARTIAL, "Partial adequacy"

    class Scope(models.TextChoices):
        DPF = rules.Scope.DPF, "Only DPF-certified importers"
        COMMERCIAL = rules.Scope.COMMERCIAL, "Only commercial organisations"
        PRIVATE_SECTOR = rules.Scope.PRIVATE_SECTOR, "Only the private sector"
        OTHER = rules.Scope.OTHER, "Other (see scope text)"

    code = CountryField(unique=True)
    eea = models.BooleanField("EEA member", default=False)
    adequacy = models.CharField(
        max_length=10, choices=Adequacy.choices, default=Adequacy.NONE
    )
    scope = models.CharField(
        "Partial adequacy covers", max_length=20, choices=Scope.choices, blank=True
    )
    adequacy_scope = models.CharField(max_length=300, blank=True)
    decision_reference = models.CharField(max_length=300, blank=True)
    valid_from = models.DateField(null=True, blank=True)
    valid_to = models.DateField(null=True, blank=True)
    # EDPB Recommendations 01/2020, step 3: the destination's law and practice
    # on public-authority access, kept current by the DPO and dated.
    law_and_practice = models.TextField(
        "Law and practice on public-authority access",
        blank=True,
        help_text="Laws, their safeguards and redress, and the state of any "
        "adequacy decision, as the TIAs should read them.",
    )
    law_reviewed_on = models.DateField(
        "Law and practice last reviewed on", null=True, blank=True
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["code"]
        verbose_name = "country"
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return f"{self.code.name} ({self.code.code})"

    @property
    def name(self) -> str:
        return str(self.code.name)

    def destination(self, importer: Vendor | None, day: date) -> rules.Destination:
        """What ``transfers.rules`` needs to judge a transfer to this country."""
        vendor = model_values(importer) if importer is not None else None
        return rules.destination(model_values(self), vendor, day)

    def clean(self) -> None:
        raise_errors(country_profile_errors(model_values(self)))


def country_profile_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """A decision's validity dates in order; a partial adequacy decision
    (Art. 45(1): "one or more specified sectors") names what it covers."""
    errors: dict[str, str] = {}
    valid_from, valid_to = values.get("valid_from"), values.get("valid_to")
    if valid_from and valid_to and valid_to < valid_from:
        errors["valid_to"] = "A decision cannot end before it starts."
    partial = values.get("adequacy") == CountryProfile.Adequacy.PARTIAL
    if partial and not values.get("scope"):
        errors["scope"] = "A partial adequacy decision needs its scope."
    return errors


@dataclass(frozen=True)
class Assessment:
    """What the rules say about one transfer on one day."""

    is_transfer: bool
    adequacy_covers: bool
    scc_module: int | None
    safeguard_required: bool
    tia_required: bool
    regime: rules.Regime = rules.Regime.EU
    authority: str = ""


class TransferQuerySet(models.QuerySet["Transfer"]):
    def with_parties(self) -> TransferQuerySet:
        return self.select_related(
            "exporter", "exporter_customer", "importer", "importer_entity", "parent"
        )


class Transfer(models.Model):
    """A transfer of personal data to a third country (GDPR Art. 44-49), with
    the roles that choose the SCC module (Decision 2021/914) and the SCC options
    of Clauses 7 and 9. Onward transfers hang under the transfer they continue."""

    class Role(models.TextChoices):
        CONTROLLER = rules.Role.CONTROLLER, "Controller"
        PROCESSOR = rules.Role.PROCESSOR, "Processor"

    class Mechanism(models.TextChoices):
        ADEQUACY = rules.Mechanism.ADEQUACY, "Adequacy decision (Art. 45)"
        SCC = rules.Mechanism.SCC, "Standard contractual clauses (Art. 46(2)(c))"
        BCR = rules.Mechanism.BCR, "Binding corporate rules (Art. 47)"
        CODE_OF_CONDUCT = (
            rules.Mechanism.CODE_OF_CONDUCT,
            ("Code of conduct (Art. 46(2)(e))"),
        )
        CERTIFICATION = rules.Mechanism.CERTIFICATION, "Certification (Art. 46(2)(f))"
        DEROGATION = rules.Mechanism.DEROGATION, "Derogation (Art. 49)"
        NONE = rules.Mechanism.NONE, "None"

    ART49_CHOICES = [(g.value, label) for g, label in rules.ART49_LABELS.items()]

    name = models.CharField(max_length=200, unique=True)
    exporter = models.ForeignKey(
        LegalEntity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exporter_customer = models.ForeignKey(
        Customer, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    exporter_role = models.CharField(max_length=20, choices=Role.choices)
    importer = models.ForeignKey(
        Vendor, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    importer_entity = models.ForeignKey(
        LegalEntity, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    importer_role = models.CharField(max_length=20, choices=Role.choices)
    destination = CountryField()
    activities = models.ManyToManyField(ProcessingActivity, blank=True)
    data_categories = models.ManyToManyField(DataCategory, blank=True)
    mechanism = models.CharField(
        max_length=20, choices=Mechanism.choices, default=Mechanism.NONE
    )
    derogation_ground = models.CharField(
        "Art. 49 ground", max_length=20, choices=ART49_CHOICES, blank=True
    )
    derogation_safeguards = models.TextField(
        "Art. 49(1) second subparagraph: assessment and safeguards",
        blank=True,
        help_text="Documented under Art. 49(6) and printed in the record "
        "(Art. 30(1)(e)).",
    )
    clause9_option = models.CharField(
        "Clause 9 option", max_length=10, choices=Customer.Clause9.choices, blank=True
    )
    notice_period_days = models.PositiveIntegerField(null=True, blank=True)
    docking_clause = models.BooleanField("Clause 7 docking clause", default=False)
    scc_signed_on = models.DateField("SCCs signed on", null=True, blank=True)
    uk_addendum = models.BooleanField("UK Addendum", default=False)
    idta = models.BooleanField(
        "UK IDTA",
        default=False,
        help_text="The ICO's International Data Transfer Agreement, instead of "
        "the EU SCCs with the UK Addendum (UK GDPR Art. 46(2)(d)).",
    )
    swiss_adaptations = models.BooleanField("Swiss adaptations", default=False)
    module4_combines_eu_data = models.BooleanField(
        "Module 4: combined with data collected in the EU", default=False
    )
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="onward_transfers",
        verbose_name="onward transfer of",
    )
    supplementary_measures = models.ManyToManyField(SecurityMeasure, blank=True)
    notes = models.TextField(blank=True)
    history = HistoricalRecords(
        m2m_fields=[activities, data_categories, supplementary_measures]
    )

    objects = TransferQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(exporter__isnull=True)
                ^ models.Q(exporter_customer__isnull=True),
                name="transfer_has_one_exporter",
            ),
            models.CheckConstraint(
                condition=models.Q(importer__isnull=True)
                ^ models.Q(importer_entity__isnull=True),
                name="transfer_has_one_importer",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def exporter_name(self) -> str:
        return str(self.exporter or self.exporter_customer or "")

    def importer_name(self) -> str:
        return str(self.importer or self.importer_entity or "")

    def country_profile(self) -> CountryProfile | None:
        return CountryProfile.objects.filter(code=self.destination).first()

    def assess(
        self, profile: CountryProfile | None = None, day: date | None = None
    ) -> Assessment:
        """Apply ``transfers.rules`` to this transfer as the register stands."""
        profile = profile or self.country_profile()
        day = day or timezone.now().date()
        if profile is None:  # an unknown destination is judged as non-adequate
            profile = CountryProfile(code=self.destination)
        regime, competent = self.exporter_law()
        importer = model_values(self.importer) if self.importer else None
        dest = law.seen_by(
            regime,
            str(self.destination),
            profile.destination(self.importer, day),
            importer,
        )
        return assess(model_values(self), dest, regime, competent)

    def exporter_law(self) -> tuple[rules.Regime, str]:
        """The regime and competent authority the transfer is made under: its
        exporter's, or for an onward transfer of a customer's data (a
        ``parent`` chain leading to the customer's transfer) the customer's
        (``law.leg_law``)."""
        exporter = self.exporter if self.exporter_id else self.exporter_customer
        origin = self.origin_customer()
        return law.leg_law(
            row(exporter) if exporter else None, row(origin) if origin else None
        )

    def origin_customer(self) -> Customer | None:
        """The customer whose transfer this one continues, following
        ``parent`` (as ``law.origin_customer`` does on snapshot records)."""
        if self.exporter_customer_id:
            return None
        current, seen = self, {self.pk}
        while current.parent_id and current.parent_id not in seen:
            seen.add(current.parent_id)
            parent = current.parent
            if parent is None:
                break
            current = parent
        return current.exporter_customer if current is not self else None

    @property
    def scc_module(self) -> int | None:
        return self.assess().scc_module

    @property
    def safeguard_required(self) -> bool:
        return self.assess().safeguard_required

    @property
    def tia_required(self) -> bool:
        return self.assess().tia_required

    def clean(self) -> None:
        importer = self.importer if self.importer_id else None
        dest = judged_destination(self.destination, importer)
        raise_errors(transfer_errors(model_values(self), dest))


def row(instance: models.Model) -> dict[str, Any]:
    """An instance as a snapshot record: field values by column (``parent_id``)."""
    return {
        f.attname: getattr(instance, f.attname) for f in instance._meta.concrete_fields
    }


def judged_destination(
    code: Any, importer: Vendor | None, day: date | None = None
) -> rules.Destination | None:
    """What the rules need to know of a destination today (None: not in the
    country register), for ``transfer_errors`` in the admin and the API."""
    profile = CountryProfile.objects.filter(code=str(code or "")).first()
    if profile is None:
        return None
    return profile.destination(importer, day or timezone.now().date())


def assess(
    values: Mapping[str, Any],
    dest: rules.Destination,
    regime: rules.Regime = rules.Regime.EU,
    authority: str = "",
) -> Assessment:
    module = rules.scc_module_for(
        rules.Role(values["exporter_role"]), rules.Role(values["importer_role"]), dest
    )
    return Assessment(
        is_transfer=rules.is_transfer(dest),
        adequacy_covers=rules.adequacy_covers(dest),
        scc_module=module,
        safeguard_required=rules.safeguard_required(dest),
        tia_required=rules.tia_required(
            dest,
            rules.Mechanism(values["mechanism"]),
            module,
            module4_combines_eu_data=bool(values.get("module4_combines_eu_data")),
        ),
        regime=regime,
        authority=authority,
    )


def transfer_errors(
    values: Mapping[str, Any], dest: rules.Destination | None
) -> dict[str, str]:
    """Malformed or self-contradictory transfers (a missing safeguard is NOT an
    error: it is recorded and reported as a finding)."""
    errors: dict[str, str] = {}
    if bool(values.get("exporter")) == bool(values.get("exporter_customer")):
        errors["exporter"] = "Give exactly one exporter: a legal entity or a customer."
    if bool(values.get("importer")) == bool(values.get("importer_entity")):
        errors["importer"] = "Give exactly one importer: a vendor or a legal entity."
    mechanism = rules.Mechanism(values.get("mechanism") or rules.Mechanism.NONE)
    ground_error = rules.derogation_ground_error(
        mechanism, values.get("derogation_ground") or ""
    )
    if ground_error:
        errors["derogation_ground"] = ground_error
    documentation = rules.derogation_documentation_error(
        values.get("derogation_ground"), values.get("derogation_safeguards") or ""
    )
    if documentation:
        errors["derogation_safeguards"] = documentation
    if dest is None:
        errors["destination"] = "Unknown destination country."
    else:
        claim = rules.adequacy_claim_error(dest, mechanism)
        if claim:
            errors["mechanism"] = claim
    errors.update(transfer_activity_errors(values))
    return errors


def transfer_activity_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """One role pair per transfer (``rules.activity_roles_error``): the
    activities are ours, so they have the role our side plays, the exporter's
    when we export, the importer's when a customer exports to us. Checked
    where the activities are known: the API, the admin form, the import."""
    activities = values.get("activities")
    roles = [values.get("exporter_role"), values.get("importer_role")]
    if not activities or not all(roles):
        return {}
    ours = str(roles[0] if values.get("exporter") else roles[1])
    problem = rules.activity_roles_error(
        rules.Role(ours), [str(a.role) for a in activities]
    )
    return {"activities": problem} if problem else {}


def next_review(day: date) -> date:
    """The default re-evaluation date (EDPB Recs 01/2020, step 6)."""
    return next_review_date(day)


class TransferImpactAssessment(models.Model):
    """A transfer impact assessment: Clause 14 SCC 2021/914 and the six steps
    of EDPB Recommendations 01/2020 (docs/law.md)."""

    class Risk(models.TextChoices):
        LOW = "low", "Low"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Outcome(models.TextChoices):
        PROCEED = "proceed", "Proceed"
        PROCEED_WITH_MEASURES = "proceed_with_measures", "Proceed with measures"
        SUSPEND = "suspend", "Suspend"
        NOT_REQUIRED = "not_required", "Not required (adequacy)"

    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="assessments"
    )
    transfer_description = models.TextField("1. Transfer description", blank=True)
    tool = models.TextField("2. Transfer tool", blank=True)
    laws_considered = models.TextField("3. Destination laws considered", blank=True)
    problematic_legislation = models.TextField("3. Problematic legislation", blank=True)
    practical_experience = models.TextField("3. Practical experience", blank=True)
    technical_measures = models.TextField("4. Technical measures", blank=True)
    contractual_measures = models.TextField("4. Contractual measures", blank=True)
    organisational_measures = models.TextField("4. Organisational measures", blank=True)
    risk_rating = models.CharField(max_length=10, choices=Risk.choices, blank=True)
    outcome = models.CharField(max_length=30, choices=Outcome.choices)
    assessor = models.CharField(max_length=200)
    assessed_on = models.DateField()
    procedural_steps = models.TextField(
        "5. Procedural steps",
        blank=True,
        help_text="What putting the supplementary measures in place required "
        "(e.g. an amendment to the contract; no authority approval where they do "
        "not contradict the SCCs).",
    )
    next_review_on = models.DateField(
        "6. Next review", blank=True, help_text="Empty: 12 months after assessment."
    )
    conclusion_rationale = models.TextField(
        "Conclusion: rationale",
        blank=True,
        help_text="Why the outcome follows from steps 3 and 4 (residual risk).",
    )
    approved_by = models.CharField("Approved by", max_length=200, blank=True)
    approved_on = models.DateField("Approved on", null=True, blank=True)
    reviewed_on = models.DateField("Last reviewed on", null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["transfer__name", "-assessed_on"]
        verbose_name = "transfer impact assessment"

    def __str__(self) -> str:
        return f"TIA {self.transfer} ({self.assessed_on})"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.next_review_on is None and self.assessed_on:
            self.next_review_on = next_review(self.assessed_on)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        raise_errors(tia_errors(model_values(self)))

    def mark_reviewed(self, user: Any, next_review_on: date | None = None) -> None:
        """Re-evaluated by ``user`` today (EDPB Recommendations 01/2020, step 6);
        the next review moves to ``next_review_on`` or one interval from today."""
        record_review(self, user, next_review_on)


def tia_errors(values: Mapping[str, Any]) -> dict[str, str]:
    """The review (EDPB step 6) cannot come before the assessment."""
    review, assessed = values.get("next_review_on"), values.get("assessed_on")
    if review and assessed and review < assessed:
        return {"next_review_on": "The next review cannot be before the assessment."}
    return {}
