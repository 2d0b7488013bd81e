"""The exporter's transfer law applied to inventory records.

``transfers.rules`` holds the law as pure functions; this module reads the
records (model instances' values or snapshot rows) those functions need: where
the exporter and its Art. 27 representative are established, and which partial
adequacy decisions the importer falls under (docs/transfer-law.md).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from transfers import rules

# Vendor field -> the partial adequacy decision it records the vendor under.
SCOPE_FIELDS: dict[str, rules.Scope] = {
    "dpf_certified": rules.Scope.DPF,
    "uk_extension": rules.Scope.UK_EXTENSION,
    "swiss_dpf": rules.Scope.SWISS_DPF,
    "subject_to_pipeda": rules.Scope.COMMERCIAL,
    "subject_to_appi": rules.Scope.PRIVATE_SECTOR,
    "subject_to_pipa": rules.Scope.PIPA,
}


def importer_scopes(vendor: Mapping[str, Any] | None) -> frozenset[rules.Scope]:
    """The partial adequacy decisions this importer is recorded under (none
    for one of our entities or an unknown importer)."""
    if not vendor:
        return frozenset()
    return frozenset(s for f, s in SCOPE_FIELDS.items() if vendor.get(f))


def code(value: Any) -> str:
    return str(getattr(value, "code", value) or "")


def exporter_law(party: Mapping[str, Any] | None) -> tuple[rules.Regime, str]:
    """The exporter's regime and competent authority (Clause 13(a) for the EU)
    from its ``country`` and ``representative_country``."""
    if not party:
        return rules.Regime.NONE, ""
    home, rep = code(party.get("country")), code(party.get("representative_country"))
    law = rules.regime(home, rep)
    return law, rules.authority(law, home, rep)


# (model label, id) -> the record, or None: ``reports.snapshot.Snapshot.get``.
Lookup = Callable[[str, Any], Mapping[str, Any] | None]


def leg_law(
    exporter: Mapping[str, Any] | None, origin: Mapping[str, Any] | None = None
) -> tuple[rules.Regime, str]:
    """The regime and competent authority of a leg that ``exporter`` sends:
    under the law of ``origin``, the customer whose data it sends on (an
    onward transfer, ``rules.leg_regime``), else under the exporter's own; the
    authority is the one that law names for this exporter (``rules.authority``:
    the ICO for UK data, the FDPIC for Swiss data, Clause 13(a) for EU data)."""
    if origin is None or not exporter:
        return exporter_law(exporter)
    regime = rules.leg_regime(exporter_law(exporter)[0], exporter_law(origin)[0])
    home, rep = (
        code(exporter.get("country")),
        code(exporter.get("representative_country")),
    )
    return regime, rules.authority(regime, home, rep)


def origin_customer(
    transfer: Mapping[str, Any], lookup: Lookup
) -> Mapping[str, Any] | None:
    """The customer whose transfer this recorded one continues (its ``parent``
    chain leads to a transfer the customer exports), else None, also for the
    customer's own transfer. Snapshot-style records (``parent_id``)."""
    if transfer.get("exporter_customer_id"):
        return None
    current, seen = transfer, {transfer.get("id")}
    while current.get("parent_id") and current["parent_id"] not in seen:
        seen.add(current["parent_id"])
        parent = lookup("transfers.Transfer", current["parent_id"])
        if parent is None:
            break
        current = parent
    return lookup("inventory.Customer", current.get("exporter_customer_id"))


def transfer_law(
    transfer: Mapping[str, Any], lookup: Lookup
) -> tuple[rules.Regime, str]:
    """A recorded transfer's regime and authority: an onward transfer of a
    customer's data under that customer's law (``leg_law``)."""
    exporter = lookup("inventory.LegalEntity", transfer.get("exporter_id")) or lookup(
        "inventory.Customer", transfer.get("exporter_customer_id")
    )
    return leg_law(exporter, origin_customer(transfer, lookup))


def tool_error(law: rules.Regime, transfer: Mapping[str, Any]) -> str | None:
    """``rules.regime_tool_error`` for a recorded transfer."""
    return rules.regime_tool_error(
        law,
        rules.Mechanism(transfer["mechanism"]),
        uk_addendum=bool(transfer.get("uk_addendum")),
        idta=bool(transfer.get("idta")),
        swiss_adaptations=bool(transfer.get("swiss_adaptations")),
    )


def seen_by(
    law: rules.Regime,
    country: str,
    eu: rules.Destination,
    vendor: Mapping[str, Any] | None,
) -> rules.Destination:
    """The destination as the exporter's law sees it, for this importer."""
    return rules.regime_destination(law, country, eu, importer_scopes(vendor))
