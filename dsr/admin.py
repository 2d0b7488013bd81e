"""The DPO's register of data subject requests: ordered by due date, overdue
rows marked, the days left on every row, and the actions that move a request
from received to closed (verify, extend, forward, close) with history."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.html import format_html
from simple_history.admin import SimpleHistoryAdmin

from dsr.mail import acknowledge
from dsr.models import DataSubjectRequest, Message, RequestTask, Right
from dsr.serializers import CLOSE_OUTCOMES, sees_identities
from inventory.admin import VersionedForm, with_version_field
from inventory.notices import MailServerDown

Request = DataSubjectRequest
IDENTITY_FIELDS = ("requester_name", "requester_email", "subject_identifiers")


class RightFilter(admin.SimpleListFilter):
    title = "right"
    parameter_name = "right"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return Right.choices

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        value = self.value()
        return queryset.with_right(value) if value else queryset  # type: ignore[attr-defined]


class DueFilter(admin.SimpleListFilter):
    title = "deadline"
    parameter_name = "due"

    def lookups(self, request: HttpRequest, model_admin: Any) -> Any:
        return [("overdue", "Overdue"), ("week", "Due within 7 days")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        today = timezone.localdate()
        if self.value() == "overdue":
            return queryset.overdue(today)  # type: ignore[attr-defined]
        if self.value() == "week":
            return queryset.due_within(today, 7)  # type: ignore[attr-defined]
        return queryset


class ExtendForm(forms.Form):
    reason = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Told to the subject with the extension (Art. 12(3)).",
    )
    told_on = forms.DateField(
        required=False, help_text="When the subject was told; empty: today."
    )


class PauseForm(forms.Form):
    reason = forms.CharField(
        max_length=90, help_text="What you are waiting for (identity, clarification)."
    )


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(choices=CLOSE_OUTCOMES)
    ground = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="For a refusal: the ground (Art. 12(4), (5); Art. 17(3); CCPA).",
    )


class TaskForm(forms.ModelForm[RequestTask]):
    done = forms.BooleanField(required=False, label="Done")

    class Meta:
        model = RequestTask
        fields = ["action", "target", "detail", "result"]


class TaskInline(admin.TabularInline[RequestTask, Request]):
    """The checklist: where the subject's data lives, who did what, when."""

    model = RequestTask
    form = TaskForm
    extra = 0
    fields = ["action", "target", "detail", "result", "done", "done_by", "done_at"]
    readonly_fields = ["action", "target", "detail", "done_by", "done_at"]
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def get_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_fields(request, obj))
        if sees_identities(request.user):
            return fields
        return [f for f in fields if f not in ("result", "done")]


class MessageInline(admin.StackedInline[Message, Request]):
    """The correspondence, read-only; shown to those who see requesters."""

    model = Message
    extra = 0
    can_delete = False
    fields = readonly_fields = (
        "direction",
        "sent_at",
        "sender",
        "recipients",
        "subject",
        "body",
        "files",
    )

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return sees_identities(request.user)

    @admin.display(description="attachments")
    def files(self, message: Message) -> str:
        return ", ".join(
            f"{a.filename} ({a.size} bytes)" for a in message.attachments.all()
        )


