"""The OpenAPI schema of /api/v1/ tells the whole truth (docs/api.md).

One ``AutoSchema`` for every API view, so a view added later inherits it:

- every error an operation can answer, with its real body: 400 (the field-error
  map), 401, 403, 404, 409, 412 (who changed the record, when, and its current
  ETag), 413, 415, and 429 where a throttle applies;
- the ``ETag`` response header and the ``If-Match`` / ``If-None-Match`` /
  ``X-Change-Reason`` request headers where the view honours them (the views
  with a version history), the 304 of a matching ``If-None-Match``, and
  ``Location`` on 201 and 202;
- integer path ids, a summary and a description for every operation;
- and the rule that follows from it: ``KnownQueryParameters`` answers 400 to a
  query parameter the operation does not declare.

``postprocess`` (a drf-spectacular post-processing hook) adds what only the
whole document knows: tag descriptions, servers, the top-level security
requirement, examples, and readable names for the empty choice.
"""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable, Iterable
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.text import capfirst
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, get_doc, get_view_model
from drf_spectacular.utils import OpenApiParameter
from rest_framework import permissions
from rest_framework.negotiation import DefaultContentNegotiation
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request

logger = logging.getLogger("kbinventory.api")
JSON = "application/json"
ETAG_HELP = (
    'The record\'s current version, a strong validator such as `"42"`. Send it '
    "back as `If-Match` on PUT, PATCH, DELETE and review; as `If-None-Match` on "
    "GET to get 304 while it is unchanged."
)
ERROR = {
    "type": "object",
    "description": "An error that is not about one field.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
    "example": {"detail": "Authentication credentials were not provided."},
}
FIELD_ERRORS = {
    "type": "object",
    "description": (
        "What was wrong with the request, by field (body field, query parameter "
        "or header): a list of messages, or for a nested field the same map "
        "one level down. `detail` is a text when the body itself is "
        "unreadable, a list when it is the errors of a field named `detail` (a "
        "deletion run's); `non_field_errors` for a rule over several fields."
    ),
    "properties": {
        "detail": {
            "anyOf": [
                {"type": "string"},
                {"type": "array", "items": {"type": "string"}},
            ]
        }
    },
    "additionalProperties": {},
    "example": {
        "lawful_basis": [
            "A processor activity has no lawful basis of its own: the controller "
            "determines it (Art. 28(3)(a) GDPR)."
        ]
    },
}
PRECONDITION_FAILED = {
    "type": "object",
    "description": (
        "If-Match named an older version: someone changed the record since. "
        "Nothing was written; reload it (GET) and apply the change again."
    ),
    "properties": {
        "detail": {"type": "string"},
        "changed_by": {
            "type": "string",
            "nullable": True,
            "description": "Username of the last change.",
        },
        "changed_at": {
            "type": "string",
            "format": "date-time",
            "nullable": True,
            "description": "When the last change was made.",
        },
        "etag": {"type": "string", "description": "The current ETag."},
    },
    "required": ["detail", "changed_by", "changed_at", "etag"],
    "example": {
        "detail": (
            "This record was changed by dpo at 2026-03-31T09:12:44+00:00; reload "
            "it and apply your change again."
        ),
        "changed_by": "dpo",
        "changed_at": "2026-03-31T09:12:44+00:00",
        "etag": '"57"',
    },
}

ERRORS: dict[str, tuple[str, str, dict[str, Any]]] = {
    # status: (component, description, example)
    "400": ("FieldErrors", "Bad input: the field-error map.", {}),
    "401": (
        "Error",
        "No or unknown credentials (`WWW-Authenticate: Token`).",
        {"detail": "Authentication credentials were not provided."},
    ),
    "403": (
        "Error",
        "The user's group may not do this.",
        {"detail": "You do not have permission to perform this action."},
    ),
    "404": (
        "Error",
        "No such record (or not one you may see).",
        {"detail": "No ProcessingActivity matches the given query."},
    ),
    "409": (
        "Error",
        "The write conflicts with other records (e.g. deleting a vendor that a "
        "transfer imports to).",
        {"detail": "Cannot delete: still referenced by KonnectBot Inc. to AWS (US)."},
    ),
    "412": ("PreconditionFailed", "If-Match is stale.", {}),
    "413": (
        "Error",
        "The body is larger than the server accepts.",
        {"detail": "The request body is larger than 2621440 bytes."},
    ),
    "415": (
        "Error",
        "The body is not JSON.",
        {"detail": 'Unsupported media type "text/plain" in request.'},
    ),
    "429": (
        "Error",
        "Too many requests; retry after `Retry-After` seconds.",
        {"detail": "Request was throttled. Expected available in 12 seconds."},
    ),
    # Only where a view declares it (e.g. a mail server that is down):
    "503": (
        "Error",
        "A service the request needs is down; retry after `Retry-After` seconds.",
        {},
    ),
}
COMPONENTS = {
    "Error": ERROR,
    "FieldErrors": FIELD_ERRORS,
    "PreconditionFailed": PRECONDITION_FAILED,
}

