"""The DPA annexes for one customer: the Appendix of the SCCs, Decision (EU)
2021/914 (Clause 2 says only the Appendix and the module/option choices may be
filled in), ready for sales to attach to the customer's contract.

- Annex I.A, list of parties: the customer as data exporter, our legal entity as
  data importer, the SCC module (Clause 1 and the module headings), the Clause 7
  docking clause, the Clause 9 option and notice period, and the UK Addendum and
  Swiss adaptations where the customer's transfer records them.
- Annex I.B, description of transfer (Clause 6): one row per heading of the
  template, filled from the customer's enabled features and the processor
  activities behind them (Art. 28(3) GDPR: subject matter, duration, nature,
  purpose, types of data, categories of data subjects).
- Annex I.C, the competent supervisory authority (Clause 13).
- Annex II, technical and organisational measures (Art. 32 GDPR) under the
  template's headings.
- Annex III, the sub-processors (Clause 9, Art. 28(2) and (4) GDPR): every
  vendor the data map (``transfers.flows``) shows receiving the customer's
  data, whatever its country, and only those, each with its Clause 9(a)
  status (a new one is authorised from the effective date of its notice;
  pending and objected ones are marked: ``reports.notices``).

Everything is read from the Snapshot, so the annexes can be produced as they
stood on any past date. Judgement calls:
- "Our legal entity" is the importer of the customer's transfer to us where one
  is recorded, else the first legal entity by name.
- Annex I.B lists exactly the data categories the customer's features
  process, and only the systems that serve that customer (the data map's
  reach): what a transfer record happens to list does not narrow it.
- Retired activities describe no processing and are left out.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from inventory import retention
from inventory.models import Customer, DataCategory, SecurityMeasure
from reports import onward
from reports.notices import (
    ANNEX_STATUS_HEADER,
    AUTHORISED,
    annex_statuses,
    notices_sheet,
)
from reports.params import Params, ReportError
from reports.snapshot import Record, Snapshot
from reports.xlsx import CellValue, Sheet, country_name, yes_no
from transfers import law, rules
from transfers.countries import in_sentence
from transfers.flows import VENDOR, DataMap, codes
from transfers.rules import destination

MODULE_NAMES = {
    1: "controller to controller",
    2: "controller to processor",
    3: "processor to processor",
    4: "processor to controller",
}
FREQUENCY = "Continuous, for the term of the agreement"
DURATION = (
    "Duration: the term of the agreement; at its end the data is deleted or "
    "returned as the data exporter chooses (Clause 8.5)."
)
# SCC 2021/914 Annex I.B, the template's headings in order.
TRANSFER_FIELDS = (
    "1. Categories of data subjects whose personal data is transferred",
    "2. Categories of personal data transferred",
    "3. Sensitive data transferred (if applicable) and applied restrictions or "
    "safeguards",
    "4. The frequency of the transfer",
    "5. Nature of the processing",
    "6. Purpose(s) of the data transfer and further processing",
    "7. The period for which the personal data will be retained, or, if that is "
    "not possible, the criteria used to determine that period",
    "8. For transfers to (sub-)processors: subject matter, nature and duration "
    "of the processing",
)
PARTY_HEADERS = (
    "Party",
    "Name",
    "Role",
    "Address",
    "Contact person",
    "DPO",
    "Representative (Art. 27)",
    "Activities relevant to the data transferred",
    # Left blank: filled in by whoever signs for the party (Annex I.A).
    "Signatory name",
    "Signatory position",
    "Signature",
    "Date",
    "SCC module",
    "SCC options",
)
# Narrow and wrapped: two tall rows print readably on one landscape page.
PARTY_WIDTHS = (9, 13, 9, 15, 25, 21, 13, 15, 9, 9, 8, 8, 8, 18)
FOR_SIGNING: tuple[CellValue, ...] = (None, None, None, None)
AUTHORITY_HEADERS = (
    "Data exporter",
    "Established in",
    "Competent supervisory authority",
    "Clause 13",
)
MEASURE_HEADERS = ("Annex II heading", "Measure", "Description", "Applies to")
SUBPROCESSOR_HEADERS = (
    "Name",
    "Address",
    "Contact",
    "Processing countries",
    "Description of processing",
    "DPF certified",
    "HIPAA BAA signed",
)
PHI_HEADER = "PHI allowed (HIPAA, 45 CFR 164.502(e))"
LEG_HEADER = "Onward transfer safeguard"


@dataclass(frozen=True)
class Annex:
    """What every annex needs to know about one customer, as of the snapshot."""

    snap: Snapshot
    customer: Record
    entity: Record
    transfer: Record | None
    features: list[Record]
    activities: list[Record]
    data_map: DataMap

    def by_ids(self, label: str, ids: Iterable[int]) -> list[Record]:
        return present(self.snap, label, ids)

    def data_categories(self) -> list[Record]:
        """Exactly the categories the enabled features' activities process."""
        ids = {i for a in self.activities for i in a["data_categories"]}
        records = self.by_ids("inventory.DataCategory", ids)
        return sorted(records, key=lambda r: r["code"])

    def systems(self) -> list[Record]:
        """The systems that serve this customer (not every customer's)."""
        reach = self.data_map.reach(self.customer["id"])
        return self.by_ids("inventory.System", reach.all_systems())

    def vendors(self) -> list[tuple[Record, list[str], list[str]]]:
        """Each vendor the customer's data flows to, with the enabled features
        that send it there and the countries where it processes that data
        (Clause 9, Art. 28(2), (4)); within the customer's residency region."""
        used: dict[int, list[str]] = {}
        where: dict[int, set[str]] = defaultdict(set)
        allowed = self.data_map.serving(self.customer["id"])
        for feature in self.features:
            flows = self.data_map.for_feature(self.customer["id"], feature)
            to_vendors = [f for f in flows if f.importer.type == VENDOR]
            reached = [f.importer.id for f in to_vendors]
            for flow in to_vendors:
                where[flow.importer.id].add(flow.country)
            if not flows:
                # No activity records what the feature processes yet: its own
                # vendors (those of the customer's region) are still its
                # sub-processors.
                reached = [v for v in feature["vendors"] if allowed.allows_vendor(v)]
            for vendor_id in dict.fromkeys(reached):
                names = used.setdefault(vendor_id, [])
                if feature["name"] not in names:
                    names.append(feature["name"])
        vendors = self.by_ids("inventory.Vendor", used)
        return [
            (
                v,
                used[v["id"]],
                sorted(where[v["id"]]) or codes(v["processing_countries"]),
            )
            for v in sorted(vendors, key=lambda v: v["name"])
        ]

    def measures(self) -> list[tuple[Record, list[str]]]:
        """Each security measure of the feature activities (and supplementary
        measures of the transfer), with where it applies."""
        applies: dict[int, list[str]] = {}
        for activity in self.activities:
            for measure_id in activity["security_measures"]:
                applies.setdefault(measure_id, []).append(activity["ref"])
        if self.transfer:
            for measure_id in self.transfer["supplementary_measures"]:
                applies.setdefault(measure_id, []).append("the transfer")
        return [
            (m, applies[m["id"]])
            for m in self.by_ids("inventory.SecurityMeasure", applies)
        ]

    def country(self, code: str) -> Record | None:
        profiles = self.snap.records("transfers.CountryProfile")
        return next((p for p in profiles if p["code"] == code), None)


