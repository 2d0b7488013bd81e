"""Checks on processing activities, data categories and processors'
contracts (Art. 6, 9, 10, 24, 28, 30 and 35 GDPR)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, time

from django.conf import settings

from inventory.models import art9_conditions
from reports.findings.base import (
    ERROR,
    WARNING,
    Finding,
    check,
    names,
    review_interval,
)
from reports.snapshot import Record, Snapshot

# -- processing activities (Art. 30(1) and 30(2) records) ---------------------


def activity_name(rec: Record) -> str:
    return f"{rec['ref']} {rec['name']}"


def live_activities(snap: Snapshot, role: str | None = None) -> Iterator[Record]:
    """Activities not retired (a retired activity no longer processes data)."""
    for rec in snap.records("inventory.ProcessingActivity"):
        if rec["status"] != "retired" and role in (None, rec["role"]):
            yield rec


def activity_finding(code: str, severity: str, rec: Record, message: str) -> Finding:
    return Finding(
        code, severity, "processingactivity", rec["id"], activity_name(rec), message
    )


@check
def activity_without_lawful_basis(snap: Snapshot) -> Iterator[Finding]:
    """Art. 6(1) GDPR: a controller activity needs a lawful basis."""
    for rec in live_activities(snap, "controller"):
        if not rec["lawful_basis"]:
            yield activity_finding(
                "ACT_NO_LAWFUL_BASIS",
                ERROR,
                rec,
                "Controller activity without a lawful basis (Art. 6(1) GDPR).",
            )


@check
def legitimate_interests_without_balancing_test(snap: Snapshot) -> Iterator[Finding]:
    """Art. 6(1)(f) GDPR: legitimate interests only where they are not overridden
    by the data subjects' interests; Art. 5(2) accountability asks for the
    balancing test (LIA) to be documented."""
    for rec in live_activities(snap, "controller"):
        if "legitimate_interests" not in bases_of(snap, rec) or rec["lia_reference"]:
            continue
        what = "" if rec["legitimate_interest"] else " and no interest described"
        yield activity_finding(
            "ACT_LI_NO_BALANCING_TEST",
            WARNING,
            rec,
            f"Relies on legitimate interests with no balancing test (LIA) "
            f"referenced{what} (Art. 6(1)(f), Art. 5(2) GDPR).",
        )


def bases_of(snap: Snapshot, rec: Record) -> set[str]:
    """Every Art. 6(1) basis an activity relies on: its rows, else its one."""
    rows = snap.children("inventory.ActivityLawfulBasis", "activity_id")
    return {r["basis"] for r in rows[rec["id"]]} or {rec["lawful_basis"]}


def categories_where(snap: Snapshot, field: str) -> dict[int, Record]:
    return {
        pk: rec
        for pk, rec in snap.table("inventory.DataCategory").items()
        if rec[field]
    }


@check
def special_category_without_art9_condition(snap: Snapshot) -> Iterator[Finding]:
    """Art. 9(1) GDPR prohibits processing special categories unless an
    Art. 9(2) condition applies, in addition to the Art. 6 basis."""
    special = categories_where(snap, "special_category")
    conditions = snap.children("inventory.SpecialCategoryCondition", "activity_id")
    for rec in live_activities(snap, "controller"):
        ids = [pk for pk in rec["data_categories"] if pk in special]
        if not ids:
            continue
        own = {r["data_category_id"]: r["condition"] for r in conditions[rec["id"]]}
        found = art9_conditions(ids, own, rec["art9_condition"])
        used = [special[pk] for pk in ids if not found[pk]]
        if used:
            yield activity_finding(
                "ACT_SPECIAL_NO_ART9",
                ERROR,
                rec,
                f"Processes special-category data ({names(used)}) with no "
                "Art. 9(2) condition recorded (Art. 9(1) GDPR).",
            )


@check
def criminal_data_without_art10_basis(snap: Snapshot) -> Iterator[Finding]:
    """Art. 10 GDPR: criminal-offence data only under official authority or
    where Union or Member State law authorises it."""
    criminal = categories_where(snap, "criminal_offence")
    for rec in live_activities(snap, "controller"):
        used = [criminal[pk] for pk in rec["data_categories"] if pk in criminal]
        if used and not rec["art10_basis"]:
            yield activity_finding(
                "ACT_CRIMINAL_NO_ART10",
                ERROR,
                rec,
                f"Processes criminal-offence data ({names(used)}) with no "
                "Art. 10 legal basis recorded (Art. 10 GDPR).",
            )


@check
def consent_without_record(snap: Snapshot) -> Iterator[Finding]:
    """Art. 7(1) GDPR: the controller must be able to demonstrate consent."""
    for rec in live_activities(snap, "controller"):
        if "consent" in bases_of(snap, rec) and not rec["consent_record_reference"]:
            yield activity_finding(
                "ACT_CONSENT_NO_RECORD",
                WARNING,
                rec,
                "Relies on consent but names no record of consent (Art. 7(1) "
                "GDPR: the controller must be able to demonstrate consent).",
            )


@check
def dpia_without_reference(snap: Snapshot) -> Iterator[Finding]:
    """Art. 35(1) and (7) GDPR: a required DPIA must be carried out before the
    processing, and documented."""
    for rec in live_activities(snap):
        if rec["dpia_required"] and not rec["dpia_reference"]:
            yield activity_finding(
                "ACT_DPIA_NO_REFERENCE",
                WARNING,
                rec,
                "A DPIA is required but none is referenced (Art. 35 GDPR).",
            )


def review_overdue(rec: Record, day: date) -> bool:
    review: date | None = rec["next_review_on"]
    return review is not None and review < day


@check
def activity_review_overdue(snap: Snapshot) -> Iterator[Finding]:
    """Art. 24(1) GDPR: measures are "reviewed and updated where necessary";
    the record's own review date has passed."""
    day = snap.as_of.date()
    for rec in live_activities(snap):
        if review_overdue(rec, day):
            yield activity_finding(
                "ACT_REVIEW_OVERDUE",
                WARNING,
                rec,
                f"Review was due on {rec['next_review_on']:%Y-%m-%d} "
                "(Art. 24(1) GDPR: reviewed and updated where necessary).",
            )