SUCCESS = {
    "200": "OK.",
    "201": "Created.",
    "202": "Accepted: the work goes on in the background.",
}
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
WITH_BODY = {"POST", "PUT", "PATCH"}
SUMMARIES = {
    "list": "List {plural}",
    "create": "Create {one}",
    "retrieve": "Get {one}",
    "update": "Replace {one}",
    "partial_update": "Change {one}",
    "destroy": "Delete {one}",
    "history": "Versions of {one}",
    "all_history": "{Plural} with their history",
}
NOTES = {
    "list": (
        "A page (`count`, `next`, `previous`, `results`) of `page_size` records "
        "(default 50, at most 500). Filters, `search` and `ordering` as listed; "
        "an unknown query parameter is a 400."
    ),
    "create": (
        "Answers 201 with the record, its `ETag` and its `Location`. The version "
        "history records the user and the `X-Change-Reason` header."
    ),
    "retrieve": (
        "Answers with the record's `ETag`; with a matching `If-None-Match`, 304 "
        "and no body."
    ),
    "update": (
        "The whole record. With `If-Match`, refused with 412 when someone changed "
        "the record since. A body equal to the stored values records no version "
        "and keeps the ETag."
    ),
    "partial_update": (
        "Only the fields sent. With `If-Match`, refused with 412 when someone "
        "changed the record since. Values equal to the stored ones record no "
        "version and keep the ETag."
    ),
    "destroy": (
        "Removes the record from other records' sets first (each gets a version), "
        "then deletes it; its history stays readable. 409 when another record "
        "still needs it."
    ),
    "history": (
        "Every version of this record, newest first, also after it was deleted: "
        "`at`, `user`, `type`, `changes` (`field`, `old`, `new`) and `reason`."
    ),
    "all_history": (
        "`?deleted=1`: only deleted records, `?deleted=0`: only existing ones."
    ),
}


def doc(obj: Any) -> str:
    """A view's or serializer's docstring, as readers of the schema see it."""
    return (get_doc(obj) if obj is not None else "").strip()


def versioned(view: Any) -> bool:
    """Views of versioned records that answer with ETags and honour If-Match
    (``etags = True``, as on every InventoryViewSet)."""
    return bool(getattr(view, "etags", False))


def json_error(component: ResolvedComponent, description: str, example: Any) -> Any:
    content: dict[str, Any] = {"schema": component.ref}
    if example:
        content["example"] = example
    return {"description": description, "content": {JSON: content}}


