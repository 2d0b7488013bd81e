"""The data map follows each customer's data residency region: only the
region's systems and vendors serve it, a hosting vendor only where the
region's systems are, as of any date (Art. 28(3)(a) GDPR, Clause 8.1 SCC
2021/914: processing on documented instructions, including on transfers)."""

import pytest
from django.utils import timezone

from inventory.models import Vendor
from reports.snapshot import Snapshot, latest_change
from tests.factories import (
    make_activity,
    make_customer,
    make_entity,
    make_feature,
    make_region,
    make_system,
    make_vendor,
)
from transfers.flows import DataMap, Reach

pytestmark = pytest.mark.django_db


def routes(customer, when=None) -> set[tuple[str, str]]:
    flows = DataMap(Snapshot(when or latest_change())).flows(customer.pk)
    return {(f.importer.name, f.country) for f in flows}


@pytest.fixture
def shop():
    """A US processor with a cloud (US and EU systems, backups in Canada), a
    US-only messaging vendor, an LLM in the US, and the customer's own shop."""
    make_entity(name="Bots Inc.", country="US")
    cloud = make_vendor(name="Cloud", processing_countries=["US", "DE", "CA"])
    sms = make_vendor(name="SMS", processing_countries=["US"])
    llm = make_vendor(name="LLM", processing_countries=["US"])
    us = make_system(name="US-East", vendor=cloud, hosting_countries=["US"])
    eu = make_system(name="Frankfurt", vendor=cloud, hosting_countries=["DE"])
    backups = make_system(name="Backups", vendor=cloud, hosting_countries=["CA"])
    own = make_system(name="Customer's shop")
    act = make_activity(role="processor", lawful_basis=None)
    act.recipients.set([cloud, sms, llm])
    act.systems.set([us, eu, backups, own])
    feature = make_feature(name="Chat")
    feature.activities.set([act])
    region = make_region(name="European Union")
    region.systems.set([eu, backups])
    region.vendors.set([cloud, llm])
    return {"feature": feature, "region": region, "systems": (us, eu, backups, own)}


def customer(shop, **kwargs):
    found = make_customer(**kwargs)
    found.features.set([shop["feature"]])
    return found


def test_a_customer_in_a_region_is_served_only_by_the_region(shop):
    eu = customer(shop, name="EU shop", residency_region=shop["region"])
    anywhere = customer(shop, name="Any shop")

    assert routes(eu) == {
        ("Bots Inc.", "US"),
        ("Cloud", "DE"),
        ("Cloud", "CA"),
        ("LLM", "US"),
    }
    assert routes(anywhere) == {
        ("Bots Inc.", "US"),
        ("Cloud", "US"),
        ("Cloud", "DE"),
        ("Cloud", "CA"),
        ("SMS", "US"),
        ("LLM", "US"),
    }


def test_the_regions_systems_and_the_customers_own_serve_it(shop):
    us, eu_system, backups, own = shop["systems"]
    eu = customer(shop, name="EU shop", residency_region=shop["region"])

    reach = DataMap(Snapshot(latest_change())).reach(eu.pk)

    assert reach.all_systems() == {eu_system.pk, backups.pk, own.pk}


def test_the_whole_map_keeps_the_customers_apart(shop):
    eu = customer(shop, name="EU shop", residency_region=shop["region"])
    anywhere = customer(shop, name="Any shop")

    flows = DataMap(Snapshot(latest_change())).flows()

    (sms,) = [f for f in flows if f.importer.name == "SMS"]
    (cloud_us,) = [f for f in flows if (f.importer.name, f.country) == ("Cloud", "US")]
    assert sms.customers == cloud_us.customers == (anywhere.pk,)
    (cloud_de,) = [f for f in flows if (f.importer.name, f.country) == ("Cloud", "DE")]
    assert cloud_de.customers == (eu.pk, anywhere.pk)


def test_a_reach_filter_applies_within_the_region(shop):
    eu = customer(shop, name="EU shop", residency_region=shop["region"])

    def no_vendors(record, reach: Reach) -> Reach:
        return Reach(reach.activities, {}, reach.systems)

    dm = DataMap(Snapshot(latest_change()), reach_filter=no_vendors)

    assert {(f.importer.name, f.country) for f in dm.flows(eu.pk)} == {
        ("Bots Inc.", "US"),
        ("Cloud", "DE"),
        ("Cloud", "CA"),
    }


def test_the_flows_follow_the_region_the_customer_had_then(shop):
    eu = customer(shop, name="EU shop", residency_region=shop["region"])
    before = timezone.now()
    eu.residency_region = None
    eu.save()

    then, now = routes(eu, before), routes(eu)

    assert ("SMS", "US") not in then and ("Cloud", "US") not in then
    assert ("SMS", "US") in now and ("Cloud", "US") in now


def test_a_region_changed_later_does_not_rewrite_the_past(shop):
    eu = customer(shop, name="EU shop", residency_region=shop["region"])
    before = timezone.now()
    shop["region"].vendors.add(Vendor.objects.get(name="SMS"))

    assert ("SMS", "US") not in routes(eu, before)
    assert ("SMS", "US") in routes(eu)
