"""The read-only ``regime`` and ``authority`` of a transfer, and the flows
judged under the exporter's own law."""

import pytest

from inventory.models import Customer, Vendor
from tests.factories import make_customer, make_entity, make_transfer, make_vendor
from transfers.models import Transfer

CNIL = "Commission nationale de l'informatique et des libertés (CNIL), France"
ICO = "Information Commissioner's Office (ICO), United Kingdom"
DPC = "Data Protection Commission (DPC), Ireland"


def transfer_body(api, name):
    pk = Transfer.objects.get(name=name).pk
    response = api.get(f"/api/v1/transfers/{pk}/")
    assert response.status_code == 200, response.content
    return response.json()


@pytest.mark.parametrize(
    ("name", "regime", "authority"),
    [
        ("Maison Lumière to KonnectBot (US)", "eu", CNIL),
        ("Thistle & Pine to KonnectBot (US)", "uk", ICO),
        # US-established, GDPR by Art. 3(2), representative in Dublin: 13(a).
        ("KonnectBot to Cortex AI (US)", "eu", DPC),
        # onward, under Thistle & Pine's transfer: its UK GDPR and the ICO
        ("KonnectBot to Cortex AI (US), UK data", "uk", ICO),
    ],
)
def test_demo_transfers_name_their_regime_and_authority(
    api, demo, name, regime, authority
):
    body = transfer_body(api, name)
    assert (body["regime"], body["authority"]) == (regime, authority)


def test_a_us_exporter_has_no_regime_no_authority_and_needs_no_safeguard(api):
    bayview = make_customer(country="US")
    transfer = make_transfer(
        exporter_customer=bayview,
        importer_entity=make_entity(),
        exporter_role="controller",
        importer_role="processor",
        destination="US",
        mechanism="none",
    )
    body = api.get(f"/api/v1/transfers/{transfer.pk}/").json()
    assert body["regime"] == "none"
    assert body["authority"] == ""
    assert body["safeguard_required"] is False
    assert body["scc_module"] is None
    assert body["tia_required"] is False


def test_regime_and_authority_are_read_only(api):
    transfer = make_transfer()
    response = api.patch(
        f"/api/v1/transfers/{transfer.pk}/",
        {"regime": "none", "authority": "Nobody"},
        format="json",
        HTTP_IF_MATCH=api.get(f"/api/v1/transfers/{transfer.pk}/")["ETag"],
    )
    assert response.status_code in (200, 400)
    body = api.get(f"/api/v1/transfers/{transfer.pk}/").json()
    assert body["regime"] == "eu"
    assert body["authority"] == DPC


def flows(api):
    response = api.get("/api/v1/flows/", {"page_size": 500})
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_bayviews_data_to_us_is_no_chapter_v_transfer(api, demo):
    bayview = Customer.objects.get(name="Bayview Telehealth Inc.")
    (flow,) = [
        f
        for f in flows(api)
        if f["exporter"]["type"] == "customer" and f["exporter"]["id"] == bayview.pk
    ]
    assert flow["status"] == "no_safeguard_needed"


def test_nimbus_in_canada_needs_its_safeguard_unless_recorded_under_pipeda(api, demo):
    nimbus = Vendor.objects.get(name="Nimbus Cloud Inc.")
    canada = [
        f
        for f in flows(api)
        if f["importer"]["id"] == nimbus.pk
        and f["country"] == "CA"
        and f["regime"] != "none"  # a US customer's data: no Chapter V
    ]
    assert canada and {f["status"] for f in canada} <= {"covered", "missing"}
    backups = Transfer.objects.get(name="KonnectBot backups to Nimbus Cloud (Canada)")
    assert backups.pk in {f["transfer"] for f in canada}

    nimbus.subject_to_pipeda = True
    nimbus.save()

    canada = [
        f
        for f in flows(api)
        if f["importer"]["id"] == nimbus.pk
        and f["country"] == "CA"
        and f["regime"] != "none"  # a US customer's data: no Chapter V
    ]
    assert {f["status"] for f in canada} == {"no_safeguard_needed"}


def test_partial_adequacy_is_recorded_per_vendor_and_decision_over_the_api(api):
    vendor = make_vendor(country="CA", processing_countries=["CA"])
    body = api.get(f"/api/v1/vendors/{vendor.pk}/").json()
    assert {
        k: body[k]
        for k in (
            "dpf_certified",
            "dpf_certified_on",
            "uk_extension",
            "swiss_dpf",
            "subject_to_pipeda",
            "subject_to_appi",
            "subject_to_pipa",
        )
    } == {
        "dpf_certified": False,
        "dpf_certified_on": None,
        "uk_extension": False,
        "swiss_dpf": False,
        "subject_to_pipeda": False,
        "subject_to_appi": False,
        "subject_to_pipa": False,
    }


def test_api_refuses_second_subparagraph_without_documentation(api):
    payload = {
        "exporter": make_entity().pk,
        "importer": make_vendor().pk,
        "exporter_role": "controller",
        "importer_role": "controller",
        "destination": "IN",
        "mechanism": "derogation",
        "derogation_ground": "49_1_second",
    }
    response = api.post("/api/v1/transfers/", payload, format="json")
    assert response.status_code == 400
    assert "derogation_safeguards" in response.json()

    payload["derogation_safeguards"] = "One-off; 12 people; SA informed 2026-02-01"
    response = api.post("/api/v1/transfers/", payload, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["derogation_safeguards"].startswith("One-off")