class ApiSchema(AutoSchema):
    """drf-spectacular's AutoSchema with this API's errors, headers and texts."""

    def action(self) -> str:
        return str(getattr(self.view, "action", None) or self.method.lower())

    def names(self) -> dict[str, str]:
        model = get_view_model(self.view, emit_warnings=False)  # type: ignore[no-untyped-call]
        if model is None:
            tag = (self.get_tags() or ["records"])[0].replace("-", " ")
            return {"one": f"a {tag.rstrip('s')}", "plural": tag}
        one = str(model._meta.verbose_name)
        article = "an" if one[0] in "aeiou" else "a"
        return {
            "one": f"{article} {one}",
            "plural": str(model._meta.verbose_name_plural),
        }

    # -- texts ---------------------------------------------------------------

    def get_summary(self) -> str | None:
        template = SUMMARIES.get(self.action())
        if template is None:
            text = doc(getattr(self.view, self.action(), None))
            first = text.split("\n\n")[0].replace("\n", " ").strip()
            return first.rstrip(".") or None
        names = self.names()
        return template.format(
            one=names["one"],
            plural=names["plural"],
            Plural=capfirst(names["plural"]),
        )

    def get_description(self) -> str:  # type: ignore[override]
        view_doc = doc(self.view.__class__)
        if self.action() not in SUMMARIES:
            action_doc = doc(getattr(self.view, self.action(), None))
            return "\n\n".join(p for p in (action_doc, view_doc) if p)
        return "\n\n".join(p for p in (view_doc, NOTES.get(self.action(), "")) if p)

    # -- parameters ----------------------------------------------------------

    def get_override_parameters(self) -> list[Any]:
        parameters: list[Any] = list(super().get_override_parameters())
        if not versioned(self.view):
            return parameters
        detail = "{" in self.path
        if self.method in UNSAFE and detail:
            parameters.append(
                OpenApiParameter(
                    "If-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description=(
                        "The ETag the change is based on; a stale one is refused "
                        "with 412 and nothing is written. Optional."
                    ),
                )
            )
        if self.method in UNSAFE:
            parameters.append(
                OpenApiParameter(
                    "X-Change-Reason",
                    {"type": "string", "maxLength": 100},
                    OpenApiParameter.HEADER,
                    description="Why: recorded in the version history.",
                )
            )
        if self.action() == "retrieve":
            parameters.append(
                OpenApiParameter(
                    "If-None-Match",
                    str,
                    OpenApiParameter.HEADER,
                    description="An ETag; 304 without a body while it is current.",
                )
            )
        return parameters

    def _resolve_path_parameters(self, variables: list[str]) -> list[Any]:
        """Ids made of digits are integers (a country also takes its code)."""
        parameters: list[Any] = super()._resolve_path_parameters(variables)  # type: ignore[no-untyped-call]
        for parameter in parameters:
            schema = parameter["schema"]
            if schema.get("pattern") == "^[0-9]{1,18}$":
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 0,
                    "maximum": 10**18 - 1,
                }
                parameter["description"] = "The record's id."
        return parameters

    # -- responses -----------------------------------------------------------

    def _get_response_bodies(self, direction: Any = "response") -> Any:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        for code, response in responses.items():
            if not response.get("description"):
                response["description"] = SUCCESS.get(code, "OK.")
            headers = self.success_headers(code)
            if headers:
                response.setdefault("headers", {}).update(headers)
        if self.action() == "retrieve" and versioned(self.view):
            responses["304"] = {
                "description": "Not modified: `If-None-Match` names the current ETag.",
                "headers": self.success_headers("304"),
            }
        for code in self.error_codes():
            component_name, description, example = ERRORS[code]
            component = self.component(component_name)
            responses.setdefault(code, json_error(component, description, example))
        for code, response in responses.items():
            if code in ERRORS and not response.get("content"):
                # A view that declared the error gave its description only:
                # the body is still the API's error body.
                component = self.component(ERRORS[code][0])
                body = json_error(component, "", ERRORS[code][2])
                response["content"] = body["content"]
        return responses

    def success_headers(self, code: str) -> dict[str, Any]:
        headers: dict[str, Any] = {}
        etag_actions = {"retrieve", "update", "partial_update", "create", "review"}
        if versioned(self.view) and self.action() in etag_actions and int(code) < 400:
            headers["ETag"] = {"schema": {"type": "string"}, "description": ETAG_HELP}
        if (code == "201" and versioned(self.view)) or code == "202":
            headers["Location"] = {
                "schema": {"type": "string", "format": "uri"},
                "description": "The URL of what was created.",
            }
        return headers

    def error_codes(self) -> list[str]:
        codes = ["400"]
        if not self.public():
            codes += ["401", "403"]
        if "{" in self.path or self.method == "GET":  # a page past the last: 404
            codes.append("404")
        if versioned(self.view) and self.method in UNSAFE:
            codes.append("409")
            if "{" in self.path:
                codes.append("412")
        if self.method in WITH_BODY:
            codes += ["413", "415"]
        if self.view.get_throttles():
            codes.append("429")
        return codes

    def public(self) -> bool:
        classes = getattr(self.view, "permission_classes", [])
        return all(c is permissions.AllowAny for c in classes)

    def component(self, name: str) -> ResolvedComponent:
        component = ResolvedComponent(  # type: ignore[no-untyped-call]
            name=name,
            type=ResolvedComponent.SCHEMA,
            object=name,
            schema=COMPONENTS[name],
        )
        self.registry.register_on_missing(component)
        return component

    def get_operation(self, *args: Any, **kwargs: Any) -> Any:
        operation = super().get_operation(*args, **kwargs)
        if operation is not None:
            names = frozenset(
                p["name"] for p in operation.get("parameters", []) if p["in"] == "query"
            )
            key = (type(self.view), getattr(self.view, "action", None), self.method)
            DECLARED[key] = names
        return operation

    # -- names ---------------------------------------------------------------

    def get_serializer_name(self, serializer: Any, direction: Any) -> str:
        """``ReportRequestSerializer`` becomes ``ReportRequest``, not
        ``ReportRequestRequest``: request-only serializers already say so."""
        name = str(super().get_serializer_name(serializer, direction))
        base = name.removesuffix("Serializer")
        if direction == "request" and base.endswith("Request"):
            return base.removesuffix("Request")
        return name

    def get_operation_id(self) -> str:
        """The two history routes apart: ``activities_history_list`` (one
        record's versions) and ``activities_all_history_list``."""
        operation_id = str(super().get_operation_id())
        if self.action() == "all_history":
            return operation_id.replace("_history_", "_all_history_")
        return operation_id


