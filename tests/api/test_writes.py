"""Create / update / delete through the API and the history they leave;
optimistic locking; bad input is a 4xx JSON answer and writes nothing."""

import json

import pytest
from django.test import override_settings

from inventory.models import ProcessingActivity, System, Vendor
from tests.api.resources import RESOURCES
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_system,
    make_transfer,
    make_vendor,
)
from transfers.models import Transfer

ACTIVITIES = "/api/v1/activities/"


def history(api, path):
    response = api.get(f"{path}history/")
    assert response.status_code == 200
    return response.json()["results"]


@pytest.mark.django_db
def test_create_is_one_created_version_with_user_reason_and_sets(api):
    dc1, dc2 = make_data_category(), make_data_category()
    response = api.post(
        ACTIVITIES,
        {
            "name": "Billing",
            "role": "controller",
            "purposes": "Invoices",
            "lawful_basis": "contract",
            "data_categories": [dc2.pk, dc1.pk],
        },
        format="json",
        HTTP_X_CHANGE_REASON="New billing provider",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["data_categories"] == sorted([dc1.pk, dc2.pk])
    assert body["ref"] == "PA-C1"
    assert response["ETag"]

    versions = history(api, f"{ACTIVITIES}{body['id']}/")
    assert len(versions) == 1
    created = versions[0]
    assert created["type"] == "created"
    assert created["user"] == "dpo"
    assert created["reason"] == "New billing provider"
    changes = {c["field"]: (c["old"], c["new"]) for c in created["changes"]}
    assert changes["name"] == (None, "Billing")
    assert changes["data_categories"] == (None, sorted([dc1.pk, dc2.pk]))
    record = ProcessingActivity.history.get(id=body["id"])
    assert record.history_user.username == "dpo"


@pytest.mark.django_db
def test_update_is_one_changed_version_naming_old_and_new(api):
    activity = make_activity(purposes="Invoices")
    dc1, dc2 = make_data_category(), make_data_category()
    activity.data_categories.add(dc1)
    url = f"{ACTIVITIES}{activity.pk}/"

    response = api.patch(
        url,
        {"purposes": "Invoices and dunning", "data_categories": [dc2.pk]},
        format="json",
    )

    assert response.status_code == 200, response.json()
    latest = history(api, url)[0]
    assert latest["type"] == "changed"
    assert latest["user"] == "dpo"
    assert latest["reason"] is None
    assert sorted(latest["changes"], key=lambda c: c["field"]) == [
        {"field": "data_categories", "old": [dc1.pk], "new": [dc2.pk]},
        {"field": "purposes", "old": "Invoices", "new": "Invoices and dunning"},
    ]
    assert activity.history.count() == 3  # created, the add above, this change


@pytest.mark.django_db
def test_put_round_trip_of_what_get_returned(api):
    activity = make_activity(purposes="Invoices")
    url = f"{ACTIVITIES}{activity.pk}/"
    body = api.get(url).json()
    body["owner"] = "Finance"

    response = api.put(url, body, format="json")

    assert response.status_code == 200, response.json()
    activity.refresh_from_db()
    assert activity.owner == "Finance"


@pytest.mark.django_db
def test_delete_leaves_a_deleted_version_and_the_record_in_deleted_history(api):
    activity = make_activity(name="Old newsletter")
    url = f"{ACTIVITIES}{activity.pk}/"

    response = api.delete(url, HTTP_X_CHANGE_REASON="Retired for good")

    assert response.status_code == 204
    assert not ProcessingActivity.objects.filter(pk=activity.pk).exists()
    versions = history(api, url)
    assert [v["type"] for v in versions] == ["deleted", "created"]
    assert versions[0]["user"] == "dpo"
    assert versions[0]["reason"] == "Retired for good"
    deleted = api.get(f"{ACTIVITIES}history/?deleted=1").json()["results"]
    assert [(d["id"], d["object"], d["deleted"]) for d in deleted] == [
        (activity.pk, str(activity), True)
    ]
    assert [v["type"] for v in deleted[0]["history"]] == ["deleted", "created"]


@pytest.mark.django_db
def test_deleting_a_vendor_gives_the_activities_that_listed_it_a_version(api):
    vendor = make_vendor()
    activity = make_activity()
    activity.recipients.add(vendor)
    system = make_system(vendor=vendor)

    response = api.delete(f"/api/v1/vendors/{vendor.pk}/")

    assert response.status_code == 204
    latest = history(api, f"{ACTIVITIES}{activity.pk}/")[0]
    assert latest["changes"] == [{"field": "recipients", "old": [vendor.pk], "new": []}]
    assert latest["user"] == "dpo"
    system_latest = history(api, f"/api/v1/systems/{system.pk}/")[0]
    assert system_latest["changes"] == [
        {"field": "vendor", "old": vendor.pk, "new": None}
    ]


@pytest.mark.django_db
def test_deleting_a_vendor_a_transfer_needs_is_a_409_and_changes_nothing(api):
    transfer = make_transfer()
    activity = make_activity()
    activity.recipients.add(transfer.importer)
    versions = activity.history.count()

    response = api.delete(f"/api/v1/vendors/{transfer.importer_id}/")

    assert response.status_code == 409
    assert transfer.name in response.json()["detail"]
    assert Vendor.objects.filter(pk=transfer.importer_id).exists()
    assert list(activity.recipients.all()) == [transfer.importer]
    assert activity.history.count() == versions


@pytest.mark.django_db
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_every_resource_round_trip_leaves_created_changed_deleted(api, resource):
    base = f"/api/v1/{resource.path}/"
    created = api.post(base, resource.payload(), format="json")
    assert created.status_code == 201, created.json()
    url = f"{base}{created.json()['id']}/"
    changed = api.patch(url, resource.change, format="json")
    assert changed.status_code == 200, changed.json()
    assert api.delete(url).status_code == 204

    versions = history(api, url)
    assert [v["type"] for v in versions] == ["deleted", "changed", "created"]
    assert {v["user"] for v in versions} == {"dpo"}
    field, value = next(iter(resource.change.items()))
    assert any(
        c["field"] == field and c["new"] == value for c in versions[1]["changes"]
    )


# -- concurrent edits ---------------------------------------------------------


@pytest.mark.django_db
def test_stale_if_match_is_412_naming_who_and_when_and_writes_nothing(api, role_client):
    activity = make_activity(purposes="Invoices")
    url = f"{ACTIVITIES}{activity.pk}/"
    etag = api.get(url)["ETag"]
    other = role_client("dpo")  # user "dpo-matrix"
    assert (
        other.patch(
            url, {"owner": "Finance"}, format="json", HTTP_IF_MATCH=etag
        ).status_code
        == 200
    )

    response = api.patch(url, {"purposes": "Mine"}, format="json", HTTP_IF_MATCH=etag)

    assert response.status_code == 412
    body = response.json()
    assert body["changed_by"] == "dpo-matrix"
    assert body["changed_at"]
    assert "dpo-matrix" in body["detail"]
    activity.refresh_from_db()
    assert (activity.purposes, activity.owner) == ("Invoices", "Finance")
    assert api.delete(url, HTTP_IF_MATCH=etag).status_code == 412
    assert ProcessingActivity.objects.filter(pk=activity.pk).exists()


@pytest.mark.django_db
def test_current_if_match_and_no_if_match_are_accepted(api):
    activity = make_activity()
    url = f"{ACTIVITIES}{activity.pk}/"
    etag = api.get(url)["ETag"]

    first = api.patch(url, {"owner": "Finance"}, format="json", HTTP_IF_MATCH=etag)
    assert first.status_code == 200
    assert first["ETag"] != etag
    assert first["ETag"] == api.get(url)["ETag"]
    assert api.patch(url, {"owner": "Legal"}, format="json").status_code == 200


@pytest.mark.django_db
def test_etag_changes_when_only_a_many_to_many_set_changes(api):
    activity = make_activity()
    url = f"{ACTIVITIES}{activity.pk}/"
    before = api.get(url)["ETag"]
    activity.data_categories.add(make_data_category())  # e.g. in the admin
    assert api.get(url)["ETag"] != before


# -- bad input ----------------------------------------------------------------


def post_raw(api, url, body, content_type="application/json"):
    return api.generic("POST", url, body, content_type=content_type)


@pytest.mark.django_db
def test_malformed_json_is_a_400_json_and_writes_nothing(api):
    response = post_raw(api, ACTIVITIES, '{"name": "Billing", "role": ')
    assert response.status_code == 400
    assert "JSON parse error" in response.json()["detail"]
    assert not ProcessingActivity.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"colour": "blue"}, "colour"),
        ({"scc_module": 1}, "scc_module"),
        ({"safeguard_required": False}, "safeguard_required"),
        ({"tia_required": False}, "tia_required"),
        ({"destination": "XX"}, "destination"),
        ({"destination": "Atlantis"}, "destination"),
        ({"activities": [999999]}, "activities"),
        ({"activities": "all"}, "activities"),
        ({"docking_clause": "maybe"}, "docking_clause"),
        ({"notice_period_days": -3}, "notice_period_days"),
        ({"mechanism": "handshake"}, "mechanism"),
        ({"exporter_customer": 999999}, "exporter_customer"),
    ],
)
def test_bad_transfer_input_is_a_400_naming_the_field(api, body, field):
    transfer = make_transfer(notes="original")
    url = f"/api/v1/transfers/{transfer.pk}/"
    payload = {"notes": "changed", **body}

    response = api.patch(url, payload, format="json")

    assert response.status_code == 400
    assert field in response.json()
    transfer.refresh_from_db()
    assert transfer.notes == "original"
    assert transfer.history.count() == 1


