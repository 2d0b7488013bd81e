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

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta
from django.apps import apps
from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from dsr import findings as dsr_findings
from inventory import residency, retention
from inventory.models import art9_conditions
from reports.notices import asks
from reports.snapshot import TRACKED, Record, Snapshot
from reports.xlsx import Sheet
from transfers import law, rules
from transfers.flows import CUSTOMER, DataMap, Flow, Status, served
from transfers.rules import destination

logger = logging.getLogger(__name__)

ERROR, WARNING, INFO = "error", "warning", "info"
SEVERITIES = (ERROR, WARNING, INFO)
# Transfers relying on an adequacy decision are warned this long before it ends.
ADEQUACY_EXPIRY_WARNING_DAYS = 180
# What findings can be about (the admin shows a findings column for these).
OBJECT_TYPES = (
    "processingactivity",
    "datacategory",
    "vendor",
    "transfer",
    "countryprofile",
    "customer",
    "subprocessornotice",
    "datasubjectrequest",
)
# object_type (model name) -> "app_label.ModelName", for links and labels.
OBJECT_LABELS: dict[str, str] = {
    label.split(".")[1].lower(): label for label in TRACKED
} | {"datasubjectrequest": "dsr.DataSubjectRequest"}


@dataclass(frozen=True, order=True)
class Finding:
    code: str
    severity: str  # "error", "warning", "info"
    object_type: str  # model name, e.g. "processingactivity"
    object_id: int
    object_name: str
    message: str

    @property
    def key(self) -> tuple[str, str, int, str]:
        """What makes a finding the same finding from one day to the next
        (the digest reports a key it has not reported before)."""
        return (self.code, self.object_type, self.object_id, self.message)

    def as_dict(self) -> dict[str, Any]:
        """The API / ``--json`` shape: docs/api.md fields plus the
        object's name."""
        data = asdict(self)
        data["object"] = data.pop("object_name")
        return data

    def admin_url(self) -> str | None:
        """The change page of the object the finding is about, if it has one."""
        label = OBJECT_LABELS.get(self.object_type)
        if label is None:
            return None
        app_label = label.split(".")[0]
        try:
            return reverse(
                f"admin:{app_label}_{self.object_type}_change", args=[self.object_id]
            )
        except NoReverseMatch:
            return None


def type_label(object_type: str) -> str:
    """The model's verbose name for an object_type ("processing activity")."""
    label = OBJECT_LABELS.get(object_type)
    return str(apps.get_model(label)._meta.verbose_name) if label else object_type


Check = Callable[[Snapshot], Iterator[Finding]]
CHECKS: list[Check] = []


def check(func: Check) -> Check:
    CHECKS.append(func)
    return func


def compute(snapshot: Snapshot) -> list[Finding]:
    """Every finding, sorted by severity then code then object."""
    found: list[Finding] = []
    for func in CHECKS:
        try:
            found.extend(func(snapshot))
        except Exception:  # noqa: BLE001 - one broken check must not hide others
            # The exception's text is for the server log, not for the reader.
            logger.exception("finding check %s failed", func.__name__)
            message = "This check could not be run; the reason is in the server log."
            found.append(
                Finding("CHECK_FAILED", "error", "check", 0, func.__name__, message)
            )
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(
        found, key=lambda f: (order[f.severity], f.code, f.object_type, f.object_id)
    )


def current(as_of: datetime | None = None) -> list[Finding]:
    """The findings as of ``as_of`` (default: now). Review dates are judged
    against that day, so "now" rather than the latest change is the default."""
    return compute(Snapshot(as_of or timezone.now()))


def select(
    found: Iterable[Finding],
    severity: str | None = None,
    code: str | None = None,
    object_type: str | None = None,
) -> list[Finding]:
    """The findings matching every filter given (the admin list and the API)."""
    return [
        f
        for f in found
        if (not severity or f.severity == severity)
        and (not code or f.code == code)
        and (not object_type or f.object_type == object_type)
    ]


