"""The DPO's workspace: every inventory record, searchable, with its history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from inventory.models import (
    Customer,
    DataCategory,
    DataSubjectCategory,
    LegalEntity,
    ProcessingActivity,
    ProductFeature,
    SecurityMeasure,
    System,
    Vendor,
)

admin.site.site_header = "kbinventory: data-protection inventory"
admin.site.site_title = "kbinventory"


class InventoryAdmin(SimpleHistoryAdmin):
    """History on every record (STYLE.md 5); the acting user is recorded by
    HistoryRequestMiddleware, a change reason can be given in the form."""

    save_on_top = True
    list_per_page = 100


@admin.register(LegalEntity)
class LegalEntityAdmin(InventoryAdmin):
    list_display = ["name", "country", "dpo", "representative"]
    list_filter = ["country"]
    search_fields = ["name", "contact", "dpo"]


@admin.register(DataSubjectCategory)
class DataSubjectCategoryAdmin(InventoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]


@admin.register(DataCategory)
class DataCategoryAdmin(InventoryAdmin):
    list_display = [
        "code",
        "name",
        "special_category",
        "art9_kind",
        "criminal_offence",
        "ccpa_category",
        "retention",
    ]
    list_filter = ["special_category", "art9_kind", "criminal_offence"]
    search_fields = ["code", "name", "description"]


@admin.register(SecurityMeasure)
class SecurityMeasureAdmin(InventoryAdmin):
    list_display = ["name", "annex_ii_heading"]
    list_filter = ["annex_ii_heading"]
    search_fields = ["name", "description"]


@admin.register(Vendor)
class VendorAdmin(InventoryAdmin):
    list_display = [
        "name",
        "service",
        "role",
        "country",
        "dpf_certified",
        "dpa_signed_on",
        "baa_signed",
    ]
    list_filter = ["role", "country", "dpf_certified", "baa_signed"]
    search_fields = ["name", "service"]


@admin.register(System)
class SystemAdmin(InventoryAdmin):
    list_display = ["name", "vendor", "hosting_countries"]
    list_select_related = ["vendor"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["vendor"]


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(InventoryAdmin):
    list_display = [
        "ref",
        "name",
        "role",
        "lawful_basis",
        "status",
        "dpia_required",
        "next_review_on",
    ]
    list_filter = ["role", "status", "lawful_basis", "dpia_required", "art9_condition"]
    search_fields = ["ref", "name", "purposes", "owner"]
    list_select_related = ["reviewed_by"]
    autocomplete_fields = [
        "data_subject_categories",
        "data_categories",
        "recipients",
        "systems",
        "security_measures",
    ]
    readonly_fields = ["reviewed_on", "reviewed_by"]
    fieldsets = [
        (None, {"fields": ["ref", "name", "role", "status", "owner", "purposes"]}),
        (
            "Lawfulness (Art. 6, 9, 10)",
            {
                "fields": [
                    "lawful_basis",
                    "legitimate_interest",
                    "lia_reference",
                    "consent_record_reference",
                    "art9_condition",
                    "art10_basis",
                ]
            },
        ),
        (
            "Data (Art. 30(1)(c)-(g))",
            {
                "fields": [
                    "data_subject_categories",
                    "data_categories",
                    "data_source",
                    "recipients",
                    "systems",
                    "security_measures",
                    "retention",
                ]
            },
        ),
        (
            "Risk and review",
            {
                "fields": [
                    "dpia_required",
                    "dpia_reference",
                    "next_review_on",
                    "reviewed_on",
                    "reviewed_by",
                ]
            },
        ),
    ]


@admin.register(ProductFeature)
class ProductFeatureAdmin(InventoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["activities", "vendors"]


@admin.register(Customer)
class CustomerAdmin(InventoryAdmin):
    list_display = ["name", "country", "dpa_version", "dpa_signed_on", "baa_signed"]
    list_filter = ["country", "baa_signed", "clause9_option"]
    search_fields = ["name", "contact", "dpo"]
    autocomplete_fields = ["features"]
