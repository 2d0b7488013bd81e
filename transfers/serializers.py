"""Countries, transfers and TIAs over the API (docs/api.md)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.utils import timezone
from rest_framework import serializers

from inventory.api import InventorySerializer
from transfers.models import (
    Assessment,
    CountryProfile,
    Transfer,
    TransferImpactAssessment,
    country_profile_errors,
    judged_destination,
    tia_errors,
    transfer_errors,
)


class CountryProfileSerializer(InventorySerializer):
    """A country's EEA membership and adequacy status (Art. 45)."""

    name = serializers.CharField(read_only=True)

    class Meta:
        model = CountryProfile
        fields = [
            "id",
            "code",
            "name",
            "eea",
            "adequacy",
            "scope",
            "adequacy_scope",
            "decision_reference",
            "valid_from",
            "valid_to",
            "law_and_practice",
            "law_reviewed_on",
        ]

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        return country_profile_errors(values)


def default_transfer_name(data: Mapping[str, Any]) -> str:
    """ "<exporter> to <importer> (<country>)", made unique: the name is the
    record's label in the admin and the reports."""
    exporter = data.get("exporter") or data.get("exporter_customer")
    importer = data.get("importer") or data.get("importer_entity")
    base = f"{exporter} to {importer} ({data.get('destination')})"[:190]
    taken = set(
        Transfer.objects.filter(name__startswith=base).values_list("name", flat=True)
    )
    name, n = base, 1
    while name in taken:
        n += 1
        name = f"{base} ({n})"
    return name


class TransferSerializer(InventorySerializer):
    """A Chapter V transfer. ``scc_module``, ``safeguard_required`` and
    ``tia_required`` are what ``transfers.rules`` says today: read-only."""

    scc_module = serializers.SerializerMethodField()
    safeguard_required = serializers.SerializerMethodField()
    tia_required = serializers.SerializerMethodField()
    regime = serializers.SerializerMethodField()
    authority = serializers.SerializerMethodField()

    class Meta:
        model = Transfer
        fields = [
            "id",
            "name",
            "exporter",
            "exporter_customer",
            "exporter_role",
            "importer",
            "importer_entity",
            "importer_role",
            "destination",
            "activities",
            "data_categories",
            "mechanism",
            "derogation_ground",
            "derogation_safeguards",
            "clause9_option",
            "notice_period_days",
            "docking_clause",
            "scc_signed_on",
            "uk_addendum",
            "idta",
            "swiss_adaptations",
            "module4_combines_eu_data",
            "parent",
            "supplementary_measures",
            "notes",
            "scc_module",
            "safeguard_required",
            "tia_required",
            "regime",
            "authority",
        ]
        extra_kwargs = {"name": {"required": False}}

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        dest = judged_destination(values.get("destination"), values.get("importer"))
        if "activities" not in values and isinstance(self.instance, Transfer):
            values = {**values, "activities": list(self.instance.activities.all())}
        return transfer_errors(values, dest)

    def create(self, validated_data: dict[str, Any]) -> Any:
        if not validated_data.get("name"):
            validated_data["name"] = default_transfer_name(validated_data)
        return super().create(validated_data)

    def profiles(self) -> dict[str, CountryProfile]:
        """The country register, read once per request (not once per row)."""
        context = cast(dict[str, Any], self.context)
        if "country_profiles" not in context:
            context["country_profiles"] = {
                str(p.code): p for p in CountryProfile.objects.all()
            }
        profiles: dict[str, CountryProfile] = context["country_profiles"]
        return profiles

    def assessment(self, transfer: Transfer) -> Assessment:
        code = str(transfer.destination)
        profile = self.profiles().get(code) or CountryProfile(code=code)
        return transfer.assess(profile, timezone.now().date())

    def get_scc_module(self, transfer: Transfer) -> int | None:
        return self.assessment(transfer).scc_module

    def get_safeguard_required(self, transfer: Transfer) -> bool:
        return self.assessment(transfer).safeguard_required

    def get_tia_required(self, transfer: Transfer) -> bool:
        return self.assessment(transfer).tia_required

    def get_regime(self, transfer: Transfer) -> str:
        """The exporter's transfer law: eu, uk, ch or none (read-only)."""
        return str(self.assessment(transfer).regime)

    def get_authority(self, transfer: Transfer) -> str:
        """The competent supervisory authority (Clause 13(a) for the EU, the
        ICO for the UK, the FDPIC for Switzerland; empty for none)."""
        return self.assessment(transfer).authority


class TransferImpactAssessmentSerializer(InventorySerializer):
    """A TIA: Clause 14 SCC and the six steps of EDPB Recommendations 01/2020.
    ``next_review_on`` defaults to the review interval after ``assessed_on``."""

    class Meta:
        model = TransferImpactAssessment
        fields = [
            "id",
            "transfer",
            "transfer_description",
            "tool",
            "laws_considered",
            "problematic_legislation",
            "practical_experience",
            "technical_measures",
            "contractual_measures",
            "organisational_measures",
            "procedural_steps",
            "risk_rating",
            "outcome",
            "conclusion_rationale",
            "assessor",
            "assessed_on",
            "next_review_on",
            "approved_by",
            "approved_on",
        ]

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        return tia_errors(values)
