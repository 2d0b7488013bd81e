"""/admin/verify-history/: the auditor's view of ``verify_history``."""

from __future__ import annotations

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from inventory.chain import HistorySeal, Reseal, verify


def may_verify(user: object) -> bool:
    """The DPO and the Auditor read the inventory's history; Sales does not."""
    return bool(
        getattr(user, "has_perm", lambda _: False)("inventory.view_processingactivity")
    )


def verify_history_view(request: HttpRequest) -> HttpResponse:
    """Recompute every chain of seals and list what breaks them."""
    if not may_verify(request.user):
        raise PermissionDenied
    problems = list(verify())
    context = {
        **admin.site.each_context(request),
        "title": "Verify history",
        "problems": problems,
        "sealed": HistorySeal.objects.count(),
        "reseals": Reseal.objects.all(),
    }
    return TemplateResponse(request, "admin/kbinventory/verify_history.html", context)
