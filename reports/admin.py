"""Report runs in the admin: request a report, follow it, download the workbook.

DPO and Auditor request and download every kind, Sales only the DPA annexes
(docs/api.md, roles, `reports.models.may_request`). A run is a record of what was
generated, so nobody edits it; only the DPO may delete one.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.shortcuts import get_object_or_404
from django.urls import URLPattern, path, reverse
from django.utils.html import format_html

from inventory.models import Customer
from reports.models import (
    BROKER_DOWN,
    XLSX_CONTENT_TYPE,
    ReportRun,
    ReportRunQuerySet,
    kinds_for,
    may_request,
)
from reports.requests import InvalidRequest, ReportRequest, check_request
from transfers.models import Transfer

WHEN_HELP = (
    "ISO 8601 date or date-time, UTC unless an offset is given; a date means the "
    "end of that day (2026-03-31)."
)
Kind = ReportRun.Kind


class ReportRequestForm(forms.ModelForm[ReportRun]):
    """The options of `manage.py report` (docs/reports.md), checked the same way."""

    user: Any = None  # the requesting user, set by ReportRunAdmin.get_form

    as_of = forms.CharField(
        label="As of",
        required=False,
        help_text=f"{WHEN_HELP} Empty: the latest recorded change.",
    )
    since = forms.CharField(required=False, help_text=f"Change log only. {WHEN_HELP}")
    customer = forms.ModelChoiceField(
        queryset=Customer.objects.order_by("name"),
        to_field_name="name",
        required=False,
        help_text="DPA annexes only, and required for them.",
    )
    transfer = forms.ModelChoiceField(
        queryset=Transfer.objects.order_by("name"),
        required=False,
        help_text="Transfer impact assessments only; empty: all transfers.",
    )

    class Meta:
        model = ReportRun
        fields = ["kind", "as_of"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = kinds_for(self.user)
        kind = self.fields["kind"]
        assert isinstance(kind, forms.ChoiceField)
        kind.choices = [(k, label) for k, label in Kind.choices if k in allowed]

    checked: ReportRequest | None = None

    def clean_as_of(self) -> str:
        return str(self.cleaned_data["as_of"]).strip()

    def clean_since(self) -> str:
        return str(self.cleaned_data["since"]).strip()

    def clean(self) -> dict[str, Any] | None:
        """The one request rule (reports.requests), errors on their fields."""
        data = super().clean() or {}
        kind = data.get("kind")
        if not kind or any(f in self.errors for f in ("customer", "transfer")):
            return data
        customer, transfer = data.get("customer"), data.get("transfer")
        try:
            self.checked = check_request(
                kind,
                as_of=data.get("as_of"),
                since=data.get("since"),
                customer=customer.pk if customer else None,
                transfer=transfer.pk if transfer else None,
                user=self.user,
            )
        except InvalidRequest as exc:
            for field, message in exc.errors.items():
                self.add_error(field if field in self.fields else None, message)
            return data
        data["as_of"] = self.checked.as_of
        return data

    def parameters(self) -> dict[str, Any]:
        """JSON-safe, as the builders take them: customer and transfer by id,
        since as ISO text (reports.requests)."""
        assert self.checked is not None
        return self.checked.parameters


@admin.register(ReportRun)
class ReportRunAdmin(admin.ModelAdmin[ReportRun]):
    list_display = [
        "id",
        "kind_name",
        "options",
        "as_of",
        "status",
        "download",
        "requested_by",
        "created_at",
        "note",
        "sha256_short",
    ]
    list_filter = ["status", "kind"]
    list_select_related = ["requested_by"]
    search_fields = ["sha256"]
    view_fields = [
        "kind",
        "parameters",
        "as_of",
        "status",
        "error",
        "sha256",
        "download",
        "requested_by",
        "created_at",
        "started_at",
        "finished_at",
        "attempts",
    ]

    def get_queryset(self, request: HttpRequest) -> ReportRunQuerySet:
        runs = super().get_queryset(request)
        assert isinstance(runs, ReportRunQuerySet)
        return runs.visible_to(request.user)

    def has_change_permission(
        self, request: HttpRequest, obj: ReportRun | None = None
    ) -> bool:
        return False  # a run records what was generated: never edited

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        if obj is None:
            return [
                (None, {"fields": ["kind", "as_of", "since", "customer", "transfer"]})
            ]
        return [(None, {"fields": self.view_fields})]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [] if obj is None else self.view_fields

    def get_form(
        self, request: Any, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            attrs = {"user": request.user}
            kwargs["form"] = type("ReportRequestForm", (ReportRequestForm,), attrs)
        return super().get_form(request, obj, change, **kwargs)

    def add_view(
        self,
        request: HttpRequest,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        context = {
            "title": "Request a report",
            "show_save_and_add_another": False,
            "show_save_and_continue": False,
            **(extra_context or {}),
        }
        return super().add_view(request, form_url, context)

    def save_model(self, request: Any, obj: ReportRun, form: Any, change: bool) -> None:
        obj.requested_by = request.user
        obj.parameters = form.parameters()
        super().save_model(request, obj, form, change)
        obj.enqueue()

    def response_add(
        self, request: HttpRequest, obj: ReportRun, post_url_continue: str | None = None
    ) -> HttpResponse:
        # After the run is committed and handed to the broker (enqueue).
        transaction.on_commit(lambda: self.tell_outcome(request, obj))
        return HttpResponseRedirect(reverse("admin:reports_reportrun_changelist"))

    def tell_outcome(self, request: HttpRequest, run: ReportRun) -> None:
        run.refresh_from_db()
        name = f"Report #{run.pk} ({run.kind})"
        if run.status == ReportRun.Status.DONE:
            messages.success(request, f"{name} is ready, SHA-256 {run.sha256}.")
        elif run.status == ReportRun.Status.FAILED:
            messages.error(request, f"{name} failed: {run.error}")
        elif run.waiting_for_broker:
            messages.warning(request, f"{name}: {BROKER_DOWN}")
        else:
            messages.info(
                request,
                f"{name} is queued and generated in the background: reload this "
                "page to see when it is ready.",
            )

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        ReportRun.objects.sweep()  # no run is left hanging because beat is down
        return super().changelist_view(request, extra_context)

    def get_urls(self) -> list[URLPattern]:
        view = self.admin_site.admin_view(self.download_view)
        name = "reports_reportrun_download"
        return [path("<int:pk>/download/", view, name=name), *super().get_urls()]

    def download_view(self, request: HttpRequest, pk: int) -> FileResponse:
        """The workbook as an attachment, for those who may see its kind."""
        run = get_object_or_404(ReportRun, pk=pk)
        if not self.has_view_permission(request, run) or not may_request(
            request.user, run.kind
        ):
            raise PermissionDenied
        if run.status != ReportRun.Status.DONE or not run.file:
            raise Http404("This report is not ready.")
        return FileResponse(
            run.file.open("rb"),
            as_attachment=True,
            filename=run.download_name(),
            content_type=XLSX_CONTENT_TYPE,
        )

    @admin.display(description="options")
    def options(self, run: ReportRun) -> str:
        return ", ".join(f"{k}={v}" for k, v in sorted(run.parameters.items()))

    @admin.display(description="kind", ordering="kind")
    def kind_name(self, run: ReportRun) -> str:
        return run.kind

    @admin.display(description="SHA-256")
    def sha256_short(self, run: ReportRun) -> str:
        if not run.sha256:
            return "-"
        return format_html('<span title="{}">{}…</span>', run.sha256, run.sha256[:12])

    @admin.display(description="note")
    def note(self, run: ReportRun) -> str:
        return run.error[:120]

    @admin.display(description="download")
    def download(self, run: ReportRun) -> str:
        if run.status != ReportRun.Status.DONE or not run.file:
            return "-"
        url = reverse("admin:reports_reportrun_download", args=[run.pk])
        name = run.download_name()
        return format_html('<a href="{}" title="{}">Download</a>', url, name)
