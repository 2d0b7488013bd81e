"""The daily findings digest: email the DPO what is new or became due.

Art. 39(1)(b) GDPR gives the DPO the task of monitoring compliance; the digest
brings them each morning the findings that were not in the previous digest
(a review date that passed overnight is such a new finding). Every run is
recorded as a ``FindingsDigest`` with all findings of that moment, so a second
run the same day finds nothing new and sends nothing.

The Celery task ``reports.tasks.send_findings_digest`` runs it daily
(CELERY_BEAT_SCHEDULE).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import timezone

from inventory.notices import SubprocessorNotice
from inventory.roles import DPO
from reports import findings
from reports.findings import Finding
from reports.models import FindingsDigest

log = logging.getLogger(__name__)


def recipients() -> list[str]:
    """Active users of the DPO group with an email, plus settings.DPO_EMAIL."""
    users = get_user_model().objects.filter(groups__name=DPO, is_active=True)
    emails = set(users.exclude(email="").values_list("email", flat=True))
    emails |= {a.strip() for a in settings.DPO_EMAIL.split(",") if a.strip()}
    return sorted(emails)


def stored_key(data: dict[str, Any]) -> tuple[str, str, int, str]:
    return (data["code"], data["object_type"], data["object_id"], data["message"])


def new_since(
    found: Sequence[Finding], previous: FindingsDigest | None
) -> list[Finding]:
    """The findings the previous digest did not contain."""
    seen = {stored_key(d) for d in previous.findings} if previous else set()
    return [f for f in found if f.key not in seen]


def absolute(path: str) -> str:
    """A link the reader can follow from a mail client (settings.SITE_URL)."""
    return f"{settings.SITE_URL}{path}"


def notices_section() -> str:
    """Sub-processor notices still to send (Clause 9(a) SCC 2021/914), the
    overdue ones first: their change was due before the customer was told."""
    today = timezone.localdate()
    pending = SubprocessorNotice.objects.pending().select_related("customer")
    overdue = [n for n in pending if n.took_effect_message(today)]
    waiting = [n for n in pending if n not in overdue]
    if not pending:
        return ""
    lines = [
        f"\n\nSub-processor notices: {len(waiting)} pending, {len(overdue)} overdue "
        f"(to send: {absolute(notices_url('pending'))})"
    ]
    lines += [
        f"- overdue: {n} (drafted {n.drafted_on:%Y-%m-%d}, was due "
        f"{n.planned_effective_date:%Y-%m-%d}: send with a new notice period) "
        f"{absolute(notice_url(n))}"
        for n in overdue
    ]
    lines += [
        f"- pending: {n} (drafted {n.drafted_on:%Y-%m-%d}"
        f"{', queued: mail server down' if n.send_queued_at else ''}) "
        f"{absolute(notice_url(n))}"
        for n in waiting
    ]
    return "\n".join(lines)


def notices_url(status: str) -> str:
    changelist = reverse("admin:inventory_subprocessornotice_changelist")
    return f"{changelist}?status__exact={status}"


def notice_url(notice: SubprocessorNotice) -> str:
    return reverse("admin:inventory_subprocessornotice_change", args=[notice.pk])


def message(new: Sequence[Finding], total: int) -> tuple[str, str]:
    """Subject and plain-text body of one digest."""
    errors = sum(f.severity == findings.ERROR for f in new)
    subject = f"kbinventory: {len(new)} new finding{'s' * (len(new) != 1)}"
    subject += f" ({errors} error{'s' * (errors != 1)})" if errors else ""
    lines = [
        f"[{f.severity}] {f.code} - {findings.type_label(f.object_type)} "
        f"{f.object_name}: {f.message}"
        for f in new
    ]
    body = "New or newly due since the last digest:\n\n" + "\n".join(lines)
    body += notices_section()
    body += f"\n\n{total} findings open in all: {absolute(reverse('findings'))}\n"
    return subject, body


def send_digest(now: datetime | None = None) -> FindingsDigest | None:
    """Email the new findings to the DPO(s) and record the run; None (and
    nothing recorded) when there is nobody to send to."""
    to = recipients()
    if not to:
        log.warning("findings digest: no DPO with an email and no DPO_EMAIL set")
        return None
    found = findings.current(now)
    new = new_since(
        found, FindingsDigest.objects.order_by("-created_at", "-id").first()
    )
    if new:
        send_mail(*message(new, len(found)), None, to)
    return FindingsDigest.objects.create(
        recipients=to if new else [],
        findings=[f.as_dict() for f in found],
        sent=[f.as_dict() for f in new],
    )
