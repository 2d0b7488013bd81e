"""Reverting from the admin's history pages is an edit: it needs the change
permission and goes through the stale-edit check like any save."""

import pytest
from django.test import Client

from inventory.models import Vendor
from inventory.roles import AUDITOR, DPO, SALES
from tests.factories import make_user, make_vendor
from tests.inventory.test_stale_save import form_data

pytestmark = pytest.mark.django_db


def login(group, username):
    client = Client()
    client.force_login(make_user(group, username=username))
    return client


def revert_url(vendor, version):
    return f"/admin/inventory/vendor/{vendor.pk}/history/{version.history_id}/"


def vendor_with_two_versions():
    vendor = make_vendor(name="Mailer", service="Email")
    vendor.service = "Email and SMS"
    vendor.save()
    return vendor, vendor.history.earliest("history_date")


@pytest.mark.parametrize("group", [AUDITOR, SALES])
def test_reader_cannot_revert(group):
    vendor, first = vendor_with_two_versions()
    dpo_page = login(DPO, "dpo").get(revert_url(vendor, first))
    data = form_data(dpo_page)
    reader = login(group, "reader")

    assert reader.get(revert_url(vendor, first)).status_code == 200
    response = reader.post(revert_url(vendor, first), data)

    assert response.status_code == 403
    vendor.refresh_from_db()
    assert vendor.service == "Email and SMS"
    assert vendor.history.count() == 2


def test_reader_cannot_bring_a_deleted_record_back():
    vendor, first = vendor_with_two_versions()
    data = form_data(login(DPO, "dpo").get(revert_url(vendor, first)))
    url, pk = revert_url(vendor, first), vendor.pk
    vendor.delete()
    response = login(AUDITOR, "auditor").post(url, data)
    assert response.status_code == 403
    assert not Vendor.objects.filter(pk=pk).exists()


def test_dpo_reverts_with_the_version_they_opened():
    vendor, first = vendor_with_two_versions()
    dpo = login(DPO, "dpo")
    data = form_data(dpo.get(revert_url(vendor, first)))
    assert str(data["version"]) == str(vendor.history.latest("history_date").history_id)

    response = dpo.post(revert_url(vendor, first), data)

    assert response.status_code == 302
    vendor.refresh_from_db()
    assert vendor.service == "Email"
    assert vendor.history.latest("history_date").history_user.username == "dpo"


def test_revert_without_a_version_is_refused_as_stale():
    vendor, first = vendor_with_two_versions()
    dpo = login(DPO, "dpo")
    data = form_data(dpo.get(revert_url(vendor, first)))
    del data["version"]

    response = dpo.post(revert_url(vendor, first), data)

    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    vendor.refresh_from_db()
    assert vendor.service == "Email and SMS"


def test_stale_revert_is_refused_naming_who_changed_it():
    vendor, first = vendor_with_two_versions()
    alice, bob = login(DPO, "alice"), login(DPO, "bob")
    stale = form_data(alice.get(revert_url(vendor, first)))
    page = bob.get(f"/admin/inventory/vendor/{vendor.pk}/change/")
    assert (
        bob.post(
            f"/admin/inventory/vendor/{vendor.pk}/change/",
            {**form_data(page), "service": "Push"},
        ).status_code
        == 302
    )

    refused = alice.post(revert_url(vendor, first), stale)

    assert refused.status_code == 200
    assert "bob changed this record" in refused.content.decode()
    vendor.refresh_from_db()
    assert vendor.service == "Push"


@pytest.mark.parametrize("history_id", ["abc", "1.5", "%20"])
def test_non_numeric_history_id_is_not_found(dpo_client, history_id):
    vendor = make_vendor()
    url = f"/admin/inventory/vendor/{vendor.pk}/history/{history_id}/"
    assert dpo_client.get(url).status_code == 404
    assert dpo_client.get("/admin/inventory/vendor/x/history/1/").status_code == 404
