"""Data subject requests over the API (``requests/``): field names as the
public interface lists them, the same rules as the admin."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from rest_framework import serializers

from dsr.models import DataSubjectRequest, RequestTask, Right, request_errors
from inventory.api import InventorySerializer

# What an Auditor does not see: who asked, and how the subject is identified.
IDENTIFYING_FIELDS = ("requester_name", "requester_email", "subject_identifiers")


def sees_identities(user: Any) -> bool:
    """Only those who handle requests (change permission: the DPO) see the
    requesters; everyone else reads pseudonyms (Art. 4(5), 25(2) GDPR)."""
    return bool(user and user.has_perm("dsr.change_datasubjectrequest"))


class TaskSerializer(serializers.ModelSerializer[RequestTask]):
    done_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = RequestTask
        fields = [
            "id",
            "action",
            "object_type",
            "object_id",
            "target",
            "detail",
            "result",
            "done_by",
            "done_at",
        ]
        read_only_fields = fields


class DataSubjectRequestSerializer(InventorySerializer):
    rights = serializers.ListField(
        child=serializers.ChoiceField(choices=Right.choices), allow_empty=False
    )
    days_left = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()
    tasks = TaskSerializer(many=True, read_only=True)

    class Meta:
        model = DataSubjectRequest
        fields = [
            "id",
            "reference",
            "received_at",
            "channel",
            "requester_name",
            "requester_email",
            "authorised_agent",
            "subject_identifiers",
            "subject_category",
            "regime",
            "rights",
            "role",
            "customer",
            "verification",
            "status",
            "outcome",
            "refusal_ground",
            "acknowledged_on",
            "extension_reason",
            "extension_told_on",
            "extended_to",
            "paused_on",
            "paused_days",
            "forwarded_at",
            "forwarded_to",
            "closed_at",
            "notes",
            "due_on",
            "acknowledge_by",
            "days_left",
            "overdue",
            "purged_at",
            "tasks",
        ]
        read_only_fields = ["due_on", "acknowledge_by", "purged_at"]
        extra_kwargs = {"reference": {"required": False}}

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        return request_errors(values)

    def get_days_left(self, obj: DataSubjectRequest) -> int | None:
        return obj.days_left()

    def get_overdue(self, obj: DataSubjectRequest) -> bool:
        return obj.is_overdue()

    def to_representation(self, instance: Any) -> dict[str, Any]:
        data: dict[str, Any] = super().to_representation(instance)
        request = self.context.get("request")
        if not sees_identities(getattr(request, "user", None)):
            data["requester_name"] = instance.pseudonym()
            data["requester_email"] = ""
            data["subject_identifiers"] = ""
            for task in data["tasks"]:
                task["result"] = ""  # what was gathered is the subject's data
        return data


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000)
    told_on = serializers.DateField(required=False)


# Forwarding has its own action: it names the customer it goes to.
CLOSE_OUTCOMES = [
    c
    for c in DataSubjectRequest.Outcome.choices
    if c[0] != DataSubjectRequest.Outcome.FORWARDED
]


class CloseSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=CLOSE_OUTCOMES)
    ground = serializers.CharField(required=False, allow_blank=True, default="")


class VerifySerializer(serializers.Serializer[Any]):
    verified = serializers.BooleanField(default=True)


class TaskDoneSerializer(serializers.Serializer[Any]):
    result = serializers.CharField(required=False, allow_blank=True, default="")


class PauseSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=90)
