"""The inventory over the API: field names as the models name them (docs/api.md)."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.db import models
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from inventory.api import (
    CountryListField,
    InventorySerializer,
    StrictInputMixin,
    note_author,
)
from inventory.models import (
    ActivityLawfulBasis,
    Customer,
    DataCategory,
    DataSubjectCategory,
    DeletionRun,
    LegalEntity,
    Plan,
    PlanLimit,
    ProcessingActivity,
    ProductFeature,
    Region,
    RetentionOverride,
    SecurityMeasure,
    SpecialCategoryCondition,
    System,
    Vendor,
    activity_errors,
    ccpa_validator,
    data_category_errors,
    deletion_run_errors,
    lawful_bases_errors,
    plan_limit_errors,
)
from inventory.notices import SubprocessorNotice


class LegalEntitySerializer(InventorySerializer):
    class Meta:
        model = LegalEntity
        fields = [
            "id",
            "name",
            "address",
            "country",
            "contact",
            "dpo",
            "representative",
            "representative_country",
        ]


class RetentionOverrideSerializer(serializers.ModelSerializer[RetentionOverride]):
    """One of a customer's retention settings: days for one data category."""

    class Meta:
        model = RetentionOverride
        fields = ["data_category", "retention_days"]
        validators: list[Any] = []  # uniqueness is checked on the whole list