def sheets(snap: Snapshot, params: Params) -> list[Sheet]:
    """Annex I.A, I.B, I.C, II and III of SCC 2021/914 for ``params["customer"]``,
    then the sub-processor change notices of the last 12 months (Clause 9(a))."""
    annex = load(snap, params.get("customer"))
    return [
        parties_sheet(annex),
        transfer_sheet(annex),
        authority_sheet(annex),
        measures_sheet(annex),
        subprocessors_sheet(annex),
        notices_sheet(snap, annex.customer["id"]),
    ]


def load(snap: Snapshot, name: object) -> Annex:
    customer = find_customer(snap, name)
    transfer = customer_transfer(snap, customer)
    features = present(snap, "inventory.ProductFeature", customer["features"])
    features.sort(key=lambda f: f["name"])
    activity_ids = {i for f in features for i in f["activities"]}
    activities = [
        a
        for a in present(snap, "inventory.ProcessingActivity", activity_ids)
        if a["status"] != "retired"
    ]
    activities.sort(key=lambda a: a["ref"])
    entity = importer_entity(snap, transfer)
    return Annex(snap, customer, entity, transfer, features, activities, DataMap(snap))


def present(snap: Snapshot, label: str, ids: Iterable[int]) -> list[Record]:
    """The records with these ids that exist as of the snapshot, by id."""
    table = snap.table(label)
    return [table[i] for i in sorted(set(ids)) if i in table]


