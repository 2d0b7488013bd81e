"""API viewsets for the inventory (docs/api.md): one per resource, each with
its history, filters, search and ordering, and no query per row."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inventory import serializers as s
from inventory.api import (
    ID_PATTERN,
    HistoryMixin,
    InventoryViewSet,
    ReviewMixin,
    RolePermissions,
    id_sets,
)
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
    System,
    Vendor,
)
from inventory.notices import (
    MAIL_DOWN_ADVICE,
    MailServerDown,
    NoticeStateError,
    SubprocessorNotice,
)
from kbinventory.errors import Conflict


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
            *id_sets(ProductFeature, "activities", "vendors", "systems")
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

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        # The serializer's JSON, written a page at a time (activity_page); no
        # docstring here: the schema would take it for the operation's text.
        activities = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(activities)
        if page is None:
            return Response(s.activity_page(list(activities)))
        return self.get_paginated_response(s.activity_page(page))

    def get_queryset(self) -> QuerySet[ProcessingActivity]:
        if self.action == "list":  # its sets are read by activity_page
            return ProcessingActivity.objects.all()
        return ProcessingActivity.objects.prefetch_related(
            *id_sets(
                ProcessingActivity,
                "data_subject_categories",
                "data_categories",
                "recipients",
                "systems",
                "security_measures",
            ),
            "lawful_bases",
            "special_category_conditions",
        )


NOTICE_ERRORS = {
    200: s.NoticeActionResultSerializer,
    400: OpenApiResponse(description="Bad input, naming the field."),
    409: OpenApiResponse(description="The notice's state does not allow it."),
    503: OpenApiResponse(
        description="The mail server is unavailable: the notice stays pending and "
        "the retry task sends it (Retry-After: seconds)."
    ),
}


class SubprocessorNoticeViewSet(
    HistoryMixin, viewsets.ReadOnlyModelViewSet[SubprocessorNotice]
):
    """Sub-processor change notices (SCC Clause 9(a)): listed with their
    history, sent once (resent explicitly), the customer's answer and how an
    objection ended recorded once each. Never edited or deleted."""

    serializer_class = s.SubprocessorNoticeSerializer
    permission_classes = [RolePermissions]
    lookup_value_regex = ID_PATTERN
    filterset_fields = ["customer", "vendor", "status", "change", "resolution"]
    ordering_fields = ["id", "drafted_on", "sent_at", "objection_deadline"]

    def get_queryset(self) -> QuerySet[SubprocessorNotice]:
        return SubprocessorNotice.objects.select_related(
            "sent_by", "response_recorded_by", "resolved_by"
        )

    def done(self, notice: SubprocessorNotice, detail: str) -> Response:
        data = {**self.get_serializer(notice).data, "detail": detail}
        return Response(data)

    def act(self, action: Callable[[], str], notice: SubprocessorNotice) -> Response:
        """Run one notice action; its refusals as 400 (input), 409 (state)
        or 503 (mail server down; Retry-After says when the retry runs)."""
        try:
            return self.done(notice, action())
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        except NoticeStateError as exc:
            raise Conflict(str(exc)) from None
        except MailServerDown as exc:
            retry = settings.NOTICE_RETRY_SECONDS
            return Response(
                {"detail": f"{exc}. {MAIL_DOWN_ADVICE}", "retry_after": retry},
                status=status.HTTP_503_SERVICE_UNAVAILABLE,
                headers={"Retry-After": str(retry)},
            )

    @extend_schema(request=s.NoticeSendSerializer, responses=NOTICE_ERRORS)
    @action(detail=True, methods=["post"])
    def send(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send the notice once; its dates count from today. A second call
        sends nothing and says when it was sent."""
        notice = self.get_object()
        body = s.NoticeSendSerializer(data=request.data)
        body.is_valid(raise_exception=True)

        def send() -> str:
            if notice.send(request.user, body.validated_data["new_period"]):
                return f"Sent to {notice.sent_to}."
            return (
                f"Already sent at {notice.sent_at:%Y-%m-%d %H:%M:%S %Z} to "
                f"{notice.sent_to}: nothing was sent again. POST resend/ to "
                "send a copy."
            )

        return self.act(send, notice)

    @extend_schema(request=None, responses=NOTICE_ERRORS)
    @action(detail=True, methods=["post"])
    def resend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Send a copy of a notice already sent (same dates); recorded."""
        notice = self.get_object()

        def resend() -> str:
            notice.resend(request.user)
            return f"Copy sent to {notice.resent_to}."

        return self.act(resend, notice)

    @extend_schema(request=s.NoticeResponseSerializer, responses=NOTICE_ERRORS)
    @action(detail=True, methods=["post"])
    def respond(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record the customer's objection or acceptance, once."""
        notice = self.get_object()
        body = s.NoticeResponseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def respond() -> str:
            notice.record_response(
                data["customer"],
                data["response"],
                data.get("responded_on"),
                request.user,
            )
            return f"{notice.get_status_display()} recorded."

        return self.act(respond, notice)

    @extend_schema(request=s.NoticeResolveSerializer, responses=NOTICE_ERRORS)
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Record how an objection ended, once."""
        notice = self.get_object()
        body = s.NoticeResolveSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data

        def resolve() -> str:
            notice.resolve(
                data["resolution"], data.get("resolved_on"), request.user, data["note"]
            )
            return f"Objection resolved: {notice.get_resolution_display().lower()}."

        return self.act(resolve, notice)
