"""Art. 30 records of processing: controller (30(1)) and processor (30(2)).

Both are read from a Snapshot only (the inventory as it stood at ``as_of``),
with every lookup by id in the snapshot's tables, so the number of queries does
not grow with the number of records. The cell formats of the controller record
are shared with ``import_ropa`` (docs/import.md: change them in one place only).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any
from weakref import WeakKeyDictionary

from inventory import residency, retention
from inventory.models import (
    DataCategory,
    ProcessingActivity,
    Vendor,
    art9_conditions,
)
from reports.findings import findings_sheet
from reports.measures import MeasureNumbers, measure_numbers, measures_sheet
from reports.safeguards import (
    MISSING_SAFEGUARD,
    NO_CHAPTER_V,
    NO_CHAPTER_V_CUSTOMER,
    safeguard_line,
    scope_note,
)
from reports.snapshot import Record, Snapshot
from reports.xlsx import CellValue, Row, Sheet, country_name, label, lines, yes_no
from transfers import law, rules
from transfers.flows import VENDOR, DataMap, Flow, Status, on_routes
from transfers.models import Transfer
from transfers.rules import destination

# The Controller record sheet's columns, in order. import_ropa reads the same
# headers back (and the UK ICO template's), so change them in one place only.
CONTROLLER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Reference", 11),
    ("Processing activity", 18),
    ("Status", 9),
    ("Owner", 16),
    ("Purposes", 42),
    ("Lawful basis", 42),
    ("Legitimate interests", 16),
    ("LIA reference", 16),
    ("Consent record", 16),
    ("Special category condition", 12),
    ("Art. 10 basis", 8),
    ("Categories of data subjects", 16),
    ("Categories of personal data", 21),
    ("Special categories of data", 13),
    ("Source of the data", 19),
    ("Categories of recipients", 18),
    ("Systems", 16),
    ("Third countries", 16),
    ("Transfer safeguards", 56),  # one line per country and importer
    ("Retention", 16),
    ("Retention per data category", 60),
    ("Security measures", 37),
    ("DPIA required", 11),
    ("DPIA reference", 16),
    ("Next review", 12),
    # UK ICO template columns 16, 17 and 22.
    ("Rights available to individuals", 45),
    ("Automated decision-making (Art. 22)", 18),
    ("Profiling (Art. 4(4))", 12),
    ("Automated decision-making and profiling: logic and effects", 30),
    ("DPIA progress", 12),
)
CONTROLLER_HEADERS = tuple(h for h, _ in CONTROLLER_COLUMNS)
CONTROLLER_WIDTHS = tuple(w for _, w in CONTROLLER_COLUMNS)
# Printed after those, derived from other records; import_ropa ignores them.
# Named as the UK ICO controller template names them where it has the column
# (docs/workbooks.md maps ICO and CNIL headings to ours).
DERIVED_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Name and contact details of joint controller", 13),
    ("Recipients (role, country)", 62),  # one line per recipient
    ("Link to contract with processor", 48),
    ("CCPA categories", 13),
    ("Created", 12),
    ("Last changed", 12),
)
RECORD_HEADERS = CONTROLLER_HEADERS + tuple(h for h, _ in DERIVED_COLUMNS)
RECORD_WIDTHS = CONTROLLER_WIDTHS + tuple(w for _, w in DERIVED_COLUMNS)

ORGANISATION_HEADERS: tuple[str, ...] = (
    "Name",
    "Address",
    "Country",
    "Contact",
    "DPO",
    "Representative (Art. 27)",
)
ORGANISATION_WIDTHS: tuple[int, ...] = (24, 34, 18, 34, 36, 44)

PROCESSOR_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Customer (controller)", 20),
    ("Processing category", 18),  # with the customer: the row's key
    ("Customer country", 18),
    ("Customer address", 18),
    ("Customer contact", 18),
    ("Customer DPO", 18),
    ("Customer representative", 16),
    ("Processor", 17),
    ("Processing activities", 18),
    ("Categories of personal data", 24),
    ("Retention", 90),  # one line per data category
    ("End of service (Clause 8.5)", 44),
    ("Sub-processors", 18),
    ("Transfers", 26),
    ("Third countries", 18),
    ("Transfer safeguards", 50),
    ("Security measures", 12),  # "M1-M17": the Security measures sheet
    ("DPA version", 14),
    ("DPA signed on", 12),
    ("HIPAA BAA", 9),
)
PROCESSOR_HEADERS = tuple(h for h, _ in PROCESSOR_COLUMNS)
PROCESSOR_WIDTHS = tuple(w for _, w in PROCESSOR_COLUMNS)


def names(snap: Snapshot, label_: str, ids: Iterable[int]) -> list[str]:
    """Sorted names of the records still present at as_of (deleted ones drop out)."""
    table = snap.table(label_)
    return sorted(table[i]["name"] for i in ids if i in table)


def data_category_lines(snap: Snapshot, ids: Iterable[int]) -> list[str]:
    """``<code> <name>`` per data category, sorted by code (Art. 30(1)(c))."""
    table = snap.table("inventory.DataCategory")
    found = sorted((table[i] for i in set(ids) if i in table), key=lambda r: r["code"])
    return [category_line(r) for r in found]


def category_line(category: Record) -> str:
    return f"{category['code']} {category['name']}"


def special_category_line(category: Record) -> str:
    """``<code> <name>: <Art. 9 kind>`` for a special category (Art. 9(1)),
    empty for any other."""
    if not category["special_category"]:
        return ""
    kind = label(DataCategory.Art9Kind, category["art9_kind"])
    return f"{category['code']} {category['name']}: {kind}"


def retention_lines(
    snap: Snapshot, customer_id: int | None, ids: Iterable[int]
) -> list[str]:
    """Art. 30(1)(f): the time limit for erasure of each category of data, as
    the schedule sets it (``customer_id`` None) or as it applies to one
    customer with its own settings (docs/retention.md)."""
    periods = retention.customer_periods(
        customer_id,
        ids,
        snap.table("inventory.DataCategory"),
        snap.records("inventory.RetentionOverride"),
    )
    return retention.period_lines(periods)


def schedule_line(category: Record, categories: dict[int, Record]) -> str:
    """Art. 30(1)(f) in the controller record: "<code> <name>: <period>" for a
    category with a period or criterion, as the schedule sets it (else empty).
    import_ropa reads these lines back into categories it creates (one format,
    both ways)."""
    text = retention.schedule_period(category, categories).text
    return f"{category['code']} {category['name']}: {text}" if text else ""


class CategoryCells:
    """The controller record's four cells that list an activity's data
    categories (Art. 30(1)(c), Art. 9(1), Art. 30(1)(f), the CCPA's), sorted
    by code: each category's lines are made once per snapshot, not once per
    activity that processes it."""

    def __init__(self, snap: Snapshot) -> None:
        self.table = snap.table("inventory.DataCategory")
        self.made: dict[int, tuple[str, str, str, str]] = {}

    def of(self, ids: Iterable[int]) -> tuple[str, str, str, str]:
        """(categories, special categories, retention per category, CCPA)."""
        table = self.table
        found = sorted(
            (i for i in set(ids) if i in table), key=lambda i: table[i]["code"]
        )
        per = [self.made.get(i) or self._make(i) for i in found]
        if not per:
            return "", "", "", ""
        data, special, schedule, ccpa = (
            lines(filter(None, column)) for column in zip(*per, strict=True)
        )
        return data, special, schedule, ccpa

    def _make(self, category_id: int) -> tuple[str, str, str, str]:
        category = self.table[category_id]
        made = (
            category_line(category),
            special_category_line(category),
            schedule_line(category, self.table),
            ccpa_line(category),
        )
        self.made[category_id] = made
        return made


def code(record: Record) -> str:
    return str(record["code"])


# -- transfers (Art. 30(1)(e), 30(2)(c)) --------------------------------------


_PROFILES: WeakKeyDictionary[Snapshot, dict[str, Record]] = WeakKeyDictionary()


def profiles(snap: Snapshot) -> dict[str, Record]:
    """The country register by code, read once per snapshot."""
    if snap not in _PROFILES:
        found = snap.records("transfers.CountryProfile")
        _PROFILES[snap] = {c["code"]: c for c in found}
    return _PROFILES[snap]


def importer_name(snap: Snapshot, rec: Record) -> str:
    """The vendor, or our legal entity, importing a recorded transfer."""
    found = snap.get("inventory.Vendor", rec["importer_id"]) or snap.get(
        "inventory.LegalEntity", rec["importer_entity_id"]
    )
    return str(found["name"]) if found else ""


@dataclass(frozen=True)
class TransferFacts:
    """One transfer as the Art. 30 records show it."""

    id: int
    name: str
    country: str  # English name of the destination
    third_country: bool  # outside the EEA: a Chapter V transfer (Art. 44)
    activities: frozenset[int]
    safeguard: str  # safeguard_line(): "<country> (<importer>): <mechanism>..."
    holds: bool  # the mechanism is a safeguard that holds there
    record: Record
    missing: str = ""  # the line when it does not hold: "no safeguard recorded"
    regime: rules.Regime = rules.Regime.EU  # the law it is made under


def mechanism_text(rec: Record) -> str:
    """The mechanism as the records print it: the Art. 49 ground of a
    derogation; SCCs with their module (from the two roles, Decision (EU)
    2021/914 Clause 1) and the UK and Swiss instruments signed with them."""
    if rec["mechanism"] == Transfer.Mechanism.DEROGATION:
        return rules.derogation_text(
            rec["derogation_ground"], rec["derogation_safeguards"]
        )
    text = label(Transfer.Mechanism, rec["mechanism"])
    if rec["mechanism"] == Transfer.Mechanism.SCC:
        module = rules.scc_module(rec["exporter_role"], rec["importer_role"])
        text += f" ({', '.join([f'SCC Module {module}', *instruments(rec)])})"
    return text


def transfer_facts(snap: Snapshot) -> dict[int, TransferFacts]:
    """Every transfer at as_of, judged by transfers.rules on the as_of day
    under the law it is made under (``law.transfer_law``: an onward transfer
    of a customer's data under the customer's)."""
    day = snap.as_of.date()
    facts = {}
    for rec in snap.records("transfers.Transfer"):
        vendor = snap.get("inventory.Vendor", rec["importer_id"])
        eu = destination(profiles(snap).get(rec["destination"]), vendor, day)
        regime = law.transfer_law(rec, snap.get)[0]
        dest = law.seen_by(regime, rec["destination"], eu, vendor)
        country = country_name(rec["destination"])
        importer, scope = importer_name(snap, rec), scope_note(dest)
        text, holds, missing = mechanism_text(rec), True, MISSING_SAFEGUARD
        if regime == rules.Regime.NONE:
            text, scope, missing = NO_CHAPTER_V, "", NO_CHAPTER_V
        else:
            mechanism = rules.Mechanism(rec["mechanism"])
            holds = rules.mechanism_covers(dest, mechanism, rec["derogation_ground"])
            holds = holds and law.tool_error(regime, rec) is None
        facts[rec["id"]] = TransferFacts(
            rec["id"],
            rec["name"],
            country,
            not eu.eea,
            frozenset(rec["activities"]),
            safeguard_line(country, importer, text, scope),
            holds,
            rec,
            safeguard_line(country, importer, missing, scope),
            regime,
        )
    return facts


def instruments(rec: Record) -> list[str]:
    """What the recorded SCCs come with for UK and Swiss data."""
    found = [("uk_addendum", "UK Addendum"), ("idta", "IDTA")]
    found += [("swiss_adaptations", "Swiss adaptations")]
    return [name for key, name in found if rec.get(key)]


def chapter_v(transfers: Iterable[TransferFacts]) -> list[TransferFacts]:
    """The transfers leaving the EEA, sorted by country name then transfer name."""
    found = (t for t in transfers if t.third_country)
    return sorted(found, key=lambda t: (t.country, t.name))


def flow_safeguard(snap: Snapshot, flow: Flow, facts: dict[int, TransferFacts]) -> str:
    """A flow's line in the Transfer safeguards cell, under the law of the
    flow's data: the covering transfer's safeguard, adequacy, "no transfer"
    (UK data staying in the UK), or "<country> (<importer>): no safeguard
    recorded". A transfer recorded under another law for the same route
    (an EU one, for a UK customer's data) lends its line only as the tool
    that covers the flow, never as the reason none is needed."""
    country = country_name(flow.country)
    if flow.regime == rules.Regime.NONE:
        return safeguard_line(country, flow.importer.name, NO_CHAPTER_V)
    fact = facts.get(flow.transfer) if flow.transfer else None
    same_law = fact is not None and fact.regime == flow.regime
    if fact is not None and fact.holds and flow.status != Status.MISSING:
        if same_law or flow.status == Status.COVERED:
            return fact.safeguard
    vendor = (
        snap.get("inventory.Vendor", flow.importer.id)
        if flow.importer.type == VENDOR
        else None
    )
    eu = destination(profiles(snap).get(flow.country), vendor, snap.as_of.date())
    dest = law.seen_by(flow.regime, flow.country, eu, vendor)
    scope = scope_note(dest)
    if flow.status == Status.MISSING:
        return safeguard_line(country, flow.importer.name, MISSING_SAFEGUARD, scope)
    if dest.eea:  # inside the exporter's own country (UK or Swiss data)
        text = f"no transfer ({rules.REGIME_NAMES[flow.regime]})"
        return safeguard_line(country, flow.importer.name, text)
    adequacy = label(Transfer.Mechanism, Transfer.Mechanism.ADEQUACY)
    return safeguard_line(country, flow.importer.name, adequacy, scope)


def third_country_cells(
    snap: Snapshot,
    flows: list[Flow],
    recorded: Iterable[TransferFacts],
    facts: dict[int, TransferFacts],
) -> tuple[str, str]:
    """(Third countries, Transfer safeguards) of the flows leaving the EEA
    (Art. 30(1)(e), 30(2)(c)), and of the recorded transfers of the same
    activities that no derived flow travels (never omitted); one line per
    importer and country (and per transfer), the importer named."""
    found = {
        (country_name(f.country), flow_safeguard(snap, f, facts))
        for f in flows
        if f.third_country
    }
    for t in chapter_v(recorded):
        if not on_routes(t.record, flows):
            found.add((t.country, t.safeguard if t.holds else t.missing))
    ordered = sorted(found)
    return (
        lines(sorted({country for country, _ in ordered})),
        lines(line for _, line in ordered),
    )


# -- Organisation (Art. 30(1)(a), 30(2)(a)) -----------------------------------


def organisation_sheet(snap: Snapshot) -> Sheet:
    """Our legal entities with their contact, DPO and Art. 27 representative."""
    entities = sorted(snap.records("inventory.LegalEntity"), key=lambda r: r["name"])
    rows = [
        (
            r["name"],
            r["address"],
            country_name(r["country"]),
            r["contact"],
            r["dpo"],
            r["representative"],
        )
        for r in entities
    ]
    return Sheet("Organisation", ORGANISATION_HEADERS, rows, ORGANISATION_WIDTHS)


# -- Controller record (Art. 30(1)) -------------------------------------------


@dataclass(frozen=True)
class ControllerRow(Row):
    """One controller activity; fields in CONTROLLER_HEADERS order."""

    reference: str
    activity: str
    status: str
    owner: str
    purposes: str
    lawful_basis: str
    legitimate_interests: str
    lia_reference: str
    consent_record: str
    special_category_condition: str
    art10_basis: str
    data_subjects: str
    data_categories: str
    special_categories: str
    source: str
    recipients: str
    systems: str
    third_countries: str
    transfer_safeguards: str
    retention: str
    retention_per_category: str
    security_measures: str
    dpia_required: str
    dpia_reference: str
    next_review: CellValue
    rights_available: str
    automated_decisions: str
    profiling: str
    automated_decision_logic: str
    dpia_status: str
    joint_controllers: CellValue = None
    recipients_roles: CellValue = None
    processor_contracts: CellValue = None
    ccpa_categories: CellValue = None
    created: CellValue = None
    last_changed: CellValue = None


def vendors_of(snap: Snapshot, ids: Iterable[int]) -> list[Record]:
    table = snap.table("inventory.Vendor")
    return sorted((table[i] for i in ids if i in table), key=lambda r: r["name"])


def recipient_line(vendor: Record) -> str:
    """Art. 30(1)(d): who receives the data, in which role and country."""
    role = label(Vendor.Role, vendor["role"])
    return f"{vendor['name']} ({role}, {country_name(vendor['country'])})"


def contract_line(vendor: Record) -> str:
    """Art. 28(3): the processor's contract, by the date it was signed."""
    signed = vendor["dpa_signed_on"]
    return f"{vendor['name']}: DPA signed {signed}" if signed else ""


def ccpa_line(category: Record) -> str:
    """Cal. Civ. Code 1798.140(v)(1): the CCPA category letters of a category
    (empty without)."""
    letters = category["ccpa_category"]
    return f"{category['code']}: {letters}" if letters else ""


def derived_cells(
    snap: Snapshot, act: Record, created: dict[int, Any], ccpa: str
) -> dict[str, CellValue]:
    """The DERIVED_COLUMNS of one activity (``ccpa``: its CCPA categories cell)."""
    vendors = vendors_of(snap, act["recipients"])
    processors = (Vendor.Role.PROCESSOR, Vendor.Role.SUB_PROCESSOR)
    joint = [v for v in vendors if v["role"] == Vendor.Role.JOINT_CONTROLLER]
    first = created.get(act["id"])
    return {
        "joint_controllers": lines(
            f"{v['name']}: {v['contact']}" if v["contact"] else v["name"] for v in joint
        ),
        "recipients_roles": lines(recipient_line(v) for v in vendors),
        "processor_contracts": lines(
            filter(None, (contract_line(v) for v in vendors if v["role"] in processors))
        ),
        "ccpa_categories": ccpa,
        "created": first.date() if first else None,
        "last_changed": act["history_date"].date(),
    }


def controller_row(
    snap: Snapshot,
    act: Record,
    flows: list[Flow],
    transfers: Iterable[TransferFacts],
    created: dict[int, Any] | None = None,
    categories: CategoryCells | None = None,
) -> ControllerRow:
    """Art. 30(1)(a)-(g) for one activity, in the cell formats of docs/import.md;
    third countries and safeguards from the activity's flows (``categories``:
    shared by the rows of one snapshot)."""
    data, special, schedule, ccpa = (categories or CategoryCells(snap)).of(
        act["data_categories"]
    )
    facts = {t.id: t for t in transfers}
    third_countries, safeguards = third_country_cells(snap, flows, transfers, facts)
    return ControllerRow(
        act["ref"],
        act["name"],
        label(ProcessingActivity.Status, act["status"]),
        act["owner"],
        act["purposes"],
        lawful_basis_cell(snap, act),
        act["legitimate_interest"],
        act["lia_reference"],
        act["consent_record_reference"],
        art9_condition_cell(snap, act),
        act["art10_basis"],
        lines(
            names(snap, "inventory.DataSubjectCategory", act["data_subject_categories"])
        ),
        data,
        special,
        act["data_source"],
        lines(names(snap, "inventory.Vendor", act["recipients"])),
        lines(names(snap, "inventory.System", act["systems"])),
        third_countries,
        safeguards,
        act["retention"],
        schedule,
        lines(names(snap, "inventory.SecurityMeasure", act["security_measures"])),
        yes_no(act["dpia_required"]),
        act["dpia_reference"],
        act["next_review_on"],
        act["rights_available"],
        yes_no(act["automated_decisions"]),
        yes_no(act["profiling"]),
        act["automated_decision_logic"],
        label(ProcessingActivity.DpiaStatus, act["dpia_status"]),
        **derived_cells(snap, act, created or {}, ccpa),
    )


def lawful_basis_cell(snap: Snapshot, act: Record) -> str:
    """Art. 6(1): ``<basis>: <purposes>`` per line, the main basis first; an
    activity with one basis recorded on itself shows that basis alone."""
    rows = snap.children("inventory.ActivityLawfulBasis", "activity_id")
    bases = sorted(
        rows.get(act["id"], []), key=lambda r: r["basis"] != act["lawful_basis"]
    )
    if not bases:
        return label(ProcessingActivity.LawfulBasis, act["lawful_basis"])
    return lines(
        f"{label(ProcessingActivity.LawfulBasis, r['basis'])}: {r['purposes']}"
        for r in bases
    )


def art9_condition_cell(snap: Snapshot, act: Record) -> str:
    """Art. 9(2): with conditions recorded per special category, one line
    ``<code> <name>: <condition>`` per special category processed (the
    activity's own condition for the others); else the activity's condition."""
    rows = snap.children("inventory.SpecialCategoryCondition", "activity_id")
    own = {r["data_category_id"]: r["condition"] for r in rows.get(act["id"], [])}
    if not own:
        return label(ProcessingActivity.Art9Condition, act["art9_condition"])
    table = snap.table("inventory.DataCategory")
    special = sorted(
        (table[i] for i in act["data_categories"] if i in table),
        key=lambda r: r["code"],
    )
    ids = [r["id"] for r in special if r["special_category"]]
    found = art9_conditions(ids, own, act["art9_condition"])
    return lines(
        f"{table[i]['code']} {table[i]['name']}: "
        f"{label(ProcessingActivity.Art9Condition, found[i]) or 'none recorded'}"
        for i in ids
    )


def controller_rows(snap: Snapshot) -> Iterator[tuple[CellValue, ...]]:
    """Every controller activity (retired ones too), ordered by reference."""
    facts = transfer_facts(snap)
    data_map = DataMap.of(snap)
    by_activity: dict[int, list[TransferFacts]] = defaultdict(list)
    for fact in facts.values():
        for activity_id in fact.activities:
            by_activity[activity_id].append(fact)
    activities = snap.records("inventory.ProcessingActivity")
    created = snap.created("inventory.ProcessingActivity")
    categories = CategoryCells(snap)
    for act in sorted(activities, key=lambda r: r["ref"]):
        if act["role"] == ProcessingActivity.Role.CONTROLLER:
            flows = data_map.for_activity(act["id"])
            recorded = by_activity[act["id"]]
            covering = [facts[f.transfer] for f in flows if f.transfer in facts]
            transfers = [*recorded, *covering]
            row = controller_row(snap, act, flows, transfers, created, categories)
            yield row.cells()


def controller_sheets(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    """The Art. 30(1) GDPR record of processing activities of the controller."""
    record = Sheet(
        "Controller record",
        RECORD_HEADERS,
        controller_rows(snap),
        RECORD_WIDTHS,
        key_columns=2,  # Reference, Processing activity
        fit_content=True,
    )
    return [organisation_sheet(snap), record, findings_sheet(snap)]


# -- Processor record (Art. 30(2)) --------------------------------------------


@dataclass(frozen=True)
class ProcessorRow(Row):
    """One customer x processing category; fields in PROCESSOR_HEADERS order."""

    customer: str
    category: str
    customer_country: str
    customer_address: str
    customer_contact: str
    customer_dpo: str
    customer_representative: str
    processor: str
    activities: str
    data_categories: str
    retention: str
    end_of_service: str
    sub_processors: str
    transfers: str
    third_countries: str
    transfer_safeguards: str
    security_measures: str
    dpa_version: str
    dpa_signed_on: CellValue
    hipaa_baa: str


def customer_transfers(snap: Snapshot) -> dict[int, list[Record]]:
    """Per customer: the transfers it exports, and every onward transfer hanging
    under them (Art. 44: onward transfers are transfers too), at any depth."""
    transfers = snap.records("transfers.Transfer")
    children: dict[int, list[Record]] = defaultdict(list)
    for rec in transfers:
        if rec["parent_id"] is not None:
            children[rec["parent_id"]].append(rec)
    chains: dict[int, list[Record]] = defaultdict(list)
    for rec in transfers:
        if rec["exporter_customer_id"] is not None:
            chains[rec["exporter_customer_id"]].extend(with_onward(rec, children))
    return chains


def with_onward(rec: Record, children: dict[int, list[Record]]) -> list[Record]:
    """A transfer and its onward transfers, depth first, each once."""
    found, stack, seen = [], [rec], set()
    while stack:
        current = stack.pop()
        if current["id"] not in seen:
            seen.add(current["id"])
            found.append(current)
            stack.extend(children[current["id"]])
    return found


def processor_names(snap: Snapshot, chain: list[Record]) -> str:
    """Our entities importing this customer's data; all of them if none is
    recorded (Art. 30(2)(a): the name of the processor)."""
    entities = snap.table("inventory.LegalEntity")
    ids = {r["importer_entity_id"] for r in chain if r["exporter_customer_id"]}
    chosen = [entities[i]["name"] for i in ids if i in entities]
    return lines(sorted(chosen or (e["name"] for e in entities.values())))


def category_transfers(
    feature: Record | None, chain: list[Record], facts: dict[int, TransferFacts]
) -> list[TransferFacts]:
    """The customer's transfers that carry this category's activities; a
    transfer recording no activities cannot be narrowed down, so it stays."""
    mine = [facts[r["id"]] for r in chain]
    if feature is None:
        return mine
    wanted = set(feature["activities"])
    return [t for t in mine if not t.activities or t.activities & wanted]


def processor_row(
    snap: Snapshot,
    customer: Record,
    feature: Record | None,
    flows: tuple[list[Flow], list[TransferFacts], dict[int, TransferFacts]],
    processor: str,
    serving: residency.Serving,
    numbers: MeasureNumbers,
) -> ProcessorRow:
    """Art. 30(2)(a)-(d) for one customer and one enabled feature; transfers
    from the flows of the feature's activities for that customer, onward
    ones included (Art. 30(2)(c)); the feature's sub-processors that
    ``serving`` (the customer's residency region) allows; the measures by
    their number on the Security measures sheet (reports/measures.py)."""
    acts = snap.table("inventory.ProcessingActivity")
    mine = [acts[i] for i in (feature["activities"] if feature else []) if i in acts]
    derived, recorded, facts = flows
    covering = [facts[f.transfer] for f in derived if f.transfer in facts]
    transfers = chapter_v({t.id: t for t in [*recorded, *covering]}.values())
    third_countries, safeguards = third_country_cells(snap, derived, recorded, facts)
    if third_countries and law.exporter_law(customer)[0] == rules.Regime.NONE:
        safeguards = NO_CHAPTER_V_CUSTOMER  # the same for every line: said once
    category_ids = {i for a in mine for i in a["data_categories"]}
    subprocessors = [
        v for v in (feature["vendors"] if feature else []) if serving.allows_vendor(v)
    ]
    return ProcessorRow(
        customer["name"],
        feature["name"] if feature else "",
        country_name(customer["country"]),
        customer["address"],
        customer["contact"],
        customer["dpo"],
        customer["representative"],
        processor,
        lines(f"{a['ref']} {a['name']}" for a in sorted(mine, key=lambda a: a["ref"])),
        lines(data_category_lines(snap, category_ids)),
        lines(retention_lines(snap, customer["id"], category_ids)),
        retention.end_of_service_text(customer),
        lines(names(snap, "inventory.Vendor", subprocessors)),
        lines(t.name for t in transfers),
        third_countries,
        safeguards,
        numbers.refs(i for a in mine for i in a["security_measures"]),
        customer["dpa_version"],
        customer["dpa_signed_on"],
        yes_no(customer["baa_signed"]),
    )


def processor_rows(snap: Snapshot) -> Iterator[tuple[CellValue, ...]]:
    """One row per customer and enabled feature, by customer then feature name;
    a customer with no feature still gets a row, so every controller is listed."""
    features = snap.table("inventory.ProductFeature")
    facts = transfer_facts(snap)
    data_map = DataMap.of(snap)
    chains = customer_transfers(snap)
    numbers = measure_numbers(snap)
    customers = sorted(snap.records("inventory.Customer"), key=lambda r: r["name"])
    for customer in customers:
        chain = data_map.in_region(customer["id"], chains[customer["id"]])
        processor = processor_names(snap, chain)
        enabled = [features[i] for i in customer["features"] if i in features]
        enabled.sort(key=lambda r: r["name"])
        categories: list[Record | None] = [*enabled] or [None]
        for feature in categories:
            recorded = category_transfers(feature, chain, facts)
            derived = data_map.for_feature(customer["id"], feature) if feature else []
            row = processor_row(
                snap,
                customer,
                feature,
                (derived, recorded, facts),
                processor,
                data_map.serving(customer["id"]),
                numbers,
            )
            yield row.cells()


def processor_sheets(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    """The Art. 30(2) GDPR record of the categories of processing carried out
    for each controller (customer), with transfers and TOMs."""
    record = Sheet(
        "Processor record",
        PROCESSOR_HEADERS,
        processor_rows(snap),
        PROCESSOR_WIDTHS,
        key_columns=2,  # Customer (controller), Processing category
        fit_content=True,
    )
    return [
        organisation_sheet(snap),
        record,
        measures_sheet(snap),
        findings_sheet(snap),
    ]
