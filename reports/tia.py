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
from typing import Any, cast

from django.db import models
from django.utils.text import capfirst

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

# The assessment fields in the order of the EDPB steps; headers are the
# model's verbose names, so the sheet and the admin say the same thing.
TIA_FIELDS: tuple[str, ...] = (
    "assessed_on",
    "assessor",
    "transfer_description",
    "tool",
    "laws_considered",
    "problematic_legislation",
    "practical_experience",
    "technical_measures",
    "contractual_measures",
    "organisational_measures",
    "risk_rating",
    "outcome",
    "next_review_on",
)
TIA_WIDTHS = (34, 12, 22, 40, 30, 30, 40, 40, 36, 36, 36, 9, 22, 12)
CHOICES: dict[str, type[models.TextChoices]] = {
    "risk_rating": TransferImpactAssessment.Risk,
    "outcome": TransferImpactAssessment.Outcome,
}


def tia_headers() -> tuple[str, ...]:
    meta = TransferImpactAssessment._meta
    fields = (cast("models.Field[Any, Any]", meta.get_field(f)) for f in TIA_FIELDS)
    verbose = (capfirst(str(f.verbose_name)) for f in fields)
    return ("Transfer", *verbose)


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


REGIME_NAMES = {
    rules.Regime.EU: "EU GDPR",
    rules.Regime.UK: "UK GDPR",
    rules.Regime.CH: "Swiss FADP",
    rules.Regime.NONE: "None (no Chapter V)",
}
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
    exporter = snap.get("inventory.LegalEntity", rec["exporter_id"]) or snap.get(
        "inventory.Customer", rec["exporter_customer_id"]
    )
    regime, authority = law.exporter_law(exporter)
    dest = law.seen_by(regime, rec["destination"], eu, vendor)
    judged = assess(rec, dest, regime, authority)
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


def assessment_rows(
    transfers: list[Record], tias: dict[int, list[Record]]
) -> Iterator[tuple[CellValue, ...]]:
    """Every field of every assessment, by transfer name then assessment date."""
    for rec in transfers:
        for tia in tias.get(rec["id"], []):
            values = (
                label(CHOICES[f], tia[f]) if f in CHOICES else tia[f]
                for f in TIA_FIELDS
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
            assessment_rows(transfers, tias),
            TIA_WIDTHS,
            key_columns=2,  # Transfer, Assessed on
        ),
    ]
