"""One role pair per transfer (Decision (EU) 2021/914: the SCC module follows
from the two roles): a transfer mixing our controller activities with the
processing we do for customers is refused everywhere it can be written."""

import pytest
from django.test import Client

from inventory.roles import DPO
from ropa_import.apply import import_ropa
from tests.api.conftest import token_client
from tests.factories import make_activity, make_entity, make_user, make_vendor
from tests.inventory.test_stale_save import form_data
from tests.ropa_import.test_import import own_workbook, write
from transfers import rules
from transfers.models import Transfer

C, P = rules.Role.CONTROLLER, rules.Role.PROCESSOR


@pytest.mark.parametrize(
    "ours,roles,refused",
    [
        (C, ["controller", "controller"], False),  # Art. 30(1): our own data
        (P, ["processor"], False),  # Art. 30(2): on a customer's behalf
        (C, [], False),  # nothing recorded yet
        (C, ["controller", "processor"], True),  # two modules in one transfer
        (P, ["controller"], True),  # our own data sent as a processor
        (C, ["processor"], True),  # customer data sent as a controller
    ],
)
def test_activities_have_the_role_our_side_plays(ours, roles, refused):
    assert (rules.activity_roles_error(ours, roles) is not None) == refused


@pytest.fixture
def api(dpo):
    return token_client(dpo)


@pytest.fixture
def parties(db):
    entity = make_entity(name="Us Inc.")
    vendor = make_vendor(name="Far Ltd", processing_countries=["IN"])
    own = make_activity(ref="PA-C1")
    theirs = make_activity(ref="PA-P1", role="processor", lawful_basis=None)
    return entity, vendor, own, theirs


def test_api_refuses_a_transfer_mixing_roles(api, parties):
    entity, vendor, own, theirs = parties
    payload = {
        "exporter": entity.pk,
        "exporter_role": "processor",
        "importer": vendor.pk,
        "importer_role": "processor",
        "destination": "IN",
        "mechanism": "scc",
        "activities": [own.pk, theirs.pk],
    }

    response = api.post("/api/v1/transfers/", payload, format="json")

    assert response.status_code == 400
    assert "mix controller and processor" in response.json()["activities"][0]
    assert not Transfer.objects.exists()
    payload["activities"] = [theirs.pk]
    assert api.post("/api/v1/transfers/", payload, format="json").status_code == 201


def test_api_refuses_a_role_change_the_stored_activities_contradict(api, parties):
    entity, vendor, own, _ = parties
    transfer = Transfer.objects.create(
        name="t",
        exporter=entity,
        exporter_role="controller",
        importer=vendor,
        importer_role="processor",
        destination="IN",
        mechanism="scc",
    )
    transfer.activities.add(own)

    response = api.patch(
        f"/api/v1/transfers/{transfer.pk}/",
        {"exporter_role": "processor"},
        format="json",
    )

    assert response.status_code == 400
    assert "activities" in response.json()


def test_admin_form_refuses_a_transfer_mixing_roles(parties):
    entity, vendor, own, theirs = parties
    transfer = Transfer.objects.create(
        name="t",
        exporter=entity,
        exporter_role="processor",
        importer=vendor,
        importer_role="processor",
        destination="IN",
        mechanism="scc",
    )
    client = Client()
    client.force_login(make_user(DPO))
    url = f"/admin/transfers/transfer/{transfer.pk}/change/"
    data = form_data(client.get(url))
    data["activities"] = [str(own.pk), str(theirs.pk)]

    response = client.post(url, data)

    assert response.status_code == 200  # the form again, with the error
    form = response.context["adminform"].form
    assert "mix controller and processor" in form.errors["activities"][0]
    assert not transfer.activities.exists()


@pytest.mark.django_db
def test_import_refuses_a_processor_module_for_a_controller_activity(tmp_path):
    make_entity(name="Us Inc.")
    record = {
        "Reference": "PA-1",
        "Processing activity": "Support",
        "Purposes": "Help",
        "Lawful basis": "Contract",
        "Categories of recipients": "Far Ltd",
        "Third countries": "India",
        "Transfer safeguards": (
            "India: Standard contractual clauses (Art. 46(2)(c)) (SCC Module 3)"
        ),
    }

    result = import_ropa(write(tmp_path, own_workbook([record])))

    assert any(
        "transfer safeguards" in e.lower() and "controller activities" in e
        for e in map(str, result.errors)
    ), result.errors
    assert not Transfer.objects.exists()
