"""Report runs and findings over the API (docs/api.md)."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import exceptions, mixins, permissions, renderers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from inventory.api import ID_PATTERN, XLSX, RolePermissions
from reports import findings, findings_store
from reports.models import ReportRun, may_request
from reports.serializers import (
    FindingFilterSerializer,
    FindingSerializer,
    FlowFilterSerializer,
    FlowSerializer,
    ReportRequestSerializer,
    ReportRunSerializer,
)
from reports.snapshot import Snapshot
from transfers.flows import DataMap, Flow

OCTET_STREAM = "application/octet-stream"


def inventory_view_perms() -> list[str]:
    from reports.snapshot import TRACKED

    return [
        f"{label.split('.')[0]}.view_{label.split('.')[1].lower()}" for label in TRACKED
    ]


class ReadsWholeInventory(permissions.BasePermission):
    """Findings judge every kind of record, so reading them needs the right to
    read every kind (DPO, Auditor; not Sales)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.has_perms(inventory_view_perms()))


class XlsxRenderer(renderers.BaseRenderer):
    """Lets a client ask for the workbook by its media type."""

    media_type = XLSX
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(
        self, data: Any, accepted_media_type: Any = None, context: Any = None
    ) -> Any:
        return data


class OctetStreamRenderer(XlsxRenderer):
    """The same bytes for a client that asks for a plain binary file
    (``Accept: application/octet-stream``): some client generators know no
    other binary type."""

    media_type = OCTET_STREAM
    format = "bin"


WORKBOOK = OpenApiResponse(
    OpenApiTypes.BINARY,
    description=(
        "The workbook (an attachment). Served as "
        "`application/octet-stream` when the request accepts only that."
    ),
)


class ReportRunViewSet(
    mixins.CreateModelMixin,
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet[ReportRun],
):
    """Ask for a workbook (202), follow its run, download it when done.
    Sales sees and may ask for DPA annexes only (docs/api.md, roles)."""

    permission_classes = [RolePermissions]
    serializer_class = ReportRunSerializer
    lookup_value_regex = ID_PATTERN
    filterset_fields = ["kind", "status"]
    search_fields: list[str] = []
    ordering_fields = ["id", "created_at", "kind", "status"]

    def get_throttles(self) -> list[Any]:
        """Asking for a report starts a build: a tighter rate (scope
        ``reports``) than reading runs."""
        if self.action == "create":
            self.throttle_scope = "reports"
        return super().get_throttles()

    def get_queryset(self) -> QuerySet[ReportRun]:
        allowed = [
            k for k in ReportRun.Kind.values if may_request(self.request.user, k)
        ]
        runs = ReportRun.objects.select_related("requested_by")
        return runs.filter(kind__in=allowed)

    def get_serializer_class(self) -> Any:
        if self.action == "create":
            return ReportRequestSerializer
        return ReportRunSerializer

    @extend_schema(
        summary="Request a report",
        description=(
            "Records a run of the report `kind` with the `report` command's "
            "options and answers 202 with it and its `Location`; the workbook is "
            "built in the background. Poll the run until `status` is `done`, "
            "then download it."
        ),
        responses={202: ReportRunSerializer},
    )
    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        kind = request.data.get("kind") if isinstance(request.data, dict) else None
        if kind in ReportRun.Kind.values and not may_request(request.user, kind):
            raise exceptions.PermissionDenied(f"You may not request {kind} reports.")
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with transaction.atomic():
            run = serializer.save()
            run.enqueue()
        run.refresh_from_db()  # in-process (no broker) it may be done already
        data = ReportRunSerializer(run, context=self.get_serializer_context()).data
        location = request.build_absolute_uri(f"{request.path}{run.pk}/")
        return Response(
            data, status=status.HTTP_202_ACCEPTED, headers={"Location": location}
        )

    @extend_schema(responses={(200, XLSX): WORKBOOK, (200, OCTET_STREAM): WORKBOOK})
    @action(
        detail=True,
        renderer_classes=[XlsxRenderer, OctetStreamRenderer, renderers.JSONRenderer],
        filter_backends=[],
    )
    def download(self, request: Request, pk: str | None = None) -> FileResponse:
        """Download the workbook.

        Once the run's status is ``done``; until then 404."""
        run = self.get_object()
        if run.status != ReportRun.Status.DONE or not run.file:
            raise exceptions.NotFound(f"The report is not ready (status {run.status}).")
        binary = request.accepted_media_type == OCTET_STREAM
        return FileResponse(
            run.file.open("rb"),
            as_attachment=True,
            filename=f"{run.kind}-{run.pk}.xlsx",
            content_type=OCTET_STREAM if binary else XLSX,
        )

    def finalize_response(
        self, request: Request, response: Any, *args: Any, **kwargs: Any
    ) -> Any:
        response = super().finalize_response(request, response, *args, **kwargs)
        if isinstance(response, Response) and response.status_code >= 400:
            response.accepted_renderer = renderers.JSONRenderer()
            response.accepted_media_type = "application/json"
        return response


