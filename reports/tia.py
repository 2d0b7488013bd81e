"""Transfer impact assessments: every transfer as the rules judge it, and the
assessments on record (SCC 2021/914 Clause 14; EDPB Recommendations 01/2020,
steps 1-6; docs/law.md).

Read from a Snapshot only, so "the TIAs as of 31 March" shows the transfers,
the adequacy decisions and the assessments as they then stood.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.db import models

from reports.params import ReportError
from reports.snapshot import Record, Snapshot
from reports.xlsx import CellValue, Row, Sheet, country_name, label, lines, yes_no
from transfers import law, rules
from transfers.models import (
    CountryProfile,
    Transfer,
    TransferImpactAssessment,
    assess,
)
from transfers.rules import destination

TRANSFER_COLUMNS: tuple[tuple[str, int], ...] = (
    ("Transfer", 34),
    ("Exporter", 22),
    ("Exporter role", 11),
    ("Importer", 26),
    ("Importer role", 11),
    ("Destination", 18),
    ("EEA", 7),
    ("Adequacy", 18),
    ("Adequacy scope", 30),
    ("Adequacy decision", 40),
    ("Mechanism", 30),
    ("SCC module", 9),
    ("Safeguard required", 10),
    ("TIA required", 9),
    ("Onward transfer of", 30),
    ("Processing activities", 34),
    ("Latest TIA", 12),
    ("Latest TIA outcome", 22),
    ("Next review", 12),
    ("Transfer law", 14),
    ("Competent authority", 34),
    ("Assessment due", 26),
)
TRANSFER_HEADERS = tuple(h for h, _ in TRANSFER_COLUMNS)
TRANSFER_WIDTHS = tuple(w for _, w in TRANSFER_COLUMNS)

# The assessment sheet, one section per EDPB step in order (Recommendations
# 01/2020: 1 know the transfer, 2 identify the tool, 3 assess the law and
# practice, 4 supplementary measures, 5 procedural steps, 6 re-evaluate), then
# the conclusion. Recorded fields are headed by the model's verbose names, so
# the sheet and the admin say the same thing; the derived ones (marked None)
# come from the data map, the rules and the country register.
TIA_COLUMNS: tuple[tuple[str, str | None, int], ...] = (
    ("Assessment", None, 26),
    ("Assessed on", "assessed_on", 12),
    ("Assessor", "assessor", 22),
    ("1. Transfer mapped from the inventory", None, 44),
    ("1. Transfer description", "transfer_description", 40),
    ("2. Transfer tool under the exporter's law", None, 36),
    ("2. Transfer tool", "tool", 30),
    ("3. Destination law and practice (country register)", None, 50),
    ("3. Law and practice last reviewed on", None, 12),
    ("3. Destination laws considered", "laws_considered", 30),
    ("3. Problematic legislation", "problematic_legislation", 40),
    ("3. Practical experience", "practical_experience", 40),
    ("4. Supplementary measures (security measures)", None, 40),
    ("4. Technical measures", "technical_measures", 36),
    ("4. Contractual measures", "contractual_measures", 36),
    ("4. Organisational measures", "organisational_measures", 36),
    ("5. Procedural steps", "procedural_steps", 36),
    ("6. Next review", "next_review_on", 12),
    ("Risk rating", "risk_rating", 9),
    ("Outcome", "outcome", 22),
    ("Conclusion: rationale", "conclusion_rationale", 40),
    ("Approved by", "approved_by", 22),
    ("Approved on", "approved_on", 12),
)
TIA_WIDTHS = (34, *(w for _, _, w in TIA_COLUMNS))
CHOICES: dict[str, type[models.TextChoices]] = {
    "risk_rating": TransferImpactAssessment.Risk,
    "outcome": TransferImpactAssessment.Outcome,
}


def tia_headers() -> tuple[str, ...]:
    return ("Transfer", *(h for h, _, _ in TIA_COLUMNS))


@dataclass(frozen=True)
class TransferRow(Row):
    """One transfer; fields in TRANSFER_HEADERS order."""

    transfer: str
    exporter: str
    exporter_role: str
    importer: str
    importer_role: str
    destination: str
    eea: str
    adequacy: str
    adequacy_scope: str
    adequacy_decision: str
    mechanism: str
    scc_module: CellValue
    safeguard_required: str
    tia_required: str
    onward_transfer_of: str
    activities: str
    latest_tia: CellValue
    latest_outcome: str
    next_review: CellValue
    transfer_law: str
    authority: str
    assessment_due: str


REGIME_NAMES = rules.REGIME_NAMES
ASSESSMENT_NAMES = {
    "TIA": "TIA (Clause 14 SCC; EDPB Recommendations 01/2020)",
    "TRA": "TRA (UK GDPR Art. 46; ICO transfer risk assessment)",
}


def exporter_name(snap: Snapshot, rec: Record) -> str:
    """Our legal entity, or the customer whose data it is (Module 2 exporter)."""
    found = snap.get("inventory.LegalEntity", rec["exporter_id"]) or snap.get(
        "inventory.Customer", rec["exporter_customer_id"]
    )
    return found["name"] if found else ""


def importer_name(snap: Snapshot, rec: Record) -> str:
    """A vendor, or one of our own entities (intra-group or as processor)."""
    found = snap.get("inventory.Vendor", rec["importer_id"]) or snap.get(
        "inventory.LegalEntity", rec["importer_entity_id"]
    )
    return found["name"] if found else ""


def adequacy_scope(profile: Record | None) -> str:
    """What a partial decision covers (Art. 45(1)): its own wording, else the
    recorded scope."""
    if profile is None:
        return ""
    return profile["adequacy_scope"] or label(CountryProfile.Scope, profile["scope"])


def activity_lines(snap: Snapshot, ids: list[int]) -> str:
    table = snap.table("inventory.ProcessingActivity")
    found = sorted((table[i] for i in ids if i in table), key=lambda r: r["ref"])
    return lines(f"{a['ref']} {a['name']}" for a in found)


def transfer_row(
    snap: Snapshot, rec: Record, profile: Record | None, latest: Record | None
) -> TransferRow:
    """One transfer as transfers.rules judge it on the as_of day (Art. 44-49)."""
    vendor = snap.get("inventory.Vendor", rec["importer_id"])
    eu = destination(profile, vendor, snap.as_of.date())
    regime, authority, judged = judge(snap, rec, profile)
    due = rules.assessment_name(regime) if judged.tia_required else ""
    parent = snap.get("transfers.Transfer", rec["parent_id"])
    return TransferRow(
        rec["name"],
        exporter_name(snap, rec),
        label(Transfer.Role, rec["exporter_role"]),
        importer_name(snap, rec),
        label(Transfer.Role, rec["importer_role"]),
        country_name(rec["destination"]),
        yes_no(eu.eea),
        label(CountryProfile.Adequacy, profile["adequacy"]) if profile else "",
        adequacy_scope(profile),
        profile["decision_reference"] if profile else "",
        label(Transfer.Mechanism, rec["mechanism"]),
        judged.scc_module,
        yes_no(judged.safeguard_required),
        yes_no(judged.tia_required),
        parent["name"] if parent else "",
        activity_lines(snap, rec["activities"]),
        latest["assessed_on"] if latest else None,
        label(TransferImpactAssessment.Outcome, latest["outcome"]) if latest else "",
        latest["next_review_on"] if latest else None,
        REGIME_NAMES[regime],
        authority,
        ASSESSMENT_NAMES.get(due, ""),
    )


def selected(snap: Snapshot, params: dict[str, Any]) -> list[Record]:
    """All transfers by name, or the one asked for (``--transfer ID``)."""
    transfers = sorted(snap.records("transfers.Transfer"), key=lambda r: r["name"])
    wanted = params.get("transfer")
    if wanted in (None, ""):
        return transfers
    try:
        pk = int(wanted)
    except (TypeError, ValueError):
        raise ReportError(f"--transfer {wanted!r} is not a transfer id") from None
    chosen = [r for r in transfers if r["id"] == pk]
    if not chosen:
        raise ReportError(f"unknown transfer {pk} as of {snap.as_of.isoformat()}")
    return chosen


def assessments_by_transfer(snap: Snapshot) -> dict[int, list[Record]]:
    """Each transfer's TIAs, oldest first."""
    found: dict[int, list[Record]] = defaultdict(list)
    tias = snap.records("transfers.TransferImpactAssessment")
    for tia in sorted(tias, key=lambda t: (t["assessed_on"], t["id"])):
        found[tia["transfer_id"]].append(tia)
    return found


