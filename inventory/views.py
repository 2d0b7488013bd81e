"""API viewsets for the inventory (CONTRACT.md 4): one per resource, each with
its history, filters, search and ordering, and no query per row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inventory import serializers as s
from inventory.models import (
    Customer,
    DataCategory,
    DataSubjectCategory,
    LegalEntity,
    ProcessingActivity,
    ProductFeature,
    SecurityMeasure,
    SubprocessorNotice,
    System,
    Vendor,
)
from kbinventory.api import InventoryViewSet, ReviewMixin, RolePermissions, id_sets


class LegalEntityViewSet(InventoryViewSet):
    """Our own legal entities (Art. 30(1)(a), 30(2)(a))."""

    serializer_class = s.LegalEntitySerializer
    filterset_fields = ["country"]
    search_fields = ["name", "contact", "dpo"]
    ordering_fields = ["id", "name", "country"]

    def get_queryset(self) -> QuerySet[LegalEntity]:
        return LegalEntity.objects.all()


class CustomerViewSet(InventoryViewSet):
    """Controllers we process for (Art. 30(2)(a))."""

    serializer_class = s.CustomerSerializer
    filterset_fields = ["country", "baa_signed", "clause9_option", "features"]
    search_fields = ["name", "contact", "dpo"]
    ordering_fields = ["id", "name", "country", "dpa_signed_on"]

    def get_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.prefetch_related(*id_sets(Customer, "features"))


class ProductFeatureViewSet(InventoryViewSet):
    """Features a customer can switch on, with their activities and vendors."""

    serializer_class = s.ProductFeatureSerializer
    filterset_fields = ["activities", "vendors"]
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name"]

    def get_queryset(self) -> QuerySet[ProductFeature]:
        return ProductFeature.objects.prefetch_related(
            *id_sets(ProductFeature, "activities", "vendors")
        )


class DataSubjectCategoryViewSet(InventoryViewSet):
    """Categories of data subjects (Art. 30(1)(c))."""

    serializer_class = s.DataSubjectCategorySerializer
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name"]

    def get_queryset(self) -> QuerySet[DataSubjectCategory]:
        return DataSubjectCategory.objects.all()


class DataCategoryViewSet(InventoryViewSet):
    """Categories of personal data (Art. 30(1)(c), Art. 9, Art. 10)."""

    serializer_class = s.DataCategorySerializer
    filterset_fields = ["special_category", "art9_kind", "criminal_offence"]
    search_fields = ["code", "name", "description"]
    ordering_fields = ["id", "code", "name"]

    def get_queryset(self) -> QuerySet[DataCategory]:
        return DataCategory.objects.all()


class SystemViewSet(InventoryViewSet):
    """Applications and data stores with their hosting countries."""

    serializer_class = s.SystemSerializer
    filterset_fields = ["vendor"]
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name"]

    def get_queryset(self) -> QuerySet[System]:
        return System.objects.all()


class VendorViewSet(InventoryViewSet):
    """Processors, sub-processors and other recipients (Art. 30(1)(d))."""

    serializer_class = s.VendorSerializer
    filterset_fields = ["country", "role", "dpf_certified", "baa_signed"]
    search_fields = ["name", "service"]
    ordering_fields = ["id", "name", "country", "role", "dpa_signed_on"]

    def get_queryset(self) -> QuerySet[Vendor]:
        return Vendor.objects.all()


class SecurityMeasureViewSet(InventoryViewSet):
    """Technical and organisational measures (Art. 32, SCC Annex II)."""

    serializer_class = s.SecurityMeasureSerializer
    filterset_fields = ["annex_ii_heading"]
    search_fields = ["name", "description"]
    ordering_fields = ["id", "name", "annex_ii_heading"]

    def get_queryset(self) -> QuerySet[SecurityMeasure]:
        return SecurityMeasure.objects.all()


class ProcessingActivityViewSet(ReviewMixin, InventoryViewSet):
    """Processing activities: the entries of the Art. 30 records."""

    serializer_class = s.ProcessingActivitySerializer
    filterset_fields = [
        "role",
        "status",
        "lawful_basis",
        "dpia_required",
        "data_subject_categories",
        "data_categories",
        "recipients",
        "systems",
        "security_measures",
    ]
    search_fields = ["ref", "name", "purposes", "owner"]
    ordering_fields = ["id", "ref", "name", "role", "status", "next_review_on"]

    def get_queryset(self) -> QuerySet[ProcessingActivity]:
        return ProcessingActivity.objects.prefetch_related(
            *id_sets(
                ProcessingActivity,
                "data_subject_categories",
                "data_categories",
                "recipients",
                "systems",
                "security_measures",
            )
        )


class SubprocessorNoticeViewSet(viewsets.ReadOnlyModelViewSet[SubprocessorNotice]):
    """Sub-processor change notices (SCC Clause 9(a)): listed, sent, and the
    customer's objection or acceptance recorded."""

    serializer_class = s.SubprocessorNoticeSerializer
    permission_classes = [RolePermissions]
    filterset_fields = ["customer", "vendor", "status", "change"]
    ordering_fields = ["id", "notice_date", "objection_deadline"]

    def get_queryset(self) -> QuerySet[SubprocessorNotice]:
        return SubprocessorNotice.objects.all()

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send the notice to the customer.

        Mails it to the customer's privacy address (else the first address in
        its contact) and records when and to whom."""
        notice = self.get_object()
        notice.send()
        return Response(self.get_serializer(notice).data)

    @extend_schema(request=s.NoticeResponseSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record the customer's objection or acceptance (SCC Clause 9(a))."""
        notice = self.get_object()
        body = s.NoticeResponseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        customer, response = (
            body.validated_data["customer"],
            body.validated_data["response"],
        )
        record = (
            notice.record_objection
            if response == "objected"
            else notice.record_acceptance
        )
        try:
            record(customer)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return Response(self.get_serializer(notice).data)
