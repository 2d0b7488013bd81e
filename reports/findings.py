"""Findings: what the inventory itself says is missing, stale or risky.

Each check is a small function over a Snapshot (so findings can be computed as
of any past date), registered with a stable code, a severity and the article
it rests on. One source for the admin, the API, ``check_inventory`` and the
``Findings`` sheets. A check that raises becomes a finding of its own rather
than hiding the others.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date

from reports.snapshot import Record, Snapshot
from transfers import rules


@dataclass(frozen=True, order=True)
class Finding:
    code: str
    severity: str  # "error", "warning", "info"
    object_type: str  # model name, e.g. "processingactivity"
    object_id: int
    object_name: str
    message: str


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
        except Exception as exc:  # noqa: BLE001 - one broken check must not hide others
            found.append(
                Finding("CHECK_FAILED", "error", "check", 0, func.__name__, repr(exc))
            )
    order = {"error": 0, "warning": 1, "info": 2}
    return sorted(
        found, key=lambda f: (order[f.severity], f.code, f.object_type, f.object_id)
    )


def activity_name(rec: Record) -> str:
    return f"{rec['ref']} {rec['name']}"


@check
def activity_without_lawful_basis(snap: Snapshot) -> Iterator[Finding]:
    """Art. 6(1) GDPR: a controller activity needs a lawful basis."""
    for rec in snap.records("inventory.ProcessingActivity"):
        if rec["role"] == "controller" and not rec["lawful_basis"]:
            yield Finding(
                "ACT_NO_LAWFUL_BASIS",
                "error",
                "processingactivity",
                rec["id"],
                activity_name(rec),
                "Controller activity without a lawful basis (Art. 6(1) GDPR).",
            )


def transfer_assessments(snap: Snapshot) -> Iterator[tuple[Record, rules.Destination]]:
    """Each transfer with what the rules need to know of its destination."""
    countries = {c["code"]: c for c in snap.records("transfers.CountryProfile")}
    day = snap.as_of.date()
    for rec in snap.records("transfers.Transfer"):
        country = countries.get(rec["destination"])
        vendor = snap.get("inventory.Vendor", rec["importer_id"])
        yield rec, destination(country, vendor, day)


def destination(
    country: Record | None, vendor: Record | None, day: date
) -> rules.Destination:
    if country is None:
        return rules.Destination(eea=False, adequacy=rules.Adequacy.NONE)
    started = country["valid_from"] is None or country["valid_from"] <= day
    ended = country["valid_to"] is not None and country["valid_to"] < day
    return rules.Destination(
        eea=country["eea"],
        adequacy=rules.Adequacy(country["adequacy"]),
        scope=rules.Scope(country["scope"]) if country["scope"] else None,
        importer_dpf_certified=bool(vendor and vendor["dpf_certified"]),
        decision_valid=started and not ended,
    )


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
