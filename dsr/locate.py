"""Where the subject's data lives, from the inventory: the checklist of a
request.

For the request's data-subject category, the activities that process it (for
a request about a customer's data, the processor activities of the features
that customer has switched on), the systems those activities keep data in and
the recipients and sub-processors they disclose it to. Each right becomes an
action in each place (Art. 15-18, 20 GDPR; CCPA sec. 1798.105-1798.110), and a
rectification, erasure or restriction is told to every recipient (Art. 19).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from inventory.models import ProcessingActivity, Vendor

if TYPE_CHECKING:
    from dsr.models import DataSubjectRequest

# What each right means for a system that holds the data.
SYSTEM_ACTIONS = {
    "access": "export",
    "know": "export",
    "portability": "export",
    "erasure": "erase",
    "delete": "erase",
    "rectification": "rectify",
    "correct": "rectify",
    "restriction": "restrict",
    "objection": "restrict",
    "opt_out_sale_sharing": "restrict",
    "limit_sensitive": "restrict",
}
# Recipients hold copies: they are searched for an access request and told
# of a rectification, erasure or restriction (Art. 19).
RECIPIENT_ACTIONS = {
    "export": "search",
    "erase": "notify",
    "rectify": "notify",
    "restrict": "notify",
}


def activities_for(request: DataSubjectRequest) -> list[ProcessingActivity]:
    """The live activities processing the subject's category: ours as
    controller, or those of the customer's enabled features as processor."""
    live = ProcessingActivity.objects.exclude(status=ProcessingActivity.Status.RETIRED)
    if request.role == request.Role.PROCESSOR:
        live = live.filter(
            role=ProcessingActivity.Role.PROCESSOR,
            productfeature__customer=request.customer_id,
        )
    else:
        live = live.filter(role=ProcessingActivity.Role.CONTROLLER)
    if request.subject_category_id is not None:
        live = live.filter(data_subject_categories=request.subject_category_id)
    return list(
        live.distinct().order_by("ref").prefetch_related("systems", "recipients")
    )


def feature_vendors(request: DataSubjectRequest) -> list[Vendor]:
    """The sub-processors of the customer's features (processor requests)."""
    if request.role != request.Role.PROCESSOR:
        return []
    vendors = Vendor.objects.filter(productfeature__customer=request.customer_id)
    return list(vendors.distinct().order_by("name"))


def task(action: str, object_type: str, obj: Any, detail: str = "") -> dict[str, Any]:
    return {
        "action": action,
        "object_type": object_type,
        "object_id": obj.pk,
        "target": str(obj)[:300],
        "detail": detail,
    }


def plan_tasks(request: DataSubjectRequest) -> Iterator[dict[str, Any]]:
    """The tasks of a request, in checklist order, each place once per action."""
    if request.role == request.Role.PROCESSOR and request.customer is not None:
        yield task("forward", "customer", request.customer, "Art. 28(3)(e)")
    actions = sorted(
        {SYSTEM_ACTIONS[r] for r in request.rights}, key=ACTION_ORDER.index
    )
    activities = activities_for(request)
    systems: dict[int, tuple[Any, list[str]]] = {}
    vendors: dict[int, tuple[Any, list[str]]] = {}
    for activity in activities:
        yield task("search", "activity", activity, activity.purposes[:200])
        for system in activity.systems.all():
            systems.setdefault(system.pk, (system, []))[1].append(activity.ref)
        for vendor in activity.recipients.all():
            vendors.setdefault(vendor.pk, (vendor, []))[1].append(activity.ref)
    for vendor in feature_vendors(request):
        vendors.setdefault(vendor.pk, (vendor, []))[1].append("sub-processor")
    for action in actions:
        for system, refs in systems.values():
            yield task(action, "system", system, "for " + ", ".join(refs))
    for action in dict.fromkeys(
        RECIPIENT_ACTIONS[a] for a in actions if a in RECIPIENT_ACTIONS
    ):
        for vendor, refs in sorted(vendors.values(), key=lambda v: v[0].name):
            yield task(action, "vendor", vendor, "for " + ", ".join(refs))


ACTION_ORDER = ["export", "rectify", "erase", "restrict"]
