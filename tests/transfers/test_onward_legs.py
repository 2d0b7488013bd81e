"""The onward legs of a customer's data (our entity -> its sub-processors) are
judged under the customer's law: UK GDPR for a UK customer's data, the FADP
for a Swiss customer's, no Chapter V for a US customer's (GDPR and UK GDPR
Art. 44, FADP Art. 16, SCC Clause 8.7/8.8). The same vendor leg under two
customers' laws is two flows, each judged on its own."""

import pytest

from reports.build import build
from reports.snapshot import Snapshot, latest_change
from tests.factories import (
    make_activity,
    make_customer,
    make_entity,
    make_feature,
    make_transfer,
    make_vendor,
)
from tests.reports.helpers import by, load
from transfers import rules
from transfers.flows import DataMap, Flow, Status

pytestmark = pytest.mark.django_db


@pytest.fixture
def shop():
    """A US processor (Art. 27 representative in Ireland) whose chat feature
    sends every customer's data to an LLM vendor in the US, certified under the
    EU-US DPF only, and to a hosting vendor certified under the DPF and its UK
    Extension."""
    entity = make_entity(name="Bots Inc.", country="US", representative_country="IE")
    act = make_activity(role="processor", lawful_basis=None)
    llm = make_vendor(name="LLM", processing_countries=["US"], dpf_certified=True)
    host = make_vendor(
        name="Host", processing_countries=["US"], dpf_certified=True, uk_extension=True
    )
    act.recipients.add(llm, host)
    feature = make_feature(name="Chat")
    feature.activities.add(act)
    customers = {}
    for country in ("FR", "GB", "CH", "US"):
        customer = make_customer(name=f"Client {country}", country=country)
        customer.features.add(feature)
        customers[country] = customer
    return {"entity": entity, "llm": llm, "host": host, **customers}


def flows_of(customer) -> dict[str, Flow]:
    data_map = DataMap(Snapshot(latest_change()))
    return {
        f.importer.name: f
        for f in data_map.flows(customer.pk)
        if f.importer.type == "vendor"
    }


def onward(shop, importer: str, **kwargs):
    return make_transfer(
        exporter=shop["entity"],
        exporter_role="processor",
        importer=shop[importer],
        importer_role="processor",
        **kwargs,
    )


def test_each_leg_carries_the_law_of_the_customer_whose_data_it_is(shop):
    laws = {c: flows_of(shop[c])["LLM"].route.regime for c in ("FR", "GB", "CH", "US")}

    assert laws == {
        "FR": rules.Regime.EU,
        "GB": rules.Regime.UK,
        "CH": rules.Regime.CH,
        "US": rules.Regime.NONE,
    }


def test_one_vendor_leg_under_two_laws_is_two_flows(shop):
    data_map = DataMap(Snapshot(latest_change()))
    to_llm = [f for f in data_map.flows() if f.importer.name == "LLM"]

    assert sorted(f.route.regime for f in to_llm) == sorted(rules.Regime)
    assert all(len(f.customers) == 1 for f in to_llm)


def test_the_eu_dpf_covers_eu_data_only(shop):
    # EU adequacy (Decision (EU) 2023/1795) is not UK or Swiss adequacy.
    assert flows_of(shop["FR"])["LLM"].status == Status.NO_SAFEGUARD_NEEDED
    assert flows_of(shop["GB"])["LLM"].status == Status.MISSING
    assert flows_of(shop["CH"])["LLM"].status == Status.MISSING
    assert flows_of(shop["US"])["LLM"].status == Status.NO_SAFEGUARD_NEEDED


def test_the_uk_extension_covers_a_uk_customers_leg(shop):
    assert flows_of(shop["GB"])["Host"].status == Status.NO_SAFEGUARD_NEEDED
    assert flows_of(shop["CH"])["Host"].status == Status.MISSING  # no Swiss DPF


