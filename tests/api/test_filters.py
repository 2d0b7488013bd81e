"""Filters, search, ordering and the shapes of docs/api.md."""

import pytest

from tests.factories import (
    make_activity,
    make_data_category,
    make_transfer,
    make_vendor,
)


def names(api, url):
    response = api.get(url)
    assert response.status_code == 200, response.json()
    return [r["name"] for r in response.json()["results"]]


@pytest.mark.django_db
def test_activities_filter_by_role_status_basis_category_and_recipient(api):
    dc, vendor = make_data_category(), make_vendor()
    billing = make_activity(name="Billing", lawful_basis="contract")
    billing.data_categories.add(dc)
    hosting = make_activity(name="Hosting", role="processor", status="draft")
    hosting.recipients.add(vendor)
    make_activity(name="Marketing", lawful_basis="consent")
    base = "/api/v1/activities/"

    assert names(api, f"{base}?role=processor") == ["Hosting"]
    assert names(api, f"{base}?status=draft") == ["Hosting"]
    assert names(api, f"{base}?lawful_basis=consent") == ["Marketing"]
    assert names(api, f"{base}?data_categories={dc.pk}") == ["Billing"]
    assert names(api, f"{base}?recipients={vendor.pk}") == ["Hosting"]
    assert names(api, f"{base}?search=market") == ["Marketing"]
    assert names(api, f"{base}?ordering=-name") == ["Marketing", "Hosting", "Billing"]
    bad = api.get(f"{base}?role=regulator")
    assert bad.status_code == 400
    assert "role" in bad.json()


@pytest.mark.django_db
def test_vendors_filter_by_country_and_role(api):
    make_vendor(name="Nimbus", country="CA", role="sub_processor")
    make_vendor(name="Ledger", country="US", role="independent_controller")
    assert names(api, "/api/v1/vendors/?country=CA") == ["Nimbus"]
    assert names(api, "/api/v1/vendors/?role=independent_controller") == ["Ledger"]


@pytest.mark.django_db
def test_transfers_filter_by_destination_and_mechanism(api):
    make_transfer(name="To India", destination="IN", mechanism="scc")
    make_transfer(name="To US", destination="US", mechanism="none")
    assert names(api, "/api/v1/transfers/?destination=IN") == ["To India"]
    assert names(api, "/api/v1/transfers/?mechanism=none") == ["To US"]


@pytest.mark.django_db
def test_page_size_up_to_500(api):
    for _ in range(3):
        make_vendor()
    page = api.get("/api/v1/vendors/?page_size=2").json()
    assert (page["count"], len(page["results"])) == (3, 2)
    assert page["next"]
    countries = api.get("/api/v1/countries/?page_size=1000").json()
    assert len(countries["results"]) == min(500, countries["count"])


@pytest.mark.django_db
def test_countries_by_code_with_contract_fields(api):
    body = api.get("/api/v1/countries/JP/").json()
    assert {
        "code",
        "name",
        "eea",
        "adequacy",
        "adequacy_scope",
        "decision_reference",
    } <= set(body)
    assert body["code"] == "JP"
    assert body["name"] == "Japan"
    assert api.get("/api/v1/countries/ZZ/").status_code == 404
    assert api.get(f"/api/v1/countries/{body['id']}/history/").status_code == 200


@pytest.mark.django_db
def test_vendor_shape(api):
    vendor = make_vendor(processing_countries=["US", "DE"], dpa_signed_on="2025-01-02")
    body = api.get(f"/api/v1/vendors/{vendor.pk}/").json()
    assert body == {
        "id": vendor.pk,
        "name": vendor.name,
        "service": "",
        "role": "sub_processor",
        "country": "US",
        "processing_countries": ["DE", "US"],
        "dpf_certified": False,
        "dpf_certified_on": None,
        "uk_extension": False,
        "swiss_dpf": False,
        "subject_to_pipeda": False,
        "subject_to_appi": False,
        "subject_to_pipa": False,
        "subject_to_gdpr": False,
        "dpa_signed_on": "2025-01-02",
        "baa_signed": False,
        "contact": "",
        "address": "",
    }


@pytest.mark.django_db
def test_ccpa_categories_take_letters_or_nothing(api):
    url = "/api/v1/data-categories/"
    ok = api.post(
        url, {"code": "DC-A", "name": "A", "ccpa_category": ""}, format="json"
    )
    assert ok.status_code == 201
    letters = api.post(
        url, {"code": "DC-B", "name": "B", "ccpa_category": "A,F"}, format="json"
    )
    assert letters.status_code == 201
    bad = api.post(
        url, {"code": "DC-C", "name": "C", "ccpa_category": "Z"}, format="json"
    )
    assert bad.status_code == 400
    assert "ccpa_category" in bad.json()


@pytest.mark.django_db
def test_transfer_put_of_its_own_get_body_is_accepted(api):
    transfer = make_transfer()
    url = f"/api/v1/transfers/{transfer.pk}/"
    body = api.get(url).json()
    body["notes"] = "Checked"
    response = api.put(url, body, format="json")
    assert response.status_code == 200, response.json()
    body["scc_module"] = 1
    refused = api.put(url, body, format="json")
    assert refused.status_code == 400
    assert refused.json() == {"scc_module": ["This field is read-only."]}


@pytest.mark.django_db
def test_transfer_without_a_name_is_named_after_its_parties(api):
    vendor = make_vendor(name="Textwire")
    from tests.factories import make_entity

    entity = make_entity(name="KonnectBot")
    payload = {
        "exporter": entity.pk,
        "importer": vendor.pk,
        "exporter_role": "controller",
        "importer_role": "processor",
        "destination": "US",
        "mechanism": "none",
    }
    first = api.post("/api/v1/transfers/", payload, format="json").json()
    second = api.post("/api/v1/transfers/", payload, format="json").json()
    assert first["name"] == "KonnectBot to Textwire (US)"
    assert second["name"] == "KonnectBot to Textwire (US) (2)"
    assert first["safeguard_required"] is True
