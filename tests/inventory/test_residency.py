"""Data residency rules over plain records: what a region lets serve a
customer, and where a hosting vendor may process its data (Art. 28(3)(a)
GDPR, Clause 8.1 SCC 2021/914: the controller's documented instructions)."""

import pytest

from inventory.residency import UNRESTRICTED, countries, narrow, serving

REGIONS = {1: {"name": "EU", "systems": [4, 6], "vendors": [5]}}
EU = serving({"residency_region_id": 1}, REGIONS)


def test_a_system_no_vendor_hosts_is_kept_whatever_the_region():
    # The customer's own shop: not ours to place in a region.
    assert narrow(EU, {10: frozenset({4, 8, 9})}, "systems", unplaced=[8]) == {
        10: frozenset({4, 8})
    }


def test_a_region_the_customer_no_longer_has_restricts_nothing():
    assert serving({"residency_region_id": 2}, REGIONS) == UNRESTRICTED


@pytest.mark.parametrize(
    ("where", "hosted", "kept"),
    [
        # Hosts the EU system in DE and a US-only system: serves the EU from DE.
        (["US", "DE", "CA"], {4: ["DE"], 9: ["US"], 6: ["CA"]}, ["DE", "CA"]),
        # Hosts no system: its own countries (LLM inference stays in the US).
        (["US"], {}, ["US"]),
        # A country it is in for the region's systems too stays.
        (["US", "DE"], {4: ["US", "DE"], 9: ["US"]}, ["US", "DE"]),
        # Hosts only systems the region excludes, yet the region names it:
        # where it serves the region is unknown, so its countries stay.
        (["US"], {9: ["US"]}, ["US"]),
    ],
)
def test_a_hosting_vendor_serves_a_region_from_the_regions_systems(where, hosted, kept):
    assert countries(EU, where, hosted) == kept


def test_without_a_region_every_country_stays():
    assert countries(UNRESTRICTED, ["US", "DE"], {9: ["US"]}) == ["US", "DE"]
