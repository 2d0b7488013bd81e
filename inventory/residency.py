"""Data residency: a customer that chose a region is served only by the
systems and vendors of that region (its documented instructions on where its
data is processed, Art. 28(3)(a) GDPR, Clause 8.1 SCC 2021/914).

The data map (``transfers.flows.DataMap``) calls ``serving``, ``narrow`` and
``countries`` to narrow each customer's flows, so every record, annex, finding
and view of the flows follows the region. They work on plain records (the
reports' Snapshot rows), as of any date. See docs/data-map.md, "Data
residency", and docs/retention.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
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
    allowed: Serving,
    by_activity: Mapping[int, frozenset[int]],
    kind: str,
    unplaced: Iterable[int] = (),
) -> dict[int, frozenset[int]]:
    """Per activity, only the ``kind`` ("systems" or "vendors") ids that
    ``allowed`` lets serve the customer: what a data map keeps of its reach.
    ``unplaced`` ids are kept whatever the region: a system no vendor of ours
    hosts (the customer's own shop) is not ours to place in a region."""
    keep = allowed.allows_system if kind == "systems" else allowed.allows_vendor
    always = frozenset(unplaced)
    return {
        a: frozenset(i for i in ids if i in always or keep(i))
        for a, ids in by_activity.items()
    }


def countries(
    allowed: Serving, where: Iterable[str], hosted: Mapping[int, Iterable[str]]
) -> list[str]:
    """Where a vendor may process the customer's data: its countries
    (``where``) less those it is in only to host systems the region excludes.
    ``hosted`` maps each system the vendor hosts to its hosting countries: a
    cloud provider hosting the EU region in Germany and the US region in the
    US serves an EU customer from Germany alone. Where that would leave no
    country, all of ``where`` stays."""
    if allowed.systems is None:
        return list(where)
    inside = {c for s, cs in hosted.items() if allowed.allows_system(s) for c in cs}
    outside = {
        c for s, cs in hosted.items() if not allowed.allows_system(s) for c in cs
    }
    kept = [c for c in where if c in inside or c not in outside]
    # The region names the vendor: were nothing left, where it serves the
    # region is unknown, so every country it gives stays.
    return kept or list(where)