def by_object(found: Iterable[Finding]) -> dict[tuple[str, int], list[Finding]]:
    """Findings grouped by (object_type, object_id): one computation serves a
    whole changelist (no query per row)."""
    grouped: dict[tuple[str, int], list[Finding]] = defaultdict(list)
    for f in found:
        grouped[(f.object_type, f.object_id)].append(f)
    return dict(grouped)


def review_interval() -> relativedelta:
    return relativedelta(months=settings.REVIEW_INTERVAL_MONTHS)


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


def names(records: Iterable[Record], key: str = "name") -> str:
    return ", ".join(sorted(str(r[key]) for r in records))


@check
def special_category_without_art9_condition(snap: Snapshot) -> Iterator[Finding]:
    """Art. 9(1) GDPR prohibits processing special categories unless an
    Art. 9(2) condition applies, in addition to the Art. 6 basis."""
    special = categories_where(snap, "special_category")
    conditions = snap.children("inventory.SpecialCategoryCondition", "activity_id")
    for rec in live_activities(snap, "controller"):
        own = {r["data_category_id"]: r["condition"] for r in conditions[rec["id"]]}
        ids = [pk for pk in rec["data_categories"] if pk in special]
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
    created = snap.created("inventory.ProcessingActivity")
    limit = day - review_interval()
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


def country_codes(text: str | None) -> list[str]:
    return [c for c in (text or "").split(",") if c]


@check
def vendor_third_country_without_transfer(snap: Snapshot) -> Iterator[Finding]:
    """Art. 44 and Art. 30(1)(e) GDPR: a vendor processing in a third country
    receives a transfer, which the record must name with its safeguard. This is
    the transfer the inventory implies but nobody wrote down."""
    countries = {c["code"]: c for c in snap.records("transfers.CountryProfile")}
    recorded = {
        (t["importer_id"], t["destination"]) for t in snap.records("transfers.Transfer")
    }
    for rec in snap.records("inventory.Vendor"):
        missing = [
            code
            for code in country_codes(rec["processing_countries"])
            if not (countries.get(code) or {}).get("eea")
            and (rec["id"], code) not in recorded
        ]
        if missing:
            yield Finding(
                "VEN_IMPLIED_TRANSFER",
                WARNING,
                "vendor",
                rec["id"],
                rec["name"],
                f"Processes data in {', '.join(missing)} (outside the EEA) but no "
                "transfer to it there is recorded (Art. 44, Art. 30(1)(e) GDPR).",
            )


# -- transfers and countries (Chapter V) ---------------------------------------


def transfer_assessments(snap: Snapshot) -> Iterator[tuple[Record, rules.Destination]]:
    """Each transfer with what the rules need to know of its destination, as
    the exporter's own law sees it (``transfers.law``)."""
    countries = {c["code"]: c for c in snap.records("transfers.CountryProfile")}
    day = snap.as_of.date()
    for rec in snap.records("transfers.Transfer"):
        country = countries.get(rec["destination"])
        vendor = snap.get("inventory.Vendor", rec["importer_id"])
        exporter = snap.get("inventory.LegalEntity", rec["exporter_id"]) or snap.get(
            "inventory.Customer", rec["exporter_customer_id"]
        )
        regime = law.exporter_law(exporter)[0]
        eu = destination(country, vendor, day)
        yield rec, law.seen_by(regime, rec["destination"], eu, vendor)


@check
def transfer_without_safeguard(snap: Snapshot) -> Iterator[Finding]:
    """Art. 44 and 46 GDPR: a transfer adequacy does not cover needs a safeguard."""
    for rec, dest in transfer_assessments(snap):
        if rules.safeguard_required(dest) and rec["mechanism"] in ("none", "adequacy"):
            yield Finding(
                "TRF_NO_SAFEGUARD",
                "error",
                "transfer",
                rec["id"],
                rec["name"],
                f"Transfer to {rec['destination']} needs a safeguard (Art. 46 GDPR) "
                "and none is recorded.",
            )


