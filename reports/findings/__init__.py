"""Findings: what the inventory itself says is missing, stale or risky.

Each check is a small function over a Snapshot (so findings can be computed as
of any past date), registered with a stable code, a severity and the article
it rests on. One source for the admin, the API, ``check_inventory``, the daily
digest and the ``Findings`` sheets. A check that raises becomes a finding of
its own rather than hiding the others.

Codes (stable; the object each one is about in brackets):

==========================  ========  ==============================================
ACT_NO_LAWFUL_BASIS         error     controller activity without basis, Art. 6(1)
ACT_LI_NO_BALANCING_TEST    warning   legitimate interests without LIA, Art. 6(1)(f)
ACT_SPECIAL_NO_ART9         error     special-category data, no Art. 9(2) condition
ACT_CRIMINAL_NO_ART10       error     criminal-offence data, no Art. 10 basis
ACT_CONSENT_NO_RECORD       warning   consent without record reference, Art. 7(1)
ACT_DPIA_NO_REFERENCE       warning   DPIA required, none referenced, Art. 35
ACT_REVIEW_OVERDUE          warning   next review date passed, Art. 24(1)
ACT_NOT_REVIEWED            warning   not reviewed for a review interval, Art. 24(1)
ACT_PROCESSOR_NO_CUSTOMER   warning   processor activity no customer uses, 30(2)(a)
DC_NO_RETENTION             warning   data category without retention, 30(1)(f)
VEN_NO_DPA                  error     (sub-)processor without signed DPA, Art. 28(3)
VEN_IMPLIED_TRANSFER        warning   third-country processing, no transfer, 30(1)(e)
TRF_NO_SAFEGUARD            error     transfer needing a safeguard has none, Art. 46
FLOW_NO_SAFEGUARD           error     derived data flow no transfer covers, Art. 44/46
TRF_IMPORTER_ART3_2         warning   SCCs with an importer itself under Art. 3(2)
TRF_NO_TIA                  error     transfer needing a TIA has none, Clause 14
TRF_TIA_OVERDUE             error     the transfer's TIA is past its review date
TRF_DPF_NO_FALLBACK         warning   DPF reliance without SCCs signed as fallback
CTRY_ADEQUACY_EXPIRING      warning   relied-on adequacy decision ends soon, 45(3)
CUS_BAA_VENDOR_NO_BAA       error     HIPAA customer's feature uses a non-BAA vendor
CUS_ANNEX_II_NO_ASSISTANCE  error     Module 2/3 annex without measures to assist
                                      the controller (SCC Annex II)
CUS_SETTING_OUTSIDE_PLAN    error     customer setting beyond its plan's limits
CUS_VENDOR_OUTSIDE_REGION   error     a feature (or an activity of its features) of
                                      a customer with a residency region uses a
                                      vendor not serving it
DEL_RUN_OVERDUE             error     (customer / data category) last successful
                                      deletion run older than the schedule allows
DEL_RUN_GAP                 error     (customer / data category) no successful
                                      run for longer than allowed, last 90 days
DEL_RUN_LONGER_PERIOD       error     (customer / data category) the last run
                                      kept data longer than the period in force
NTC_OBJECTION_UNRESOLVED    error     customer objected, no resolution, Clause 9(a)
NTC_SEND_OVERDUE            warning   notice unsent past its planned effective date
NTC_NOT_SENT                info      notice drafted, not yet sent, Clause 9(a)
DSR_*                       both      data subject requests late or due (see
                                      dsr/findings.py for the codes)
CHECK_FAILED                error     a check raised; the others still ran
==========================  ========  ==============================================
"""

from reports.findings import activities, customers, notices, retention, transfers
from reports.findings.base import (
    ADEQUACY_EXPIRY_WARNING_DAYS,
    CHECKS,
    ERROR,
    INFO,
    OBJECT_LABELS,
    OBJECT_TYPES,
    SEVERITIES,
    WARNING,
    Check,
    Finding,
    by_object,
    check,
    compute,
    current,
    findings_sheet,
    names,
    review_interval,
    select,
    type_label,
)
from reports.findings.retention import RunScope, run_problems, run_scopes

__all__ = [
    "ERROR",
    "WARNING",
    "INFO",
    "SEVERITIES",
    "ADEQUACY_EXPIRY_WARNING_DAYS",
    "OBJECT_TYPES",
    "OBJECT_LABELS",
    "Finding",
    "type_label",
    "Check",
    "CHECKS",
    "check",
    "compute",
    "current",
    "select",
    "by_object",
    "names",
    "review_interval",
    "findings_sheet",
    "RunScope",
    "run_problems",
    "run_scopes",
    "activities",
    "customers",
    "notices",
    "retention",
    "transfers",
]
