"""No lost updates in the admin (docs/api.md): a save based on a
version someone else has changed since is refused, naming who and when."""

import re

import pytest
from django.test import Client

from inventory.models import DataSubjectCategory, ProcessingActivity
from inventory.roles import DPO
from tests.factories import make_activity, make_data_category, make_user

pytestmark = pytest.mark.django_db


def login(username):
    client = Client()
    client.force_login(make_user(DPO, username=username))
    return client


def form_data(page):
    """What the browser would post back: the form as rendered, hidden version
    included."""
    form = page.context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if isinstance(value, bool):
            value = "on" if value else None
        elif isinstance(value, list | tuple):
            value = [str(v) for v in value]
        if value not in (None, ""):
            data[name] = value
    for inline in page.context.get("inline_admin_formsets", []):
        management = inline.formset.management_form
        data |= {f"{management.prefix}-{k}": v for k, v in management.initial.items()}
    return data


def url(obj):
    model = obj._meta.model_name
    return f"/admin/inventory/{model}/{obj.pk}/change/"


def test_second_of_two_editors_is_refused_with_who_and_when():
    alice, bob = login("alice"), login("bob")
    category = DataSubjectCategory.objects.create(name="Visitors")
    alice_form, bob_form = (
        form_data(alice.get(url(category))),
        form_data(bob.get(url(category))),
    )
    assert alice_form["version"] == bob_form["version"] != ""

    saved = bob.post(url(category), {**bob_form, "name": "Web visitors"})
    assert saved.status_code == 302
    refused = alice.post(url(category), {**alice_form, "name": "Site visitors"})

    assert refused.status_code == 200
    errors = refused.context["adminform"].form.non_field_errors()
    bob_change = category.history.order_by("-history_id").first()
    when = bob_change.history_date.strftime("%Y-%m-%d %H:%M:%S UTC")
    assert errors == [
        f"bob changed this record at {when}, after you opened it. Nothing was "
        "saved: reload the page to see their version, then make your change again."
    ]
    category.refresh_from_db()
    assert category.name == "Web visitors"
    assert category.history.count() == 2  # created, Bob's change; none for Alice


def test_editor_who_reloads_can_save():
    alice, bob = login("alice"), login("bob")
    category = DataSubjectCategory.objects.create(name="Visitors")
    stale = form_data(alice.get(url(category)))
    bob.post(url(category), {**form_data(bob.get(url(category))), "name": "Guests"})
    assert alice.post(url(category), {**stale, "name": "X"}).status_code == 200
    fresh = form_data(alice.get(url(category)))
    assert fresh["version"] != stale["version"]
    assert alice.post(url(category), {**fresh, "name": "Users"}).status_code == 302
    category.refresh_from_db()
    assert category.name == "Users"
    assert category.history.first().history_user.username == "alice"


def test_stale_save_of_an_activity_with_fieldsets_is_refused():
    alice, bob = login("alice"), login("bob")
    activity = make_activity(name="Payroll", purposes="Pay staff")
    page = alice.get(url(activity))
    assert b'type="hidden" name="version"' in page.content
    alice_form = form_data(page)
    # Bob changes only the data categories: a change all the same.
    bob_form = form_data(bob.get(url(activity)))
    category = make_data_category()
    bob_form["data_categories"] = [str(category.pk)]
    assert bob.post(url(activity), bob_form).status_code == 302
    refused = alice.post(url(activity), {**alice_form, "purposes": "Pay everyone"})
    assert refused.status_code == 200
    assert "bob changed this record" in refused.content.decode()
    activity.refresh_from_db()
    assert activity.purposes == "Pay staff"
    assert list(activity.data_categories.all()) == [category]


def test_change_by_a_script_without_a_user_is_named_as_such():
    alice = login("alice")
    category = DataSubjectCategory.objects.create(name="Visitors")
    stale = form_data(alice.get(url(category)))
    category.name = "Changed by import"
    category.save()
    refused = alice.post(url(category), {**stale, "name": "Mine"})
    # A change without a user is named after the program that made it.
    page = refused.content.decode()
    assert re.search(r"system: [^ <]+ changed this record", page), page


def test_read_only_page_has_no_version_field(auditor_client):
    category = DataSubjectCategory.objects.create(name="Visitors")
    page = auditor_client.get(url(category))
    assert page.status_code == 200
    assert b'name="version"' not in page.content


def test_add_form_saves_without_a_version(dpo_client):
    response = dpo_client.post(
        "/admin/inventory/datasubjectcategory/add/", {"name": "Job applicants"}
    )
    assert response.status_code == 302
    assert DataSubjectCategory.objects.filter(name="Job applicants").exists()


def test_reverting_to_an_earlier_version_still_works(dpo_client):
    activity = make_activity(name="Payroll", purposes="Pay staff")
    activity.purposes = "Pay everyone"
    activity.save()
    first = activity.history.order_by("history_id").first()
    revert_url = f"{url(activity).removesuffix('change/')}history/{first.history_id}/"
    page = dpo_client.get(revert_url)
    assert page.status_code == 200
    assert dpo_client.post(revert_url, form_data(page)).status_code == 302
    activity.refresh_from_db()
    assert activity.purposes == "Pay staff"
    assert ProcessingActivity.history.filter(id=activity.pk).count() == 3
