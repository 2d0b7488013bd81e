"""The onward legs of a customer's data on its DPA annex (Annex III): each
leg from our entity to a sub-processor, in each country, judged by the data
map under the law of the customer's data (``transfers.flows``,
``rules.leg_regime``), in words a contract can carry."""

from __future__ import annotations

from collections import defaultdict

from reports.snapshot import Record, Snapshot
from reports.xlsx import country_name, label
from transfers import law, rules
from transfers.flows import VENDOR, DataMap, Flow, Status
from transfers.models import Transfer
from transfers.rules import destination


def leg_safeguards(
    snap: Snapshot, data_map: DataMap, customer: Record, vendors: list[Record]
) -> dict[int, str]:
    """Per sub-processor, each leg of the customer's data to it (our entity
    to the vendor, in each country) as the data map judges it under the
    customer's law (an onward transfer: GDPR and UK GDPR Art. 44, FADP Art.
    16, Clause 8.8): what covers it, why none is needed, or that none is
    recorded. A customer no Chapter V applies to: not applicable."""
    if law.exporter_law(customer)[0] == rules.Regime.NONE:
        agreement = "the DPA and the BAA govern"
        if not customer["baa_signed"]:
            agreement = "the DPA governs"
        text = f"Not applicable: no Chapter V transfer ({agreement})"
        return {v["id"]: text for v in vendors}
    found: dict[int, list[str]] = defaultdict(list)
    countries = {c["code"]: c for c in snap.records("transfers.CountryProfile")}
    flows = data_map.flows(customer["id"])
    for flow in sorted(flows, key=lambda f: country_name(f.country)):
        if flow.importer.type == VENDOR:
            found[flow.importer.id].append(leg_text(snap, countries, flow))
    return {vendor: "\n".join(lines) for vendor, lines in found.items()}


def leg_text(snap: Snapshot, countries: dict[str, Record], flow: Flow) -> str:
    """ "<country>: <safeguard> (<transfer>)", "<country>: no safeguard needed
    (<law>: <why>)" or "<country>: no safeguard recorded (<law>)"."""
    country, law_name = country_name(flow.country), rules.REGIME_NAMES[flow.regime]
    record = snap.get("transfers.Transfer", flow.transfer)
    if flow.status == Status.MISSING:
        return f"{country}: no safeguard recorded ({law_name})"
    if flow.status == Status.COVERED and record is not None:
        return f"{country}: {covering_tool(flow, record)} ({record['name']})"
    vendor = snap.get("inventory.Vendor", flow.importer.id)
    eu = destination(countries.get(flow.country), vendor, snap.as_of.date())
    dest = law.seen_by(flow.regime, flow.country, eu, vendor)
    why = "adequacy"
    if dest.eea:
        why = "no transfer"
    elif dest.adequacy == rules.Adequacy.PARTIAL and dest.scope:
        why = f"adequacy for {rules.SCOPE_LABELS[dest.scope]}"
    return f"{country}: no safeguard needed ({law_name}: {why})"


def covering_tool(flow: Flow, record: Record) -> str:
    """The recorded tool as the leg's law names it: the UK Addendum or the
    IDTA (UK), the EU SCCs with the Swiss adaptations, the EU SCCs' module."""
    if record["mechanism"] != Transfer.Mechanism.SCC:
        return label(Transfer.Mechanism, record["mechanism"])
    if flow.regime == rules.Regime.UK:
        if record["idta"] and not record["uk_addendum"]:
            return "IDTA"
        return "UK Addendum to the EU SCCs"
    if flow.regime == rules.Regime.CH:
        return "EU SCCs with the Swiss adaptations"
    module = rules.scc_module(flow.route.exporter_role, flow.route.importer_role)
    return f"EU SCCs Module {module}"
