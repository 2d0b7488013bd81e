"""Checks on customers: HIPAA business associate agreements, plan limits
and residency regions."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from inventory import residency, retention
from reports.findings.base import (
    ERROR,
    Finding,
    check,
    names,
)
from reports.snapshot import Record, Snapshot
from transfers.flows import served


@check
def baa_customer_feature_vendor_without_baa(snap: Snapshot) -> Iterator[Finding]:
    """45 CFR 164.502(e) and 164.504(e): a business associate must obtain a BAA
    from each subcontractor that handles PHI; every vendor behind a feature a
    BAA customer has enabled must have signed one."""
    features = snap.table("inventory.ProductFeature")
    vendors = snap.table("inventory.Vendor")
    for customer in snap.records("inventory.Customer"):
        if not customer["baa_signed"]:
            continue
        uses: dict[int, list[Record]] = defaultdict(list)
        for fid in customer["features"]:
            for vid in features[fid]["vendors"] if fid in features else []:
                uses[vid].append(features[fid])
        for vid, via in sorted(uses.items()):
            vendor = vendors.get(vid)
            if vendor is not None and not vendor["baa_signed"]:
                yield Finding(
                    "CUS_BAA_VENDOR_NO_BAA",
                    ERROR,
                    "customer",
                    customer["id"],
                    customer["name"],
                    f"HIPAA customer: its features ({names(via)}) use "
                    f"{vendor['name']}, which has signed no business associate "
                    "agreement (45 CFR 164.502(e), 164.504(e)).",
                )


# (docs/retention.md; Art. 5(1)(e) and 5(2) GDPR)


# Gaps between successful deletion runs are reported this far back.
@check
def customer_setting_outside_plan(snap: Snapshot) -> Iterator[Finding]:
    """A workspace setting the customer's plan does not allow (retention
    outside its limits, transcript export, residency region, HIPAA BAA): the
    contract and the product disagree, so one of them is wrong."""
    plans = snap.table("inventory.Plan")
    categories = snap.table("inventory.DataCategory")
    limits: dict[int, dict[int, Record]] = defaultdict(dict)
    for limit in snap.records("inventory.PlanLimit"):
        limits[limit["plan_id"]][limit["data_category_id"]] = limit
    settings_ = snap.records("inventory.RetentionOverride")
    for customer in snap.records("inventory.Customer"):
        plan = plans.get(customer["plan_id"] or 0)
        overrides = retention.overrides_of(customer["id"], settings_)
        problems = retention.setting_problems(
            customer, plan, limits[plan["id"]] if plan else {}, overrides, categories
        )
        for problem in problems:
            yield Finding(
                "CUS_SETTING_OUTSIDE_PLAN",
                ERROR,
                "customer",
                customer["id"],
                customer["name"],
                f"The customer {problem} (Art. 28(3) GDPR: processing as the "
                "contract sets out).",
            )


@check
def customer_vendor_outside_region(snap: Snapshot) -> Iterator[Finding]:
    """A customer that chose a residency region is served only by that
    region's vendors (its documented instructions, Art. 28(3)(a) GDPR, Clause
    8.1 SCC 2021/914). The data map leaves any other vendor out of its flows,
    so an enabled feature naming one, or an activity of its features whose
    own recipients include one, contradicts the region: never silently."""
    regions = snap.table("inventory.Region")
    vendors = snap.table("inventory.Vendor")
    for customer in snap.records("inventory.Customer"):
        allowed = residency.serving(customer, regions)
        if allowed.region is None:
            continue
        for vid, via in sorted(vendors_used(snap, customer).items()):
            if vid in vendors and not allowed.allows_vendor(vid):
                yield Finding(
                    "CUS_VENDOR_OUTSIDE_REGION",
                    ERROR,
                    "customer",
                    customer["id"],
                    customer["name"],
                    f"Residency region {allowed.region}: its features and "
                    f"activities ({', '.join(sorted(via))}) use "
                    f"{vendors[vid]['name']}, which does not serve that region; "
                    "the data map leaves it out of the customer's flows (Art. "
                    "28(3)(a) GDPR, Clause 8.1 SCC).",
                )


def vendors_used(snap: Snapshot, customer: Record) -> dict[int, set[str]]:
    """The vendors the customer's enabled features name, and the recipients
    of their activities that no feature ties to itself (they serve every
    customer of the activity), each with the features or activities using it."""
    features = snap.table("inventory.ProductFeature")
    activities = snap.table("inventory.ProcessingActivity")
    enabled = [features[f] for f in customer["features"] if f in features]
    uses: dict[int, set[str]] = defaultdict(set)
    for feature in enabled:
        for vid in feature["vendors"]:
            uses[vid].add(feature["name"])
    for aid in sorted({a for f in enabled for a in f["activities"]}):
        act = activities.get(aid)
        if act is None or act["status"] == "retired" or act["role"] != "processor":
            continue
        carriers = [f for f in features.values() if aid in f["activities"]]
        for vid in served(act["recipients"], "vendors", carriers, []):
            uses[vid].add(act["ref"])
    return uses