FINDING_PARAMETERS = [
    OpenApiParameter("severity", str, enum=["error", "warning", "info"]),
    OpenApiParameter("code", str),
    OpenApiParameter("object_type", str),
    OpenApiParameter("as_of", str, description="ISO 8601; default now"),
]


class FindingViewSet(viewsets.GenericViewSet[Any]):
    """What the inventory says is missing, stale or risky: today's from the
    stored findings (``reports.findings_store``), a past date's (``as_of``)
    computed from history by ``reports.findings``; read-only."""

    permission_classes = [ReadsWholeInventory]
    serializer_class = FindingSerializer
    filter_backends: list[Any] = []

    @extend_schema(parameters=FINDING_PARAMETERS)
    def list(self, request: Request) -> Response:
        query = FindingFilterSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        wanted = dict(query.validated_data)
        as_of = wanted.pop("as_of", None)
        found: Any
        if as_of is None:
            found = findings_store.stored().filter(**wanted)
        else:
            found = [
                f
                for f in findings.compute(Snapshot(as_of))
                if all(getattr(f, k) == v for k, v in wanted.items())
            ]
        page = self.paginate_queryset(found)
        return self.get_paginated_response(FindingSerializer(page, many=True).data)


class ReadsTransfers(permissions.BasePermission):
    """Flows show what transfers show: readable by whoever may read transfers
    (DPO, Auditor; not Sales)."""

    def has_permission(self, request: Request, view: Any) -> bool:
        user = request.user
        if not (user and user.is_authenticated):
            return False
        return bool(user.has_perm("transfers.view_transfer"))


FLOW_PARAMETERS = [
    OpenApiParameter("as_of", str, description="ISO 8601; default now"),
    OpenApiParameter("customer", int, description="only this customer's flows"),
]


def flow_data(flow: Flow) -> dict[str, Any]:
    return {
        "exporter": flow.exporter.as_dict(),
        "importer": flow.importer.as_dict(),
        "country": flow.country,
        "data_categories": list(flow.data_categories),
        "activities": list(flow.activities),
        "customers": list(flow.customers),
        "transfer": flow.transfer,
        "status": str(flow.status),
        "regime": str(flow.regime),
    }


class FlowViewSet(viewsets.GenericViewSet[Any]):
    """The data map: every flow of personal data derived from the inventory
    now (or ``as_of``), judged against the recorded transfers; read-only."""

    permission_classes = [ReadsTransfers]
    serializer_class = FlowSerializer
    filter_backends: list[Any] = []

    @extend_schema(parameters=FLOW_PARAMETERS)
    def list(self, request: Request) -> Response:
        query = FlowFilterSerializer(data=request.query_params.dict())
        query.is_valid(raise_exception=True)
        snap = Snapshot(query.validated_data.get("as_of") or timezone.now())
        customer = query.validated_data.get("customer")
        if customer is not None and customer not in snap.table("inventory.Customer"):
            raise exceptions.ValidationError(
                {"customer": [f"No customer with id {customer} at this date."]}
            )
        flows = DataMap(snap).flows(customer)
        page = self.paginate_queryset([flow_data(f) for f in flows])
        return self.get_paginated_response(FlowSerializer(page, many=True).data)
