"""Findings in the admin: one list page, the findings of a record at the top of
its change page, and a count column in the changelists.

Today's findings are read from the stored table (``reports.findings_store``):
a changelist costs one query for its counts, a change page one for its
findings, the list page a page of rows and its filter counts, whatever the
inventory's size. Findings as of a past date are computed from history.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse

from reports import findings, findings_store
from reports.findings import Finding
from reports.params import ReportError, parse_when, resolve_as_of

FILTERS = findings_store.TALLIED  # each filter shows its stored tally
PER_PAGE = 100


def may_see_findings(user: Any) -> bool:
    """docs/api.md, roles: the DPO and the Auditor read findings, Sales does not."""
    return bool(user.has_perm("inventory.view_processingactivity"))


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
        return findings_store.of_object(str(self.opts.model_name), int(object_id))

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
            rows = changelist.result_list
            found = findings_store.counts(
                str(self.opts.model_name), (obj.pk for obj in rows)
            )
            for obj in rows:
                obj.findings_count = found.get(obj.pk, 0)
        return changelist

    @admin.display(description="findings")
    def findings_count(self, obj: Any) -> int | None:
        return getattr(obj, "findings_count", None)


def choices(
    request: HttpRequest, name: str, values: list[str], counts: Mapping[str, int]
) -> list[dict[str, Any]]:
    """The entries of one sidebar filter, in admin/filter.html's shape."""
    current = request.GET.get(name, "")
    base = {k: v for k, v in request.GET.items() if k not in (name, "p")}
    everything = f"?{urlencode(base)}"
    entries = [{"display": "All", "selected": not current, "query_string": everything}]
    for value in values:
        query = urlencode({**base, name: value})
        label = findings.type_label(value) if name == "object_type" else value
        display = f"{label} ({counts.get(value, 0)})"
        entries.append(
            {
                "display": display,
                "selected": current == value,
                "query_string": f"?{query}",
            }
        )
    return entries


def filter_counts(as_of: Any, wanted: dict[str, Any]) -> tuple[Any, dict[str, Any]]:
    """The findings matching the filters, and per filter how many findings
    have each value: today's from the stored table, a past date's computed."""
    if as_of is None:
        everything, counts = findings_store.stored_and_tallied()
        shown: Any = everything.filter(**{k: v for k, v in wanted.items() if v})
        return shown, counts
    found = findings.current(as_of)
    counted = {name: Counter(getattr(f, name) for f in found) for name in FILTERS}
    return findings.select(found, **wanted), counted


def as_finding(item: Any) -> Finding:
    return item if isinstance(item, Finding) else findings_store.as_finding(item)


def findings_list(request: HttpRequest) -> HttpResponse:
    """/admin/findings/: every finding, filtered by severity, code and object
    type, optionally as of a past date (``?as_of=2026-03-31``), PER_PAGE a page."""
    if not may_see_findings(request.user):
        raise PermissionDenied
    as_of_text = request.GET.get("as_of", "")
    try:
        as_of = resolve_as_of(parse_when(as_of_text, "as_of")) if as_of_text else None
    except ReportError as exc:
        as_of, error = None, str(exc)
    else:
        error = ""
    wanted = {k: request.GET.get(k) or None for k in FILTERS}
    shown, counts = filter_counts(as_of, wanted)
    page = Paginator(shown, PER_PAGE).get_page(request.GET.get("p"))
    page_findings = [as_finding(item) for item in page]
    filters = [
        ("severity", list(findings.SEVERITIES)),
        ("code", sorted(counts["code"])),
        ("object type", sorted(counts["object_type"])),
    ]
    context = {
        **admin.site.each_context(request),
        "title": "Findings",
        "findings": [
            (f, f.admin_url(), findings.type_label(f.object_type))
            for f in page_findings
        ],
        "page": page,
        "total": sum(counts["severity"].values()),
        "as_of": as_of_text if not error else "",
        "error": error,
        "filters": [
            {
                "title": title,
                "choices": choices(
                    request,
                    title.replace(" ", "_"),
                    values,
                    counts[title.replace(" ", "_")],
                ),
            }
            for title, values in filters
        ],
        "keep": {k: v for k, v in request.GET.items() if k in FILTERS and v},
        "page_query": urlencode(
            {k: v for k, v in request.GET.items() if k != "p" and v}
        ),
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
