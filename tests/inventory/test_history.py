from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from inventory.models import ProcessingActivity
from tests.factories import make_activity, make_data_category, make_user


@pytest.mark.django_db
def test_create_change_and_delete_leave_history_rows():
    activity = make_activity(name="Billing")
    activity.purposes = "Invoices"
    activity._change_reason = "clarified purpose"
    activity.save()
    pk = activity.pk
    activity.delete()

    rows = ProcessingActivity.history.filter(id=pk).order_by("history_id")
    assert [r.history_type for r in rows] == ["+", "~", "-"]
    assert rows[1].history_change_reason == "clarified purpose"
    assert rows[1].purposes == "Invoices"
    delta = rows[1].diff_against(rows[0])
    assert delta.changed_fields == ["purposes"]


@pytest.mark.django_db
def test_many_to_many_change_is_a_history_row_with_the_set():
    activity = make_activity()
    dc1, dc2 = make_data_category(), make_data_category()
    activity.data_categories.add(dc1)
    activity.data_categories.add(dc2)
    activity.data_categories.remove(dc1)

    latest = activity.history.first()
    assert latest is not None
    assert {r.datacategory_id for r in latest.data_categories.all()} == {dc2.pk}
    assert activity.history.count() == 4


@pytest.mark.django_db
def test_record_and_its_many_to_many_set_as_of_a_past_time():
    start = timezone.now()
    with time_machine.travel(start, tick=False):
        activity = make_activity(lawful_basis="contract")
        dc1 = make_data_category()
        activity.data_categories.add(dc1)
    with time_machine.travel(start + timedelta(days=1), tick=False):
        activity.lawful_basis = "legitimate_interests"
        activity.save()
        activity.data_categories.add(make_data_category())

    past = activity.history.as_of(start + timedelta(hours=1))
    assert past.lawful_basis == "contract"
    record = past._history
    assert [r.datacategory_id for r in record.data_categories.all()] == [dc1.pk]
    now = activity.history.as_of(start + timedelta(days=2))
    assert now.lawful_basis == "legitimate_interests"
    assert now._history.data_categories.count() == 2


@pytest.mark.django_db
def test_admin_save_records_the_user_in_history(dpo_client, dpo):
    activity = make_activity(name="Support", role="controller")
    url = f"/admin/inventory/processingactivity/{activity.pk}/change/"
    page = dpo_client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None}
    for name in (
        "data_subject_categories",
        "data_categories",
        "recipients",
        "systems",
        "security_measures",
    ):
        data[name] = []
    data.update(purposes="Answer tickets", reviewed_on="", next_review_on="")
    for inline in page.context["inline_admin_formsets"]:  # as the browser posts
        management = inline.formset.management_form
        data |= {f"{management.prefix}-{k}": v for k, v in management.initial.items()}
    response = dpo_client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    latest = activity.history.first()
    assert latest.purposes == "Answer tickets"
    assert latest.history_user == dpo


@pytest.mark.django_db
def test_deleted_record_keeps_its_history():
    user = make_user()
    activity = make_activity(name="Old thing")
    activity._history_user = user
    pk = activity.pk
    activity.delete()
    deleted = ProcessingActivity.history.filter(id=pk, history_type="-").get()
    assert deleted.name == "Old thing"


@pytest.mark.django_db
def test_deleting_a_related_record_is_a_history_change_of_the_sets_naming_it():
    from reports.snapshot import Snapshot

    activity = make_activity()
    kept, gone = make_data_category(), make_data_category()
    activity.data_categories.add(kept, gone)
    before = timezone.now()
    gone_id = gone.pk
    gone.delete()

    latest = activity.history.first()
    assert [r.datacategory_id for r in latest.data_categories.all()] == [kept.pk]
    then = Snapshot(before).table("inventory.ProcessingActivity")[activity.pk]
    now = Snapshot(timezone.now()).table("inventory.ProcessingActivity")[activity.pk]
    assert then["data_categories"] == sorted([kept.pk, gone_id])
    assert now["data_categories"] == [kept.pk]