def find_customer(snap: Snapshot, wanted: object) -> Record:
    """The customer as it stood at as_of: by id (what a request stores, see
    reports.requests), or by name, case-insensitively (a direct build call)."""
    if isinstance(wanted, int) and not isinstance(wanted, bool):
        found = snap.get("inventory.Customer", wanted)
        if found is None:
            raise ReportError(
                f"unknown customer {wanted} as of {snap.as_of.isoformat()}"
            )
        return found
    if not isinstance(wanted, str) or not wanted.strip():
        raise ReportError("dpa-annex needs --customer NAME")
    name = wanted.strip().casefold()
    for record in snap.records("inventory.Customer"):
        if record["name"].casefold() == name:
            return record
    raise ReportError(f"unknown customer {wanted!r}")


def customer_transfer(snap: Snapshot, customer: Record) -> Record | None:
    """The customer's transfer to one of our legal entities, if recorded."""
    mine = [
        t
        for t in snap.records("transfers.Transfer")
        if t["exporter_customer_id"] == customer["id"] and t["importer_entity_id"]
    ]
    return min(mine, key=lambda t: t["id"]) if mine else None


def importer_entity(snap: Snapshot, transfer: Record | None) -> Record:
    """Our legal entity, the data importer of Annex I.A."""
    if transfer is not None:
        entity = snap.get("inventory.LegalEntity", transfer["importer_entity_id"])
        if entity is not None:
            return entity
    entities = sorted(snap.records("inventory.LegalEntity"), key=lambda e: e["name"])
    if not entities:
        raise ReportError("no legal entity is recorded to act as the data importer")
    return entities[0]


# -- Annex I.A


def regime(annex: Annex) -> rules.Regime:
    """The customer's transfer law, from where it is established
    (``rules.regime``): EU, UK or Swiss, or none."""
    return law.exporter_law(annex.customer)[0]


def scc_module(annex: Annex) -> int | None:
    """Module per Decision 2021/914 from the customer's transfer, judged under
    the customer's own law; without a recorded transfer, Module 2 from the
    roles controller -> processor. None where no SCCs are needed, and always
    for an exporter no Chapter V applies to."""
    transfer, exporter_law = annex.transfer, regime(annex)
    if exporter_law == rules.Regime.NONE:
        return None
    if transfer is None:
        return rules.scc_module(rules.Role.CONTROLLER, rules.Role.PROCESSOR)
    code = transfer["destination"]
    eu = destination(annex.country(code), None, annex.snap.as_of.date())
    dest = law.seen_by(exporter_law, code, eu, None)
    return rules.scc_module_for(
        rules.Role(transfer["exporter_role"]),
        rules.Role(transfer["importer_role"]),
        dest,
    )


def governing_agreement(annex: Annex) -> str:
    """Where no SCCs apply, the sentence naming the contract that governs the
    processing: "... the DPA governs", or with a HIPAA customer's BAA "... the
    DPA and the BAA govern" (plural subject, plural verb)."""
    customer = annex.customer
    dpa = f"the data processing agreement ({customer['dpa_version'] or 'DPA'})"
    if customer["baa_signed"]:
        baa = "the HIPAA Business Associate Agreement (45 CFR 164.504(e))"
        return f"{dpa} and {baa} govern"
    return f"{dpa} governs"


def capitalised(sentence: str) -> str:
    return sentence[:1].upper() + sentence[1:]


def module_text(annex: Annex) -> str:
    exporter_law = regime(annex)
    if exporter_law == rules.Regime.NONE:
        country = in_sentence(country_name(annex.customer["country"]))
        return (
            "Not applicable: the SCCs do not apply. The data exporter is "
            f"established in {country}, outside the EEA, the UK and Switzerland, "
            "so its transfer is no transfer under GDPR Chapter V; "
            f"{governing_agreement(annex)}."
        )
    module = scc_module(annex)
    if module is None:
        return (
            "None needed: the destination is in the EEA or covered by an adequacy "
            "decision (GDPR Arts. 44, 45)"
        )
    text = f"Module {module}: {MODULE_NAMES[module]}"
    if exporter_law == rules.Regime.UK:
        tool = (
            "UK Addendum to the EU SCCs"
            if (annex.transfer or {}).get("uk_addendum")
            else "IDTA or UK Addendum to the EU SCCs"
        )
        return f"{tool} (UK GDPR Art. 46(2)(d)), EU SCCs {text}"
    if exporter_law == rules.Regime.CH:
        return f"{text}, with the Swiss adaptations (FADP Art. 16(2)(d))"
    return text