@pytest.mark.django_db
def test_write_to_scc_module_on_create_is_refused_and_nothing_is_created(api):
    payload = RESOURCES[10].payload()
    payload["scc_module"] = 4
    response = api.post("/api/v1/transfers/", payload, format="json")
    assert response.status_code == 400
    assert response.json() == {"scc_module": ["This field is read-only."]}
    assert not Transfer.objects.exists()


@pytest.mark.django_db
def test_transfers_show_what_the_rules_say(api):
    transfer = make_transfer(exporter_role="controller", importer_role="processor")
    body = api.get(f"/api/v1/transfers/{transfer.pk}/").json()
    # US without DPF certification: Art. 46 safeguard, SCC Module 2, a TIA.
    assert (body["scc_module"], body["safeguard_required"], body["tia_required"]) == (
        2,
        True,
        True,
    )


@pytest.mark.django_db
def test_systems_take_and_give_lists_of_iso_codes(api):
    response = api.post(
        "/api/v1/systems/",
        {"name": "Warehouse", "hosting_countries": ["us", "DE", "US"]},
        format="json",
    )
    assert response.status_code == 201
    assert response.json()["hosting_countries"] == ["DE", "US"]
    bad = api.post(
        "/api/v1/systems/",
        {"name": "Lake", "hosting_countries": ["DE", "ZZ"]},
        format="json",
    )
    assert bad.status_code == 400
    assert "hosting_countries" in bad.json()
    assert list(System.objects.values_list("name", flat=True)) == ["Warehouse"]


