"""The notices in the admin: actions only, never a hand edit or a delete, and
a mail server that is down is a message, not a server error."""

import pytest
import time_machine

from inventory.models import SubprocessorNotice
from tests.factories import make_customer, make_feature, make_vendor

pytestmark = pytest.mark.django_db
CHANGELIST = "/admin/inventory/subprocessornotice/"


@pytest.fixture(autouse=True)
def april():
    with time_machine.travel("2026-04-12 10:00Z", tick=False):
        yield


def draft():
    customer = make_customer(name="Lumière", privacy_email="p@lumiere.example")
    feature = make_feature()
    customer.features.add(feature)
    feature.vendors.add(make_vendor(name="LLM Co"))
    return SubprocessorNotice.objects.get(customer=customer)


def act(client, action, notice, **form):
    body = {"action": action, "_selected_action": [notice.pk], **form}
    return client.post(CHANGELIST, body, follow=True)


def answer(client, action, notice, on="2026-04-12", note=""):
    """An answer action through its date page."""
    return act(client, action, notice, apply="Record", on=on, note=note)


def test_mail_server_down_is_a_message_and_the_notice_stays_pending(
    dpo_client, dead_mail_server
):
    notice = draft()
    response = act(dpo_client, "send_notices", notice)
    assert response.status_code == 200
    text = response.content.decode()
    assert f"mail server (127.0.0.1:{dead_mail_server.port}) is unavailable" in text
    assert "sent automatically when the mail server is back" in text
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.send_queued_at is not None


def test_send_twice_in_the_admin_sends_once_and_resend_is_its_own_action(
    dpo_client, mail_server
):
    notice = draft()
    act(dpo_client, "send_notices", notice)
    again = act(dpo_client, "send_notices", notice).content.decode()
    assert "already sent on 2026-04-12 10:00" in again
    assert len(mail_server.received) == 1
    copy = act(dpo_client, "resend_notices", notice).content.decode()
    assert "copy sent to p@lumiere.example" in copy
    assert len(mail_server.received) == 2


def test_answers_through_admin_actions_follow_the_order(dpo_client, dpo, mail_server):
    notice = draft()
    early = answer(dpo_client, "record_objections", notice).content.decode()
    assert "has not been sent" in early
    act(dpo_client, "send_notices", notice)
    page = act(dpo_client, "record_objections", notice).content.decode()
    assert 'name="on"' in page and 'value="2026-04-12"' in page  # asks the date
    notice.refresh_from_db()
    assert notice.status == "sent"  # nothing recorded before the date is given
    with time_machine.travel("2026-04-15 10:00Z", tick=False):
        dpo_client.force_login(dpo)
        future = answer(dpo_client, "record_objections", notice, on="2026-04-16")
        assert "is in the future" in future.content.decode()
        answer(dpo_client, "record_objections", notice, on="2026-04-13")
        late = answer(dpo_client, "record_acceptances", notice).content.decode()
    assert "already recorded: objected on 2026-04-13" in late
    notice.refresh_from_db()
    assert notice.status == "objected" and notice.response_recorded_by == dpo
    assert notice.responded_on.isoformat() == "2026-04-13"
    with time_machine.travel("2026-04-15 10:00Z", tick=False):
        answer(
            dpo_client,
            "resolve_objection_withdrawn",
            notice,
            on="2026-04-14",
            note="After a call with their DPO",
        )
    notice.refresh_from_db()
    assert notice.resolution == "objection_withdrawn" and notice.resolved_by == dpo
    assert notice.resolved_on.isoformat() == "2026-04-14"
    assert notice.resolution_note == "After a call with their DPO"


def test_the_dpo_cannot_edit_or_delete_a_notice(dpo_client):
    notice = draft()
    url = f"{CHANGELIST}{notice.pk}/change/"
    page = dpo_client.get(url)
    assert page.status_code == 200
    assert b'name="status"' not in page.content  # shown, not editable
    assert b'name="sent_at' not in page.content
    posted = dpo_client.post(url, {"status": "accepted", "sent_at_0": "2026-01-01"})
    assert posted.status_code == 403
    deleted = dpo_client.post(f"{CHANGELIST}{notice.pk}/delete/", {"post": "yes"})
    assert deleted.status_code == 403
    bulk = act(dpo_client, "delete_selected", notice)
    assert b"No action selected" in bulk.content
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.sent_at is None
    assert SubprocessorNotice.objects.filter(pk=notice.pk).exists()


def test_a_customer_with_notices_cannot_be_deleted(dpo_client):
    notice = draft()
    url = f"/admin/inventory/customer/{notice.customer_id}/delete/"
    response = dpo_client.post(url, {"post": "yes"})
    assert response.status_code == 200  # Django's "cannot delete" page
    assert b"Cannot delete customer" in response.content
    assert SubprocessorNotice.objects.filter(pk=notice.pk).exists()


def test_auditor_sees_notices_without_any_action(auditor_client):
    notice = draft()
    assert auditor_client.get(f"{CHANGELIST}{notice.pk}/change/").status_code == 200
    refused = auditor_client.post(
        CHANGELIST, {"action": "send_notices", "_selected_action": [notice.pk]}
    )
    assert refused.status_code in (200, 403)
    notice.refresh_from_db()
    assert notice.status == "pending"


def test_a_change_already_due_needs_the_new_period_action(dpo_client, dpo, mail_server):
    notice = draft()  # drafted 2026-04-12, planned 2026-05-12
    with time_machine.travel("2026-05-20 10:00Z", tick=False):
        dpo_client.force_login(dpo)  # a fresh session, weeks later
        refused = act(dpo_client, "send_notices", notice).content.decode()
        assert "was due to take effect on 2026-05-12" in refused
        assert mail_server.received == []
        act(dpo_client, "send_with_new_period", notice)
    notice.refresh_from_db()
    assert (notice.status, notice.effective_date.isoformat()) == ("sent", "2026-06-19")
    assert len(mail_server.received) == 1


def test_no_revert_of_a_notice_to_an_earlier_version(dpo_client, mail_server):
    notice = draft()
    created = notice.history.get()
    act(dpo_client, "send_notices", notice)
    url = f"{CHANGELIST}{notice.pk}/history/{created.history_id}/"
    assert dpo_client.get(url).status_code == 200  # the old version can be read
    assert b"Revert" not in dpo_client.get(url).content
    assert dpo_client.post(url, {}).status_code == 403
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.sent_at is not None
