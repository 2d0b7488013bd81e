"""Sub-processor notices over the API, against a real SMTP server (aiosmtpd):
send once, resend explicitly, 503 when the mail server is down, answers in
order and once, resolutions, history, never edited or deleted."""

import pytest
import time_machine

from inventory.models import SubprocessorNotice
from inventory.tasks import send_queued_notices
from tests.factories import make_customer, make_feature, make_vendor

pytestmark = pytest.mark.django_db
DRAFTED = "2026-04-10 09:00Z"


def at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day} 10:00Z", tick=False)


def draft(name="Lumière"):
    customer = make_customer(name=name, privacy_email="privacy@lumiere.example")
    feature = make_feature()
    customer.features.add(feature)
    with time_machine.travel(DRAFTED, tick=False):
        feature.vendors.add(make_vendor(name="New LLM", processing_countries=["US"]))
    return SubprocessorNotice.objects.get(customer=customer)


def post(api, notice, action, body=None):
    return api.post(f"/api/v1/notices/{notice.pk}/{action}/", body or {}, format="json")


def test_send_is_idempotent_and_says_when_it_was_sent(api, mail_server):
    notice = draft()
    with at("2026-04-12"):
        first = post(api, notice, "send")
    assert first.status_code == 200, first.json()
    body = first.json()
    assert body["status"] == "sent" and body["sent_by"] == "dpo"
    assert (body["effective_date"], body["objection_deadline"]) == (
        "2026-05-12",
        "2026-05-11",
    )
    with at("2026-04-13"):
        second = post(api, notice, "send")
    assert second.status_code == 200
    assert "Already sent at 2026-04-12 10:00:00" in second.json()["detail"]
    assert "nothing was sent again" in second.json()["detail"]
    assert len(mail_server.received) == 1


def test_resend_is_an_explicit_recorded_action(api, mail_server):
    notice = draft()
    with at("2026-04-12"):
        assert post(api, notice, "resend").status_code == 409  # never sent
        post(api, notice, "send")
        response = post(api, notice, "resend")
    assert response.status_code == 200
    assert response.json()["resend_count"] == 1
    assert len(mail_server.received) == 2
    history = api.get(f"/api/v1/notices/{notice.pk}/history/").json()["results"]
    assert history[0]["reason"] == "Resent to privacy@lumiere.example"
    assert history[0]["user"] == "dpo"


def test_a_change_already_due_is_409_until_sent_with_a_new_period(api, mail_server):
    notice = draft()
    with at("2026-05-20"):
        refused = post(api, notice, "send")
        assert refused.status_code == 409
        assert "new notice period" in refused.json()["detail"]
        assert post(api, notice, "send", {"new_period": "maybe"}).status_code == 400
        sent = post(api, notice, "send", {"new_period": True})
    assert sent.status_code == 200
    assert sent.json()["effective_date"] == "2026-06-19"
    assert len(mail_server.received) == 1


def test_mail_server_down_is_a_clear_503_and_the_retry_sends_it(api, dead_mail_server):
    notice = draft()
    with at("2026-04-12"):
        response = post(api, notice, "send")
    assert response.status_code == 503
    assert response["Content-Type"] == "application/json"
    assert response["Retry-After"] == "300"
    detail = response.json()["detail"]
    assert f"mail server (127.0.0.1:{dead_mail_server.port}) is unavailable" in detail
    assert "stays pending" in detail
    body = api.get(f"/api/v1/notices/{notice.pk}/").json()
    assert body["status"] == "pending" and body["send_queued_at"]
    dead_mail_server.start()
    with at("2026-04-12"):
        send_queued_notices.delay()
    body = api.get(f"/api/v1/notices/{notice.pk}/").json()
    assert body["status"] == "sent" and body["sent_by"] == "dpo"
    assert len(dead_mail_server.received) == 1


def sent_notice(api):
    notice = draft()
    with at("2026-04-12"):
        post(api, notice, "send")
    return notice


def test_an_answer_before_the_sending_is_refused(api, mail_server):
    notice = draft()
    response = post(
        api, notice, "respond", {"customer": notice.customer_id, "response": "objected"}
    )
    assert response.status_code == 409
    assert "has not been sent" in response.json()["detail"]
    assert api.get(f"/api/v1/notices/{notice.pk}/").json()["status"] == "pending"


def test_an_objection_is_recorded_once_with_who_and_when(api, mail_server):
    notice = sent_notice(api)
    body = {"customer": notice.customer_id, "response": "objected"}
    with at("2026-04-20"):
        objected = post(api, notice, "respond", {**body, "responded_on": "2026-04-19"})
        assert objected.status_code == 200, objected.json()
        later = post(api, notice, "respond", {**body, "response": "accepted"})
    assert objected.json()["status"] == "objected"
    assert objected.json()["responded_on"] == "2026-04-19"
    assert objected.json()["response_recorded_by"] == "dpo"
    assert later.status_code == 409
    assert "already recorded: objected on 2026-04-19" in later.json()["detail"]
    assert "recorded by dpo" in later.json()["detail"]
    assert api.get(f"/api/v1/notices/{notice.pk}/").json()["status"] == "objected"


def test_answer_dates_must_fall_between_the_sending_and_today(api, mail_server):
    notice = sent_notice(api)
    body = {"customer": notice.customer_id, "response": "accepted"}
    with at("2026-04-20"):
        early = post(api, notice, "respond", {**body, "responded_on": "2026-04-11"})
        future = post(api, notice, "respond", {**body, "responded_on": "2026-04-21"})
        unknown = post(api, notice, "respond", {**body, "mood": "happy"})
    assert early.status_code == future.status_code == unknown.status_code == 400
    assert "responded_on" in early.json() and "responded_on" in future.json()
    assert "mood" in unknown.json()


