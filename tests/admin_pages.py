"""Every registered admin's add page and the change page of its first record:
the pages the tests of Python-written HTML compare with Django's own."""

import re
from typing import Any

import time_machine
from django.contrib import admin
from django.utils import timezone

# Per response, not per page: the CSRF token is masked anew each time.
VARYING = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def change_pages() -> list[str]:
    paths = []
    for model in admin.site._registry:
        path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths.append(f"{path}add/")
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            paths.append(f"{path}{first.pk}/change/")
    return paths


def without_varying(content: bytes) -> bytes:
    return VARYING.sub(b"", content)


NOW = timezone.now().replace(microsecond=0)


def still_clock() -> Any:
    """The same moment for every page compared: an add page shows "now" as
    the default of a date and time (a request's received_at)."""
    return time_machine.travel(NOW, tick=False)