@check
def processor_transfer_on_derogation(snap: Snapshot) -> Iterator[Finding]:
    """Art. 49(1) and recital 111: derogations are for occasional transfers; a
    processor or sub-processor flow is structural and needs an Art. 46 tool."""
    for rec in snap.records("transfers.Transfer"):
        problem = rules.derogation_structural_error(
            rules.Mechanism(rec["mechanism"]),
            rules.Role(rec["exporter_role"]),
            rules.Role(rec["importer_role"]),
        )
        if problem:
            yield Finding(
                "TRF_DEROGATION_STRUCTURAL",
                "error",
                "transfer",
                rec["id"],
                rec["name"],
                problem,
            )


@check
def scc_importer_subject_to_gdpr(snap: Snapshot) -> Iterator[Finding]:
    """Decision (EU) 2021/914, recital 7: the SCCs do not cover an importer
    whose processing is itself subject to the GDPR under Art. 3(2)."""
    for rec in snap.records("transfers.Transfer"):
        vendor = snap.get("inventory.Vendor", rec["importer_id"])
        exporter = snap.get("inventory.LegalEntity", rec["exporter_id"]) or snap.get(
            "inventory.Customer", rec["exporter_customer_id"]
        )
        problem = rules.art3_2_importer_warning(
            law.exporter_law(exporter)[0],
            rules.Mechanism(rec["mechanism"]),
            bool(vendor and vendor["subject_to_gdpr"]),
        )
        if problem:
            yield Finding(
                "TRF_IMPORTER_ART3_2",
                WARNING,
                "transfer",
                rec["id"],
                rec["name"],
                problem,
            )


def customer_roles(snap: Snapshot, customer: Record) -> tuple[rules.Role, rules.Role]:
    """The roles of the customer's transfer to one of our entities (the first
    recorded), else controller to processor: as its DPA annex reads them."""
    own = sorted(
        (
            t
            for t in snap.records("transfers.Transfer")
            if t["exporter_customer_id"] == customer["id"] and t["importer_entity_id"]
        ),
        key=lambda t: t["id"],
    )
    if not own:
        return rules.Role.CONTROLLER, rules.Role.PROCESSOR
    return rules.Role(own[0]["exporter_role"]), rules.Role(own[0]["importer_role"])


def customer_measures(snap: Snapshot, customer: Record) -> list[Record]:
    """The security measures of the activities behind the customer's features."""
    features = snap.table("inventory.ProductFeature")
    activities = snap.table("inventory.ProcessingActivity")
    measures = snap.table("inventory.SecurityMeasure")
    ids = {
        m
        for f in customer["features"]
        if f in features
        for a in features[f]["activities"]
        if a in activities and activities[a]["status"] != "retired"
        for m in activities[a]["security_measures"]
    }
    return [measures[m] for m in sorted(ids) if m in measures]


@check
def annex_without_assistance_measures(snap: Snapshot) -> Iterator[Finding]:
    """SCC 2021/914 Annex II, last paragraph (Modules 2 and 3): the importer
    describes the measures by which it assists the controller (Clauses 8.6(d),
    10(b); Art. 28(3)(e), (f) GDPR). Without one the annex is incomplete."""
    for customer in snap.records("inventory.Customer"):
        if law.exporter_law(customer)[0] == rules.Regime.NONE:
            continue
        if rules.scc_module(*customer_roles(snap, customer)) not in (2, 3):
            continue
        measures = customer_measures(snap, customer)
        # No measure at all: no processing of the customer's is recorded yet.
        if measures and not any(
            m["annex_ii_heading"] == "assistance" and not m["not_applicable"]
            for m in measures
        ):
            yield Finding(
                "CUS_ANNEX_II_NO_ASSISTANCE",
                ERROR,
                "customer",
                customer["id"],
                customer["name"],
                "Annex II of the SCCs (Modules 2 and 3) must describe the measures "
                "by which the importer assists the controller; none of the "
                "customer's processing activities has one.",
            )