def scc_options(annex: Annex) -> str:
    """Every choice the SCCs leave to the parties (Clauses 7, 9, 11, 17, 18);
    for a UK exporter within the UK Addendum's Tables 1-4; the Swiss
    adaptations for a Swiss exporter or where the transfer records them."""
    transfer = annex.transfer or {}
    exporter_law = regime(annex)
    if exporter_law == rules.Regime.NONE:
        return "Not applicable: no SCCs (see SCC module)"
    lines = clause_choices(annex)
    if exporter_law == rules.Regime.UK:
        lines = uk_addendum_tables(annex, lines)
    else:
        lines += law_and_forum(annex)
    if transfer.get("uk_addendum") and exporter_law != rules.Regime.UK:
        lines.append("UK Addendum to the SCCs (UK GDPR) applies")
    if transfer.get("swiss_adaptations") or exporter_law == rules.Regime.CH:
        lines.append(
            "Swiss adaptations (FADP) apply: 'Member State' includes Switzerland "
            "(Clause 18(c)); references to the GDPR are read as the FADP"
        )
    return "\n".join(lines)


def clause_choices(annex: Annex) -> list[str]:
    """The options the SCCs leave to the parties (Clause 2(a)): Clause 7
    docking, Clause 9(a) option and notice period, Clause 11(a) optional
    independent dispute resolution body."""
    customer, transfer = annex.customer, annex.transfer or {}
    docking = "included" if transfer.get("docking_clause") else "not included"
    option = Customer.Clause9(customer["clause9_option"]).label
    return [
        f"Clause 7 docking clause: {docking}",
        f"Clause 9 {option}, {customer['notice_period_days']} days' notice",
        "Clause 11(a) optional independent dispute resolution body: not offered",
    ]


def law_and_forum(annex: Annex) -> list[str]:
    """Clause 17 (governing law) and Clause 18 (choice of forum), from where the
    exporter (else its Art. 27 representative) is established."""
    customer = annex.customer
    place = rules.governing_law_country(
        regime(annex),
        law.code(customer["country"]),
        law.code(customer["representative_country"]),
    )
    if not place:
        return ["Clause 17 governing law and Clause 18 forum: to be agreed"]
    name = country_name(place)
    return [
        f"Clause 17 governing law: the law of {name}",
        f"Clause 18 forum and jurisdiction: the courts of {name}",
    ]


# The ICO's own words (International Data Transfer Addendum to the EU
# Commission Standard Contractual Clauses, version B1.0, in force 21 March
# 2022): the titles of the Part 1 tables, and the reference to the Part 2
# Mandatory Clauses that a contract must use unchanged (Section 17 of them).
UK_TABLES = (
    "Table 1: Parties",
    "Table 2: Selected SCCs, Modules and Selected Clauses",
    "Table 3: Appendix Information",
    "Table 4: Ending this Addendum when the Approved Addendum Changes",
)
UK_MANDATORY_CLAUSES = (
    "Part 2: Mandatory Clauses of the Approved Addendum, being the template "
    "Addendum B.1.0 issued by the ICO and laid before Parliament in accordance "
    "with s119A of the Data Protection Act 2018 on 2 February 2022, as it is "
    "revised under Section 18 of those Mandatory Clauses."
)


def uk_addendum_tables(annex: Annex, choices: list[str]) -> list[str]:
    """The UK Addendum's Part 1 tables in the ICO's wording: Table 1 parties,
    Table 2 the EU SCCs' module and options, Table 3 the Appendix, Table 4
    which Parties may end it when the ICO revises the Approved Addendum
    (Section 19; ticked on signing); then its Part 2 Mandatory Clauses."""
    module = scc_module(annex)
    selected = f"EU SCCs Module {module}" if module else "no module needed"
    parties, sccs, appendix, ending = (f"UK Addendum {t}" for t in UK_TABLES)
    return [
        f"{parties}: the parties, contacts and signatures of this Annex I.A",
        f"{sccs}: {selected}; " + "; ".join(choices),
        f"{appendix}: Annexes I.A, I.B, II and III of this workbook",
        f"{ending}: which Parties may end this Addendum as set out in Section "
        "19: Importer, Exporter, neither Party (ticked on signing)",
        f"Mandatory Clauses: {UK_MANDATORY_CLAUSES}",
        "Governing law and forum (UK Addendum Part 2, Clauses 17 and 18 as "
        "amended): England and Wales, unless the Parties choose Scotland or "
        "Northern Ireland",
    ]


