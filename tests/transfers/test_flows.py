"""The data map: flows derived from the inventory, judged against the
recorded transfers (GDPR Art. 30(1)(d)/(e), 30(2)(c), 28(2)/(4), 44-46)."""

import datetime
import gc
import weakref
from dataclasses import dataclass, field
from typing import Any

import pytest
import time_machine

from inventory.models import Customer, ProcessingActivity, System, Vendor
from reports.snapshot import Snapshot, latest_change
from tests.factories import (
    make_activity,
    make_customer,
    make_entity,
    make_feature,
    make_system,
    make_transfer,
    make_vendor,
)
from transfers import rules
from transfers.flows import DataMap, Flow, Reach, Status
from transfers.models import Transfer


def data_map(**kwargs: Any) -> DataMap:
    return DataMap(Snapshot(latest_change()), **kwargs)


def named(
    flows: list[Flow],
    importer: str,
    country: str,
    role: str,
    regime: rules.Regime | None = None,
) -> Flow:
    (found,) = [
        f
        for f in flows
        if f.importer.name == importer
        and f.country == country
        and f.route.exporter_role == role
        and regime in (None, f.regime)
    ]
    return found


def customer_id(name: str) -> int:
    return Customer.objects.get(name=name).pk


def activity_id(ref: str) -> int:
    return ProcessingActivity.objects.get(ref=ref).pk


def transfer_id(name: str) -> int:
    return Transfer.objects.get(name=name).pk


# -- the demo inventory


def test_assisted_support_sends_thistles_chats_to_india_without_safeguard(demo):
    flows = data_map().flows()

    sahay = named(flows, "Sahay Support Services Pvt Ltd", "IN", "processor")

    assert sahay.exporter.name == "KonnectBot, Inc."
    assert sahay.customers == (customer_id("Thistle & Pine Ltd"),)
    assert sahay.activities == (activity_id("PA-P1"),)
    assert sahay.status == Status.MISSING
    assert sahay.transfer is None


def test_the_controller_transfer_to_sahay_covers_only_our_own_data(demo):
    sahay = named(
        data_map().flows(), "Sahay Support Services Pvt Ltd", "IN", "controller"
    )

    assert sahay.status == Status.COVERED
    assert sahay.transfer == transfer_id("KonnectBot to Sahay Support (India)")
    assert sahay.customers == ()


def test_northbridge_works_on_every_conversation_customers_data(demo):
    flows = data_map().flows()
    name = "Northbridge Engineering Ltd"

    # one flow per law the customers' data travels under
    by_law = {
        law: named(flows, name, "GB", "processor", law)
        for law in (rules.Regime.EU, rules.Regime.UK, rules.Regime.NONE)
    }

    assert {law: f.customers for law, f in by_law.items()} == {
        rules.Regime.EU: (customer_id("Maison Lumière SAS"),),
        rules.Regime.UK: (customer_id("Thistle & Pine Ltd"),),
        rules.Regime.NONE: (customer_id("Bayview Telehealth Inc."),),
    }
    # EU: UK adequacy; UK: no transfer out of the UK; none: no Chapter V
    assert {f.status for f in by_law.values()} == {Status.NO_SAFEGUARD_NEEDED}
    assert by_law[rules.Regime.EU].transfer == transfer_id(
        "KonnectBot to Northbridge Engineering (UK)"
    )


def test_a_uk_customers_onward_leg_needs_the_uk_addendum(demo):
    flows = data_map().flows(customer_id("Thistle & Pine Ltd"))

    cortex = named(flows, "Cortex AI Inc.", "US", "processor")

    # The EU SCCs with Cortex do not serve UK data; the Addendum does.
    assert cortex.regime == rules.Regime.UK
    assert cortex.status == Status.COVERED
    assert cortex.transfer == transfer_id("KonnectBot to Cortex AI (US), UK data")


def test_a_uk_customers_leg_to_a_uk_extension_vendor_needs_no_safeguard(demo):
    flows = data_map().flows(customer_id("Thistle & Pine Ltd"))

    nimbus = named(flows, "Nimbus Cloud Inc.", "US", "processor")
    backups = named(flows, "Nimbus Cloud Inc.", "CA", "processor")

    assert nimbus.status == Status.NO_SAFEGUARD_NEEDED  # the UK Extension
    assert backups.transfer == transfer_id(
        "KonnectBot backups to Nimbus Cloud (Canada), UK data"
    )


def test_an_onward_transfer_covers_every_customer_under_its_law(demo):
    # Recorded under Maison's transfer, the Cortex SCCs also cover the data
    # of any other customer whose data goes on under EU law.
    flows = data_map().flows(customer_id("Maison Lumière SAS"))

    cortex = named(flows, "Cortex AI Inc.", "US", "processor")

    assert cortex.status == Status.COVERED
    assert cortex.transfer == transfer_id("KonnectBot to Cortex AI (US)")


def test_a_us_customers_onward_legs_need_no_safeguard(demo):
    flows = data_map().flows(customer_id("Bayview Telehealth Inc."))

    assert flows and {f.regime for f in flows} == {rules.Regime.NONE}
    assert {f.status for f in flows} == {Status.NO_SAFEGUARD_NEEDED}


