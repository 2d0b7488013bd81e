"""Every output that reads the data map follows a customer's data residency
region: Maison Lumière (EU region) is shown only the systems and
sub-processors that serve the EU, in its Annex I.B and III, its processor
record rows, the flows API, the data map page and the findings (Art.
28(2), (3)(a), 30(2) GDPR; SCC 2021/914 Clause 8.1, Clause 9, Annex I.B, III)."""

import pytest
from django.utils import timezone

from inventory.models import Customer, ProductFeature
from reports.build import build
from reports.findings import compute
from reports.snapshot import Snapshot, latest_change
from tests.reports.helpers import load, records
from tests.reports.test_dpa_annex import annex, field, rows, subprocessor_names

pytestmark = [pytest.mark.django_db, pytest.mark.once]  # once: .ci/run
MAISON, THISTLE = "Maison Lumière SAS", "Thistle & Pine Ltd"
BAYVIEW = "Bayview Telehealth Inc."
TEXTWIRE = "Textwire Messaging Inc."  # serves the US region only
US_EAST = "KonnectBot platform (US-East)"


@pytest.fixture
def maison_sms(demo):
    """Maison switches on the SMS channel, whose messaging vendor serves the
    US region only."""
    maison = Customer.objects.get(name=MAISON)
    maison.features.add(ProductFeature.objects.get(name="SMS channel"))
    return maison


def countries(customer: str) -> dict[str, str]:
    return {
        r["Name"]: r["Processing countries"]
        for r in rows(annex(customer), "Annex III Sub-processors")
    }


def processor_row(customer: str, feature: str) -> dict:
    (row,) = [
        r
        for r in records(load(build("ropa-processor"))["Processor record"])
        if (r["Customer (controller)"], r["Processing category"]) == (customer, feature)
    ]
    return row


# -- dpa-annex


def test_maisons_annex_iii_leaves_out_a_subprocessor_of_another_region(maison_sms):
    assert TEXTWIRE not in subprocessor_names(annex(MAISON))
    assert TEXTWIRE not in field(annex(MAISON), 8)
    assert TEXTWIRE in subprocessor_names(annex(THISTLE))  # no region chosen


def test_annex_iii_gives_where_each_subprocessor_serves_the_customer(demo):
    assert countries(MAISON)["Nimbus Cloud Inc."] == "Canada, Germany"
    assert countries(BAYVIEW)["Nimbus Cloud Inc."] == (
        "Canada, United States of America"
    )
    assert countries(THISTLE)["Nimbus Cloud Inc."] == (
        "Canada, Germany, United States of America"
    )
    # The EU region keeps LLM inference in the US (under SCCs).
    assert countries(MAISON)["Cortex AI Inc."] == "United States of America"


def test_annex_i_b_lists_only_the_systems_of_the_customers_region(demo):
    maison = field(annex(MAISON), 5)
    bayview = field(annex(BAYVIEW), 5)
    assert US_EAST not in maison and "KonnectBot EU region (Frankfurt)" in maison
    assert "Shopify store (customer-side)" in maison  # the customer's own
    assert US_EAST in bayview and "Frankfurt" not in bayview
    assert US_EAST in field(annex(THISTLE), 5)


def test_the_annex_as_of_a_past_date_follows_the_region_then(demo):
    maison = Customer.objects.get(name=MAISON)
    before = timezone.now()
    maison.residency_region = None
    maison.save()

    assert US_EAST in field(annex(MAISON), 5)
    assert US_EAST not in field(annex(MAISON, as_of=before), 5)
    assert countries(MAISON)["Nimbus Cloud Inc."].endswith("United States of America")


# -- ropa-processor


def test_maisons_processor_rows_leave_out_another_regions_subprocessor(maison_sms):
    sms = processor_row(MAISON, "SMS channel")
    assert TEXTWIRE not in (sms["Sub-processors"] or "")
    assert "Textwire" not in (sms["Transfers"] or "")
    assert "no safeguard recorded" not in (sms["Transfer safeguards"] or "")
    thistle = processor_row(THISTLE, "SMS channel")
    assert TEXTWIRE in thistle["Sub-processors"]
    assert "no safeguard recorded" in thistle["Transfer safeguards"]


# -- findings


def test_flow_findings_follow_the_region_and_the_mismatch_is_an_error(maison_sms):
    found = compute(Snapshot(latest_change()))
    missing = [
        f for f in found if f.code == "FLOW_NO_SAFEGUARD" and f.object_name == TEXTWIRE
    ]
    assert missing and all(MAISON not in f.message for f in missing)
    assert any(THISTLE in f.message for f in missing)
    (outside,) = [f for f in found if f.code == "CUS_VENDOR_OUTSIDE_REGION"]
    assert outside.object_name == MAISON and TEXTWIRE in outside.message
    assert outside.severity == "error"


# -- the flows API and the data map page


def test_the_flows_api_for_maison_follows_its_region(dpo_client, maison_sms):
    response = dpo_client.get(
        "/api/v1/flows/", {"customer": maison_sms.pk, "page_size": 500}
    )
    assert response.status_code == 200
    body = response.json()["results"]
    reached = {(f["importer"]["name"], f["country"]) for f in body}
    assert (TEXTWIRE, "US") not in reached
    assert ("Nimbus Cloud Inc.", "US") not in reached
    assert {("Nimbus Cloud Inc.", "DE"), ("Cortex AI Inc.", "US")} <= reached


def test_the_data_map_page_for_maison_follows_its_region(dpo_client, maison_sms):
    response = dpo_client.get("/admin/data-map/", {"scope": maison_sms.pk})
    reached = {
        (r["flow"].importer.name, r["flow"].country) for r in response.context["rows"]
    }
    assert reached and (TEXTWIRE, "US") not in reached
    assert ("Nimbus Cloud Inc.", "US") not in reached


def test_maisons_processor_rows_leave_out_onward_transfers_outside_its_region(demo):
    # Recorded under Maison's transfer, the onward transfer to Nimbus in the US
    # carries no Maison data: its region keeps Nimbus in Germany (and Canada).
    chat = processor_row(MAISON, "AI chat")
    assert "KonnectBot to Nimbus Cloud (US)" not in chat["Transfers"]
    assert "KonnectBot to Cortex AI (US)" in chat["Transfers"]
    # With no region chosen, Bayview's data does go to Nimbus in the US.
    assert "Nimbus Cloud" in processor_row(BAYVIEW, "AI chat")["Sub-processors"]


def test_thistles_processor_rows_name_its_uk_onward_transfers(demo):
    chat = processor_row(THISTLE, "AI chat")
    assert "KonnectBot to Cortex AI (US), UK data" in chat["Transfers"]
    assert "UK Addendum" in chat["Transfer safeguards"]
