"""Report requests, runs and findings over the API (docs/reports.md, docs/api.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import (
    OpenApiExample,
    extend_schema_field,
    extend_schema_serializer,
)
from rest_framework import serializers

from inventory.api import StrictInputMixin
from reports.models import ReportRun
from reports.params import ReportError, parse_when, resolve_as_of
from reports.requests import InvalidRequest, ReportRequest, check_request


@extend_schema_field({"oneOf": [{"type": "integer"}, {"type": "string"}]})
class CustomerField(serializers.Field):  # type: ignore[type-arg]
    """A customer: its id (a whole number) or its name today."""

    def to_internal_value(self, data: Any) -> int | str:
        if isinstance(data, bool) or not isinstance(data, int | str):
            raise serializers.ValidationError("A customer id or name is expected.")
        return data

    def to_representation(self, value: Any) -> Any:
        return value


class FindingSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    severity = serializers.ChoiceField(choices=["error", "warning", "info"])
    object_type = serializers.CharField()
    object_id = serializers.IntegerField()
    object_name = serializers.CharField()
    message = serializers.CharField()


class FindingFilterSerializer(serializers.Serializer[Any]):
    """The findings list's query parameters."""

    severity = serializers.ChoiceField(
        choices=["error", "warning", "info"], required=False
    )
    code = serializers.CharField(required=False)
    object_type = serializers.CharField(required=False)
    as_of = serializers.CharField(required=False)

    def validate_as_of(self, value: str) -> datetime:
        """As the admin's findings page reads it (resolve_as_of)."""
        try:
            return resolve_as_of(when(value, "as_of"))
        except ReportError as exc:
            raise serializers.ValidationError(str(exc)) from None


def when(text: str, option: str) -> datetime:
    """``parse_when`` (a bare date is the end of that day, UTC), not in the future."""
    try:
        moment = parse_when(text, option)
    except ReportError as exc:
        raise serializers.ValidationError(str(exc)) from None
    if moment > timezone.now():
        raise serializers.ValidationError(f"{option} {text!r} is in the future.")
    return moment


@extend_schema_serializer(
    examples=[
        OpenApiExample(
            "DPA annex for a customer",
            value={"kind": "dpa-annex", "customer": "Maison Lumière SAS"},
            request_only=True,
        ),
    ]
)
class ReportRequestSerializer(StrictInputMixin, serializers.Serializer[Any]):
    """A request for a workbook: the ``report`` command's options as JSON."""

    kind = serializers.ChoiceField(choices=ReportRun.Kind.choices)
    as_of = serializers.CharField(
        required=False, help_text="ISO 8601 date or date-time; a date means its end."
    )
    since = serializers.CharField(
        required=False, help_text="For `changes` and `dsr-log`."
    )
    customer = CustomerField(
        required=False,
        help_text="Customer id, or its name today; required for `dpa-annex`.",
    )
    transfer = serializers.IntegerField(
        required=False, min_value=1, help_text="For `tia`: one transfer only."
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        """The one request rule (reports.requests), errors by field."""
        try:
            checked = check_request(
                attrs["kind"],
                as_of=attrs.get("as_of"),
                since=attrs.get("since"),
                customer=attrs.get("customer"),
                transfer=attrs.get("transfer"),
            )
        except InvalidRequest as exc:
            raise serializers.ValidationError(
                {field: [message] for field, message in exc.errors.items()}
            ) from None
        return {"checked": checked}

    def create(self, validated_data: dict[str, Any]) -> ReportRun:
        """The run, with its parameters as the builders take them."""
        checked: ReportRequest = validated_data["checked"]
        return ReportRun.objects.create(
            kind=checked.kind,
            as_of=checked.as_of,
            parameters=checked.parameters,
            requested_by=self.context["request"].user,
        )


class ReportRunSerializer(serializers.ModelSerializer[ReportRun]):
    requested_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )
    download_url = serializers.SerializerMethodField()

    class Meta:
        model = ReportRun
        fields = [
            "id",
            "kind",
            "parameters",
            "as_of",
            "status",
            "sha256",
            "error",
            "download_url",
            "requested_by",
            "created_at",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_download_url(self, run: ReportRun) -> str | None:
        if run.status != ReportRun.Status.DONE:
            return None
        path = reverse("reportrun-download", args=[run.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path


class PartySerializer(serializers.Serializer[Any]):
    type = serializers.ChoiceField(choices=["entity", "customer", "vendor"])
    id = serializers.IntegerField()
    name = serializers.CharField()
    country = serializers.CharField(help_text="ISO 3166-1 alpha-2")


class FlowSerializer(serializers.Serializer[Any]):
    """One flow of personal data from the data map (``transfers.flows``)."""

    exporter = PartySerializer()
    importer = PartySerializer()
    country = serializers.CharField(
        help_text="Where the importer processes the data (ISO 3166-1 alpha-2)."
    )
    data_categories = serializers.ListField(child=serializers.IntegerField())
    activities = serializers.ListField(child=serializers.IntegerField())
    customers = serializers.ListField(child=serializers.IntegerField())
    transfer = serializers.IntegerField(
        allow_null=True, help_text="The covering transfer's id, or null."
    )
    status = serializers.ChoiceField(
        choices=["no_safeguard_needed", "covered", "missing"]
    )
    regime = serializers.ChoiceField(
        choices=["eu", "uk", "ch", "none"],
        help_text="The law the data travels under on this flow: the customer's "
        "for its data, onward legs included; ours for our own.",
    )


class FlowFilterSerializer(serializers.Serializer[Any]):
    """The flows list's query parameters."""

    as_of = serializers.CharField(required=False)
    customer = serializers.IntegerField(required=False)

    def validate_as_of(self, value: str) -> datetime:
        return when(value, "as_of")
