"""Checks on sub-processor notices (SCC 2021/914 Clause 9(a)) and data
subject requests (Art. 12(3) GDPR)."""

from __future__ import annotations

from collections.abc import Iterator

from dsr import findings as dsr_findings
from reports.findings.base import (
    ERROR,
    INFO,
    WARNING,
    Finding,
    check,
)
from reports.notices import asks
from reports.snapshot import Record, Snapshot

# -- sub-processor notices (SCC 2021/914 Clause 9(a)) ----------------------------


def notice_finding(code: str, severity: str, rec: Record, message: str) -> Finding:
    name = f"{rec['vendor_name']} (notice {rec['id']})"
    return Finding(code, severity, "subprocessornotice", rec["id"], name, message)


@check
def objection_unresolved(snap: Snapshot) -> Iterator[Finding]:
    """Clause 9(a) SCC 2021/914: a customer that objects keeps the right to
    object; the change cannot go ahead for its data until the objection is
    resolved (change withdrawn, agreement terminated, objection withdrawn)."""
    customers = snap.table("inventory.Customer")
    for rec in snap.records("inventory.SubprocessorNotice"):
        if rec["status"] == "objected" and not rec["resolution"]:
            customer = customers.get(rec["customer_id"], {}).get("name", "")
            yield notice_finding(
                "NTC_OBJECTION_UNRESOLVED",
                ERROR,
                rec,
                f"{customer} objected to {rec['vendor_name']} on "
                f"{rec['responded_on']:%Y-%m-%d} and no resolution is recorded "
                "(Clause 9(a) SCC: withdraw the change, terminate, or record "
                "the objection withdrawn).",
            )


@check
def notice_not_sent(snap: Snapshot) -> Iterator[Finding]:
    """Clause 9(a) SCC 2021/914 and Art. 28(2) GDPR: the customer must be told
    in advance. A drafted notice not sent is pending; once its planned
    effective date has passed it can only go out with a new period."""
    day = snap.as_of.date()
    customers = snap.table("inventory.Customer")
    for rec in snap.records("inventory.SubprocessorNotice"):
        if rec["status"] != "pending":
            continue
        customer = customers.get(rec["customer_id"], {}).get("name", "")
        if asks(rec) and rec["planned_effective_date"] <= day:
            yield notice_finding(
                "NTC_SEND_OVERDUE",
                WARNING,
                rec,
                f"Notice to {customer} not sent; the change was due on "
                f"{rec['planned_effective_date']:%Y-%m-%d}: send it with a new "
                "notice period or withdraw the change (Clause 9(a) SCC).",
            )
        else:
            yield notice_finding(
                "NTC_NOT_SENT",
                INFO,
                rec,
                f"Notice to {customer} drafted on {rec['drafted_on']:%Y-%m-%d}, "
                "not yet sent (Clause 9(a) SCC, Art. 28(2) GDPR).",
            )


# -- data subject requests (the dsr app's register) ----------------------------


@check
def data_subject_requests(snap: Snapshot) -> Iterator[Finding]:
    """Requests late or due soon, as the register stood at as_of (Art. 12(3),
    Art. 28(3)(e) GDPR; CCPA regs sec. 7021): the rules are dsr.findings'."""
    requests = dsr_findings.requests_as_of(snap.as_of)
    snap.use(
        "dsr.DataSubjectRequest",
        [(history_id, when.isoformat()) for _, history_id, when in requests],
    )
    today = snap.as_of.date()
    for p in dsr_findings.problems((r for r, _, _ in requests), today):
        yield Finding(
            p.code,
            p.severity,
            "datasubjectrequest",
            p.request_id,
            p.reference,
            p.message,
        )