def role_label(annex: Annex, key: str, default: rules.Role) -> str:
    role = (annex.transfer or {}).get(key) or default
    return str(role).capitalize()


def parties_sheet(annex: Annex) -> Sheet:
    """Annex I.A: one row per party (SCC 2021/914 Annex I.A)."""
    customer, entity = annex.customer, annex.entity
    features = ", ".join(f["name"] for f in annex.features) or "none enabled"
    exporter = (
        "Data exporter",
        customer["name"],
        role_label(annex, "exporter_role", rules.Role.CONTROLLER),
        customer["address"],
        customer["contact"],
        customer["dpo"],
        customer["representative"],
        f"Uses {entity['name']}'s service with the features: {features}.",
        *FOR_SIGNING,
    )
    operations = "\n".join(f"{a['ref']} {a['name']}" for a in annex.activities)
    importer = (
        "Data importer",
        entity["name"],
        role_label(annex, "importer_role", rules.Role.PROCESSOR),
        entity["address"],
        entity["contact"],
        entity["dpo"],
        entity["representative"],
        "Processes the personal data on the data exporter's documented "
        f"instructions (Clause 8.1) in:\n{operations}",
        *FOR_SIGNING,
    )
    terms = (module_text(annex), scc_options(annex))
    rows = [exporter + terms, importer + terms]
    return Sheet("Annex I.A Parties", PARTY_HEADERS, rows, PARTY_WIDTHS, printable=True)


# -- Annex I.B


def bullet_lines(lines: Iterable[str]) -> str:
    # Not "- ": a leading hyphen would be neutralised as a formula trigger.
    return "\n".join(f"\u2022 {line}" for line in lines)


def described(record: Record, prefix: str = "") -> str:
    text = f"{prefix}{record['name']}"
    return f"{text}: {record['description']}" if record.get("description") else text


def art9_text(category: Record) -> str:
    kinds = []
    if category["special_category"]:
        labels = dict(DataCategory.Art9Kind.choices)
        label = labels.get(category["art9_kind"], "Special category")
        kinds.append(f"{label} (GDPR Art. 9(1))")
    if category["criminal_offence"]:
        kinds.append("criminal-offence data (GDPR Art. 10)")
    return f"{category['code']} {category['name']}: {'; '.join(kinds)}"


def measure_line(measure: Record) -> str:
    heading = SecurityMeasure.AnnexII(measure["annex_ii_heading"]).label
    return f"{measure['name']} ({heading})"


def sensitive_text(annex: Annex) -> str:
    """Annex I.B field 3: sensitive data and the safeguards that protect it."""
    sensitive = [
        c
        for c in annex.data_categories()
        if c["special_category"] or c["criminal_offence"]
    ]
    if not sensitive:
        measures = [m for m, _ in annex.measures()]
        return (
            "None intended. Should special categories of data (GDPR Art. 9) or "
            "criminal-offence data (Art. 10) occur in free text, they are "
            "protected by:\n" + bullet_lines(measure_line(m) for m in measures)
        )
    ids = {c["id"] for c in sensitive}
    measure_ids = {
        m
        for a in annex.activities
        if ids & set(a["data_categories"])
        for m in a["security_measures"]
    }
    measures = annex.by_ids("inventory.SecurityMeasure", measure_ids)
    text = bullet_lines(art9_text(c) for c in sensitive)
    text += "\nRestrictions and safeguards:\n"
    text += bullet_lines(measure_line(m) for m in measures)
    text += "\n" + bullet_lines(
        ["Onward transfers only to the sub-processors of Annex III (Clause 8.8)"]
    )
    if annex.customer["baa_signed"]:
        text += "\n" + bullet_lines(
            ["HIPAA business associate agreement in place (45 CFR 164.504(e))"]
        )
    return text


