"""KonnectBot's register of data subject requests for the demo: a few live
requests around today, so the admin index shows what needs the DPO. Each is
found again by its requester's address, so loading twice changes nothing."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from typing import Any

from django.utils import timezone

from dsr.models import DataSubjectRequest
from inventory.models import Customer, DataSubjectCategory

REASON = "KonnectBot demo data (load_demo)"
Row = dict[str, Any]

REQUESTS: list[Row] = [
    {
        "days_ago": 27,
        "requester_name": "Lena Vogel",
        "requester_email": "lena.vogel@example.de",
        "subject_identifiers": "Account user of workspace 'Vogel Reisen GmbH'",
        "subject_category": "Account users",
        "regime": "eu",
        "rights": ["access", "portability"],
        "verification": "verified",
        "status": "in_progress",
        "notes": "Asked for a copy of everything in her KonnectBot account.",
    },
    {
        "days_ago": 2,
        "requester_name": "Camille Durand",
        "requester_email": "camille.durand@example.fr",
        "subject_identifiers": "Shopper on maison-lumiere.example, chat of last month",
        "subject_category": "End users",
        "regime": "eu",
        "rights": ["erasure"],
        "role": "processor",
        "customer": "Maison Lumière SAS",
        "verification": "not_needed",
        "forward": True,
        "notes": "Maison Lumière is the controller: forwarded to its DPO.",
    },
    {
        "days_ago": 3,
        "channel": "web",
        "requester_name": "Jordan Lee",
        "requester_email": "jordan.lee@example.com",
        "subject_identifiers": "Newsletter subscriber, California",
        "subject_category": "Prospects",
        "regime": "ccpa",
        "rights": ["opt_out_sale_sharing"],
        "verification": "not_needed",
        "status": "in_progress",
        "notes": "Opt-outs need no verification (CCPA regs sec. 7026(d)).",
    },
    {
        "days_ago": 40,
        "requester_name": "Oliver Hughes",
        "requester_email": "oliver.hughes@example.co.uk",
        "subject_identifiers": "Billing contact of Hughes & Co",
        "subject_category": "Billing contacts",
        "regime": "uk",
        "rights": ["access"],
        "verification": "verified",
        "status": "in_progress",
        "notes": "Waiting for the billing export: past its month.",
    },
    {
        "days_ago": 70,
        "channel": "web",
        "requester_name": "Maria Garcia",
        "requester_email": "maria.garcia@example.com",
        "subject_identifiers": "Account user, California",
        "subject_category": "Account users",
        "regime": "ccpa",
        "rights": ["know", "delete"],
        "verification": "verified",
        "status": "closed",
        "outcome": "fulfilled",
        "closed_after_days": 21,
        "acknowledged_after_days": 1,
    },
]


def load(**_: Any) -> list[str]:
    """Create the demo requests that are missing; returns their outcomes."""
    return [put(row) for row in REQUESTS]


def put(row: Row) -> str:
    values = dict(row)
    if DataSubjectRequest.objects.filter(
        requester_email=values["requester_email"]
    ).exists():
        return "unchanged"
    today = timezone.localdate()
    received = today - timedelta(days=values.pop("days_ago"))
    values["received_at"] = datetime.combine(
        received, time(9, 30), timezone.get_current_timezone()
    )
    values["subject_category"] = DataSubjectCategory.objects.get(
        name=values["subject_category"]
    )
    if "customer" in values:
        values["customer"] = Customer.objects.get(name=values["customer"])
    forward = values.pop("forward", False)
    closed_after = values.pop("closed_after_days", None)
    if closed_after is not None:
        values["closed_at"] = values["received_at"] + timedelta(days=closed_after)
    acknowledged = values.pop("acknowledged_after_days", None)
    if acknowledged is not None:
        values["acknowledged_on"] = received + timedelta(days=acknowledged)
    request = DataSubjectRequest(**values)
    request._change_reason = REASON
    request.full_clean()
    request.save()
    request.create_tasks()
    if forward:
        request.forward(None)
    return "created"
