"""The DPO's workspace: every inventory record, searchable, with its history."""

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from simple_history.admin import SimpleHistoryAdmin

from inventory.formsets import ConditionFormSet, InlineFormSet, LawfulBasisFormSet
from inventory.history import delete_with_history
from inventory.history_diffs import deltas
from inventory.models import (
    ActivityLawfulBasis,
    Customer,
    DataCategory,
    DataSubjectCategory,
    DeletionRun,
    LegalEntity,
    Plan,
    PlanLimit,
    ProcessingActivity,
    ProductFeature,
    Region,
    RetentionOverride,
    SecurityMeasure,
    SpecialCategoryCondition,
    System,
    Vendor,
    latest_version,
    stale_edit_message,
)
from inventory.notices import (
    MAIL_DOWN_ADVICE,
    MailServerDown,
    NoticeStateError,
    SubprocessorNotice,
)

admin.site.site_header = "kbinventory: data-protection inventory"
admin.site.site_title = "kbinventory"
admin.site.index_template = "admin/kbinventory/index.html"


VERSION_FIELD = "version"


class VersionedForm(forms.ModelForm[Any]):
    """Carries the version (history_id of the latest historical record) the
    editor opened; a save based on an older one is refused, naming who changed
    the record and when (two DPOs never silently overwrite each other)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)
    # A revert must name the version it started from: without one it is stale.
    version_required = False

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        latest = latest_version(self.instance) if self.instance.pk else None
        self.fields[VERSION_FIELD].initial = latest.history_id if latest else ""

    def clean(self) -> dict[str, Any] | None:
        data = super().clean()
        if self.instance.pk:
            # Row lock (the admin saves in a transaction): of two saves at once,
            # the second waits and then sees the first one's version.
            rows = type(self.instance)._default_manager.select_for_update()
            rows.filter(pk=self.instance.pk).first()
            version = self.cleaned_data.get(VERSION_FIELD)
            message = stale_edit_message(self.instance, version)
            if not version and self.version_required:
                message = STALE_WITHOUT_VERSION
            if message:
                raise forms.ValidationError(message, code="stale")
        return data


STALE_WITHOUT_VERSION = (
    "This page did not say which version of the record you opened. Nothing was "
    "saved: reload the page to see the current version, then revert again."
)


class RevertForm(VersionedForm):
    version_required = True


def with_version_field(fieldsets: Any, editing: bool) -> list[Any]:
    """The fieldsets with the hidden version field in the first one when the
    user edits a record, and nowhere otherwise (read-only pages cannot show it)."""
    cleaned = [
        (name, {**opts, "fields": [f for f in opts["fields"] if f != VERSION_FIELD]})
        for name, opts in fieldsets
    ]
    if editing and cleaned:
        name, opts = cleaned[0]
        cleaned[0] = (name, {**opts, "fields": [*opts["fields"], VERSION_FIELD]})
    return cleaned


class InventoryAdmin(SimpleHistoryAdmin):
    """History on every record (docs/architecture.md); the acting user is
    recorded by HistoryRequestMiddleware, a change reason can be given in the
    form; a stale save is refused (VersionedForm); a delete detaches the record
    with history. The ``reports`` app adds each record's findings to its change
    page and changelist (``reports.findings_admin.add_findings_to_admin``)."""

    save_on_top = True
    list_per_page = 100
    form = VersionedForm

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        editing = obj is not None and self.has_change_permission(request, obj)
        return with_version_field(super().get_fieldsets(request, obj), editing)

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        """Records that named ``obj`` get a version without it (as in the API)."""
        delete_with_history(obj, request.user)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> None:
        for obj in queryset:
            delete_with_history(obj, request.user)

    def hidden_relations(self, request: HttpRequest) -> list[str]:
        """Fields naming inventory records the user may not read (Sales sees
        no processing activity on a feature's page): left out of the page and
        of its history."""
        user = request.user
        return [
            f.name
            for f in self.model._meta.get_fields()
            if f.concrete
            and (f.many_to_many or f.many_to_one)
            and f.related_model is not None
            and f.related_model._meta.app_label in ("inventory", "transfers")
            and not user.has_perm(
                f"{f.related_model._meta.app_label}."
                f"view_{f.related_model._meta.model_name}"
            )
        ]

    def get_exclude(self, request: HttpRequest, obj: Any = None) -> Any:
        excluded = list(super().get_exclude(request, obj) or [])
        return excluded + self.hidden_relations(request) or None

    def set_history_delta_changes(
        self,
        request: HttpRequest,
        historical_records: Any,
        foreign_keys_are_objs: bool = True,
    ) -> None:
        """simple-history's deltas, without the fields hidden from this user,
        each many-to-many set read once for the page (inventory.history_diffs)."""
        hidden = self.hidden_relations(request)
        for record, delta in deltas(list(historical_records), hidden):
            helper = self.get_historical_record_context_helper(request, record)
            record.history_delta_changes = helper.context_for_delta_changes(delta)

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if is_revert(request):
            kwargs["form"] = RevertForm
        return super().get_form(request, obj, change, **kwargs)

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """simple-history's revert page checks only the view permission and
        saves on POST: a revert is an edit, so it needs the change permission
        (and, through RevertForm, the version the editor opened)."""
        history_model = self.model.history.model
        try:
            self.model._meta.pk.to_python(object_id)
            history_model._meta.pk.to_python(version_id)
        except ValidationError:
            raise Http404("No such version.") from None
        if request.method == "POST" and not self.has_change_permission(request):
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        return response


def is_revert(request: HttpRequest) -> bool:
    """Whether the request is for simple-history's revert page."""
    match = request.resolver_match
    return match is not None and (match.url_name or "").endswith("_simple_history")


@admin.action(description="Mark reviewed", permissions=["change"])
def mark_reviewed(
    modeladmin: admin.ModelAdmin[Any], request: HttpRequest, queryset: QuerySet[Any]
) -> None:
    """Review cycle (Art. 24(1) GDPR; EDPB Recs 01/2020 step 6): who and when,
    and the next review one interval from today."""
    records = list(queryset)
    for record in records:
        record.mark_reviewed(request.user)
    dates = sorted({str(r.next_review_on) for r in records})
    modeladmin.message_user(
        request, f"{len(records)} marked reviewed; next review on {', '.join(dates)}."
    )


@admin.display(description="Country", ordering="country")
def country_name(obj: LegalEntity | Vendor) -> str:
    """A changelist's country column: the admin's default looks the code up
    in the field's 250 choices, rebuilt for every cell."""
    return str(obj.country.name)


@admin.register(LegalEntity)
class LegalEntityAdmin(InventoryAdmin):
    list_display = ["name", country_name, "dpo", "representative"]
    list_filter = ["country"]
    search_fields = ["name", "contact", "dpo"]


@admin.register(DataSubjectCategory)
class DataSubjectCategoryAdmin(InventoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]


@admin.register(DataCategory)
class DataCategoryAdmin(InventoryAdmin):
    list_display = [
        "code",
        "name",
        "special_category",
        "art9_kind",
        "criminal_offence",
        "ccpa_category",
        "retention_period",
        "retention_unit",
        "end_action",
        "retention",
    ]
    list_filter = ["special_category", "art9_kind", "criminal_offence", "end_action"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["retention_follows"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "code",
                    "name",
                    "description",
                    "special_category",
                    "art9_kind",
                    "criminal_offence",
                    "ccpa_category",
                ]
            },
        ),
        (
            "Retention schedule (Art. 5(1)(e), Art. 30(1)(f))",
            {
                "fields": [
                    "retention_period",
                    "retention_unit",
                    "retention_from",
                    "retention_follows",
                    "retention",
                    "end_action",
                    "end_method",
                    "retention_legal_basis",
                    "deletion_interval_days",
                ]
            },
        ),
    ]