def nature_text(annex: Annex) -> str:
    """Annex I.B field 5: the processing operations and where they run."""
    hosted = []
    for system in sorted(annex.systems(), key=lambda s: s["name"]):
        codes = [c for c in system["hosting_countries"].split(",") if c]
        where = ", ".join(country_name(c) for c in codes)
        hosted.append(f"{system['name']}, in {where}" if where else system["name"])
    return (
        "Processing on the data exporter's documented instructions (GDPR "
        "Art. 28(3)(a), Clause 8.1) in these processing activities:\n"
        + bullet_lines(f"{a['ref']} {a['name']}" for a in annex.activities)
        + "\nSystems used:\n"
        + bullet_lines(hosted)
    )


def retention_text(annex: Annex) -> str:
    """Annex I.B field 7: per data category the period in force for this
    customer (its own setting, else the schedule) and what happens at its end;
    then deletion or return at the end of the services (Clause 8.5)."""
    periods = retention.customer_periods(
        annex.customer["id"],
        (c["id"] for c in annex.data_categories()),
        annex.snap.table("inventory.DataCategory"),
        annex.snap.records("inventory.RetentionOverride"),
    )
    return (
        "Per category of personal data:\n"
        + bullet_lines(f"{c['code']} {c['name']}: {p.describe()}" for c, p in periods)
        + "\n"
        + retention.end_of_service_text(annex.customer)
    )


def subprocessing_text(annex: Annex) -> str:
    """Annex I.B field 8: what each sub-processor does, and for how long."""
    lines = [
        f"{vendor['name']}: {vendor['service']} (for {', '.join(features)})"
        for vendor, features, _ in annex.vendors()
    ]
    return (
        "Subject matter and nature, per sub-processor of Annex III:\n"
        + bullet_lines(lines)
        + "\n"
        + DURATION
    )


def transfer_sheet(annex: Annex) -> Sheet:
    """Annex I.B: the description of transfer, one row per template heading."""
    subjects = annex.by_ids(
        "inventory.DataSubjectCategory",
        (i for a in annex.activities for i in a["data_subject_categories"]),
    )
    descriptions = (
        bullet_lines(described(s) for s in sorted(subjects, key=lambda s: s["name"])),
        bullet_lines(described(c, f"{c['code']} ") for c in annex.data_categories()),
        sensitive_text(annex),
        FREQUENCY,
        nature_text(annex),
        bullet_lines(
            f"{a['ref']} {a['name']}: {a['purposes']}" for a in annex.activities
        ),
        retention_text(annex),
        subprocessing_text(annex),
    )
    rows = list(zip(TRANSFER_FIELDS, descriptions, strict=True))
    return Sheet(
        "Annex I.B Transfer", ("Field", "Description"), rows, (40, 100), printable=True
    )


# -- Annex I.C


def competent_authority(annex: Annex) -> tuple[str, str]:
    """The competent authority under the customer's own law (``rules.authority``):
    Clause 13(a) SCC 2021/914 for the EU (the exporter's Member State; else its
    Art. 27 representative's; else where the data subjects are), the ICO for a
    UK exporter, the FDPIC for a Swiss one, none where no SCCs apply."""
    customer = annex.customer
    exporter_law, authority = law.exporter_law(customer)
    country = in_sentence(country_name(customer["country"]))
    if exporter_law == rules.Regime.NONE:
        return (
            "Not applicable: the SCCs do not apply",
            f"The data exporter is established in {country}; no Chapter V "
            f"transfer, no Clause 13. {capitalised(governing_agreement(annex))}.",
        )
    if exporter_law == rules.Regime.UK:
        return (
            authority,
            "UK GDPR: the data exporter is established in the United Kingdom; "
            "the Information Commissioner is competent (UK Addendum Table 1 / "
            "IDTA Table 1; UK GDPR Art. 46(2)(d)).",
        )
    if exporter_law == rules.Regime.CH:
        return (
            authority,
            "FADP: the data exporter is established in Switzerland; the FDPIC is "
            "competent for transfers under the FADP (Clause 13 as adapted).",
        )
    if customer["country"] in rules.EEA_AUTHORITIES:
        basis = (
            f"Clause 13(a): the data exporter is established in {country}, "
            "an EEA Member State."
        )
    else:
        basis = (
            "Clause 13(a): the data exporter is not established in the EEA; the "
            "authority of the Member State where its Art. 27(1) representative "
            "is established."
        )
    return authority, basis


