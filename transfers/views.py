"""API viewsets for countries, transfers and TIAs (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from rest_framework import exceptions

from inventory.api import ID_PATTERN, InventoryViewSet, ReviewMixin, id_sets
from transfers import serializers as s
from transfers.models import CountryProfile, Transfer, TransferImpactAssessment


class CountryProfileViewSet(InventoryViewSet):
    """The country register: EEA membership and adequacy (Art. 45), edited by
    the DPO with history. A country is addressed by id or by its ISO code."""

    serializer_class = s.CountryProfileSerializer
    lookup_value_regex = f"{ID_PATTERN}|[A-Za-z]{{2}}"
    filterset_fields = ["code", "eea", "adequacy", "scope"]
    search_fields = ["code", "adequacy_scope", "decision_reference"]
    ordering_fields = ["id", "code", "adequacy"]

    def get_queryset(self) -> QuerySet[CountryProfile]:
        return CountryProfile.objects.all()

    def resolve_id(self, value: str) -> int:
        if value.isdigit():
            return int(value)
        ids = CountryProfile.history.filter(code=value.upper()).values_list("id")
        found = ids.order_by("-history_id").first()
        if found is None:
            raise exceptions.NotFound(f"No country with code {value}.")
        return int(found[0])

    def get_object(self) -> Any:
        key = str(self.kwargs[self.lookup_field])
        if not key.isdigit():
            country = get_object_or_404(self.get_queryset(), code=key.upper())
            self.kwargs[self.lookup_field] = str(country.pk)
        return super().get_object()


class TransferViewSet(InventoryViewSet):
    """Transfers to third countries with what the rules say about them."""

    serializer_class = s.TransferSerializer
    filterset_fields = [
        "destination",
        "mechanism",
        "exporter",
        "exporter_customer",
        "importer",
        "importer_entity",
        "exporter_role",
        "importer_role",
        "activities",
        "parent",
    ]
    search_fields = ["name", "notes"]
    ordering_fields = ["id", "name", "destination", "mechanism"]

    def get_queryset(self) -> QuerySet[Transfer]:
        return Transfer.objects.with_parties().prefetch_related(
            *id_sets(
                Transfer, "activities", "data_categories", "supplementary_measures"
            )
        )


class TransferImpactAssessmentViewSet(ReviewMixin, InventoryViewSet):
    """Transfer impact assessments, one or more per transfer."""

    serializer_class = s.TransferImpactAssessmentSerializer
    filterset_fields = ["transfer", "outcome", "risk_rating"]
    search_fields = ["assessor", "transfer__name"]
    ordering_fields = ["id", "assessed_on", "next_review_on"]

    @staticmethod
    def history_label(tia: TransferImpactAssessment) -> str:
        # Not str(tia): that reads the transfer, which may be gone too.
        return f"TIA of transfer {tia.transfer_id} ({tia.assessed_on})"

    def get_queryset(self) -> QuerySet[TransferImpactAssessment]:
        return TransferImpactAssessment.objects.all()
