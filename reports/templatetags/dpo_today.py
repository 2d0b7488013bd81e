"""The admin index's "Today" panel: what needs the DPO today. Data subject
requests overdue or due this week (Art. 12(3) GDPR; CCPA regs sec. 7021),
findings by severity, and records whose review is due (Art. 24(1) GDPR; EDPB
Recommendations 01/2020 step 6 for TIAs)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django import template
from django.utils import timezone

from dsr.models import DataSubjectRequest
from inventory.models import ProcessingActivity
from reports import findings, findings_store
from reports.findings_admin import may_see_findings
from transfers.models import TransferImpactAssessment

register = template.Library()
WEEK = 7
REVIEW_HORIZON_DAYS = 30


def requests_today(today: Any) -> dict[str, list[DataSubjectRequest]]:
    """Open requests overdue, and due within a week, by due date."""
    open_requests = DataSubjectRequest.objects.open().select_related("customer")
    overdue, due = [], []
    for request in open_requests.order_by("due_on", "reference"):
        left = request.days_left(today)
        if left is None:
            continue
        if left < 0:
            overdue.append(request)
        elif left <= WEEK:
            due.append(request)
    return {"overdue": overdue, "due_this_week": due}


def reviews_due(today: Any) -> list[Any]:
    """Activities and TIAs whose next review falls within 30 days (or passed)."""
    horizon = today + timedelta(days=REVIEW_HORIZON_DAYS)
    activities = ProcessingActivity.objects.exclude(status="retired").filter(
        next_review_on__lte=horizon
    )
    tias = TransferImpactAssessment.objects.filter(
        next_review_on__lte=horizon
    ).select_related("transfer")
    records = [*activities, *tias]
    return sorted(records, key=lambda r: (r.next_review_on, str(r)))


@register.inclusion_tag("admin/kbinventory/today.html", takes_context=True)
def dpo_today(context: dict[str, Any]) -> dict[str, Any]:
    request = context["request"]
    user = request.user
    today = timezone.localdate()
    panel: dict[str, Any] = {"today": today}
    if user.has_perm("dsr.view_datasubjectrequest"):
        panel["requests"] = requests_today(today)
        panel["show_requesters"] = user.has_perm("dsr.change_datasubjectrequest")
    if may_see_findings(user):
        counts = findings_store.stored_and_tallied()[1]["severity"]
        panel["severities"] = [(s, counts.get(s, 0)) for s in findings.SEVERITIES]
        panel["reviews"] = reviews_due(today)
    return panel
