"""``/api/v1/requests/``: the register of data subject requests, with history
and ETag like every inventory resource, and the DPO's actions."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.http import HttpResponse
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import exceptions, filters, serializers
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from dsr import serializers as s
from dsr.mail import acknowledge
from dsr.models import DataSubjectRequest, RequestTask, Right
from dsr.portability import export_document
from inventory.api import InventoryViewSet, etag, latest_record
from inventory.notices import MailServerDown

HIDDEN = "(pseudonymised)"


class MailUnavailable(exceptions.APIException):
    status_code = 503
    default_detail = "The mail server is unreachable; nothing was sent."
    default_code = "mail_server_down"


class RequestSearch(filters.SearchFilter):
    """Searching by requester is for those who may see requesters."""

    def get_search_fields(self, view: Any, request: Request) -> Any:
        if s.sees_identities(request.user):
            return ["reference", "requester_name", "requester_email"]
        return ["reference"]


def mask_versions(versions: list[dict[str, Any]]) -> None:
    for version in versions:
        for change in version.get("changes", []):
            if change["field"] in s.IDENTIFYING_FIELDS:
                change["old"] = HIDDEN if change["old"] else change["old"]
                change["new"] = HIDDEN if change["new"] else change["new"]


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter(
                "rights", str, enum=Right.values, description="Asks for this right."
            )
        ]
    )
)
class DataSubjectRequestViewSet(InventoryViewSet):
    """Data subject requests (Art. 12-22 GDPR, FADP, CCPA), ordered by due
    date. ``?rights=erasure`` filters by a right asked for."""

    serializer_class = s.DataSubjectRequestSerializer
    filterset_fields = ["regime", "status", "customer", "role", "verification"]
    ordering_fields = ["id", "reference", "received_at", "due_on", "status"]

    def get_queryset(self) -> QuerySet[DataSubjectRequest]:
        requests = DataSubjectRequest.objects.prefetch_related("tasks__done_by")
        right = self.request.query_params.get("rights")
        if right:
            if right not in Right.values:
                raise exceptions.ValidationError(
                    {"rights": [f"Unknown right {right!r}."]}
                )
            requests = requests.with_right(right)
        return requests.order_by("due_on", "reference")

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        queryset = super().filter_queryset(queryset)
        return RequestSearch().filter_queryset(self.request, queryset, self)

    def get_paginated_response(self, data: Any) -> Response:
        """Versions of a request name no requester to those who read
        pseudonyms."""
        if self.action in ("history", "all_history") and not s.sees_identities(
            self.request.user
        ):
            if self.action == "history":
                mask_versions(data)
            else:
                for record in data:
                    mask_versions(record["history"])
        return super().get_paginated_response(data)

    def act(self, do: Callable[[DataSubjectRequest], object]) -> Response:
        instance = self.get_object()
        try:
            do(instance)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        except MailServerDown as exc:
            raise MailUnavailable(f"{exc}; nothing was sent.") from None
        instance = self.get_queryset().get(pk=instance.pk)  # tasks read afresh
        data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": etag(latest_record(instance))})

    @extend_schema(request=s.VerifySerializer)
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Identity verified (or failed: ``{"verified": false}``)."""
        body = s.VerifySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        verified = body.validated_data["verified"]
        return self.act(lambda r: r.verify(request.user, verified))

    @extend_schema(request=s.ReasonSerializer)
    @action(detail=True, methods=["post"])
    def extend(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Extend the deadline; the reason is required and the subject is
        taken to be told on ``told_on`` (default today)."""
        body = s.ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self.act(
            lambda r: r.extend(request.user, data["reason"], data.get("told_on"))
        )

    @extend_schema(request=s.PauseSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """UK: stop the clock while waiting for identity or clarification."""
        body = s.PauseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self.act(lambda r: r.pause(request.user, body.validated_data["reason"]))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def resume(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Restart the clock; the days it stood still are added."""
        return self.act(lambda r: r.resume(request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def forward(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Pass a request about a customer's data to that customer."""
        return self.act(lambda r: r.forward(request.user))

    @extend_schema(request=s.CloseSerializer)
    @action(detail=True, methods=["post"])
    def close(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Close the request with its outcome (and the ground of a refusal)."""
        body = s.CloseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        return self.act(
            lambda r: r.close(request.user, data["outcome"], data["ground"])
        )

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="send-verification")
    def send_verification(
        self, request: Request, *args: Any, **kwargs: Any
    ) -> Response:
        """Email the requester a one-time code (Art. 12(6)); their reply with
        it, read from the mailbox, verifies them."""
        return self.act(lambda r: r.send_verification(request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def acknowledge(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Email the requester the reference and the due date."""
        return self.act(lambda r: acknowledge(r, request.user))

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="plan-tasks")
    def plan_tasks(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Add the checklist of where the subject's data lives (inventory)."""
        return self.act(lambda r: r.create_tasks(request.user))

    @extend_schema(
        request=s.TaskDoneSerializer,
        parameters=[OpenApiParameter("task", int, OpenApiParameter.PATH)],
    )
    @action(
        detail=True,
        methods=["post"],
        url_path=r"tasks/(?P<task>[0-9]{1,18})/done",
    )
    def task_done(
        self, request: Request, task: str, *args: Any, **kwargs: Any
    ) -> Response:
        """Mark one task of the checklist done, by the calling user, now, with
        what was found there (``result``)."""
        body = s.TaskDoneSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        result = body.validated_data["result"]

        def done(r: DataSubjectRequest) -> None:
            item = RequestTask.objects.filter(request=r, pk=int(task)).first()
            if item is None:
                raise DjangoValidationError({"task": f"No task {task} on {r}."})
            item.mark_done(request.user, result)

        return self.act(done)

    @extend_schema(responses={(200, "application/json"): dict})
    @action(detail=True, methods=["get"])
    def export(self, request: Request, *args: Any, **kwargs: Any) -> HttpResponse:
        """Portability (Art. 20): what was gathered, machine-readable."""
        instance = self.get_object()
        if not s.sees_identities(request.user):
            return Response({"detail": "Only the DPO exports requests."}, status=403)
        body = json.dumps(export_document(instance), indent=2, default=str)
        response = HttpResponse(body, content_type="application/json")
        name = f"{instance.reference}-export.json"
        response["Content-Disposition"] = f'attachment; filename="{name}"'
        return response