@pytest.mark.django_db
def test_rules_shared_with_the_admin_apply_to_api_writes(api):
    processor = make_activity(role="processor")
    response = api.patch(
        f"{ACTIVITIES}{processor.pk}/", {"lawful_basis": "consent"}, format="json"
    )
    assert response.status_code == 400
    assert "Art. 28(3)(a)" in response.json()["lawful_basis"][0]

    dc = api.post(
        "/api/v1/data-categories/",
        {"code": "DC-H", "name": "Health", "special_category": True},
        format="json",
    )
    assert dc.status_code == 400
    assert "art9_kind" in dc.json()

    transfer = make_transfer()
    both = api.patch(
        f"/api/v1/transfers/{transfer.pk}/",
        {"exporter_customer": make_customer().pk},
        format="json",
    )
    assert both.status_code == 400
    assert "exactly one exporter" in both.json()["exporter"][0]


@pytest.mark.django_db
def test_unknown_id_is_a_json_404(api):
    for url in (f"{ACTIVITIES}999999/", f"{ACTIVITIES}999999/history/"):
        response = api.get(url)
        assert response.status_code == 404
        assert response.json()["detail"]


@override_settings(DATA_UPLOAD_MAX_MEMORY_SIZE=10_000)
@pytest.mark.django_db
def test_oversized_body_is_a_413_json_and_writes_nothing(api):
    body = json.dumps({"name": "Big", "role": "controller", "purposes": "x" * 20_000})
    response = post_raw(api, ACTIVITIES, body)
    assert response.status_code == 413
    assert (
        "too large" in response.json()["detail"]
        or "larger" in response.json()["detail"]
    )
    assert not ProcessingActivity.objects.exists()


@pytest.mark.django_db
def test_form_bodies_are_refused_with_415(api):
    response = post_raw(api, ACTIVITIES, "name=x", "application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.json()["detail"]


@pytest.mark.django_db
def test_too_long_change_reason_is_a_400(api):
    response = api.post(
        "/api/v1/vendors/",
        {"name": "V", "role": "processor", "country": "US"},
        format="json",
        HTTP_X_CHANGE_REASON="x" * 101,
    )
    assert response.status_code == 400
    assert "X-Change-Reason" in response.json()
    assert not Vendor.objects.exists()


@pytest.mark.django_db
def test_history_is_read_only(api):
    activity = make_activity()
    url = f"{ACTIVITIES}{activity.pk}/history/"
    for method in ("post", "put", "patch", "delete"):
        assert getattr(api, method)(url, {}, format="json").status_code == 405
    assert api.post(f"{ACTIVITIES}history/", {}, format="json").status_code == 405
    assert activity.history.count() == 1