def transfer_rows(
    snap: Snapshot, transfers: list[Record], tias: dict[int, list[Record]]
) -> Iterator[tuple[CellValue, ...]]:
    profiles = {c["code"]: c for c in snap.records("transfers.CountryProfile")}
    for rec in transfers:
        mine = tias.get(rec["id"])
        latest = mine[-1] if mine else None
        yield transfer_row(snap, rec, profiles.get(rec["destination"]), latest).cells()


def judge(snap: Snapshot, rec: Record, profile: Record | None) -> tuple[Any, ...]:
    """(regime, authority, judged transfer) under the law it is made under:
    the exporter's, or the customer's for an onward transfer of its data."""
    vendor = snap.get("inventory.Vendor", rec["importer_id"])
    eu = destination(profile, vendor, snap.as_of.date())
    regime, authority = law.transfer_law(rec, snap.get)
    dest = law.seen_by(regime, rec["destination"], eu, vendor)
    return regime, authority, assess(rec, dest, regime, authority)


def mapped_text(snap: Snapshot, rec: Record) -> str:
    """Step 1: who sends which data to whom, where, for which activities."""
    activities = snap.table("inventory.ProcessingActivity")
    codes = sorted(
        {
            snap.table("inventory.DataCategory")[c]["code"]
            for a in rec["activities"]
            if a in activities
            for c in activities[a]["data_categories"]
            if c in snap.table("inventory.DataCategory")
        }
    )
    exporter_role = label(Transfer.Role, rec["exporter_role"]).lower()
    importer_role = label(Transfer.Role, rec["importer_role"]).lower()
    return lines(
        [
            f"{exporter_name(snap, rec)} ({exporter_role}) to "
            f"{importer_name(snap, rec)} ({importer_role}) in "
            f"{country_name(rec['destination'])}",
            f"Activities: {activity_lines(snap, rec['activities']) or 'none'}",
            f"Data categories: {', '.join(codes) or 'none recorded'}",
        ]
    )