def test_our_own_data_and_customers_data_to_one_vendor_are_two_flows(demo):
    flows = data_map().flows()

    own = named(flows, "Nimbus Cloud Inc.", "US", "controller")
    theirs = named(flows, "Nimbus Cloud Inc.", "US", "processor", rules.Regime.NONE)

    assert own.transfer == transfer_id("KonnectBot account data to Nimbus Cloud (US)")
    assert theirs.transfer == transfer_id("KonnectBot to Nimbus Cloud (US)")
    assert own.customers == ()
    assert theirs.customers == (customer_id("Bayview Telehealth Inc."),)
    assert activity_id("PA-C3") in own.activities
    assert activity_id("PA-P1") in theirs.activities


def test_security_activity_reaches_the_us_through_all_its_recipients(demo):
    flows = data_map().for_activity(activity_id("PA-C3"))

    assert {(f.importer.name, f.country) for f in flows if f.third_country} == {
        ("Nimbus Cloud Inc.", "US"),
        ("Nimbus Cloud Inc.", "CA"),
        ("EdgeShield CDN Inc.", "US"),
        ("Tracelight Monitoring Inc.", "US"),
    }


def test_customer_sends_its_data_to_our_entity(demo):
    maison = customer_id("Maison Lumière SAS")
    (to_us,) = [f for f in data_map().flows(maison) if f.exporter.type == "customer"]

    assert to_us.exporter.as_dict() == {
        "type": "customer",
        "id": maison,
        "name": "Maison Lumière SAS",
        "country": "FR",
    }
    assert to_us.importer.name == "KonnectBot, Inc."
    assert to_us.country == "US"
    assert to_us.status == Status.COVERED
    assert to_us.transfer == transfer_id("Maison Lumière to KonnectBot (US)")


def test_only_the_shop_system_of_the_customers_integration_serves_it(demo):
    dm = data_map()
    shopify = System.objects.get(name="Shopify store (customer-side)").pk
    woo = System.objects.get(name="WooCommerce site (customer-side)").pk
    platform = System.objects.get(name="KonnectBot platform (US-East)").pk

    maison = dm.reach(customer_id("Maison Lumière SAS")).all_systems()
    thistle = dm.reach(customer_id("Thistle & Pine Ltd")).all_systems()

    assert shopify in maison and woo not in maison
    assert woo in thistle and shopify not in thistle
    # Maison chose the EU region: the US-East platform does not serve it.
    assert platform not in maison and platform in thistle


def test_sms_vendor_serves_only_customers_with_the_sms_channel(demo):
    dm = data_map()
    textwire = Vendor.objects.get(name="Textwire Messaging Inc.")
    flow = named(dm.flows(), textwire.name, "US", "processor")

    assert flow.customers == (customer_id("Thistle & Pine Ltd"),)
    assert flow.status == Status.MISSING  # recorded with mechanism "none"
    assert flow.transfer is None


def test_a_reach_filter_narrows_what_serves_one_customer(demo):
    maison = customer_id("Maison Lumière SAS")
    cortex = Vendor.objects.get(name="Cortex AI Inc.").pk

    def without_cortex(customer: dict, reach: Reach) -> Reach:
        if customer["id"] != maison:
            return reach
        vendors = {a: v - {cortex} for a, v in reach.vendors.items()}
        return Reach(reach.activities, vendors, reach.systems)

    flows = data_map(reach_filter=without_cortex).flows()
    cortex_flows = [f for f in flows if f.importer.name == "Cortex AI Inc."]
    served = {c for f in cortex_flows for c in f.customers}

    assert maison not in served
    assert customer_id("Thistle & Pine Ltd") in served


# -- rules of the derivation, on small inventories


@pytest.fixture
def entity(db):
    return make_entity(name="Acme Bots Inc.", country="US")


def test_adequacy_claim_that_does_not_hold_leaves_the_flow_uncovered(entity):
    vendor = make_vendor(processing_countries=["US"], dpf_certified=False)
    act = make_activity()
    act.recipients.add(vendor)
    make_transfer(exporter=entity, importer=vendor, destination="US").delete()
    Transfer.objects.create(
        name="claimed",
        exporter=entity,
        exporter_role="controller",
        importer=vendor,
        importer_role="processor",
        destination="US",
        mechanism="adequacy",
    )

    (flow,) = data_map().flows()

    assert flow.status == Status.MISSING


def test_a_transfer_with_other_roles_does_not_cover_the_flow(entity):
    vendor = make_vendor(processing_countries=["IN"])
    act = make_activity()
    act.recipients.add(vendor)
    make_transfer(
        exporter=entity, importer=vendor, destination="IN", exporter_role="processor"
    )

    (flow,) = data_map().flows()

    assert flow.status == Status.MISSING


def test_a_vendor_without_processing_countries_processes_where_it_is(entity):
    vendor = make_vendor(country="IN", processing_countries=[])
    make_activity().recipients.add(vendor)

    (flow,) = data_map().flows()

    assert flow.country == "IN"


