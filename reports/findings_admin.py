"""Findings in the admin: one list page, the findings of a record at the top of
its change page, and a count column in the changelists.

All three read ``reports.findings`` once per request (``request_findings``),
so a changelist costs the same few queries whatever its number of rows.
"""

from __future__ import annotations

from collections import Counter
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from reports import findings
from reports.findings import Finding
from reports.params import ReportError, parse_when, resolve_as_of

FILTERS = ("severity", "code", "object_type")
CACHE_ATTR = "_kbinventory_findings"


def may_see_findings(user: Any) -> bool:
    """docs/api.md, roles: the DPO and the Auditor read findings, Sales does not."""
    return bool(user.has_perm("inventory.view_processingactivity"))


def request_findings(request: HttpRequest) -> dict[tuple[str, int], list[Finding]]:
    """Today's findings grouped by object, computed at most once per request."""
    if not hasattr(request, CACHE_ATTR):
        setattr(request, CACHE_ATTR, findings.by_object(findings.current()))
    grouped: dict[tuple[str, int], list[Finding]] = getattr(request, CACHE_ATTR)
    return grouped


class FindingsAdminMixin(admin.ModelAdmin[Any]):
    """Mix into a ModelAdmin (before SimpleHistoryAdmin) whose model findings
    can be about."""

    change_form_template = "admin/kbinventory/change_form.html"

    def shows_findings(self, request: HttpRequest) -> bool:
        """Findings can be about this model and the user may read them."""
        about = self.opts.model_name in findings.OBJECT_TYPES
        return about and may_see_findings(request.user)

    def findings_of(self, request: HttpRequest, object_id: str) -> list[Finding]:
        if not object_id.isdigit():
            return []
        key = (str(self.opts.model_name), int(object_id))
        return request_findings(request).get(key, [])

    def change_view(
        self,
        request: HttpRequest,
        object_id: str,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = dict(extra_context or {})
        if request.method == "GET" and self.shows_findings(request):
            context["show_findings"] = True
            context["findings"] = self.findings_of(request, object_id)
        return super().change_view(request, object_id, form_url, context)

    def get_list_display(self, request: HttpRequest) -> Any:
        shown = list(super().get_list_display(request))
        if not self.shows_findings(request):
            return shown
        return [*shown[:2], "findings_count", *shown[2:]]  # visible without scrolling

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        """Attach each row's findings count once the page's rows are loaded."""
        changelist = super().get_changelist_instance(request)
        if self.shows_findings(request):
            grouped = request_findings(request)
            for obj in changelist.result_list:
                key = (str(self.opts.model_name), obj.pk)
                obj.findings_count = len(grouped.get(key, []))
        return changelist

    @admin.display(description="findings")
    def findings_count(self, obj: Any) -> int | None:
        return getattr(obj, "findings_count", None)


def choices(
    request: HttpRequest, name: str, values: list[str], counts: Counter[str]
) -> list[dict[str, Any]]:
    """The entries of one sidebar filter, in admin/filter.html's shape."""
    current = request.GET.get(name, "")
    base = {k: v for k, v in request.GET.items() if k != name}
    everything = f"?{urlencode(base)}"
    entries = [{"display": "All", "selected": not current, "query_string": everything}]
    for value in values:
        query = urlencode({**base, name: value})
        label = findings.type_label(value) if name == "object_type" else value
        display = f"{label} ({counts[value]})"
        entries.append(
            {
                "display": display,
                "selected": current == value,
                "query_string": f"?{query}",
            }
        )
    return entries


def findings_list(request: HttpRequest) -> HttpResponse:
    """/admin/findings/: every finding, filtered by severity, code and object
    type, optionally as of a past date (``?as_of=2026-03-31``)."""
    if not may_see_findings(request.user):
        raise PermissionDenied
    as_of_text = request.GET.get("as_of", "")
    try:
        as_of = resolve_as_of(parse_when(as_of_text, "as_of")) if as_of_text else None
    except ReportError as exc:
        as_of, error = None, str(exc)
    else:
        error = ""
    found = findings.current(as_of)
    wanted = {k: request.GET.get(k) or None for k in FILTERS}
    shown = findings.select(found, **wanted)
    filters = [
        ("severity", [s for s in findings.SEVERITIES]),
        ("code", sorted({f.code for f in found})),
        ("object type", sorted({f.object_type for f in found})),
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Findings",
        "findings": [
            (f, f.admin_url(), findings.type_label(f.object_type)) for f in shown
        ],
        "total": len(found),
        "as_of": as_of_text if not error else "",
        "error": error,
        "filters": [
            {
                "title": title,
                "choices": choices(
                    request,
                    title.replace(" ", "_"),
                    values,
                    Counter(getattr(f, title.replace(" ", "_")) for f in found),
                ),
            }
            for title, values in filters
        ],
        "keep": {k: v for k, v in request.GET.items() if k in FILTERS and v},
    }
    return TemplateResponse(request, "admin/kbinventory/findings.html", context)


def add_findings_to_admin(site: admin.AdminSite = admin.site) -> None:
    """Show findings on every inventory admin page (change pages, changelists).

    Called from ``ReportsConfig.ready()``, after the admin modules are loaded:
    each registered ``InventoryAdmin`` is replaced by a subclass with
    ``FindingsAdminMixin`` first, so ``inventory`` never imports ``reports``."""
    from django.apps import apps

    from inventory.admin import InventoryAdmin

    for model in apps.get_models():
        if not site.is_registered(model):
            continue
        model_admin = site.get_model_admin(model)
        if not isinstance(model_admin, InventoryAdmin):
            continue
        if isinstance(model_admin, FindingsAdminMixin):
            continue
        base = type(model_admin)
        with_findings = type(
            base.__name__,
            (FindingsAdminMixin, base),
            {"__module__": base.__module__, "__doc__": base.__doc__},
        )
        site.unregister(model)
        site.register(model, with_findings)
