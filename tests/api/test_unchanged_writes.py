"""A write whose values equal the stored ones records no version and keeps the
ETag: the API (PUT, PATCH, many-to-many lists in any order), the admin's "Save"
without edits, and a re-run of the same import."""

import pytest
from django.apps import apps
from django.db.models.signals import post_save
from django.test import Client
from simple_history import models as simple_history

from inventory.history_records import HistoricalRecords
from inventory.roles import DPO
from tests.api.resources import RESOURCES
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_entity,
    make_feature,
    make_measure,
    make_subject_category,
    make_system,
    make_tia,
    make_transfer,
    make_user,
    make_vendor,
)
from transfers.models import CountryProfile

pytestmark = pytest.mark.django_db


def versions(obj):
    return type(obj).history.filter(id=obj.pk).count()


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_same_patch_twice_records_one_version_and_keeps_the_etag(api, resource):
    obj = resource.make()
    url = f"/api/v1/{resource.path}/{obj.pk}/"
    first = api.patch(url, resource.change, format="json")
    assert first.status_code == 200, first.json()
    count = versions(obj)

    again = api.patch(url, resource.change, format="json", HTTP_IF_MATCH=first["ETag"])

    assert again.status_code == 200, again.json()
    assert again["ETag"] == first["ETag"] == api.get(url)["ETag"]
    assert versions(obj) == count


@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_put_and_patch_of_what_get_returned_record_nothing(api, resource):
    obj = resource.make()
    url = f"/api/v1/{resource.path}/{obj.pk}/"
    got = api.get(url)
    count = versions(obj)

    put = api.put(url, got.json(), format="json", HTTP_IF_MATCH=got["ETag"])
    patch = api.patch(url, got.json(), format="json", HTTP_IF_MATCH=got["ETag"])

    assert (put.status_code, patch.status_code) == (200, 200), (put.json(), patch)
    assert put["ETag"] == patch["ETag"] == got["ETag"]
    assert put.json() == got.json()
    assert versions(obj) == count
    history = api.get(f"{url}history/").json()
    assert history["count"] == count


def test_the_same_many_to_many_lists_in_another_order_record_nothing(api):
    activity = make_activity()
    dc1, dc2 = make_data_category(), make_data_category()
    activity.data_categories.set([dc1, dc2])
    activity.recipients.set([make_vendor(), make_vendor()])
    url = f"/api/v1/activities/{activity.pk}/"
    got = api.get(url)
    count = versions(activity)

    response = api.patch(
        url,
        {
            "data_categories": [dc2.pk, dc1.pk, dc2.pk],
            "recipients": got.json()["recipients"][::-1],
        },
        format="json",
    )

    assert response.status_code == 200, response.json()
    assert response["ETag"] == got["ETag"]
    assert versions(activity) == count


def test_a_real_change_after_a_no_op_is_still_recorded(api):
    activity = make_activity(owner="Finance")
    url = f"/api/v1/activities/{activity.pk}/"
    api.patch(url, {"owner": "Finance"}, format="json")
    count = versions(activity)
    changed = api.patch(url, {"owner": "Legal"}, format="json")
    assert changed.status_code == 200
    assert versions(activity) == count + 1
    latest = api.get(f"{url}history/").json()["results"][0]
    assert latest["changes"] == [{"field": "owner", "old": "Finance", "new": "Legal"}]


# -- the admin ----------------------------------------------------------------


def posted_value(value):
    if isinstance(value, bool):
        return "on" if value else None
    if isinstance(value, list | tuple):
        return [str(v) for v in value]
    return value


def form_values(form):
    data = {}
    for name in form.fields:
        value = posted_value(form[name].value())
        if value not in (None, ""):
            data[form.add_prefix(name)] = value
    return data


def browser_post(page):
    """What the browser posts back when the user presses Save without editing:
    the main form, and each inline formset with its management form."""
    data = form_values(page.context["adminform"].form)
    for inline in page.context["inline_admin_formsets"]:
        formset = inline.formset
        initial = formset.initial_form_count()
        prefix = formset.prefix
        data[f"{prefix}-TOTAL_FORMS"] = str(initial)
        data[f"{prefix}-INITIAL_FORMS"] = str(initial)
        for form in formset.forms[:initial]:
            data.update(form_values(form))
    return data


def make_notice_free_feature():
    feature = make_feature()
    feature.activities.add(make_activity(role="processor"))
    return feature


def country_brazil():
    return CountryProfile.objects.get(code="BR")


ADMIN_RECORDS = [
    make_entity,
    make_subject_category,
    make_activity,
    make_customer,
    make_data_category,
    make_measure,
    make_system,
    make_vendor,
    make_notice_free_feature,
    make_transfer,
    make_tia,
    country_brazil,
]


@pytest.mark.parametrize("make", ADMIN_RECORDS, ids=lambda make: make.__name__)
def test_admin_save_without_changes_records_nothing(make):
    obj = make()
    if hasattr(obj, "data_categories"):
        obj.data_categories.add(make_data_category())
    client = Client()
    client.force_login(make_user(DPO, username="editor"))
    meta = obj._meta
    url = f"/admin/{meta.app_label}/{meta.model_name}/{obj.pk}/change/"
    page = client.get(url)
    count = versions(obj)

    saved = client.post(url, browser_post(page))

    assert saved.status_code == 302, saved.context["adminform"].form.errors
    assert versions(obj) == count


def history_records(model):
    """The simple-history object that records the model's versions, if any."""
    sync, _async = post_save._live_receivers(model)
    for receiver in sync:
        owner = getattr(receiver, "__self__", None)
        if isinstance(owner, simple_history.HistoricalRecords):
            return owner
    return None


def test_every_tracked_model_skips_unchanged_writes():
    """A model added later must use inventory.history_records' class too."""
    tracked = {m: history_records(m) for m in apps.get_models()}
    tracked = {m: r for m, r in tracked.items() if r is not None}
    assert len(tracked) >= 12
    for model, records in tracked.items():
        assert isinstance(records, HistoricalRecords), model
