"""API viewsets for the inventory (CONTRACT.md 4): one per resource, each with
its history, filters, search and ordering, and no query per row."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import extend_schema
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inventory import serializers as s
from inventory.models import (
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
    filterset_fields = [
        "country",
        "baa_signed",
        "clause9_option",
        "features",
        "plan",
        "residency_region",
    ]
    search_fields = ["name", "contact", "dpo"]
    ordering_fields = ["id", "name", "country", "dpa_signed_on"]

    def get_queryset(self) -> QuerySet[Customer]:
        return Customer.objects.prefetch_related(
            *id_sets(Customer, "features"), "retention_overrides__data_category"
        )


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


class RegionViewSet(InventoryViewSet):
    """Data residency regions and the systems and vendors serving each."""

    serializer_class = s.RegionSerializer
    search_fields = ["code", "name"]
    ordering_fields = ["id", "code", "name"]

    def get_queryset(self) -> QuerySet[Region]:
        return Region.objects.prefetch_related(*id_sets(Region, "systems", "vendors"))


class PlanViewSet(InventoryViewSet):
    """Plans and what a customer may configure within them."""

    serializer_class = s.PlanSerializer
    search_fields = ["name"]
    ordering_fields = ["id", "name"]

    def get_queryset(self) -> QuerySet[Plan]:
        return Plan.objects.prefetch_related(*id_sets(Plan, "regions"))


class PlanLimitViewSet(InventoryViewSet):
    """The retention each plan lets a customer choose, per data category."""

    serializer_class = s.PlanLimitSerializer
    # Named without its plan and category, so listing histories reads no rows.
    history_label = staticmethod(lambda limit: f"Plan limit #{limit.pk}")
    filterset_fields = ["plan", "data_category"]
    ordering_fields = ["id", "plan", "data_category"]

    def get_queryset(self) -> QuerySet[PlanLimit]:
        return PlanLimit.objects.all()


class AppendOnly(RolePermissions):
    """Evidence is never changed or removed: update and delete do not exist
    for anyone (405); reading and adding follow the role's permissions."""

    def has_permission(self, request: Any, view: Any) -> bool:
        user = request.user
        if request.method in ("PUT", "PATCH", "DELETE") and user.is_authenticated:
            raise exceptions.MethodNotAllowed(request.method)
        return bool(super().has_permission(request, view))


class DeletionRunViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[DeletionRun],
):
    """What the product's deletion jobs report, one run each (Art. 5(1)(e),
    5(2) GDPR). DPO tokens add runs; DPO and Auditor read; nobody edits."""

    serializer_class = s.DeletionRunSerializer
    permission_classes = [AppendOnly]
    filterset_fields = ["system", "data_category", "customer", "outcome"]
    ordering_fields = ["id", "started_at", "finished_at"]

    def get_queryset(self) -> QuerySet[DeletionRun]:
        return DeletionRun.objects.all()


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
        notice = self.get_object()
        notice.send()
        return Response(self.get_serializer(notice).data)

    @extend_schema(request=s.NoticeResponseSerializer)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, *args: Any, **kwargs: Any) -> Response:
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