def test_a_system_sends_the_data_to_its_hosting_vendor_where_it_is_hosted(entity):
    host = make_vendor(name="Hoster", processing_countries=["US"])
    system = make_system(hosting_countries=["BR", "DE"], vendor=host)
    make_activity().systems.add(system)

    flows = data_map().flows()

    assert {(f.importer.name, f.country, f.third_country) for f in flows} == {
        ("Hoster", "BR", True),
        ("Hoster", "DE", False),
    }


def test_retired_activities_send_nothing(entity):
    vendor = make_vendor(processing_countries=["US"])
    make_activity(status="retired").recipients.add(vendor)

    assert data_map().flows() == []


def test_flows_hold_as_of_a_past_date(db):
    t0 = datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC)
    with time_machine.travel(t0, tick=False):
        make_entity()
        act = make_activity()
    with time_machine.travel(t0 + datetime.timedelta(days=1), tick=False):
        act.recipients.add(make_vendor(processing_countries=["IN"]))

    assert DataMap(Snapshot(t0 + datetime.timedelta(hours=1))).flows() == []
    assert len(DataMap(Snapshot(t0 + datetime.timedelta(days=2))).flows()) == 1


def test_a_customer_feature_vendor_gets_the_customer_data(entity):
    act = make_activity(role="processor", lawful_basis=None)
    vendor = make_vendor(name="Sub", processing_countries=["JP"])
    feature = make_feature()
    feature.activities.add(act)
    feature.vendors.add(vendor)
    customer = make_customer(name="Client", country="DE")
    customer.features.add(feature)

    flows = data_map().flows(customer.pk)

    assert [(f.exporter.name, f.importer.name, f.country) for f in flows] == [
        ("Client", "Acme Bots Inc.", "US"),
        ("Acme Bots Inc.", "Sub", "JP"),
    ]
    assert all(f.customers == (customer.pk,) for f in flows)


def test_the_shared_data_map_goes_with_its_snapshot(entity):
    """``DataMap.of`` keeps one map per snapshot for as long as the snapshot
    lives, and no longer: a worker refreshing the findings all day must not
    keep every snapshot it ever read (tens of megabytes each at 10,000
    activities)."""
    make_activity().recipients.add(make_vendor(processing_countries=["IN"]))
    snap = Snapshot(latest_change())
    shared = DataMap.of(snap)
    assert DataMap.of(snap) is shared and len(shared.flows()) == 1
    gone = weakref.ref(snap)

    del snap, shared
    gc.collect()

    assert gone() is None


# -- a pure function over plain records


@dataclass
class Tables:
    as_of: datetime.datetime
    tables: dict[str, dict[int, dict[str, Any]]] = field(default_factory=dict)

    def table(self, label: str) -> dict[int, dict[str, Any]]:
        return self.tables.get(label, {})


def test_flows_are_computed_from_plain_records_alone():
    inv = Tables(
        datetime.datetime(2026, 6, 1, tzinfo=datetime.UTC),
        {
            "inventory.LegalEntity": {1: {"id": 1, "name": "Us", "country": "DE"}},
            "inventory.Vendor": {
                7: {
                    "id": 7,
                    "name": "Far",
                    "country": "IN",
                    "processing_countries": "IN",
                    "role": "processor",
                    "dpf_certified": False,
                }
            },
            "inventory.ProcessingActivity": {
                3: {
                    "id": 3,
                    "role": "controller",
                    "status": "active",
                    "recipients": [7],
                    "systems": [],
                    "data_categories": [4],
                }
            },
        },
    )

    (flow,) = DataMap(inv).flows()

    assert (flow.exporter.name, flow.importer.name, flow.country) == ("Us", "Far", "IN")
    assert flow.status == Status.MISSING  # IN is not in the (empty) register
    assert flow.data_categories == (4,)


US_NO_DPF = rules.Destination(
    eea=False, adequacy=rules.Adequacy.PARTIAL, scope=rules.Scope.DPF
)
US_DPF = rules.Destination(
    eea=False,
    adequacy=rules.Adequacy.PARTIAL,
    scope=rules.Scope.DPF,
    importer_dpf_certified=True,
)


@pytest.mark.parametrize(
    "dest,mechanism,ground,covers",
    [
        (US_NO_DPF, "scc", "", True),  # Art. 46(2)(c)
        (US_NO_DPF, "adequacy", "", False),  # Art. 45: DPF importers only
        (US_DPF, "adequacy", "", True),  # Decision (EU) 2023/1795
        (US_NO_DPF, "none", "", False),  # Art. 44: no ground at all
        (US_NO_DPF, "derogation", "", False),  # Art. 49(1) needs its ground
        (US_NO_DPF, "derogation", "49_1_a", True),  # Art. 49(1)(a)
        (US_NO_DPF, "bcr", "", True),  # Art. 47
    ],
)
def test_a_mechanism_covers_a_flow_only_where_it_holds(dest, mechanism, ground, covers):
    assert rules.mechanism_covers(dest, rules.Mechanism(mechanism), ground) is covers
