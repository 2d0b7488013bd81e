"""The API base of every history-tracked model (docs/api.md).

Roles as permissions, strict input, the version history of
every record and the optimistic-locking ETag. The apps' viewsets and serializers
build on these; nothing here knows about a particular model.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from django.apps import apps
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models, transaction
from django_countries import countries
from django_countries.fields import Country, CountryField
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import (
    exceptions,
    permissions,
    serializers,
    status,
    viewsets,
)
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.utils.field_mapping import get_field_kwargs
from rest_framework.validators import UniqueValidator

from inventory import history
from kbinventory.errors import PreconditionFailed

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CHANGE_REASON_HEADER = "X-Change-Reason"
REASON_MAX_LENGTH = 100  # simple-history's history_change_reason column
# Object ids in URLs: digits that fit a 64-bit integer, so SQLite never overflows.
ID_PATTERN = "[0-9]{1,18}"
COUNTRY_CHOICES = [(c.code, c.name) for c in countries]
HISTORY_TYPES = {"+": "created", "~": "changed", "-": "deleted"}


# -- permissions (docs/api.md, roles) -----------------------------------------


class RolePermissions(permissions.DjangoModelPermissions):
    """The groups' Django model permissions decide, in the API as in the admin:
    reading needs ``view_<model>`` (Sales holds it for customers, features and
    vendors only), writing the add/change/delete permissions (DPO only).
    Anonymous requests get 401 because token authentication comes first."""

    perms_map = {
        **permissions.DjangoModelPermissions.perms_map,
        "GET": ["%(app_label)s.view_%(model_name)s"],
        "HEAD": ["%(app_label)s.view_%(model_name)s"],
        "OPTIONS": ["%(app_label)s.view_%(model_name)s"],
    }


# -- fields -------------------------------------------------------------------


class CountryCodeField(serializers.ChoiceField):
    """An ISO 3166-1 alpha-2 code (docs/api.md); anything else is a 400."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.pop("choices", None)
        super().__init__(choices=COUNTRY_CHOICES, **kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            data = data.strip().upper()
        return super().to_internal_value(data)

    def to_representation(self, value: Any) -> Any:
        return str(value.code if isinstance(value, Country) else value) or None

    def run_validation(self, data: Any = serializers.empty) -> Any:
        if data is None and self.allow_null:
            return ""  # a blank country reads as null and is written back so
        return super().run_validation(data)


class CountryListField(serializers.ListField):
    """A list of ISO codes for ``multiple=True`` country fields."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("child", CountryCodeField())
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> list[str]:
        codes: list[str] = super().to_internal_value(data)
        return sorted(set(codes))


def country_field(model_field: CountryField, field_name: str) -> tuple[type, dict]:  # type: ignore[type-arg]
    """Serializer field and kwargs for a django-countries model field."""
    base = get_field_kwargs(field_name, model_field)
    kwargs: dict[str, Any] = {
        key: base[key] for key in ("label", "help_text", "read_only") if key in base
    }
    validators = [
        v for v in base.get("validators", []) if isinstance(v, UniqueValidator)
    ]
    if validators:
        kwargs["validators"] = validators
    if model_field.multiple:
        return CountryListField, {**kwargs, "required": False}
    if model_field.blank:
        return CountryCodeField, {**kwargs, "required": False, "allow_null": True}
    return CountryCodeField, {**kwargs, "required": True}


def id_sets(model: type[models.Model], *names: str) -> list[models.Prefetch[Any]]:
    """Prefetch many-to-many sets as bare ids in id order: the API shows ids."""
    prefetches = []
    for name in names:
        related: Any = model._meta.get_field(name).related_model
        ids = related._default_manager.only("pk").order_by("pk")
        prefetches.append(models.Prefetch(name, queryset=ids))
    return prefetches


# -- strict input ------------------------------------------------------------


class StrictInputMixin:
    """Unknown fields and writes to read-only fields are 400s naming them, not
    silently ignored. Read-only values may be echoed back unchanged (GET, edit,
    PUT the same body)."""

    fields: Any
    instance: Any

    def input_errors(self, data: Mapping[str, Any]) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        for name, value in data.items():
            field = self.fields.get(name)
            if field is None:
                errors[name] = ["Unknown field."]
            elif field.read_only and not self.echoes(field, value):
                errors[name] = ["This field is read-only."]
            elif wrong_json_type(field, value):
                errors[name] = [wrong_json_type(field, value)]
        return errors

    def echoes(self, field: Any, value: Any) -> bool:
        """True when a read-only value sent on update is the stored one (a
        GET body sent back with PUT); any attempt to change it is refused."""
        if self.instance is None:
            return False
        try:
            attribute = field.get_attribute(self.instance)
            if getattr(attribute, "pk", attribute) is None:
                return value is None
            return bool(field.to_representation(attribute) == value)
        except Exception:  # noqa: BLE001 - cannot compare: treat as a write
            return False

    def to_internal_value(self, data: Any) -> Any:
        errors = self.input_errors(data) if isinstance(data, Mapping) else {}
        try:
            value = super().to_internal_value(data)  # type: ignore[misc]
        except serializers.ValidationError as exc:
            if isinstance(exc.detail, dict):
                exc.detail.update(errors)  # type: ignore[arg-type]
            raise
        if errors:
            raise serializers.ValidationError(errors)
        return value


def wrong_json_type(field: Any, value: Any) -> str:
    """Why a JSON value is refused where DRF would coerce it: an id must be a
    whole number (not 1.5, "1" or true), text must be a string (not 12 or
    1e999); "" when it is of the right type."""
    if value is None:
        return ""
    if isinstance(field, serializers.ManyRelatedField):
        child = field.child_relation
        items = value if isinstance(value, list) else []
        return next((e for e in (wrong_json_type(child, v) for v in items) if e), "")
    if isinstance(field, serializers.PrimaryKeyRelatedField):
        whole = isinstance(value, int) and not isinstance(value, bool)
        return "" if whole else f"An id is a whole number, not {value!r}."
    if isinstance(field, serializers.CharField) and not isinstance(value, str):
        return "Text is expected, not a number or a list."
    return ""


def stored(instance: models.Model, field: Any) -> Any:
    """A field's value; a foreign key as its object (None when unset)."""
    if field.is_relation and getattr(instance, field.attname) is None:
        return None
    return getattr(instance, field.name)


class InventorySerializer(StrictInputMixin, serializers.ModelSerializer[Any]):
    """A history-tracked model over the API.

    - country fields as ISO codes;
    - ``validate()`` runs the same rule function as ``Model.clean()`` on the
      merged incoming and stored values (docs/architecture.md: same rule everywhere);
    - one API write is one version in the history, many-to-many sets included.
    """

    def build_standard_field(self, field_name: str, model_field: Any) -> Any:
        if isinstance(model_field, CountryField):
            return country_field(model_field, field_name)
        return super().build_standard_field(field_name, model_field)

    def rule_errors(self, values: dict[str, Any]) -> Mapping[str, str]:
        """Override with the model's rule function (e.g. ``activity_errors``)."""
        return {}

    def merged_values(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        """The record as it would be saved: stored (or default) values, then
        the incoming ones; foreign keys as objects."""
        model: Any = self.Meta.model
        base = self.instance or model()
        values = {f.name: stored(base, f) for f in base._meta.concrete_fields}
        values.update(attrs)
        return values

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        errors = self.rule_errors(self.merged_values(attrs))
        if errors:
            raise serializers.ValidationError({k: [v] for k, v in errors.items()})
        return attrs

    def create(self, validated_data: dict[str, Any]) -> Any:
        sets = self.pop_many_to_many(validated_data)
        model: Any = self.Meta.model
        instance = model(**validated_data)
        return self.write(instance, sets, created=True)

    def update(self, instance: Any, validated_data: dict[str, Any]) -> Any:
        sets = self.pop_many_to_many(validated_data)
        for name, value in validated_data.items():
            setattr(instance, name, value)
        return self.write(instance, sets, created=False)

    def pop_many_to_many(self, validated_data: dict[str, Any]) -> dict[str, Any]:
        model: Any = self.Meta.model
        names = {f.name for f in model._meta.many_to_many}
        return {n: validated_data.pop(n) for n in list(validated_data) if n in names}

    def write(self, instance: Any, sets: dict[str, Any], created: bool) -> Any:
        """Save fields and sets without history, then record one version with
        the final sets; the user and reason come from the view's context."""
        instance.skip_history_when_saving = True
        try:
            instance.save()
            for name, value in sets.items():
                getattr(instance, name).set(value)
        finally:
            del instance.skip_history_when_saving
        note_author(instance, self.context)
        instance.save()
        if created:
            record = instance.history.first()
            record.history_type = "+"
            record.save()
        return instance


def note_author(instance: models.Model, context: Mapping[str, Any]) -> None:
    """The user and the change reason the next history record will carry."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        instance._history_user = user  # type: ignore[attr-defined]
    instance._change_reason = context.get("change_reason")  # type: ignore[attr-defined]


# -- history -----------------------------------------------------------------


class ChangeSerializer(serializers.Serializer[Any]):
    field = serializers.CharField()
    old = serializers.JSONField(allow_null=True)
    new = serializers.JSONField(allow_null=True)


class VersionSerializer(serializers.Serializer[Any]):
    at = serializers.DateTimeField()
    user = serializers.CharField(allow_null=True)
    type = serializers.ChoiceField(choices=["created", "changed", "deleted"])
    changes = ChangeSerializer(many=True)
    reason = serializers.CharField(allow_null=True)


class RecordHistorySerializer(serializers.Serializer[Any]):
    id = serializers.IntegerField()
    object = serializers.CharField()
    deleted = serializers.BooleanField()
    history = VersionSerializer(many=True)


def api_value(value: Any) -> Any:
    """A stored value as the API shows it: ISO codes, ISO dates, plain types."""
    if isinstance(value, Country):
        return value.code or None
    if isinstance(value, list | tuple):
        return [api_value(v) for v in value]
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def many_to_many_sets(
    historical: Any, history_ids: list[int]
) -> dict[int, dict[str, list[int]]]:
    """Each historical record's many-to-many sets, one query per field."""
    sets: dict[int, dict[str, list[int]]] = defaultdict(dict)
    for field in getattr(historical, "_history_m2m_fields", []):
        through = apps.get_model(
            historical._meta.app_label, f"{historical.__name__}_{field.name}"
        )
        for history_id in history_ids:
            sets[history_id][field.name] = []
        pairs = through.objects.filter(history_id__in=history_ids).values_list(
            "history_id", field.m2m_reverse_name()
        )
        for history_id, target in pairs:
            sets[history_id][field.name].append(target)
    for by_field in sets.values():
        for ids in by_field.values():
            ids.sort()
    return sets


def stored_value(record: Any, field: Any) -> Any:
    """The raw column value of a historical record, as the API shows it."""
    value = record.__dict__.get(field.attname)
    if isinstance(field, CountryField):
        codes = [c for c in str(value or "").split(",") if c]
        return codes if field.multiple else (codes[0] if codes else None)
    return api_value(value)


def record_values(record: Any, sets: dict[str, list[int]]) -> dict[str, Any]:
    fields = [f for f in record.instance_type._meta.concrete_fields if f.name != "id"]
    values = {f.name: stored_value(record, f) for f in fields}
    values.update(sets)
    return values


def changes(old: dict[str, Any] | None, new: dict[str, Any]) -> list[dict[str, Any]]:
    if old is None:  # created (or history began here): every value that is set
        return [
            {"field": k, "old": None, "new": v}
            for k, v in new.items()
            if v not in (None, "", [])
        ]
    return [
        {"field": k, "old": old.get(k), "new": v}
        for k, v in new.items()
        if old.get(k) != v
    ]


def versions(
    records: list[Any], sets: dict[int, dict[str, list[int]]] | None = None
) -> list[dict[str, Any]]:
    """One object's historical records (any order) as API versions, newest
    first; ``sets`` are their many-to-many sets if already read."""
    if not records:
        return []
    ordered = sorted(records, key=lambda r: (r.history_date, r.history_id))
    if sets is None:
        sets = many_to_many_sets(type(ordered[0]), [r.history_id for r in ordered])
    result, previous = [], None
    for record in ordered:
        values = record_values(record, sets.get(record.history_id, {}))
        kind = HISTORY_TYPES[record.history_type]
        result.append(
            {
                "at": record.history_date,
                "user": getattr(record.history_user, "username", None),
                "type": kind,
                "changes": [] if kind == "deleted" else changes(previous, values),
                "reason": record.history_change_reason,
            }
        )
        previous = values
    return result[::-1]


def histories(model: type[models.Model], ids: Iterable[int]) -> dict[int, list[Any]]:
    """Every historical record of the given objects, grouped by object id."""
    grouped: dict[int, list[Any]] = defaultdict(list)
    history = model.history.filter(id__in=list(ids)).select_related("history_user")  # type: ignore[attr-defined]
    for record in history:
        grouped[record.id].append(record)
    return grouped


class HistoryMixin(viewsets.GenericViewSet[Any]):
    """``<id>/history/`` and ``history/?deleted=1`` on a viewset, read-only;
    the ``ETag`` of a record is its latest history record (If-Match: 412)."""

    history_label: Any = str  # how a deleted record is named

    def history_model(self) -> type[models.Model]:
        model: type[models.Model] = self.get_queryset().model
        return model

    def resolve_id(self, value: str) -> int:
        """The object id a URL names (a subclass may accept other keys)."""
        if not value.isdigit():
            raise exceptions.NotFound()
        return int(value)

    @extend_schema(responses=VersionSerializer(many=True))
    @action(
        detail=True,
        url_path="history",
        filter_backends=[],
        serializer_class=VersionSerializer,
    )
    def history(self, request: Request, pk: str | None = None) -> Response:
        """Every version of this record, newest first (deleted records too)."""
        model = self.history_model()
        object_id = self.resolve_id(str(pk))
        records = histories(model, [object_id]).get(object_id, [])
        if not records:
            raise exceptions.NotFound(f"No {model._meta.verbose_name} with id {pk}.")
        page = self.paginate_queryset(versions(records))
        return self.get_paginated_response(VersionSerializer(page, many=True).data)

    @extend_schema(
        responses=RecordHistorySerializer(many=True),
        parameters=[OpenApiParameter("deleted", bool, description="1: deleted only")],
    )
    @action(
        detail=False,
        url_path="history",
        filter_backends=[],
        serializer_class=RecordHistorySerializer,
    )
    def all_history(self, request: Request) -> Response:
        """Records with their history; ``?deleted=1`` only deleted ones,
        ``?deleted=0`` only existing ones."""
        model = self.history_model()
        latest = model.history.latest_of_each().order_by("id")  # type: ignore[attr-defined]
        flag = request.query_params.get("deleted")
        if flag not in (None, "", "0", "1", "true", "false"):
            raise exceptions.ValidationError({"deleted": ["Use 1 or 0."]})
        if flag in ("1", "true"):
            latest = latest.filter(history_type="-")
        elif flag in ("0", "false"):
            latest = latest.exclude(history_type="-")
        page = self.paginate_queryset(latest) or []
        grouped = histories(model, [r.id for r in page])
        ids = [r.history_id for records in grouped.values() for r in records]
        sets = many_to_many_sets(model.history.model, ids)  # type: ignore[attr-defined]
        data = [self.record_history(r, grouped[r.id], sets) for r in page]
        return self.get_paginated_response(
            RecordHistorySerializer(data, many=True).data
        )

    def record_history(
        self, latest: Any, records: list[Any], sets: dict[int, dict[str, list[int]]]
    ) -> dict[str, Any]:
        return {
            "id": latest.id,
            "object": self.history_label(latest.instance),
            "deleted": latest.history_type == "-",
            "history": versions(records, sets),
        }


def latest_record(instance: models.Model) -> Any:
    history = instance.history.select_related("history_user")  # type: ignore[attr-defined]
    return history.order_by("-history_date", "-history_id").first()


def etag(record: Any) -> str:
    """A strong validator naming the record's latest version."""
    return f'"{record.history_id if record is not None else 0}"'


def if_match_fails(header: str, current: str) -> bool:
    tags = [t.strip().removeprefix("W/") for t in header.split(",")]
    return "*" not in tags and current not in tags


def if_none_match_hits(header: str, current: str) -> bool:
    """RFC 9110 13.1.2: the client's copy is current (weak comparison)."""
    tags = [t.strip().removeprefix("W/") for t in header.split(",") if t.strip()]
    return "*" in tags or current in tags


def check_if_match(request: Request, instance: models.Model) -> None:
    """RFC 9110 13.1.1: an update sent with a stale If-Match is refused with
    412, naming who changed the record since and when (docs/api.md)."""
    header = request.headers.get("If-Match")
    if not header:
        return
    model = type(instance)
    # Lock the row so two writers holding the same ETag cannot both pass.
    list(model._default_manager.select_for_update().filter(pk=instance.pk).values("pk"))
    record = latest_record(instance)
    if not if_match_fails(header, etag(record)):
        return
    user = getattr(record.history_user, "username", None) if record else None
    when = record.history_date if record else None
    raise PreconditionFailed(
        {
            "detail": (
                f"This record was changed by {user or 'an unknown user'} at "
                f"{when.isoformat() if when else 'an unknown time'}; reload it "
                "and apply your change again."
            ),
            "changed_by": user,
            "changed_at": when,
            "etag": etag(record),
        }
    )


def change_reason(request: Request) -> str | None:
    reason = request.headers.get(CHANGE_REASON_HEADER, "").strip()
    if len(reason) > REASON_MAX_LENGTH:
        raise exceptions.ValidationError(
            {CHANGE_REASON_HEADER: [f"At most {REASON_MAX_LENGTH} characters."]}
        )
    return reason or None


def delete_with_history(instance: models.Model, context: Mapping[str, Any]) -> None:
    """The API's delete: the same detach-with-history as the admin's, with the
    request's user and ``X-Change-Reason``."""
    user = getattr(context.get("request"), "user", None)
    history.delete_with_history(instance, user, context.get("change_reason"))


class InventoryViewSet(HistoryMixin, viewsets.ModelViewSet[Any]):
    """CRUD for one history-tracked model: role permissions, history routes,
    ETag/If-Match, one atomic write per request with the user and the reason
    (``X-Change-Reason`` header) in its version."""

    permission_classes = [RolePermissions]
    lookup_value_regex = ID_PATTERN
    # Answers with ETags and honours If-Match / If-None-Match: the API schema
    # (kbinventory.openapi) declares those headers, 304, 409 and 412 from this.
    etags = True
    written: Any = None

    def get_serializer_context(self) -> dict[str, Any]:
        context = dict(super().get_serializer_context())
        if self.request.method not in permissions.SAFE_METHODS:
            context["change_reason"] = change_reason(self.request)
        return context

    def get_object(self) -> Any:
        instance = super().get_object()
        if self.request.method not in permissions.SAFE_METHODS:
            check_if_match(self.request, instance)
        return instance

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        current = etag(latest_record(instance))
        if if_none_match_hits(request.headers.get("If-None-Match", ""), current):
            return Response(
                status=status.HTTP_304_NOT_MODIFIED, headers={"ETag": current}
            )
        data = self.get_serializer(instance).data
        return Response(data, headers={"ETag": current})

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            response = super().create(request, *args, **kwargs)
        response["ETag"] = etag(latest_record(self.written))
        return response

    def get_success_headers(self, data: Any) -> dict[str, str]:
        """A 201 names the new record's URL (RFC 9110 15.3.2)."""
        path = f"{self.request.path}{data['id']}/"
        return {"Location": self.request.build_absolute_uri(path)}

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            response = super().update(request, *args, **kwargs)
        response["ETag"] = etag(latest_record(self.written))
        return response

    def destroy(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        with transaction.atomic():
            return super().destroy(request, *args, **kwargs)

    def perform_create(self, serializer: Any) -> None:
        self.written = serializer.save()

    def perform_update(self, serializer: Any) -> None:
        self.written = serializer.save()

    def perform_destroy(self, instance: Any) -> None:
        delete_with_history(instance, self.get_serializer_context())


# -- the review cycle: POST <resource>/<id>/review/ ----------------------------


class ReviewSerializer(serializers.Serializer[Any]):
    next_review_on = serializers.DateField(required=False, allow_null=True)


class ReviewMixin:
    """Mark a record reviewed: who and when, and the next review date (12
    months later unless given). Same rule as the admin action."""

    @extend_schema(request=ReviewSerializer)
    @action(detail=True, methods=["post"])
    def review(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        """Mark the record reviewed.

        Records who reviewed it and when, and moves ``next_review_on`` to the
        date given, or one review interval ahead."""
        view: Any = self
        instance = view.get_object()
        body = ReviewSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            instance.mark_reviewed(
                request.user, body.validated_data.get("next_review_on")
            )
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        data = view.get_serializer(instance).data
        return Response(data, headers={"ETag": etag(latest_record(instance))})