def test_eu_sccs_alone_do_not_cover_a_uk_or_swiss_customers_leg(shop):
    plain = onward(shop, "llm", name="EU SCCs")

    assert flows_of(shop["GB"])["LLM"].status == Status.MISSING
    assert flows_of(shop["CH"])["LLM"].status == Status.MISSING
    assert flows_of(shop["FR"])["LLM"].transfer == plain.pk


def test_the_uk_addendum_or_idta_covers_the_uk_leg_and_swiss_adaptations_the_swiss(
    shop,
):
    addendum = onward(shop, "llm", name="SCCs + UK Addendum", uk_addendum=True)
    swiss = onward(shop, "llm", name="SCCs, Swiss", swiss_adaptations=True)

    uk_flow = flows_of(shop["GB"])["LLM"]
    assert (uk_flow.status, uk_flow.transfer) == (Status.COVERED, addendum.pk)
    ch_flow = flows_of(shop["CH"])["LLM"]
    assert (ch_flow.status, ch_flow.transfer) == (Status.COVERED, swiss.pk)

    addendum.delete()
    onward(shop, "llm", name="IDTA", idta=True)
    assert flows_of(shop["GB"])["LLM"].status == Status.COVERED


def test_a_transfer_recorded_under_the_customers_transfer_is_preferred(shop):
    to_us = make_transfer(
        exporter_customer=shop["GB"],
        importer_entity=shop["entity"],
        uk_addendum=True,
    )
    onward(shop, "llm", name="general", uk_addendum=True)
    mine = onward(shop, "llm", name="for GB", uk_addendum=True, parent=to_us)

    assert flows_of(shop["GB"])["LLM"].transfer == mine.pk
    assert flows_of(shop["FR"])["LLM"].transfer != mine.pk


# -- a recorded onward transfer: under the law of the customer whose data it is


@pytest.fixture
def uk_chain(shop):
    """The UK customer's transfer to us, and our onward transfer of its data
    to the LLM vendor on the EU SCCs alone."""
    to_us = make_transfer(
        exporter_customer=shop["GB"], importer_entity=shop["entity"], uk_addendum=True
    )
    return onward(shop, "llm", name="UK data to LLM", parent=to_us)


def test_the_transfer_api_gives_an_onward_transfer_the_customers_law(
    dpo_client, uk_chain
):
    response = dpo_client.get(f"/api/v1/transfers/{uk_chain.pk}/")

    assert response.status_code == 200
    body = response.json()
    assert (body["regime"], body["authority"]) == ("uk", rules.ICO)
    assert body["idta"] is False


def test_the_tia_workbook_assesses_an_onward_transfer_under_the_customers_law(
    uk_chain,
):
    rows = by(load(build("tia"))["Transfers"], "Transfer")

    onward_row = rows["UK data to LLM"]
    assert onward_row["Transfer law"] == "UK GDPR"
    assert onward_row["Competent authority"] == rules.ICO
    assert onward_row["Safeguard required"] == "Yes"  # the EU DPF is not UK law's


def test_the_flows_api_names_each_flows_law(dpo_client, shop):
    response = dpo_client.get("/api/v1/flows/", {"customer": shop["GB"].pk})

    assert response.status_code == 200
    assert {f["regime"] for f in response.json()["results"]} == {"uk"}


def test_the_data_map_page_names_each_flows_law(dpo_client, shop):
    response = dpo_client.get("/admin/data-map/", {"scope": shop["GB"].pk})

    assert response.status_code == 200
    laws = {r["law"] for r in response.context["rows"]}
    assert laws == {"UK GDPR"}
    assert "<td>UK GDPR</td>" in response.content.decode()


def test_the_missing_safeguard_finding_names_the_law_of_the_leg(shop):
    from reports.findings import compute

    found = [
        f
        for f in compute(Snapshot(latest_change()))
        if f.code == "FLOW_NO_SAFEGUARD" and f.object_name == "LLM"
    ]

    assert sorted("UK GDPR" in f.message for f in found) == [False, True]
    assert any("Client GB" in f.message and "UK GDPR" in f.message for f in found)