def flow_text(snap: Snapshot, flow: Flow) -> str:
    """ "KonnectBot sends PA-P1 data (for Thistle & Pine Ltd) to Sahay in IN"."""
    acts = snap.table("inventory.ProcessingActivity")
    customers = snap.table("inventory.Customer")
    refs = ", ".join(acts[a]["ref"] for a in flow.activities if a in acts)
    whose = ", ".join(customers[c]["name"] for c in flow.customers if c in customers)
    text = f"{flow.exporter.name} sends {refs} data"
    text += f" (for {whose})" if whose and flow.exporter.type != CUSTOMER else ""
    return f"{text} to {flow.importer.name} in {flow.country}"


@check
def flow_without_safeguard(snap: Snapshot) -> Iterator[Finding]:
    """Art. 44 and 46 GDPR: every flow the inventory implies into a country
    that needs a safeguard must be covered by a recorded transfer with the same
    parties, roles and destination and a mechanism that holds there."""
    for flow in DataMap(snap).flows():
        if flow.status != Status.MISSING:
            continue
        party = flow.exporter if flow.exporter.type == CUSTOMER else flow.importer
        yield Finding(
            "FLOW_NO_SAFEGUARD",
            ERROR,
            party.type,
            party.id,
            party.name,
            f"{flow_text(snap, flow)}: a safeguard is needed (Art. 44, 46 GDPR) and "
            f"no {flow.route.exporter_role}-to-{flow.route.importer_role} transfer "
            "with these parties and destination records one.",
        )


@check
def transfer_without_current_tia(snap: Snapshot) -> Iterator[Finding]:
    """Clause 14 SCC 2021/914, EDPB Recs 01/2020: a TIA, reviewed in time."""
    tias: dict[int, list[Record]] = {}
    for tia in snap.records("transfers.TransferImpactAssessment"):
        tias.setdefault(tia["transfer_id"], []).append(tia)
    day = snap.as_of.date()
    for rec, dest in transfer_assessments(snap):
        module = rules.scc_module_for(rec["exporter_role"], rec["importer_role"], dest)
        needed = rules.tia_required(
            dest,
            rules.Mechanism(rec["mechanism"]),
            module,
            module4_combines_eu_data=rec["module4_combines_eu_data"],
        )
        mine = tias.get(rec["id"], [])
        if not needed or rec["mechanism"] == "none":
            continue
        if not mine:
            message = "Transfer needs a transfer impact assessment and has none."
            yield Finding(
                "TRF_NO_TIA", "error", "transfer", rec["id"], rec["name"], message
            )
        elif max(t["next_review_on"] for t in mine) < day:
            message = "The transfer impact assessment is overdue for review."
            yield Finding(
                "TRF_TIA_OVERDUE", "error", "transfer", rec["id"], rec["name"], message
            )


@check
def dpf_transfer_without_fallback(snap: Snapshot) -> Iterator[Finding]:
    """Decision (EU) 2023/1795 covers DPF-certified US importers only while the
    decision stands (Latombe appeal C-703/25 P pending) and while the importer
    re-certifies each year: keep SCCs (Art. 46(2)(c)) signed as a fallback."""
    for rec, dest in transfer_assessments(snap):
        relies_on_dpf = dest.scope == rules.Scope.DPF and rules.adequacy_covers(dest)
        if (
            rec["mechanism"] == "adequacy"
            and relies_on_dpf
            and not rec["scc_signed_on"]
        ):
            yield Finding(
                "TRF_DPF_NO_FALLBACK",
                WARNING,
                "transfer",
                rec["id"],
                rec["name"],
                "Relies on the EU-US Data Privacy Framework (Decision (EU) "
                "2023/1795) with no SCCs signed as a fallback (Art. 46(2)(c) "
                "GDPR).",
            )