def tool_text(snap: Snapshot, rec: Record, profile: Record | None) -> str:
    """Step 2: the tool the exporter's law calls for (Art. 45, 46, 49)."""
    regime, _, judged = judge(snap, rec, profile)
    mechanism = rules.Mechanism(rec["mechanism"])
    text = f"{REGIME_NAMES[regime]}: {label(Transfer.Mechanism, rec['mechanism'])}"
    if mechanism == rules.Mechanism.SCC:
        text += f"; {rules.instrument(regime, mechanism, judged.scc_module)}"
    return text


def supplementary_text(snap: Snapshot, rec: Record) -> str:
    """Step 4: the security measures recorded as supplementary for the transfer."""
    table = snap.table("inventory.SecurityMeasure")
    found = sorted(
        (table[i] for i in rec["supplementary_measures"] if i in table),
        key=lambda m: m["name"],
    )
    return lines(
        f"{m['name']}: {m['description']}" if m["description"] else m["name"]
        for m in found
    )


def derived_values(
    snap: Snapshot, rec: Record, profile: Record | None
) -> dict[str, CellValue]:
    regime = judge(snap, rec, profile)[0]
    kind = "TRA" if regime == rules.Regime.UK else "TIA"
    return {
        "Assessment": ASSESSMENT_NAMES[kind],
        "1. Transfer mapped from the inventory": mapped_text(snap, rec),
        "2. Transfer tool under the exporter's law": tool_text(snap, rec, profile),
        "3. Destination law and practice (country register)": (
            (profile or {}).get("law_and_practice") or "Not recorded"
        ),
        "3. Law and practice last reviewed on": (profile or {}).get("law_reviewed_on"),
        "4. Supplementary measures (security measures)": supplementary_text(snap, rec),
    }


def assessment_rows(
    snap: Snapshot, transfers: list[Record], tias: dict[int, list[Record]]
) -> Iterator[tuple[CellValue, ...]]:
    """Every assessment in the six EDPB steps, by transfer name then date."""
    profiles = {c["code"]: c for c in snap.records("transfers.CountryProfile")}
    for rec in transfers:
        derived = derived_values(snap, rec, profiles.get(rec["destination"]))
        for tia in tias.get(rec["id"], []):
            values = (
                derived[header]
                if field is None
                else label(CHOICES[field], tia[field])
                if field in CHOICES
                else tia[field]
                for header, field, _ in TIA_COLUMNS
            )
            yield (rec["name"], *values)


def sheets(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    """The ``tia`` workbook: Transfers, then Assessments (Clause 14 SCC)."""
    transfers = selected(snap, params)
    tias = assessments_by_transfer(snap)
    return [
        Sheet(
            "Transfers",
            TRANSFER_HEADERS,
            transfer_rows(snap, transfers, tias),
            TRANSFER_WIDTHS,
        ),
        Sheet(
            "Assessments",
            tia_headers(),
            assessment_rows(snap, transfers, tias),
            TIA_WIDTHS,
            key_columns=2,  # Transfer, Assessment (TIA or TRA)
        ),
    ]
