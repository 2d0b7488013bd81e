"""Data residency: a customer that chose a region is served only by the
systems and vendors of that region (its documented instructions on where its
data is processed, Art. 28(3)(a) GDPR, Clause 8.1 SCC 2021/914).

``serving`` is the hook the data map calls to narrow a customer's flows; it
works on plain records (the reports' Snapshot rows) and on model instances'
values alike. See docs/retention.md, "Data residency".
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]


@dataclass(frozen=True)
class Serving:
    """What may serve a customer: ``None`` for no restriction."""

    region: str | None  # the region's name, None when the customer chose none
    systems: frozenset[int] | None
    vendors: frozenset[int] | None

    def allows_system(self, system_id: int) -> bool:
        return self.systems is None or system_id in self.systems

    def allows_vendor(self, vendor_id: int) -> bool:
        return self.vendors is None or vendor_id in self.vendors


UNRESTRICTED = Serving(None, None, None)


def serving(customer: Record, regions: Mapping[int, Record]) -> Serving:
    """The systems and vendors that may process ``customer``'s data: those of
    its residency region, or any when it chose none (or the region is gone)."""
    region = regions.get(customer.get("residency_region_id") or 0)
    if region is None:
        return UNRESTRICTED
    return Serving(
        region["name"], frozenset(region["systems"]), frozenset(region["vendors"])
    )


def narrow(
    allowed: Serving, by_activity: Mapping[int, frozenset[int]], kind: str
) -> dict[int, frozenset[int]]:
    """Per activity, only the ``kind`` ("systems" or "vendors") ids that
    ``allowed`` lets serve the customer: what a data map keeps of its reach."""
    keep = allowed.allows_system if kind == "systems" else allowed.allows_vendor
    return {a: frozenset(i for i in ids if keep(i)) for a, ids in by_activity.items()}