@admin.register(SecurityMeasure)
class SecurityMeasureAdmin(InventoryAdmin):
    list_display = ["name", "annex_ii_heading", "not_applicable"]
    list_filter = ["annex_ii_heading", "not_applicable"]
    search_fields = ["name", "description"]


@admin.register(Vendor)
class VendorAdmin(InventoryAdmin):
    list_display = [
        "name",
        "service",
        "role",
        country_name,
        "dpf_certified",
        "dpa_signed_on",
        "baa_signed",
    ]
    list_filter = ["role", "country", "dpf_certified", "baa_signed"]
    search_fields = ["name", "service"]


@admin.register(System)
class SystemAdmin(InventoryAdmin):
    list_display = ["name", "vendor", "hosting_countries"]
    list_select_related = ["vendor"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["vendor"]


class LawfulBasisInline(admin.TabularInline[ActivityLawfulBasis, ProcessingActivity]):
    """Each Art. 6(1) basis with the purposes it covers; each row keeps its
    own history."""

    model = ActivityLawfulBasis
    formset = LawfulBasisFormSet
    extra = 0


class ConditionInline(
    admin.TabularInline[SpecialCategoryCondition, ProcessingActivity]
):
    """The Art. 9(2) condition per special category (else ``art9_condition``)."""

    model = SpecialCategoryCondition
    formset = ConditionFormSet
    extra = 0
    autocomplete_fields = ["data_category"]


@admin.register(ProcessingActivity)
class ProcessingActivityAdmin(InventoryAdmin):
    list_display = [
        "ref",
        "name",
        "role",
        "lawful_basis",
        "status",
        "dpia_required",
        "next_review_on",
    ]
    list_filter = ["role", "status", "lawful_basis", "dpia_required", "art9_condition"]
    search_fields = ["ref", "name", "purposes", "owner"]
    list_select_related = ["reviewed_by"]
    autocomplete_fields = [
        "data_subject_categories",
        "data_categories",
        "recipients",
        "systems",
        "security_measures",
    ]
    readonly_fields = ["reviewed_on", "reviewed_by"]
    actions = [mark_reviewed]
    inlines = [LawfulBasisInline, ConditionInline]
    fieldsets = [
        (None, {"fields": ["ref", "name", "role", "status", "owner", "purposes"]}),
        (
            "Lawfulness (Art. 6, 9, 10)",
            {
                "fields": [
                    "lawful_basis",
                    "legitimate_interest",
                    "lia_reference",
                    "consent_record_reference",
                    "art9_condition",
                    "art10_basis",
                ]
            },
        ),
        (
            "Data (Art. 30(1)(c)-(g))",
            {
                "fields": [
                    "data_subject_categories",
                    "data_categories",
                    "data_source",
                    "recipients",
                    "systems",
                    "security_measures",
                    "retention",
                ]
            },
        ),
        (
            "Individuals' rights, profiling (Art. 12-22)",
            {
                "fields": [
                    "rights_available",
                    "profiling",
                    "automated_decisions",
                    "automated_decision_logic",
                ]
            },
        ),
        (
            "Risk and review",
            {
                "fields": [
                    "dpia_required",
                    "dpia_status",
                    "dpia_reference",
                    "next_review_on",
                    "reviewed_on",
                    "reviewed_by",
                ]
            },
        ),
    ]


@admin.register(ProductFeature)
class ProductFeatureAdmin(InventoryAdmin):
    list_display = ["name", "description"]
    search_fields = ["name", "description"]
    autocomplete_fields = ["activities", "vendors", "systems"]


class RetentionOverrideInline(admin.TabularInline[RetentionOverride, Customer]):
    """The customer's retention settings; each row keeps its own history."""

    model = RetentionOverride
    formset = InlineFormSet
    extra = 0
    autocomplete_fields = ["data_category"]
    verbose_name = "retention setting"


@admin.register(Customer)
class CustomerAdmin(InventoryAdmin):
    list_display = [
        "name",
        "country",
        "plan",
        "residency_region",
        "dpa_version",
        "dpa_signed_on",
        "baa_signed",
    ]
    list_filter = ["country", "baa_signed", "clause9_option", "plan"]
    list_select_related = ["plan", "residency_region"]
    search_fields = ["name", "contact", "dpo"]
    autocomplete_fields = ["features"]
    inlines = [RetentionOverrideInline]


class PlanLimitInline(admin.TabularInline[PlanLimit, Plan]):
    model = PlanLimit
    formset = InlineFormSet
    extra = 0
    autocomplete_fields = ["data_category"]


@admin.register(Plan)
class PlanAdmin(InventoryAdmin):
    list_display = ["name", "transcript_export", "baa_available"]
    search_fields = ["name", "description"]
    filter_horizontal = ["regions"]
    inlines = [PlanLimitInline]


@admin.register(Region)
class RegionAdmin(InventoryAdmin):
    list_display = ["code", "name"]
    search_fields = ["code", "name", "description"]
    autocomplete_fields = ["systems", "vendors"]


@admin.register(DeletionRun)
class DeletionRunAdmin(InventoryAdmin):
    """Evidence reported by the deletion jobs through the API: read-only here,
    for everyone (append-only: nobody adds, changes or deletes a run by hand)."""

    list_display = [
        "finished_at",
        "system",
        "data_category",
        "customer",
        "retention_days",
        "deleted",
        "outcome",
    ]
    list_filter = ["outcome", "data_category", "customer", "system"]
    list_select_related = ["system", "data_category", "customer"]
    date_hierarchy = "finished_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


NoticeAct = Callable[[SubprocessorNotice, Any], str]


def send_act(new_period: bool) -> NoticeAct:
    def act(notice: SubprocessorNotice, user: Any) -> str:
        if notice.send(user, new_period=new_period):
            return f"sent to {notice.sent_to}."
        return (
            f"already sent on {notice.sent_at:%Y-%m-%d %H:%M} to {notice.sent_to}: "
            "nothing sent again (use Resend a copy)."
        )

    return act


def resend_act(notice: SubprocessorNotice, user: Any) -> str:
    notice.resend(user)
    return f"copy sent to {notice.resent_to}."


class AnswerForm(forms.Form):
    """The day the customer answered (or the objection was resolved): the
    record keeps the customer's date, not the day the DPO typed it in."""

    on = forms.DateField(
        label="On",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)

    def __init__(self, *args: Any, with_note: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not with_note:
            del self.fields["note"]


def respond_act(response: str, form: AnswerForm) -> NoticeAct:
    def act(notice: SubprocessorNotice, user: Any) -> str:
        on = form.cleaned_data["on"]
        notice.record_response(notice.customer, response, on, user)
        return f"{response} on {on:%Y-%m-%d} recorded."

    return act


def resolve_act(resolution: str, form: AnswerForm) -> NoticeAct:
    def act(notice: SubprocessorNotice, user: Any) -> str:
        data = form.cleaned_data
        notice.resolve(resolution, data["on"], user, data.get("note", ""))
        return f"objection resolved ({notice.get_resolution_display().lower()})."

    return act


@admin.register(SubprocessorNotice)
class SubprocessorNoticeAdmin(InventoryAdmin):
    """Notices are created by the changes they announce (Clause 9(a) SCC
    2021/914) and are evidence: nobody edits or deletes them. The DPO sends
    them, resends a copy, records the customer's answer and how an objection
    ended, each through an action that keeps who and when."""

    list_display = [
        "customer",
        "vendor_name",
        "change",
        "status",
        "drafted_on",
        "sent_at",
        "effective_date",
        "objection_deadline",
        "resolution",
    ]
    list_filter = ["status", "change", "resolution", "customer", "drafted_on"]
    list_select_related = ["customer"]
    search_fields = ["customer__name", "vendor_name", "description"]
    date_hierarchy = "drafted_on"
    actions = [
        "send_notices",
        "send_with_new_period",
        "resend_notices",
        "record_objections",
        "record_acceptances",
        "resolve_change_withdrawn",
        "resolve_customer_terminated",
        "resolve_objection_withdrawn",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # The actions need the change permission; the record itself is
        # read-only for everyone (status and dates change only by actions).
        return obj is None and super().has_change_permission(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def revert_disabled(self, request: HttpRequest, obj: Any = None) -> bool:
        return True

    def history_form_view(
        self,
        request: HttpRequest,
        object_id: str,
        version_id: str,
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        """Earlier versions can be read, never restored."""
        if request.method == "POST":
            raise PermissionDenied
        response: HttpResponse = super().history_form_view(
            request, object_id, version_id, extra_context
        )
        return response

    def _each(
        self,
        request: HttpRequest,
        notices: QuerySet[SubprocessorNotice],
        act: NoticeAct,
    ) -> None:
        for notice in notices.select_related("customer"):
            try:
                done = act(notice, request.user)
            except ValidationError as exc:
                self.message_user(
                    request, f"{notice}: {' '.join(exc.messages)}", messages.ERROR
                )
            except NoticeStateError as exc:
                self.message_user(request, f"{notice}: {exc}", messages.ERROR)
            except MailServerDown as exc:
                self.message_user(
                    request, f"{notice}: {exc}. {MAIL_DOWN_ADVICE}", messages.ERROR
                )
            else:
                self.message_user(request, f"{notice}: {done}")

    @admin.action(
        description="Send notice (dates count from today)", permissions=["change"]
    )
    def send_notices(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> None:
        """Email each notice to its customer's privacy contact, once."""
        self._each(request, queryset, send_act(new_period=False))

    @admin.action(
        description="Send with a new notice period (change was due already)",
        permissions=["change"],
    )
    def send_with_new_period(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> None:
        self._each(request, queryset, send_act(new_period=True))

    @admin.action(description="Resend a copy of a sent notice", permissions=["change"])
    def resend_notices(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> None:
        self._each(request, queryset, resend_act)

    def answer(
        self,
        request: HttpRequest,
        queryset: QuerySet[SubprocessorNotice],
        title: str,
        make_act: Callable[[AnswerForm], NoticeAct],
        with_note: bool = False,
    ) -> TemplateResponse | None:
        """An intermediate page asking the date (and a note), then the act."""
        if "apply" in request.POST:
            form = AnswerForm(request.POST, with_note=with_note)
            if form.is_valid():
                self._each(request, queryset, make_act(form))
                return None
        else:
            today = timezone.localdate()
            form = AnswerForm(initial={"on": today}, with_note=with_note)
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "form": form,
            "notices": queryset,
            "action": request.POST.get("action", ""),
            "opts": self.opts,
        }
        return TemplateResponse(
            request, "admin/inventory/subprocessornotice/answer.html", context
        )

    @admin.action(description="Record objection", permissions=["change"])
    def record_objections(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> TemplateResponse | None:
        objected = SubprocessorNotice.Response.OBJECTED
        return self.answer(
            request,
            queryset,
            "Record the customer's objection",
            lambda form: respond_act(objected, form),
        )

    @admin.action(description="Record acceptance", permissions=["change"])
    def record_acceptances(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> TemplateResponse | None:
        accepted = SubprocessorNotice.Response.ACCEPTED
        return self.answer(
            request,
            queryset,
            "Record the customer's acceptance",
            lambda form: respond_act(accepted, form),
        )

    @admin.action(
        description="Objection resolved: change withdrawn", permissions=["change"]
    )
    def resolve_change_withdrawn(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> TemplateResponse | None:
        return self.resolution(request, queryset, RESOLUTION.CHANGE_WITHDRAWN)

    @admin.action(
        description="Objection resolved: customer terminated", permissions=["change"]
    )
    def resolve_customer_terminated(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> TemplateResponse | None:
        return self.resolution(request, queryset, RESOLUTION.CUSTOMER_TERMINATED)

    @admin.action(
        description="Objection resolved: objection withdrawn", permissions=["change"]
    )
    def resolve_objection_withdrawn(
        self, request: HttpRequest, queryset: QuerySet[SubprocessorNotice]
    ) -> TemplateResponse | None:
        return self.resolution(request, queryset, RESOLUTION.OBJECTION_WITHDRAWN)

    def resolution(
        self,
        request: HttpRequest,
        queryset: QuerySet[SubprocessorNotice],
        resolution: str,
    ) -> TemplateResponse | None:
        label = RESOLUTION(resolution).label.lower()
        return self.answer(
            request,
            queryset,
            f"Record the objection's resolution: {label}",
            lambda form: resolve_act(resolution, form),
            with_note=True,
        )


RESOLUTION = SubprocessorNotice.Resolution
