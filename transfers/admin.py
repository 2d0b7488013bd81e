"""Country register, transfers and their impact assessments for the DPO."""

from typing import Any

from django.contrib import admin

from inventory.admin import InventoryAdmin, VersionedForm, mark_reviewed
from transfers.models import (
    CountryProfile,
    Transfer,
    TransferImpactAssessment,
    transfer_activity_errors,
)


@admin.register(CountryProfile)
class CountryProfileAdmin(InventoryAdmin):
    list_display = ["code", "name", "eea", "adequacy", "adequacy_scope", "valid_to"]
    list_filter = ["eea", "adequacy"]
    search_fields = ["code", "adequacy_scope", "decision_reference"]

    @admin.display(description="name")
    def name(self, obj: CountryProfile) -> str:
        return obj.name


class AssessmentInline(admin.StackedInline[TransferImpactAssessment, Transfer]):
    model = TransferImpactAssessment
    extra = 0


class TransferForm(VersionedForm):
    """Model.clean() cannot see the activities chosen in the form: the rule
    that needs them is checked here, as the API checks it in validate()."""

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        for name, message in transfer_activity_errors(self.cleaned_data).items():
            self.add_error(name if name in self.fields else None, message)
        return data


@admin.register(Transfer)
class TransferAdmin(InventoryAdmin):
    form = TransferForm
    list_display = [
        "name",
        "exporter_name",
        "importer_name",
        "destination",
        "mechanism",
        "scc_module",
        "safeguard_status",
        "tia_required",
    ]
    list_filter = ["mechanism", "destination", "exporter_role", "importer_role"]
    list_select_related = [
        "exporter",
        "exporter_customer",
        "importer",
        "importer_entity",
    ]
    search_fields = ["name", "notes"]
    autocomplete_fields = [
        "exporter",
        "exporter_customer",
        "importer",
        "importer_entity",
        "activities",
        "data_categories",
        "supplementary_measures",
        "parent",
    ]
    readonly_fields = ["scc_module", "safeguard_status", "tia_required"]
    inlines = [AssessmentInline]
    fieldsets = [
        (None, {"fields": ["name", "parent", "notes"]}),
        (
            "Parties",
            {
                "fields": [
                    ("exporter", "exporter_customer", "exporter_role"),
                    ("importer", "importer_entity", "importer_role"),
                    "destination",
                ]
            },
        ),
        ("Scope", {"fields": ["activities", "data_categories"]}),
        (
            "Safeguard (Art. 45-49)",
            {
                "fields": [
                    "mechanism",
                    "derogation_ground",
                    "derogation_safeguards",
                    ("clause9_option", "notice_period_days"),
                    ("docking_clause", "uk_addendum", "idta", "swiss_adaptations"),
                    "scc_signed_on",
                    "module4_combines_eu_data",
                    "supplementary_measures",
                ]
            },
        ),
        (
            "What the rules say",
            {"fields": ["scc_module", "safeguard_status", "tia_required"]},
        ),
    ]

    @admin.display(description="exporter")
    def exporter_name(self, obj: Transfer) -> str:
        return obj.exporter_name()

    @admin.display(description="importer")
    def importer_name(self, obj: Transfer) -> str:
        return obj.importer_name()

    @admin.display(description="safeguard")
    def safeguard_status(self, obj: Transfer) -> str:
        """Plain words, no colour: what is missing, if anything."""
        result = obj.assess()
        if not result.is_transfer:
            return "Not a transfer (EEA destination)"
        if result.adequacy_covers:
            return "Covered by adequacy"
        if obj.mechanism in (Transfer.Mechanism.NONE, Transfer.Mechanism.ADEQUACY):
            return "MISSING: a safeguard is required (Art. 46) and none is recorded"
        return f"Required; relies on {obj.get_mechanism_display()}"


@admin.register(TransferImpactAssessment)
class TransferImpactAssessmentAdmin(InventoryAdmin):
    list_display = [
        "transfer",
        "outcome",
        "risk_rating",
        "assessed_on",
        "next_review_on",
        "reviewed_on",
    ]
    readonly_fields = ["reviewed_on", "reviewed_by"]
    actions = [mark_reviewed]
    list_filter = ["outcome", "risk_rating"]
    list_select_related = ["transfer"]
    search_fields = ["transfer__name", "assessor"]
    autocomplete_fields = ["transfer"]
