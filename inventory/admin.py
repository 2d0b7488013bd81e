"""The DPO's workspace: every inventory record, searchable, with its history."""

from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
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
    latest_version,
    stale_edit_message,
)

admin.site.site_header = "kbinventory: data-protection inventory"
admin.site.site_title = "kbinventory"


VERSION_FIELD = "version"


class VersionedForm(forms.ModelForm[Any]):
    """Carries the version (history_id of the latest historical record) the
    editor opened; a save based on an older one is refused, naming who changed
    the record and when (issue 8: two DPOs never silently overwrite each other)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = latest_version(self.instance) if self.instance.pk else None
        self.fields[VERSION_FIELD].initial = latest.history_id if latest else ""

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.instance.pk:
            # Row lock (the admin saves in a transaction): of two saves at once,
            # the second waits and then sees the first one's version.
            rows = type(self.instance)._default_manager.select_for_update()
            rows.filter(pk=self.instance.pk).first()
            version = self.cleaned_data.get(VERSION_FIELD)
            message = stale_edit_message(self.instance, version)
            if message:
                raise forms.ValidationError(message, code="stale")
        return data


def with_version_field(fieldsets: Any, editing: bool) -> list[Any]:
    """The fieldsets with the hidden version field in the first one when the
    user edits a record, and nowhere otherwise (read-only pages cannot show it)."""
    cleaned = [
        (name, {**opts, "fields": [f for f in opts["fields"] if f != VERSION_FIELD]})
        for name, opts in fieldsets
    ]
    if editing and cleaned:
        name, opts = cleaned[0]
        cleaned[0] = (name, {**opts, "fields": [*opts["fields"], VERSION_FIELD]})
    return cleaned


class InventoryAdmin(SimpleHistoryAdmin):
    """History on every record (STYLE.md 5); the acting user is recorded by
    HistoryRequestMiddleware, a change reason can be given in the form; a stale
    save is refused (VersionedForm)."""

    save_on_top = True
    list_per_page = 100
    form = VersionedForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        editing = obj is not None and self.has_change_permission(request, obj)
        return with_version_field(super().get_fieldsets(request, obj), editing)


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
