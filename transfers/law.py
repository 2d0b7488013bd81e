"""The exporter's transfer law applied to inventory records.

``transfers.rules`` holds the law as pure functions; this module reads the
records (model instances' values or snapshot rows) those functions need: where
the exporter and its Art. 27 representative are established, and which partial
adequacy decisions the importer falls under (docs/transfer-law.md).
"""

from __future__ import annotations

from collections.abc import Mapping
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


def seen_by(
    law: rules.Regime,
    country: str,
    eu: rules.Destination,
    vendor: Mapping[str, Any] | None,
) -> rules.Destination:
    """The destination as the exporter's law sees it, for this importer."""
    return rules.regime_destination(law, country, eu, importer_scopes(vendor))