def test_an_objection_is_resolved_once(api, mail_server):
    notice = sent_notice(api)
    with at("2026-04-20"):
        assert (
            post(api, notice, "resolve", {"resolution": "change_withdrawn"}).status_code
            == 409
        )
        post(
            api,
            notice,
            "respond",
            {"customer": notice.customer_id, "response": "objected"},
        )
        bad = post(api, notice, "resolve", {"resolution": "forgotten"})
        done = post(
            api,
            notice,
            "resolve",
            {
                "resolution": "objection_withdrawn",
                "note": "After a call with their DPO",
            },
        )
        again = post(api, notice, "resolve", {"resolution": "change_withdrawn"})
    assert bad.status_code == 400 and "resolution" in bad.json()
    assert done.status_code == 200, done.json()
    assert (done.json()["resolution"], done.json()["resolved_by"]) == (
        "objection_withdrawn",
        "dpo",
    )
    assert done.json()["resolved_on"] == "2026-04-20"
    assert again.status_code == 409 and "already resolved" in again.json()["detail"]


def test_notices_are_never_edited_or_deleted(api):
    notice = draft()
    url = f"/api/v1/notices/{notice.pk}/"
    assert api.patch(url, {"status": "accepted"}, format="json").status_code == 405
    assert (
        api.put(url, {"sent_at": "2026-01-01T00:00:00Z"}, format="json").status_code
        == 405
    )
    assert api.delete(url).status_code == 405
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.sent_at is None


def test_history_of_a_notice_like_every_resource(api, mail_server):
    notice = sent_notice(api)
    response = api.get(f"/api/v1/notices/{notice.pk}/history/")
    assert response.status_code == 200
    versions = response.json()["results"]
    assert [v["type"] for v in versions] == ["changed", "created"]
    changed = {c["field"]: c["new"] for c in versions[0]["changes"]}
    assert changed["status"] == "sent" and changed["effective_date"] == "2026-05-12"
    assert versions[0]["user"] == "dpo"
    listing = api.get("/api/v1/notices/history/")
    assert listing.status_code == 200 and listing.json()["count"] == 1


# Role matrix (docs/api.md): DPO acts, Auditor reads, Sales and anonymous nothing.
NOTICE_MATRIX = {
    "list": {"dpo": 200, "auditor": 200, "sales": 403, "anonymous": 401},
    "retrieve": {"dpo": 200, "auditor": 200, "sales": 403, "anonymous": 401},
    "history": {"dpo": 200, "auditor": 200, "sales": 403, "anonymous": 401},
    "all_history": {"dpo": 200, "auditor": 200, "sales": 403, "anonymous": 401},
    "send": {"dpo": 200, "auditor": 403, "sales": 403, "anonymous": 401},
    "resend": {"dpo": 409, "auditor": 403, "sales": 403, "anonymous": 401},
    "respond": {"dpo": 409, "auditor": 403, "sales": 403, "anonymous": 401},
    "resolve": {"dpo": 409, "auditor": 403, "sales": 403, "anonymous": 401},
    "update": {"dpo": 405, "auditor": 403, "sales": 403, "anonymous": 401},
    "delete": {"dpo": 405, "auditor": 403, "sales": 403, "anonymous": 401},
}


@pytest.mark.parametrize("role", ["dpo", "auditor", "sales", "anonymous"])
@pytest.mark.parametrize("action", NOTICE_MATRIX)
def test_notice_role_matrix(role_client, mail_server, role, action):
    client = role_client(role)
    notice = draft()
    url = f"/api/v1/notices/{notice.pk}/"
    body = {"customer": notice.customer_id, "response": "accepted"}
    with at("2026-04-12"):
        response = {
            "list": lambda: client.get("/api/v1/notices/"),
            "retrieve": lambda: client.get(url),
            "history": lambda: client.get(f"{url}history/"),
            "all_history": lambda: client.get("/api/v1/notices/history/"),
            "send": lambda: client.post(f"{url}send/", {}, format="json"),
            "resend": lambda: client.post(f"{url}resend/", {}, format="json"),
            "respond": lambda: client.post(f"{url}respond/", body, format="json"),
            "resolve": lambda: client.post(
                f"{url}resolve/", {"resolution": "change_withdrawn"}, format="json"
            ),
            "update": lambda: client.patch(url, {"status": "sent"}, format="json"),
            "delete": lambda: client.delete(url),
        }[action]()
    assert response.status_code == NOTICE_MATRIX[action][role], response.content
    assert response["Content-Type"] == "application/json"
    if role != "dpo" or action != "send":
        assert mail_server.received == []


def test_a_customer_with_notices_is_not_deleted(api):
    notice = draft()
    response = api.delete(f"/api/v1/customers/{notice.customer_id}/")
    assert response.status_code == 409
    assert "sub-processor notice" in response.json()["detail"].lower() or (
        "Lumière - New LLM" in response.json()["detail"]
    )
    assert SubprocessorNotice.objects.filter(pk=notice.pk).exists()


def test_option_1_acceptance_is_the_authorisation(api, mail_server):
    notice = draft()
    customer = notice.customer
    customer.clause9_option = "specific"
    customer.save()
    with at("2026-04-12"):
        sent = post(api, notice, "send").json()
        accepted = post(
            api, notice, "respond", {"customer": customer.pk, "response": "accepted"}
        )
    assert (sent["clause9_option"], sent["objection_deadline"]) == ("specific", None)
    assert accepted.json()["status"] == "accepted"
    assert "We request your authorisation" in mail_server.received[0].body