@check
def activity_not_reviewed(snap: Snapshot) -> Iterator[Finding]:
    """Art. 24(1) GDPR: a record nobody has reviewed for a whole review interval
    (REVIEW_INTERVAL_MONTHS, counted from its creation if never reviewed) is
    stale even when its next review date lies in the future."""
    day = snap.as_of.date()
    limit = day - review_interval()
    # Only those recorded before the limit can be stale (UTC days, as dates
    # from the database are): at 10,000 young records, no date read at all.
    start = datetime.combine(limit, time.min, tzinfo=UTC)
    created = snap.created("inventory.ProcessingActivity", before=start)
    for rec in live_activities(snap):
        if review_overdue(rec, day):
            continue  # ACT_REVIEW_OVERDUE already says it
        since = rec["reviewed_on"] or created.get(rec["id"], snap.as_of).date()
        if since < limit:
            what = "Last reviewed" if rec["reviewed_on"] else "Never reviewed; recorded"
            yield activity_finding(
                "ACT_NOT_REVIEWED",
                WARNING,
                rec,
                f"{what} on {since:%Y-%m-%d}, more than "
                f"{settings.REVIEW_INTERVAL_MONTHS} months ago (Art. 24(1) GDPR).",
            )


@check
def processor_activity_without_customer(snap: Snapshot) -> Iterator[Finding]:
    """Art. 30(2)(a) GDPR: the processor record names each controller on whose
    behalf it acts; a processor activity that no customer's enabled feature
    uses is carried out for nobody (or the inventory misses the customer)."""
    features = snap.table("inventory.ProductFeature")
    enabled = {f for c in snap.records("inventory.Customer") for f in c["features"]}
    in_use = {a for f in enabled if f in features for a in features[f]["activities"]}
    for rec in live_activities(snap, "processor"):
        if rec["id"] in in_use:
            continue
        mine = [f for f in features.values() if rec["id"] in f["activities"]]
        why = (
            f"its features ({names(mine)}) are"
            if mine
            else "no feature uses it, so it is"
        )
        yield activity_finding(
            "ACT_PROCESSOR_NO_CUSTOMER",
            WARNING,
            rec,
            f"Processor activity carried out for no customer: {why} enabled by "
            "no customer (Art. 30(2)(a) GDPR names each controller).",
        )


# -- data categories and vendors ----------------------------------------------


@check
def data_category_without_retention(snap: Snapshot) -> Iterator[Finding]:
    """Art. 30(1)(f) and Art. 5(1)(e) GDPR: the envisaged time limit for erasure
    of each category of data, or the criteria for it."""
    for rec in snap.records("inventory.DataCategory"):
        numbered = rec["retention_period"] is not None
        if not (rec["retention"].strip() or numbered or rec["retention_follows_id"]):
            yield Finding(
                "DC_NO_RETENTION",
                WARNING,
                "datacategory",
                rec["id"],
                f"{rec['code']} {rec['name']}",
                "No retention period or criterion recorded (Art. 30(1)(f), "
                "Art. 5(1)(e) GDPR).",
            )


PROCESSOR_ROLES = ("processor", "sub_processor")


@check
def processor_without_dpa(snap: Snapshot) -> Iterator[Finding]:
    """Art. 28(3) GDPR: processing by a processor is governed by a contract
    (the DPA); Art. 28(4) flows it down to sub-processors."""
    for rec in snap.records("inventory.Vendor"):
        if rec["role"] in PROCESSOR_ROLES and not rec["dpa_signed_on"]:
            role = "Sub-processor" if rec["role"] == "sub_processor" else "Processor"
            yield Finding(
                "VEN_NO_DPA",
                ERROR,
                "vendor",
                rec["id"],
                rec["name"],
                f"{role} without a signed data processing agreement (Art. 28(3) GDPR).",
            )
