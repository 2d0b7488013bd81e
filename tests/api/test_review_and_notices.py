from datetime import date, timedelta

import pytest
from django.utils import timezone

from inventory.models import SubprocessorNotice
from tests.factories import (
    make_activity,
    make_customer,
    make_feature,
    make_tia,
    make_vendor,
)

pytestmark = pytest.mark.django_db


def test_dpo_marks_an_activity_reviewed_with_history(api, dpo):
    activity = make_activity()
    response = api.post(f"/api/v1/activities/{activity.pk}/review/", {}, format="json")
    assert response.status_code == 200, response.json()
    activity.refresh_from_db()
    today = timezone.localdate()
    assert activity.reviewed_on == today and activity.reviewed_by == dpo
    assert activity.next_review_on.year == today.year + 1
    latest = activity.history.first()
    assert latest.history_user == dpo
    assert latest.history_change_reason.startswith("Marked reviewed")


def test_review_date_in_the_past_is_a_400_naming_the_field_and_changes_nothing(api):
    tia = make_tia()
    before = tia.history.count()
    past = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = api.post(
        f"/api/v1/tias/{tia.pk}/review/", {"next_review_on": past}, format="json"
    )
    assert response.status_code == 400
    assert "next_review_on" in response.json()
    assert tia.history.count() == before


def test_auditor_cannot_mark_reviewed(auditor_api):
    activity = make_activity()
    response = auditor_api.post(f"/api/v1/activities/{activity.pk}/review/", {})
    assert response.status_code == 403


def notice_for(customer):
    feature = make_feature()
    customer.features.add(feature)
    feature.vendors.add(make_vendor(name="New LLM"))
    return SubprocessorNotice.objects.get(customer=customer)


def test_notices_are_listed_and_a_customer_objects_to_its_own(api):
    lumiere = make_customer(name="Lumière", privacy_email="p@lumiere.example")
    notice = notice_for(lumiere)
    listing = api.get("/api/v1/notices/", {"customer": lumiere.pk})
    assert listing.status_code == 200
    assert [n["vendor_name"] for n in listing.json()["results"]] == ["New LLM"]
    assert api.post(f"/api/v1/notices/{notice.pk}/send/").status_code == 200
    response = api.post(
        f"/api/v1/notices/{notice.pk}/respond/",
        {"customer": lumiere.pk, "response": "objected"},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "objected"
    assert date.fromisoformat(response.json()["responded_on"]) == timezone.localdate()


def test_objection_on_another_customers_notice_is_refused(api):
    notice = notice_for(make_customer(name="Lumière"))
    other = make_customer(name="Other")
    response = api.post(
        f"/api/v1/notices/{notice.pk}/respond/",
        {"customer": other.pk, "response": "objected"},
        format="json",
    )
    assert response.status_code == 400
    assert "customer" in response.json()
    notice.refresh_from_db()
    assert notice.status == "pending"