@admin.register(DataSubjectRequest)
class DataSubjectRequestAdmin(SimpleHistoryAdmin):
    form = VersionedForm
    save_on_top = True
    list_display = [
        "reference",
        "due",
        "days_left_shown",
        "regime",
        "rights_shown",
        "status",
        "verification",
        "requester",
        "customer",
        "received_at",
    ]
    list_filter = [DueFilter, "regime", RightFilter, "status", "role", "customer"]
    list_select_related = ["customer"]
    search_fields = ["reference"]
    ordering = ["due_on", "reference"]
    date_hierarchy = "received_at"
    inlines = [TaskInline, MessageInline]
    actions = [
        "verify_identity",
        "extend_deadline",
        "forward_to_controller",
        "close_requests",
        "pause_clock",
        "resume_clock",
        "plan_tasks",
        "send_verification_code",
        "acknowledge_by_email",
    ]
    readonly_fields = [
        "due_on",
        "acknowledge_by",
        "days_left_shown",
        "closed_at",
        "forwarded_at",
        "purged_at",
    ]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "reference",
                    "received_at",
                    "channel",
                    "regime",
                    "rights",
                    "status",
                    "due_on",
                    "acknowledge_by",
                    "days_left_shown",
                ]
            },
        ),
        (
            "Requester and subject",
            {
                "fields": [
                    "requester_name",
                    "requester_email",
                    "authorised_agent",
                    "subject_identifiers",
                    "subject_category",
                    "verification",
                ]
            },
        ),
        ("Our role", {"fields": ["role", "customer", "forwarded_to", "forwarded_at"]}),
        (
            "Deadline",
            {
                "fields": [
                    "acknowledged_on",
                    "extension_reason",
                    "extension_told_on",
                    "extended_to",
                    "paused_on",
                    "paused_days",
                ]
            },
        ),
        (
            "Outcome",
            {
                "fields": [
                    "outcome",
                    "refusal_ground",
                    "closed_at",
                    "notes",
                    "purged_at",
                ]
            },
        ),
    ]

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        editing = obj is not None and self.has_change_permission(request, obj)
        sets = with_version_field(super().get_fieldsets(request, obj), editing)
        if sees_identities(request.user):
            return sets
        return [
            (
                name,
                {
                    **opts,
                    "fields": [
                        "requester" if f == "requester_name" else f
                        for f in opts["fields"]
                        if f not in IDENTITY_FIELDS[1:]
                    ],
                },
            )
            for name, opts in sets
        ]

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        fields = list(super().get_readonly_fields(request, obj))
        return fields if sees_identities(request.user) else [*fields, "requester"]

    def get_search_fields(self, request: HttpRequest) -> Any:
        if sees_identities(request.user):
            return ["reference", "requester_name", "requester_email"]
        return ["reference"]

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Past versions show the requester: only to those who see them."""
        if not sees_identities(request.user):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        return response

    # -- columns -----------------------------------------------------------

    @admin.display(description="due on", ordering="due_on")
    def due(self, obj: Request) -> Any:
        due = obj.due_date(timezone.localdate())
        if obj.is_overdue():
            return format_html('<strong class="dsr-overdue">{} OVERDUE</strong>', due)
        return due

    @admin.display(description="days left")
    def days_left_shown(self, obj: Request) -> Any:
        left = obj.days_left()
        if left is None:
            return "closed" if obj.status == Request.Status.CLOSED else "-"
        if obj.paused_on is not None:
            return f"{left} (paused)"
        return left

    @admin.display(description="rights")
    def rights_shown(self, obj: Request) -> str:
        return ", ".join(obj.rights)

    @admin.display(description="requester")
    def requester(self, obj: Request) -> str:
        return obj.pseudonym()

    def save_formset(
        self, request: HttpRequest, form: Any, formset: Any, change: bool
    ) -> None:
        """A task ticked done records who did it and when."""
        for task_form in formset.forms:
            task = task_form.instance
            if task_form.cleaned_data.get("done") and task.done_at is None:
                task.done_by, task.done_at = request.user, timezone.now()
        super().save_formset(request, form, formset, change)

    # -- actions -----------------------------------------------------------

    def each(
        self,
        request: HttpRequest,
        queryset: QuerySet[Request],
        act: Callable[[Request], Any],
        done: str,
    ) -> None:
        count = 0
        for obj in queryset:
            try:
                act(obj)
            except MailServerDown as exc:
                self.message_user(request, f"{obj}: {exc}", messages.ERROR)
            except ValidationError as exc:
                self.message_user(
                    request, f"{obj}: {' '.join(exc.messages)}", messages.ERROR
                )
            else:
                count += 1
        if count:
            self.message_user(request, f"{count} request(s) {done}.")

    def ask(
        self,
        request: HttpRequest,
        queryset: QuerySet[Request],
        form_class: type[forms.Form],
        title: str,
        apply: Callable[[Request, dict[str, Any]], Any],
        done: str,
    ) -> HttpResponse | None:
        """An action that needs input: a form first, then each request."""
        form = form_class(request.POST if "apply" in request.POST else None)
        if form.is_valid():
            self.each(request, queryset, lambda r: apply(r, form.cleaned_data), done)
            return None
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "queryset": queryset,
            "action": request.POST.get("action"),
            "opts": self.opts,
            "action_checkbox_name": ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/dsr/action_form.html", context)

    @admin.action(description="Verify identity", permissions=["change"])
    def verify_identity(
        self, request: HttpRequest, queryset: QuerySet[Request]
    ) -> None:
        self.each(request, queryset, lambda r: r.verify(request.user), "verified")

    @admin.action(
        description="Extend the deadline (reason required)", permissions=["change"]
    )
    def extend_deadline(
        self, request: HttpRequest, queryset: QuerySet[Request]
    ) -> HttpResponse | None:
        return self.ask(
            request,
            queryset,
            ExtendForm,
            "Extend the deadline",
            lambda r, d: r.extend(request.user, d["reason"], d["told_on"]),
            "extended",
        )

    @admin.action(
        description="Forward to the customer (controller)", permissions=["change"]
    )
    def forward_to_controller(
        self, request: HttpRequest, queryset: QuerySet[Request]
    ) -> None:
        self.each(request, queryset, lambda r: r.forward(request.user), "forwarded")

    @admin.action(description="Close", permissions=["change"])
    def close_requests(
        self, request: HttpRequest, queryset: QuerySet[Request]
    ) -> HttpResponse | None:
        return self.ask(
            request,
            queryset,
            CloseForm,
            "Close the requests",
            lambda r, d: r.close(request.user, d["outcome"], d["ground"]),
            "closed",
        )

    @admin.action(description="Pause the clock (UK)", permissions=["change"])
    def pause_clock(
        self, request: HttpRequest, queryset: QuerySet[Request]
    ) -> HttpResponse | None:
        return self.ask(
            request,
            queryset,
            PauseForm,
            "Pause the clock",
            lambda r, d: r.pause(request.user, d["reason"]),
            "paused",
        )

    @admin.action(description="Restart the clock", permissions=["change"])
    def resume_clock(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        self.each(request, queryset, lambda r: r.resume(request.user), "restarted")

    @admin.action(description="Email a verification code", permissions=["change"])
    def send_verification_code(
        self, request: HttpRequest, queryset: QuerySet[Request]
    ) -> None:
        def send(r: Request) -> None:
            r.send_verification(request.user)

        self.each(request, queryset, send, "sent a code")

    @admin.action(description="Acknowledge by email", permissions=["change"])
    def acknowledge_by_email(
        self, request: HttpRequest, queryset: QuerySet[Request]
    ) -> None:
        self.each(
            request, queryset, lambda r: acknowledge(r, request.user), "acknowledged"
        )

    @admin.action(
        description="List where the data lives (tasks)", permissions=["change"]
    )
    def plan_tasks(self, request: HttpRequest, queryset: QuerySet[Request]) -> None:
        self.each(request, queryset, lambda r: r.create_tasks(request.user), "planned")
