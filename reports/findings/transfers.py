"""Checks on transfers, data flows and adequacy decisions (Chapter V GDPR,
SCC 2021/914 Clause 14)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from datetime import timedelta

from reports.findings.base import (
    ADEQUACY_EXPIRY_WARNING_DAYS,
    ERROR,
    WARNING,
    Finding,
    check,
    names,
)
from reports.snapshot import Record, Snapshot
from transfers import law, rules
from transfers.flows import CUSTOMER, DataMap, Flow, Status
from transfers.rules import destination


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


def transfer_assessments(
    snap: Snapshot,
) -> Iterator[tuple[Record, rules.Destination, rules.Regime]]:
    """Each transfer with what the rules need to know of its destination, as
    the law it is made under sees it, and that law: the exporter's, or for an
    onward transfer of a customer's data the customer's (``law.transfer_law``)."""
    countries = {c["code"]: c for c in snap.records("transfers.CountryProfile")}
    day = snap.as_of.date()
    for rec in snap.records("transfers.Transfer"):
        country = countries.get(rec["destination"])
        vendor = snap.get("inventory.Vendor", rec["importer_id"])
        regime = law.transfer_law(rec, snap.get)[0]
        eu = destination(country, vendor, day)
        yield rec, law.seen_by(regime, rec["destination"], eu, vendor), regime


LAW_NAMES = {
    rules.Regime.EU: "Art. 46 GDPR",
    rules.Regime.UK: "UK GDPR Art. 46",
    rules.Regime.CH: "FADP Art. 16",
    rules.Regime.NONE: "",
}


@check
def transfer_without_safeguard(snap: Snapshot) -> Iterator[Finding]:
    """Art. 44 and 46 GDPR (UK GDPR, FADP Art. 16 alike): a transfer adequacy
    does not cover needs a safeguard, and SCCs are one only with the
    instrument the transfer's law asks for (``rules.regime_tool_error``)."""
    for rec, dest, regime in transfer_assessments(snap):
        if not rules.safeguard_required(dest):
            continue
        problem = law.tool_error(regime, rec)
        if rec["mechanism"] in ("none", "adequacy"):
            problem = (
                f"Transfer to {rec['destination']} needs a safeguard "
                f"({LAW_NAMES[regime]}) and none is recorded."
            )
        if problem:
            yield Finding(
                "TRF_NO_SAFEGUARD",
                "error",
                "transfer",
                rec["id"],
                rec["name"],
                problem,
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
        problem = rules.art3_2_importer_warning(
            law.transfer_law(rec, snap.get)[0],
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
    """Art. 44 and 46 GDPR (UK GDPR, FADP Art. 16 alike): every flow the
    inventory implies into a country that needs a safeguard under the law of
    its data must be covered by a recorded transfer with the same parties,
    roles and destination and a mechanism that holds there under that law."""
    for flow in DataMap.of(snap).flows():
        if flow.status != Status.MISSING:
            continue
        party = flow.exporter if flow.exporter.type == CUSTOMER else flow.importer
        yield Finding(
            "FLOW_NO_SAFEGUARD",
            ERROR,
            party.type,
            party.id,
            party.name,
            f"{flow_text(snap, flow)}: a safeguard is needed under "
            f"{rules.REGIME_NAMES[flow.regime]} (Art. 44, 46) and no "
            f"{flow.route.exporter_role}-to-{flow.route.importer_role} transfer "
            "with these parties and destination records one that holds under it.",
        )


@check
def transfer_without_current_tia(snap: Snapshot) -> Iterator[Finding]:
    """Clause 14 SCC 2021/914, EDPB Recs 01/2020: a TIA, reviewed in time."""
    tias: dict[int, list[Record]] = {}
    for tia in snap.records("transfers.TransferImpactAssessment"):
        tias.setdefault(tia["transfer_id"], []).append(tia)
    day = snap.as_of.date()
    for rec, dest, _ in transfer_assessments(snap):
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
    for rec, dest, _ in transfer_assessments(snap):
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