# -- the whole document ---------------------------------------------------------

BLANK = {"type": "string", "maxLength": 0, "description": "Empty: not set."}


def replace_blank_enum(node: Any) -> Any:
    """drf-spectacular writes a choice that may be empty as
    ``oneOf: [XEnum, BlankEnum, NullEnum]``; clients then grow a ``BlankEnum``
    type. The empty string is simply a string of length 0."""
    if isinstance(node, dict):
        if node.get("$ref") == "#/components/schemas/BlankEnum":
            return dict(BLANK)
        return {key: replace_blank_enum(value) for key, value in node.items()}
    if isinstance(node, list):
        return [replace_blank_enum(item) for item in node]
    return node


def tag_descriptions(generator: Any) -> list[dict[str, str]]:
    tags: dict[str, str] = {}
    for path, _regex, _method, callback in generator.endpoints or []:
        match = re.match(r"^/api/v1/([^/{]+)/", path)
        view = getattr(callback, "cls", None)
        if match and view is not None and match.group(1) not in tags:
            tags[match.group(1)] = doc(view).split("\n\n")[0].replace("\n", " ")
    return [{"name": name, "description": tags[name]} for name in sorted(tags)]


def paging_examples(result: dict[str, Any]) -> None:
    """Page links as this API writes them, not DRF's api.example.org."""
    schemas = result.get("components", {}).get("schemas", {})
    for path, operations in result.get("paths", {}).items():
        get = operations.get("get", {})
        content = get.get("responses", {}).get("200", {}).get("content", {})
        ref = content.get(JSON, {}).get("schema", {}).get("$ref", "")
        name = ref.rsplit("/", 1)[-1]
        if not name.startswith("Paginated") or name not in schemas:
            continue
        properties = schemas[name]["properties"]
        url = f"https://inventory.example.com{path}"
        properties["next"]["example"] = f"{url}?page=3"
        properties["previous"]["example"] = f"{url}?page=1"
        properties["count"]["example"] = 120


def postprocess(
    result: dict[str, Any], generator: Any, request: Any, public: bool
) -> dict[str, Any]:
    result = replace_blank_enum(result)
    result["components"]["schemas"].pop("BlankEnum", None)
    result["tags"] = tag_descriptions(generator)
    root = request.build_absolute_uri("/").rstrip("/") if request else ""
    result["servers"] = [{"url": root or "/", "description": "This server."}]
    schemes = result.get("components", {}).get("securitySchemes", {})
    result["security"] = [{name: []} for name in sorted(schemes)]
    paging_examples(result)
    return result


# -- the schema is also the rule: undeclared query parameters are refused -------

# (view class, action, method) -> the query parameters its operation declares;
# filled by ApiSchema.get_operation while the schema is generated.
DECLARED: dict[tuple[type, str | None, str], frozenset[str]] = {}
_generation = threading.Lock()
_generated: list[bool] = []


def declared_query_parameters(view_class: type, action: str | None, method: str) -> Any:
    """The operation's query parameters, or None for an undocumented view (or
    when the schema cannot be generated: then nothing is refused)."""
    with _generation:
        if not _generated:
            _generated.append(True)
            try:
                generator = SchemaGenerator()  # type: ignore[no-untyped-call]
                generator.get_schema(request=None, public=True)  # type: ignore[no-untyped-call]
            except Exception:
                logger.exception("API schema generation failed")
    return DECLARED.get((view_class, action, method))


class KnownQueryParameters:
    """A query parameter that the operation does not declare (a typo such as
    ``?rol=processor``, a filter that does not exist) is a 400 naming it, not
    silently ignored with every record in the answer."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view: Any, args: Any, kwargs: Any
    ) -> HttpResponse | None:
        if not request.GET or not request.path.startswith("/api/v1/"):
            return None
        view_class = getattr(view, "cls", None)
        if view_class is None:
            return None
        action = getattr(view, "actions", {}).get(str(request.method).lower())
        known = declared_query_parameters(view_class, action, str(request.method))
        unknown = sorted(set(request.GET) - known) if known is not None else []
        if not unknown:
            return None
        takes = ", ".join(sorted(known or [])) or "none"
        message = f"Unknown query parameter; this operation takes: {takes}."
        return JsonResponse({name: [message] for name in unknown}, status=400)


class SchemaFormatNegotiation(DefaultContentNegotiation):
    """``/api/schema/?format=json`` (or ``yaml``) as drf-spectacular documents
    it, although the API itself takes no ``format`` parameter."""

    def select_renderer(
        self,
        request: Request,
        renderers: Iterable[BaseRenderer],
        format_suffix: str | None = None,
    ) -> Any:
        wanted = format_suffix or request.query_params.get("format")
        return super().select_renderer(request, renderers, wanted)
