"""Project-wide error handling: API errors are JSON, never an HTML page.

DRF's exception handler (``REST_FRAMEWORK["EXCEPTION_HANDLER"]``) and Django's
400/403/404/500 handlers for paths under ``/api/``; the HTML admin keeps
Django's pages.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError
from django.db.models.deletion import ProtectedError, RestrictedError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views import defaults
from django.views.decorators.csrf import csrf_exempt
from rest_framework import exceptions, status
from rest_framework.fields import get_error_detail
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler
from rest_framework.views import set_rollback

from kbinventory.parsers import PayloadTooLarge

logger = logging.getLogger("kbinventory.api")


# -- errors: JSON only, never an HTML page ------------------------------------


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The change conflicts with other records."
    default_code = "conflict"


class PreconditionFailed(exceptions.APIException):
    """If-Match no longer matches: someone else changed the record."""

    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_code = "precondition_failed"

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(body["detail"])
        self.body = body


def protected_detail(exc: ProtectedError | RestrictedError) -> str:
    objects = sorted(str(obj) for obj in exc.args[1])
    shown = ", ".join(objects[:10]) + (" ..." if len(objects) > 10 else "")
    return f"Cannot delete: still referenced by {shown}."


def as_api_exception(exc: Exception) -> Exception:
    """Django and database errors that a request can cause, as 4xx answers."""
    if isinstance(exc, ProtectedError | RestrictedError):
        return Conflict(protected_detail(exc))
    if isinstance(exc, DjangoValidationError):
        return exceptions.ValidationError(get_error_detail(exc))
    if isinstance(exc, RequestDataTooBig):
        return PayloadTooLarge()
    if isinstance(exc, OverflowError):  # e.g. an id beyond 64 bits in a filter
        return exceptions.ValidationError(
            {"detail": "A number in the request is out of range."}
        )
    if isinstance(exc, IntegrityError):
        return Conflict(f"The change conflicts with a database constraint: {exc}")
    return exc


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    """DRF's handler, plus: 412 with who/when, 409 for protected deletes, and a
    JSON 500 for anything unexpected (logged), so an API client never gets HTML."""
    if isinstance(exc, PreconditionFailed):
        set_rollback()
        return Response(exc.body, status=exc.status_code)
    response = drf_exception_handler(as_api_exception(exc), context)
    if response is None:
        logger.error("Unhandled API error", exc_info=exc)
        set_rollback()
        response = Response(
            {"detail": "Internal server error."},
            status=status.HTTP_500_INTERNAL_SERVER_ERROR,
        )
    elif isinstance(response.data, list):
        # A ValidationError not about one field (a NUL in ?search=): an object
        # like every other error body, as the schema declares.
        response.data = {"detail": " ".join(str(m) for m in response.data)}
    return response


def is_api(request: HttpRequest) -> bool:
    return request.path.startswith("/api/")


@csrf_exempt  # a 403 HTML page from the CSRF check would hide the 404
def api_not_found(request: HttpRequest, *args: Any, **kwargs: Any) -> JsonResponse:
    """Any path under /api/ that no view answers (catch-all route)."""
    return JsonResponse({"detail": "Not found."}, status=404)


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Bad request."}, status=400)
    return defaults.bad_request(request, exception)


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Forbidden."}, status=403)
    return defaults.permission_denied(request, exception)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    if is_api(request):
        return api_not_found(request)
    return defaults.page_not_found(request, exception)


def handler500(request: HttpRequest) -> HttpResponse:
    if is_api(request):
        return JsonResponse({"detail": "Internal server error."}, status=500)
    return defaults.server_error(request)
