"""The review cycle: mark_reviewed on activities and TIAs, and its admin action."""

from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError

from inventory.models import ProcessingActivity
from tests.factories import make_activity
from tests.factories import make_tia as tia_factory
from transfers.models import TransferImpactAssessment

pytestmark = pytest.mark.django_db
DAY = "2026-05-04 10:00Z"


def make_tia(**kwargs):
    kwargs.setdefault("assessed_on", date(2026, 1, 1))
    return tia_factory(**kwargs)


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize("make", [make_activity, make_tia])
def test_mark_reviewed_sets_who_when_and_next_date_with_history(make, dpo):
    record = make(next_review_on=date(2026, 5, 1))
    record.mark_reviewed(dpo)
    record.refresh_from_db()
    assert record.reviewed_on == date(2026, 5, 4)
    assert record.reviewed_by == dpo
    assert record.next_review_on == date(2027, 5, 4)
    latest = record.history.first()
    assert latest.history_user == dpo
    assert latest.history_change_reason.startswith("Marked reviewed")
    assert latest.reviewed_on == date(2026, 5, 4)


@time_machine.travel(DAY, tick=False)
def test_review_interval_comes_from_settings(settings, dpo):
    settings.REVIEW_INTERVAL_MONTHS = 6
    activity = make_activity()
    activity.mark_reviewed(dpo)
    assert activity.next_review_on == date(2026, 11, 4)


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize("make", [make_activity, make_tia])
def test_an_explicit_next_review_date_is_kept(make, dpo):
    record = make()
    record.mark_reviewed(dpo, next_review_on=date(2026, 8, 1))
    record.refresh_from_db()
    assert record.next_review_on == date(2026, 8, 1)


@time_machine.travel(DAY, tick=False)
@pytest.mark.parametrize("make", [make_activity, make_tia])
def test_a_review_date_in_the_past_is_refused_and_changes_nothing(make, dpo):
    record = make(next_review_on=date(2026, 6, 1))
    versions = record.history.count()
    with pytest.raises(ValidationError) as error:
        record.mark_reviewed(dpo, next_review_on=date(2026, 5, 3))
    assert "next_review_on" in error.value.message_dict
    record.refresh_from_db()
    assert record.reviewed_on is None and record.reviewed_by is None
    assert record.next_review_on == date(2026, 6, 1)
    assert record.history.count() == versions


@time_machine.travel(DAY, tick=False)
def test_admin_action_marks_selected_activities_reviewed(dpo_client, dpo):
    one, two, other = make_activity(), make_activity(), make_activity()
    response = dpo_client.post(
        "/admin/inventory/processingactivity/",
        {"action": "mark_reviewed", "_selected_action": [one.pk, two.pk]},
        follow=True,
    )
    assert b"2 marked reviewed; next review on 2027-05-04." in response.content
    reviewed = ProcessingActivity.objects.filter(reviewed_by=dpo)
    assert set(reviewed.values_list("pk", flat=True)) == {one.pk, two.pk}
    other.refresh_from_db()
    assert other.reviewed_on is None


@time_machine.travel(DAY, tick=False)
def test_admin_action_marks_tias_reviewed(dpo_client, dpo):
    tia = make_tia()
    dpo_client.post(
        "/admin/transfers/transferimpactassessment/",
        {"action": "mark_reviewed", "_selected_action": [tia.pk]},
    )
    tia = TransferImpactAssessment.objects.get(pk=tia.pk)
    assert (tia.reviewed_by, tia.reviewed_on) == (dpo, date(2026, 5, 4))


def test_auditor_has_no_mark_reviewed_action(auditor_client):
    make_activity()
    page = auditor_client.get("/admin/inventory/processingactivity/")
    assert b"mark_reviewed" not in page.content


@time_machine.travel(DAY, tick=False)
def test_marking_reviewed_clears_the_overdue_finding(dpo):
    from reports import findings

    activity = make_activity(next_review_on=date(2026, 5, 4) - timedelta(days=1))
    assert any(f.code == "ACT_REVIEW_OVERDUE" for f in findings.current())
    activity.mark_reviewed(dpo)
    assert not any(f.code == "ACT_REVIEW_OVERDUE" for f in findings.current())
