"""Report requests, runs and findings over the API (CONTRACT.md 3 and 4)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import OpenApiExample, extend_schema_serializer
from rest_framework import serializers

from inventory.models import Customer
from kbinventory.api import StrictInputMixin
from reports.build import ReportError, parse_when
from reports.models import ReportRun
from transfers.models import Transfer


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
        return when(value, "as_of")


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
    customer = serializers.CharField(
        required=False, help_text="Customer name (or id); required for `dpa-annex`."
    )
    transfer = serializers.IntegerField(
        required=False, min_value=1, help_text="For `tia`: one transfer only."
    )

    def validate_as_of(self, value: str) -> datetime:
        return when(value, "as_of")

    def validate_since(self, value: str) -> datetime:
        return when(value, "since")

    def validate_customer(self, value: str) -> str:
        found = Customer.objects.filter(name=value).first()
        if found is None and value.isdigit():
            found = Customer.objects.filter(pk=int(value)).first()
        if found is None:
            raise serializers.ValidationError(f"Unknown customer {value!r}.")
        return found.name

    def validate_transfer(self, value: int) -> int:
        if not Transfer.objects.filter(pk=value).exists():
            raise serializers.ValidationError(f"Unknown transfer {value}.")
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        since, as_of = attrs.get("since"), attrs.get("as_of")
        if since and since > (as_of or timezone.now()):
            raise serializers.ValidationError({"since": ["since is after as_of."]})
        if attrs["kind"] == ReportRun.Kind.DPA_ANNEX and not attrs.get("customer"):
            raise serializers.ValidationError(
                {"customer": ["dpa-annex needs the customer."]}
            )
        return attrs

    def create(self, validated_data: dict[str, Any]) -> ReportRun:
        """The run, with its parameters JSON-safe as the builders take them."""
        params: dict[str, Any] = {
            k: validated_data[k]
            for k in ("customer", "transfer")
            if k in validated_data
        }
        if "since" in validated_data:
            params["since"] = validated_data["since"].isoformat()
        return ReportRun.objects.create(
            kind=validated_data["kind"],
            as_of=validated_data.get("as_of"),
            parameters=params,
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