@check
def adequacy_decision_expiring(snap: Snapshot) -> Iterator[Finding]:
    """Art. 45(3) GDPR: an adequacy decision may carry an end date; transfers
    relying on it need an Art. 46 safeguard in place before it lapses."""
    day = snap.as_of.date()
    horizon = day + timedelta(days=ADEQUACY_EXPIRY_WARNING_DAYS)
    relying: dict[str, list[Record]] = defaultdict(list)
    for rec in snap.records("transfers.Transfer"):
        if rec["mechanism"] == "adequacy":
            relying[rec["destination"]].append(rec)
    for country in snap.records("transfers.CountryProfile"):
        end = country["valid_to"]
        users = relying.get(country["code"])
        if not users or end is None or not (day <= end <= horizon):
            continue
        yield Finding(
            "CTRY_ADEQUACY_EXPIRING",
            WARNING,
            "countryprofile",
            country["id"],
            country["code"],
            f"The adequacy decision {country['decision_reference'] or ''} ends on "
            f"{end:%Y-%m-%d}; transfers relying on it ({names(users)}) need an "
            "Art. 46 safeguard by then (Art. 45(3) GDPR).",
        )


# -- customers (HIPAA) ---------------------------------------------------------


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


# -- retention: customer settings and the evidence of deletion ---------------
# (docs/retention.md; Art. 5(1)(e) and 5(2) GDPR)

# Gaps between successful deletion runs are reported this far back.
DELETION_GAP_WINDOW_DAYS = 90


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


@dataclass(frozen=True)
class RunScope:
    """The runs that delete one data category for one customer (or, with
    ``customer`` None, for every customer)."""

    category: Record
    customer: Record | None
    runs: list[Record]  # oldest first; a customer's includes runs for all

    def successes(self) -> list[Record]:
        return [r for r in self.runs if r["outcome"] == "success"]

    def finding(self, code: str, message: str) -> Finding:
        what = f"{self.category['code']} {self.category['name']}"
        if self.customer is None:
            return Finding(
                code, ERROR, "datacategory", self.category["id"], what, message
            )
        return Finding(
            code,
            ERROR,
            "customer",
            self.customer["id"],
            self.customer["name"],
            f"{what}: {message}",
        )


def run_scopes(snap: Snapshot) -> list[RunScope]:
    """Every (data category, customer or all) some deletion job reports on."""
    runs = sorted(
        snap.records("inventory.DeletionRun"), key=lambda r: (r["finished_at"], r["id"])
    )
    categories = snap.table("inventory.DataCategory")
    customers = snap.table("inventory.Customer")
    keys = sorted({(r["data_category_id"], r["customer_id"] or 0) for r in runs})
    scopes = []
    for category_id, customer_id in keys:
        category = categories.get(category_id)
        if category is None:
            continue
        mine = [
            r
            for r in runs
            if r["data_category_id"] == category_id
            and (r["customer_id"] or 0) in (0, customer_id)
        ]
        scopes.append(RunScope(category, customers.get(customer_id), mine))
    return scopes


def allowed_days(category: Record) -> int:
    return max(1, category["deletion_interval_days"] or 1)


def overdue_message(scope: RunScope, day: date) -> str | None:
    """Why the scope's last successful run is too old on ``day``, if it is."""
    allowed = allowed_days(scope.category)
    done = scope.successes()
    if not done:
        return (
            f"No successful deletion run recorded ({len(scope.runs)} failed or "
            f"partial); the schedule asks for one every {allowed} day(s) "
            "(Art. 5(1)(e) GDPR)."
        )
    last = done[-1]["finished_at"].date()
    if (day - last).days <= allowed:
        return None
    return (
        f"Last successful deletion run on {last:%Y-%m-%d}, {(day - last).days} "
        f"days ago; the schedule asks for one every {allowed} day(s) (Art. 5(1)(e) "
        "GDPR)."
    )


