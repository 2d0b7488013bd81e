"""The API's JSON parser, with a body-size limit.

Its own module: DRF imports the parser setting while it defines APIView, so this
must not import DRF's views (kbinventory.errors does).
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from rest_framework import exceptions, parsers, status


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"


def body_limit() -> int:
    limit: int | None = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    return limit or 2_621_440


class JSONParser(parsers.JSONParser):
    """DRF's JSON parser with Django's body-size limit (DATA_UPLOAD_MAX_MEMORY_SIZE),
    which DRF's streaming parse would otherwise bypass: 413, never a memory spike."""

    def parse(
        self,
        stream: Any,
        media_type: str | None = None,
        parser_context: Mapping[str, Any] | None = None,
    ) -> Any:
        limit = body_limit()
        request = (parser_context or {}).get("request")
        declared = request.META.get("CONTENT_LENGTH") if request is not None else None
        if declared and declared.isdigit() and int(declared) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        data = stream.read(limit + 1)
        if len(data) > limit:
            raise PayloadTooLarge(f"The request body is larger than {limit} bytes.")
        return super().parse(io.BytesIO(data), media_type, parser_context)