def authority_sheet(annex: Annex) -> Sheet:
    """Annex I.C: the competent supervisory authority (Clause 13)."""
    authority, basis = competent_authority(annex)
    row = (
        annex.customer["name"],
        country_name(annex.customer["country"]),
        authority,
        basis,
    )
    return Sheet(
        "Annex I.C Authority",
        AUTHORITY_HEADERS,
        [row],
        (30, 18, 60, 60),
        printable=True,
    )


# -- Annex II


def measures_sheet(annex: Annex) -> Sheet:
    """Annex II: every heading of the template in its order (the 17 example
    headings, then, for transfers to a (sub-)processor, the measures to assist
    the controller), each with the TOMs (Art. 32 GDPR) filed under it; a
    heading with none says "Not applicable:" and the reason recorded for it."""
    by_heading: dict[str, list[tuple[Record, list[str]]]] = {}
    for measure, applies in annex.measures():
        if not measure["not_applicable"]:
            by_heading.setdefault(measure["annex_ii_heading"], []).append(
                (measure, applies)
            )
    rows: list[tuple[CellValue, ...]] = []
    for heading in annex_ii_headings(annex):
        title = SecurityMeasure.AnnexII(heading).label
        found = sorted(by_heading.get(heading, []), key=lambda m: m[0]["name"])
        rows += [
            (title, m["name"], m["description"], ", ".join(applies))
            for m, applies in found
        ]
        if not found:
            rows.append((title, not_applicable(annex.snap, heading), "", ""))
    return Sheet(
        "Annex II Measures", MEASURE_HEADERS, rows, (34, 34, 50, 20), printable=True
    )


def annex_ii_headings(annex: Annex) -> list[str]:
    """The template's headings; the assistance heading only where the importer
    acts as a (sub-)processor (Modules 2 and 3, or no SCCs but a DPA)."""
    headings = list(SecurityMeasure.AnnexII.values)
    if scc_module(annex) in (1, 4):
        headings.remove(SecurityMeasure.AnnexII.ASSISTANCE)
    return headings


def not_applicable(snap: Snapshot, heading: str) -> str:
    """ "Not applicable: <reason>", the reason from the catalogue's entries
    marking this heading not applicable."""
    reasons = sorted(
        (m for m in snap.records("inventory.SecurityMeasure") if m["not_applicable"]),
        key=lambda m: m["name"],
    )
    texts = [
        m["description"] or m["name"]
        for m in reasons
        if m["annex_ii_heading"] == heading
    ]
    return "Not applicable: " + (
        "; ".join(texts) or "no measure and no reason recorded"
    )


# -- Annex III


def subprocessors_sheet(annex: Annex) -> Sheet:
    """Annex III: the sub-processors the customer's features use (Clause 9);
    for a HIPAA customer, whether each may receive PHI (45 CFR 164.502(e))."""
    hipaa = bool(annex.customer["baa_signed"])
    headers = (
        SUBPROCESSOR_HEADERS
        + (ANNEX_STATUS_HEADER, LEG_HEADER)
        + ((PHI_HEADER,) if hipaa else ())
    )
    status = annex_statuses(annex.snap, annex.customer["id"])
    legs = onward.leg_safeguards(
        annex.snap, annex.data_map, annex.customer, [v for v, _, _ in annex.vendors()]
    )
    rows = [
        subprocessor_row(
            v,
            features,
            where,
            hipaa,
            (status.get(v["id"], AUTHORISED), legs.get(v["id"], "")),
        )
        for v, features, where in annex.vendors()
    ]
    widths = (22, 26, 24, 18, 44, 10, 10, 30, 40) + ((30,) if hipaa else ())
    return Sheet("Annex III Sub-processors", headers, rows, widths, printable=True)


def subprocessor_row(
    vendor: Record,
    features: list[str],
    where: list[str],
    hipaa: bool,
    status: tuple[str, str],
) -> tuple[CellValue, ...]:
    """One sub-processor; ``status`` is its Clause 9(a) status and the
    safeguard of each leg of the customer's data to it."""
    row: tuple[CellValue, ...] = (
        vendor["name"],
        vendor["address"],
        vendor["contact"],
        ", ".join(country_name(c) for c in where),
        f"{vendor['service']}. Used for: {', '.join(features)}.",
        yes_no(vendor["dpf_certified"]),
        yes_no(vendor["baa_signed"]),
        *status,
    )
    if not hipaa:
        return row
    if vendor["baa_signed"]:
        return (*row, "Yes: BAA signed")
    return (*row, "No: no BAA signed, PHI must be kept away from this sub-processor")
