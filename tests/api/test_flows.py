"""GET /api/v1/flows/: the data map over the API (read-only, as of any date,
per customer), readable by the roles that read transfers."""

import datetime

import pytest
import time_machine
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.synthetic import Shape, populate
from inventory.models import Customer, ProcessingActivity, Vendor
from tests.factories import make_activity, make_entity, make_vendor
from tests.reports.test_ropa import add_customer_side
from transfers.models import Transfer

pytestmark = pytest.mark.django_db


def results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_demo_flow_to_india_for_thistle_is_missing_its_safeguard(api, demo):
    body = results(api.get("/api/v1/flows/", {"page_size": 500}))
    sahay = Vendor.objects.get(name="Sahay Support Services Pvt Ltd")
    thistle = Customer.objects.get(name="Thistle & Pine Ltd")

    (flow,) = [
        f
        for f in body
        if f["importer"]["id"] == sahay.pk and f["customers"] == [thistle.pk]
    ]

    assert flow == {
        "exporter": {
            "type": "entity",
            "id": flow["exporter"]["id"],
            "name": "KonnectBot, Inc.",
            "country": "US",
        },
        "importer": {
            "type": "vendor",
            "id": sahay.pk,
            "name": "Sahay Support Services Pvt Ltd",
            "country": "IN",
        },
        "country": "IN",
        "data_categories": flow["data_categories"],
        "activities": [ProcessingActivity.objects.get(ref="PA-P1").pk],
        "customers": [thistle.pk],
        "transfer": None,
        "status": "missing",
        "regime": "uk",  # Thistle & Pine's data goes on under UK GDPR
    }
    assert len(flow["data_categories"]) == 5


def test_covered_flow_names_its_transfer(api, demo):
    body = results(api.get("/api/v1/flows/", {"page_size": 500}))
    cortex = Transfer.objects.get(name="KonnectBot to Cortex AI (US)")
    # It covers the EU customers' data; a US customer's needs no safeguard.
    (flow,) = [f for f in body if f["transfer"] == cortex.pk and f["regime"] == "eu"]
    assert flow["status"] == "covered"
    assert flow["importer"]["name"] == "Cortex AI Inc."


def test_customer_filter_gives_that_customers_flows_only(api, demo):
    maison = Customer.objects.get(name="Maison Lumière SAS")
    body = results(api.get("/api/v1/flows/", {"customer": maison.pk}))
    assert body and all(f["customers"] == [maison.pk] for f in body)
    exporters = {(f["exporter"]["type"], f["exporter"]["name"]) for f in body}
    assert ("customer", "Maison Lumière SAS") in exporters
    names = {f["importer"]["name"] for f in body}
    assert "Sahay Support Services Pvt Ltd" not in names
    assert "Northbridge Engineering Ltd" in names


def test_flows_as_of_a_past_date(api):
    t0 = datetime.datetime(2026, 1, 5, 12, tzinfo=datetime.UTC)
    with time_machine.travel(t0, tick=False):
        make_entity()
        act = make_activity()
    with time_machine.travel(t0 + datetime.timedelta(days=1), tick=False):
        act.recipients.add(make_vendor(processing_countries=["IN"]))

    assert results(api.get("/api/v1/flows/", {"as_of": "2026-01-05"})) == []
    (flow,) = results(api.get("/api/v1/flows/", {"as_of": "2026-01-06"}))
    assert flow["status"] == "missing"


@pytest.mark.parametrize(
    "params,field",
    [
        ({"as_of": "yesterday"}, "as_of"),
        ({"as_of": "2999-01-01"}, "as_of"),
        ({"customer": "abc"}, "customer"),
        ({"customer": "999999"}, "customer"),
    ],
)
def test_bad_parameters_are_400_naming_the_field(api, params, field):
    response = api.get("/api/v1/flows/", params)
    assert response.status_code == 400
    assert field in response.json()


@pytest.mark.parametrize(
    "role,status",
    [("dpo", 200), ("auditor", 200), ("sales", 403), ("anonymous", 401)],
)
def test_flows_are_read_by_the_roles_that_read_transfers(role_client, role, status):
    assert role_client(role).get("/api/v1/flows/").status_code == status


@pytest.mark.parametrize("role,status", [("dpo", 405), ("auditor", 405)])
def test_flows_are_read_only(role_client, role, status):
    response = role_client(role).post("/api/v1/flows/", {}, format="json")
    assert response.status_code == status


def queries_for(api, activities: int) -> int:
    with transaction.atomic():
        populate(Shape(activities=activities, vendors=40, data_categories=20))
        add_customer_side()
        with CaptureQueriesContext(connection) as ctx:
            response = api.get("/api/v1/flows/", {"page_size": 500})
        assert response.status_code == 200
        assert response.json()["count"] > 0
        transaction.set_rollback(True)
    return len(ctx.captured_queries)


def test_query_count_does_not_grow_with_the_inventory(api):
    assert queries_for(api, 50) == queries_for(api, 500)