class CustomerSerializer(InventorySerializer):
    retention_overrides = RetentionOverrideSerializer(many=True, required=False)

    class Meta:
        model = Customer
        fields = [
            "id",
            "name",
            "country",
            "address",
            "contact",
            "dpo",
            "representative",
            "representative_country",
            "supervisory_authority",
            "dpa_version",
            "dpa_signed_on",
            "clause9_option",
            "notice_period_days",
            "baa_signed",
            "privacy_email",
            "features",
            "plan",
            "retention_overrides",
            "transcript_export",
            "residency_region",
            "end_of_service",
            "end_of_service_days",
        ]

    def validate_retention_overrides(
        self, value: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        """Each setting names its category and days (also in a PATCH); one
        setting per data category: two would contradict each other."""
        for item in value:
            missing = [f for f in ("data_category", "retention_days") if f not in item]
            if missing:
                raise serializers.ValidationError(
                    f"Each setting needs {' and '.join(missing)}."
                )
        codes = [item["data_category"].code for item in value]
        repeated = sorted({c for c in codes if codes.count(c) > 1})
        if repeated:
            raise serializers.ValidationError(
                f"Each data category at most once: {', '.join(repeated)} repeated."
            )
        return value

    def create(self, validated_data: dict[str, Any]) -> Any:
        settings = validated_data.pop("retention_overrides", None)
        customer = super().create(validated_data)
        if settings is not None:
            self.save_overrides(customer, settings)
        return customer

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        settings = validated_data.pop("retention_overrides", None)
        customer = super().update(instance, validated_data)
        if settings is not None:
            self.save_overrides(customer, settings)
        return customer

    def save_overrides(
        self, customer: Customer, settings: list[dict[str, Any]]
    ) -> None:
        """Make the customer's settings exactly ``settings``: each added,
        changed or removed setting is one version of its own; an unchanged
        one records nothing."""
        wanted = {s["data_category"].pk: s["retention_days"] for s in settings}
        for row in customer.retention_overrides.all():
            days = wanted.pop(row.data_category_id, None)
            if days is None:
                note_author(row, self.context)
                row.delete()
            elif days != row.retention_days:
                row.retention_days = days
                note_author(row, self.context)
                row.save()
        for category_id, days in wanted.items():
            row = RetentionOverride(
                customer=customer, data_category_id=category_id, retention_days=days
            )
            note_author(row, self.context)
            row.save()


class ProductFeatureSerializer(InventorySerializer):
    class Meta:
        model = ProductFeature
        fields = ["id", "name", "description", "activities", "vendors", "systems"]


class DataSubjectCategorySerializer(InventorySerializer):
    class Meta:
        model = DataSubjectCategory
        fields = ["id", "name", "description"]


CCPA_PATTERN = str(getattr(ccpa_validator.regex, "pattern", ccpa_validator.regex))


@extend_schema_field({"type": "string", "pattern": CCPA_PATTERN})
class CcpaCategoriesField(serializers.CharField):
    """CCPA category letters, e.g. "A,F,L", or "" for none. Its pattern allows
    "" already; flagging it ``allow_blank`` would make the schema a ``oneOf``
    that "" matches twice, so the empty string is let through here."""

    def run_validation(self, data: Any = serializers.empty) -> Any:
        return "" if data == "" else super().run_validation(data)


class DataCategorySerializer(InventorySerializer):
    ccpa_category = CcpaCategoriesField(
        max_length=30,
        required=False,
        validators=[ccpa_validator],
        label="CCPA categories",
    )

    class Meta:
        model = DataCategory
        fields = [
            "id",
            "code",
            "name",
            "description",
            "special_category",
            "art9_kind",
            "criminal_offence",
            "ccpa_category",
            "retention",
            "retention_period",
            "retention_unit",
            "retention_from",
            "retention_follows",
            "end_action",
            "end_method",
            "retention_legal_basis",
            "deletion_interval_days",
        ]

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        return data_category_errors(values)


class RegionSerializer(InventorySerializer):
    class Meta:
        model = Region
        fields = ["id", "code", "name", "description", "systems", "vendors"]


class PlanSerializer(InventorySerializer):
    class Meta:
        model = Plan
        fields = [
            "id",
            "name",
            "description",
            "transcript_export",
            "baa_available",
            "regions",
        ]


class PlanLimitSerializer(InventorySerializer):
    class Meta:
        model = PlanLimit
        fields = ["id", "plan", "data_category", "min_days", "max_days"]

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        return plan_limit_errors(values)


class DeletionRunSerializer(StrictInputMixin, serializers.ModelSerializer[DeletionRun]):
    """A deletion job's report of one run: evidence, written once."""

    class Meta:
        model = DeletionRun
        fields = [
            "id",
            "system",
            "data_category",
            "customer",
            "retention_days",
            "deleted",
            "started_at",
            "finished_at",
            "outcome",
            "detail",
        ]

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = deletion_run_errors(attrs)
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> DeletionRun:
        run = DeletionRun(**validated_data)
        note_author(run, self.context)
        run.save()
        return run


class SystemSerializer(InventorySerializer):
    class Meta:
        model = System
        fields = ["id", "name", "description", "hosting_countries", "vendor"]


class VendorSerializer(InventorySerializer):
    class Meta:
        model = Vendor
        fields = [
            "id",
            "name",
            "service",
            "role",
            "country",
            "processing_countries",
            "dpf_certified",
            "dpf_certified_on",
            "uk_extension",
            "swiss_dpf",
            "subject_to_pipeda",
            "subject_to_appi",
            "subject_to_pipa",
            "subject_to_gdpr",
            "dpa_signed_on",
            "baa_signed",
            "contact",
            "address",
        ]


class SecurityMeasureSerializer(InventorySerializer):
    class Meta:
        model = SecurityMeasure
        fields = ["id", "name", "description", "annex_ii_heading", "not_applicable"]


def next_activity_ref(role: str) -> str:
    """The next free reference in the demo's style: PA-C7, PA-P3."""
    prefix = "PA-C" if role == ProcessingActivity.Role.CONTROLLER else "PA-P"
    refs = ProcessingActivity.objects.filter(ref__startswith=prefix)
    numbers = [
        int(m.group(1))
        for ref in refs.values_list("ref", flat=True)
        if (m := re.fullmatch(re.escape(prefix) + r"(\d+)", ref))
    ]
    return f"{prefix}{max(numbers, default=0) + 1}"


class ActivityLawfulBasisSerializer(serializers.ModelSerializer[ActivityLawfulBasis]):
    """One Art. 6(1) basis of an activity and the purposes it covers."""

    class Meta:
        model = ActivityLawfulBasis
        fields = ["basis", "purposes"]
        validators: list[Any] = []  # uniqueness is checked on the whole list


class SpecialCategoryConditionSerializer(
    serializers.ModelSerializer[SpecialCategoryCondition]
):
    """The Art. 9(2) condition for one special category the activity processes."""

    class Meta:
        model = SpecialCategoryCondition
        fields = ["data_category", "condition"]
        validators: list[Any] = []  # uniqueness is checked on the whole list


def require_items(value: list[dict[str, Any]], keys: tuple[str, str]) -> None:
    """Each item names both its keys, also in a PATCH."""
    for item in value:
        missing = [key for key in keys if key not in item]
        if missing:
            raise serializers.ValidationError(
                f"Each item needs {' and '.join(missing)}."
            )


class ProcessingActivitySerializer(InventorySerializer):
    """Art. 30(1)/(2) entry. ``ref`` is generated when omitted (PA-C7, PA-P3);
    ``reviewed_on``/``reviewed_by`` are set by a review, not here.
    ``lawful_bases`` lists every Art. 6(1) basis with its purposes; when it is
    sent without ``lawful_basis``, the main basis stays if it is still listed,
    else becomes the first listed (docs/lawful-bases.md)."""

    lawful_bases = ActivityLawfulBasisSerializer(many=True, required=False)
    special_category_conditions = SpecialCategoryConditionSerializer(
        many=True, required=False
    )

    class Meta:
        model = ProcessingActivity
        fields = [
            "id",
            "ref",
            "name",
            "role",
            "purposes",
            "lawful_basis",
            "lawful_bases",
            "legitimate_interest",
            "lia_reference",
            "consent_record_reference",
            "art9_condition",
            "special_category_conditions",
            "art10_basis",
            "data_subject_categories",
            "data_categories",
            "recipients",
            "systems",
            "security_measures",
            "data_source",
            "retention",
            "dpia_required",
            "dpia_reference",
            "dpia_status",
            "rights_available",
            "profiling",
            "automated_decisions",
            "automated_decision_logic",
            "status",
            "owner",
            "next_review_on",
            "reviewed_on",
            "reviewed_by",
        ]
        read_only_fields = ["reviewed_on", "reviewed_by"]
        extra_kwargs = {"ref": {"required": False}}

    def validate_lawful_bases(self, value: list[dict[str, Any]]) -> Any:
        require_items(value, ("basis", "purposes"))
        return value

    def validate_special_category_conditions(self, value: list[dict[str, Any]]) -> Any:
        require_items(value, ("data_category", "condition"))
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        listed = [item["basis"] for item in attrs.get("lawful_bases") or []]
        if listed and "lawful_basis" not in attrs:
            stored = self.instance.lawful_basis if self.instance else None
            attrs["lawful_basis"] = stored if stored in listed else listed[0]
        return super().validate(attrs)

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        activity = self.instance
        if "lawful_bases" in values:
            bases = [item["basis"] for item in values["lawful_bases"]]
        else:
            bases = (
                [row.basis for row in activity.lawful_bases.all()] if activity else []
            )
        if "special_category_conditions" in values:
            conditions = [
                (item["data_category"], item["condition"])
                for item in values["special_category_conditions"]
            ]
        else:
            rows = activity.special_category_conditions.all() if activity else []
            conditions = [(row.data_category, row.condition) for row in rows]
        if "data_categories" in values:
            categories = {category.pk for category in values["data_categories"]}
        else:
            stored = activity.data_categories.all() if activity else []
            categories = {category.pk for category in stored}
        return {
            **activity_errors(values),
            **lawful_bases_errors(values, bases, conditions, categories),
        }

    def create(self, validated_data: dict[str, Any]) -> Any:
        if not validated_data.get("ref"):
            validated_data["ref"] = next_activity_ref(validated_data["role"])
        bases = validated_data.pop("lawful_bases", None)
        conditions = validated_data.pop("special_category_conditions", None)
        activity = super().create(validated_data)
        self.save_rows(activity, bases, conditions)
        return activity

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        bases = validated_data.pop("lawful_bases", None)
        conditions = validated_data.pop("special_category_conditions", None)
        activity = super().update(instance, validated_data)
        self.save_rows(activity, bases, conditions)
        return activity

    def save_rows(
        self,
        activity: ProcessingActivity,
        bases: list[dict[str, Any]] | None,
        conditions: list[dict[str, Any]] | None,
    ) -> None:
        """Make the activity's rows exactly the lists sent (a list not sent
        stays as it is); each added, changed or removed row is one version of
        its own, an unchanged one records nothing."""
        if bases is not None:
            wanted = {item["basis"]: item["purposes"] for item in bases}
            self.sync(activity.lawful_bases.all(), "basis", "purposes", wanted)
            for basis, purposes in wanted.items():
                row = ActivityLawfulBasis(
                    activity=activity, basis=basis, purposes=purposes
                )
                self.save_row(row)
        if conditions is not None:
            by_category = {
                item["data_category"].pk: item["condition"] for item in conditions
            }
            rows = activity.special_category_conditions.all()
            self.sync(rows, "data_category_id", "condition", by_category)
            for category_id, condition in by_category.items():
                row2 = SpecialCategoryCondition(
                    activity=activity, data_category_id=category_id, condition=condition
                )
                self.save_row(row2)

    def sync(self, rows: Any, key: str, field: str, wanted: dict[Any, str]) -> None:
        """Delete or change the stored rows; ``wanted`` keeps the ones to add."""
        for row in rows:
            value = wanted.pop(getattr(row, key), None)
            if value is None:
                note_author(row, self.context)
                row.delete()
            elif value != getattr(row, field):
                setattr(row, field, value)
                self.save_row(row)

    def save_row(self, row: models.Model) -> None:
        note_author(row, self.context)
        row.save()


class SubprocessorNoticeSerializer(serializers.ModelSerializer[SubprocessorNotice]):
    """A sub-processor change notice (SCC Clause 9(a)); read-only: it is
    created by the change it announces and changed only by its actions."""

    countries_added = CountryListField(read_only=True)
    countries_removed = CountryListField(read_only=True)
    # Empty until the notice is sent, answered or resolved: null, not a name.
    sent_by = serializers.SlugRelatedField[Any](
        slug_field="username", read_only=True, allow_null=True
    )
    response_recorded_by = serializers.SlugRelatedField[Any](
        slug_field="username", read_only=True, allow_null=True
    )
    resolved_by = serializers.SlugRelatedField[Any](
        slug_field="username", read_only=True, allow_null=True
    )
    clause9_option = serializers.ChoiceField(
        choices=Customer.Clause9.choices,
        read_only=True,
        allow_blank=True,
        help_text="The customer's Clause 9 option when the notice was sent; "
        "empty until then.",
    )
    resolution = serializers.ChoiceField(
        choices=SubprocessorNotice.Resolution.choices,
        read_only=True,
        allow_blank=True,
        help_text="How an objection was closed; empty while none is recorded.",
    )

    class Meta:
        model = SubprocessorNotice
        fields = [
            "id",
            "customer",
            "vendor",
            "vendor_name",
            "change",
            "description",
            "countries_added",
            "countries_removed",
            "features_concerned",
            "data_concerned",
            "drafted_on",
            "planned_effective_date",
            "effective_date",
            "objection_deadline",
            "clause9_option",
            "status",
            "sent_at",
            "sent_to",
            "sent_by",
            "new_period",
            "send_queued_at",
            "send_error",
            "resent_at",
            "resent_to",
            "resend_count",
            "responded_on",
            "response_recorded_at",
            "response_recorded_by",
            "resolution",
            "resolved_on",
            "resolved_by",
            "resolution_note",
        ]
        read_only_fields = fields


class NoticeActionResultSerializer(SubprocessorNoticeSerializer):
    """The notice after an action, with what the action did."""

    detail = serializers.CharField(read_only=True)

    class Meta(SubprocessorNoticeSerializer.Meta):
        fields = [*SubprocessorNoticeSerializer.Meta.fields, "detail"]
        read_only_fields = fields


class NoticeSendSerializer(StrictInputMixin, serializers.Serializer[Any]):
    new_period = serializers.BooleanField(
        required=False,
        default=False,
        help_text="Send a notice whose change was due already: the change then "
        "takes effect a full notice period from today.",
    )


class NoticeResponseSerializer(StrictInputMixin, serializers.Serializer[Any]):
    customer = serializers.PrimaryKeyRelatedField(queryset=Customer.objects.all())
    response = serializers.ChoiceField(choices=SubprocessorNotice.Response.choices)
    responded_on = serializers.DateField(required=False)


class NoticeResolveSerializer(StrictInputMixin, serializers.Serializer[Any]):
    resolution = serializers.ChoiceField(choices=SubprocessorNotice.Resolution.choices)
    resolved_on = serializers.DateField(required=False)
    note = serializers.CharField(required=False, allow_blank=True, default="")


# -- the activity list, a page at a time ----------------------------------------

ACTIVITY_SETS = (
    "data_subject_categories",
    "data_categories",
    "recipients",
    "systems",
    "security_measures",
)


def activity_page(activities: list[ProcessingActivity]) -> list[dict[str, Any]]:
    """``ProcessingActivitySerializer(activities, many=True).data``, the same
    JSON, for a list page: each many-to-many set and each kind of row is read
    once for the page as bare values (no model object per related row) and
    every value goes through the serializer's own field (500 activities
    carried some 6,000 prefetched objects and 16,000 attribute look-ups)."""
    ids = [activity.pk for activity in activities]
    sets = {name: id_lists(name, ids) for name in ACTIVITY_SETS}
    rows = {
        "lawful_bases": row_lists(
            ActivityLawfulBasisSerializer(), ActivityLawfulBasis, ids
        ),
        "special_category_conditions": row_lists(
            SpecialCategoryConditionSerializer(), SpecialCategoryCondition, ids
        ),
    }
    fields = ProcessingActivitySerializer().fields
    plain = {
        name: (column(ProcessingActivity, field), field)
        for name, field in fields.items()
        if name not in sets and name not in rows
    }
    page = []
    for activity in activities:
        data: dict[str, Any] = {}
        for name in fields:
            if name in sets:
                data[name] = sets[name].get(activity.pk, [])
            elif name in rows:
                data[name] = rows[name].get(activity.pk, [])
            else:
                attname, field = plain[name]
                data[name] = represent(field, getattr(activity, attname))
        page.append(data)
    return page


def id_lists(name: str, ids: list[int]) -> dict[int, list[int]]:
    """Each activity's ids in one many-to-many set, in id order."""
    field: Any = ProcessingActivity._meta.get_field(name)
    through = field.remote_field.through
    source, target = field.m2m_field_name(), field.m2m_reverse_field_name()
    found: dict[int, list[int]] = {}
    pairs = through._default_manager.filter(**{f"{source}__in": ids})
    for activity, related in pairs.order_by(target).values_list(
        f"{source}_id", f"{target}_id"
    ):
        found.setdefault(activity, []).append(related)
    return found


def row_lists(
    serializer: serializers.ModelSerializer[Any],
    model: type[models.Model],
    ids: list[int],
) -> dict[int, list[dict[str, Any]]]:
    """Each activity's rows of ``model`` as ``serializer`` writes them, in
    the model's order."""
    fields = serializer.fields
    columns = [column(model, field) for field in fields.values()]
    found: dict[int, list[dict[str, Any]]] = {}
    rows = model._default_manager.filter(activity_id__in=ids)
    for activity, *values in rows.values_list("activity_id", *columns):
        found.setdefault(activity, []).append(
            {
                name: represent(field, value)
                for (name, field), value in zip(fields.items(), values, strict=True)
            }
        )
    return found


def column(
    model: type[models.Model], field: serializers.Field[Any, Any, Any, Any]
) -> str:
    """The database column behind a serializer field (a foreign key's id)."""
    model_field: Any = model._meta.get_field(str(field.source))
    return str(model_field.attname)


def represent(field: serializers.Field[Any, Any, Any, Any], value: Any) -> Any:
    """A column's value as ``field`` writes it; a foreign key's column is
    already the id the API shows."""
    if value is None:
        return None
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        return value
    return field.to_representation(value)