def gap_messages(scope: RunScope, day: date) -> list[str]:
    """Each gap between successful runs longer than the category's interval,
    ending in the DELETION_GAP_WINDOW_DAYS before ``day``."""
    since = day - timedelta(days=DELETION_GAP_WINDOW_DAYS)
    allowed = allowed_days(scope.category)
    days = sorted({r["finished_at"].date() for r in scope.successes()})
    return [
        f"No successful deletion run between {before:%Y-%m-%d} and "
        f"{after:%Y-%m-%d} ({(after - before).days} days; the schedule asks for "
        f"one every {allowed} day(s)): data was kept past its period "
        "(Art. 5(1)(e) GDPR)."
        for before, after in zip(days, days[1:], strict=False)
        if after >= since and (after - before).days > allowed
    ]


def longer_period_message(
    scope: RunScope, categories: dict[int, Record], settings_: list[Record]
) -> str | None:
    """Why the last successful run kept data longer than the period in
    force for its customer (its setting, or the schedule), if it did."""
    done = scope.successes()
    if not done:
        return None
    customer = scope.customer
    overrides = retention.overrides_of(customer["id"], settings_) if customer else {}
    period = retention.effective_period(scope.category, categories, overrides)
    applied = done[-1]["retention_days"]
    if period.days is None or applied <= period.days:
        return None
    return (
        f"The last deletion run kept {applied} days of data; the period in force "
        f"is {period.days} days ({period.source}) (Art. 5(1)(e) GDPR)."
    )


def run_problems(snap: Snapshot, scope: RunScope) -> list[tuple[str, str]]:
    """(code, message) of every deletion-run finding about one scope: the
    checks below and the retention workbook both read them from here."""
    day = snap.as_of.date()
    categories = snap.table("inventory.DataCategory")
    settings_ = snap.records("inventory.RetentionOverride")
    found = [("DEL_RUN_OVERDUE", overdue_message(scope, day))]
    found += [("DEL_RUN_GAP", m) for m in gap_messages(scope, day)]
    found.append(
        ("DEL_RUN_LONGER_PERIOD", longer_period_message(scope, categories, settings_))
    )
    return [(code, message) for code, message in found if message]


def run_findings(snap: Snapshot, code: str) -> Iterator[Finding]:
    for scope in run_scopes(snap):
        for found, message in run_problems(snap, scope):
            if found == code:
                yield scope.finding(code, message)


@check
def deletion_run_overdue(snap: Snapshot) -> Iterator[Finding]:
    """Art. 5(1)(e) GDPR: data kept no longer than necessary, and 5(2): the
    controller (and the processor for its customers, Art. 28(3)(h)) can show
    it. A deletion job that has not succeeded within its interval leaves data
    past its period."""
    return run_findings(snap, "DEL_RUN_OVERDUE")


@check
def deletion_run_gap(snap: Snapshot) -> Iterator[Finding]:
    """Art. 5(1)(e) and 5(2) GDPR: between two successful runs, data outlived
    its period for as long as the gap exceeds the job's interval. Gaps of the
    last DELETION_GAP_WINDOW_DAYS days are reported, one finding per gap."""
    return run_findings(snap, "DEL_RUN_GAP")


@check
def deletion_run_longer_period(snap: Snapshot) -> Iterator[Finding]:
    """The period the last successful run applied is longer than the one in
    force for that customer (its setting, or the schedule): the job keeps data
    the customer asked to be deleted (Art. 28(3)(g), Art. 5(1)(e) GDPR)."""
    return run_findings(snap, "DEL_RUN_LONGER_PERIOD")


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


def findings_sheet(snap: Snapshot) -> Sheet:
    """The checks of reports.findings, as they stood at as_of."""
    rows = [
        (f.severity, f.code, f.object_type, f.object_name, f.message)
        for f in compute(snap)
    ]
    headers = ("Severity", "Code", "Object type", "Object", "Message")
    return Sheet("Findings", headers, rows, widths=(10, 24, 20, 45, 80))
