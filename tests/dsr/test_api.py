"""``/api/v1/requests/``: the register over the API, its rules, history,
ETag, actions and the Auditor's pseudonymised view."""

import re
import socket
from datetime import date

import pytest
import time_machine

from dsr import intake
from dsr.models import DataSubjectRequest, RequestTask
from tests.factories import (
    make_activity,
    make_customer,
    make_feature,
    make_request,
    make_subject_category,
    make_system,
    make_vendor,
)

URL = "/api/v1/requests/"
pytestmark = pytest.mark.django_db


def body(**kwargs):
    kwargs.setdefault("received_at", "2026-01-31T10:00:00Z")
    kwargs.setdefault("channel", "email")
    kwargs.setdefault("requester_name", "Ada Lovelace")
    kwargs.setdefault("requester_email", "ada@example.org")
    kwargs.setdefault("regime", "eu")
    kwargs.setdefault("rights", ["access"])
    return kwargs


@time_machine.travel("2026-02-02 09:00Z", tick=False)
def test_create_numbers_the_request_and_computes_its_deadline(api):
    response = api.post(URL, body(), format="json")

    assert response.status_code == 201, response.content
    data = response.json()
    assert data["reference"] == "DSR-2026-0001"
    # 31 Jan + 1 month = 28 Feb 2026, a Saturday: Monday 2 March.
    assert data["due_on"] == "2026-03-02"
    assert data["acknowledge_by"] is None
    assert data["days_left"] == 28
    assert data["overdue"] is False
    assert response["ETag"]
    second = api.post(URL, body(), format="json").json()
    assert second["reference"] == "DSR-2026-0002"
    history = api.get(f"{URL}{data['id']}/history/").json()["results"]
    assert [v["type"] for v in history] == ["created"]
    assert history[0]["user"] == "dpo"


@time_machine.travel("2026-12-02 09:00Z", tick=False)
def test_ccpa_request_has_an_acknowledgement_date(api):
    response = api.post(
        URL,
        body(received_at="2026-12-01T12:00:00Z", regime="ccpa", rights=["know"]),
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["acknowledge_by"] == "2026-12-15"
    assert response.json()["due_on"] == "2027-01-15"


@pytest.mark.parametrize(
    "changes,field",
    [
        ({"rights": ["teleport"]}, "rights"),
        ({"rights": []}, "rights"),
        ({"rights": ["know"]}, "rights"),  # a CCPA right under the GDPR
        ({"regime": "ccpa", "rights": ["access"]}, "rights"),
        ({"role": "processor"}, "customer"),
        ({"due_on": "2027-01-01"}, "due_on"),
        ({"regime": "mars"}, "regime"),
        ({"status": "closed"}, "outcome"),
        ({"status": "closed", "outcome": "refused"}, "refusal_ground"),
        ({"colour": "red"}, "colour"),
        ({"received_at": "9999-12-31T10:00:00Z"}, "received_at"),
        ({"received_at": "yesterday"}, "received_at"),
        ({"regime": "ch", "extension_reason": "Busy"}, "extended_to"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api, changes, field):
    response = api.post(URL, body(**changes), format="json")
    assert response.status_code == 400, response.content
    assert field in response.json()
    assert not DataSubjectRequest.objects.exists()


def test_stale_if_match_is_refused_with_who_and_when(api):
    created = api.post(URL, body(), format="json")
    url = f"{URL}{created.json()['id']}/"
    old = created["ETag"]
    assert api.patch(url, {"notes": "first"}, format="json").status_code == 200
    stale = api.patch(url, {"notes": "second"}, format="json", HTTP_IF_MATCH=old)
    assert stale.status_code == 412
    assert stale.json()["changed_by"] == "dpo"


def test_auditor_reads_pseudonyms_also_in_the_history(api, auditor_api, auditor_client):
    created = api.post(URL, body(), format="json").json()
    api.patch(
        f"{URL}{created['id']}/",
        {"requester_name": "Ada King"},
        format="json",
    )

    row = auditor_api.get(URL).json()["results"][0]
    assert row["requester_name"].startswith("requester-")
    assert row["requester_email"] == ""
    history = auditor_api.get(f"{URL}{created['id']}/history/").json()["results"]
    text = str(history)
    assert "Ada" not in text and "ada@example.org" not in text
    assert "(pseudonymised)" in text
    assert "Ada" not in str(auditor_api.get(f"{URL}history/").json())
    assert auditor_api.get(f"{URL}?search=Ada").json()["count"] == 0
    assert auditor_api.get(f"{URL}{created['id']}/export/").status_code == 403
    request = DataSubjectRequest.objects.get(pk=created["id"])
    request.tasks.create(
        action="export", object_type="system", object_id=1, target="CRM", result="Ada"
    )
    seen = auditor_api.get(f"{URL}{created['id']}/").json()
    assert seen["tasks"][0]["result"] == "" and "Ada" not in str(seen)
    page = f"/admin/dsr/datasubjectrequest/{created['id']}/change/"
    assert "Ada" not in auditor_client.get(page).content.decode()
    # the DPO sees the requester
    assert api.get(URL).json()["results"][0]["requester_name"] == "Ada King"


def test_auditor_and_sales_cannot_act(auditor_api, sales_api):
    request = make_request()
    for client, status in ((auditor_api, 403), (sales_api, 403)):
        response = client.post(f"{URL}{request.pk}/verify/", {}, format="json")
        assert response.status_code == status


@time_machine.travel("2026-02-10 09:00Z", tick=False)
def test_extend_needs_a_reason_and_moves_the_deadline(api):
    request = make_request(received_at="2026-01-31T10:00:00Z")
    url = f"{URL}{request.pk}/extend/"

    assert api.post(url, {"reason": ""}, format="json").status_code == 400
    response = api.post(url, {"reason": "Many systems to search"}, format="json")

    assert response.status_code == 200, response.content
    assert response.json()["due_on"] == "2026-04-30"
    assert response.json()["extension_told_on"] == "2026-02-10"
    latest = request.history.first()
    assert latest.history_change_reason == "Extended: Many systems to search"
    assert latest.history_user.username == "dpo"


def test_opt_out_cannot_be_extended(api):
    request = make_request(regime="ccpa", rights=["opt_out_sale_sharing"])
    response = api.post(f"{URL}{request.pk}/extend/", {"reason": "Busy"}, format="json")
    assert response.status_code == 400
    assert "extension_reason" in response.json()


def test_verify_then_close_with_history(api):
    request = make_request()
    assert api.post(f"{URL}{request.pk}/verify/", {}, format="json").status_code == 200
    refused = api.post(
        f"{URL}{request.pk}/close/", {"outcome": "refused"}, format="json"
    )
    assert refused.status_code == 400
    assert "refusal_ground" in refused.json()
    closed = api.post(
        f"{URL}{request.pk}/close/", {"outcome": "fulfilled"}, format="json"
    )

    assert closed.status_code == 200
    data = closed.json()
    assert (data["status"], data["outcome"], data["verification"]) == (
        "closed",
        "fulfilled",
        "verified",
    )
    assert data["days_left"] is None
    again = api.post(f"{URL}{request.pk}/close/", {"outcome": "partly"}, format="json")
    assert again.status_code == 400 and "status" in again.json()
    versions = request.history.count()
    assert api.post(f"{URL}{request.pk}/verify/", {}, format="json").status_code == 200
    assert request.history.count() == versions  # nothing changed, nothing recorded
    assert [h.status for h in request.history.all()] == [
        "closed",
        "in_progress",
        "received",
    ]


def test_forward_a_processor_request_to_the_customer(api):
    customer = make_customer(name="Maison Test", privacy_email="dpo@maison.example")
    request = make_request(role="processor", customer=customer, rights=["erasure"])
    controller = make_request()

    response = api.post(f"{URL}{request.pk}/forward/", {}, format="json")
    assert response.status_code == 200
    data = response.json()
    assert data["outcome"] == "forwarded"
    assert data["forwarded_to"] == "dpo@maison.example"
    assert data["status"] == "closed"
    refused = api.post(f"{URL}{controller.pk}/forward/", {}, format="json")
    assert refused.status_code == 400
    assert "role" in refused.json()


@time_machine.travel("2026-03-10 09:00Z", tick=False)
def test_days_left_and_overdue(api):
    make_request(received_at="2026-01-31T10:00:00Z")  # due 2 March
    row = api.get(URL).json()["results"][0]
    assert row["days_left"] == -8
    assert row["overdue"] is True
    assert api.get(f"{URL}?rights=access").json()["count"] == 1
    assert api.get(f"{URL}?rights=erasure").json()["count"] == 0
    bad = api.get(f"{URL}?rights=(acc")
    assert bad.status_code == 400 and "rights" in bad.json()


def test_tasks_come_from_the_inventory_and_answer_the_export(api):
    shoppers = make_subject_category(name="Shoppers")
    crm = make_system(name="CRM")
    mailer = make_vendor(name="Mailer Inc.")
    activity = make_activity(ref="PA-C9", name="Orders", purposes="Order handling")
    activity.data_subject_categories.add(shoppers)
    activity.systems.add(crm)
    activity.recipients.add(mailer)
    other = make_activity(ref="PA-C8", name="Unrelated")
    other.systems.add(make_system(name="HR"))
    request = make_request(subject_category=shoppers, rights=["access", "erasure"])

    response = api.post(f"{URL}{request.pk}/plan-tasks/", {}, format="json")
    assert response.status_code == 200, response.content
    tasks = {(t["action"], t["target"]) for t in response.json()["tasks"]}
    assert tasks == {
        ("search", "PA-C9 Orders"),
        ("export", "CRM"),
        ("erase", "CRM"),
        ("search", "Mailer Inc."),
        ("notify", "Mailer Inc."),  # Art. 19
    }
    api.post(f"{URL}{request.pk}/plan-tasks/", {}, format="json")
    assert request.tasks.count() == 5  # planned once

    export = request.tasks.get(action="export")
    done = api.post(
        f"{URL}{request.pk}/tasks/{export.pk}/done/",
        {"result": "orders: 3; email: ada@example.org"},
        format="json",
    )
    assert done.status_code == 200
    task = RequestTask.objects.get(pk=export.pk)
    assert task.done_by.username == "dpo" and task.done_at is not None
    file = api.get(f"{URL}{request.pk}/export/")
    assert file.status_code == 200
    assert file["Content-Disposition"].endswith('-export.json"')
    document = file.json()
    assert document["reference"] == request.reference
    assert document["data"] == [
        {
            "action": "export",
            "place_type": "system",
            "place": "CRM",
            "found": "orders: 3; email: ada@example.org",
            "gathered_by": "dpo",
            "gathered_at": task.done_at.isoformat(),
        }
    ]


def test_processor_request_tasks_follow_the_customers_features(api):
    shoppers = make_subject_category(name="Shoppers")
    chat = make_activity(ref="PA-P9", name="Chat", role="processor")
    chat.data_subject_categories.add(shoppers)
    chat.systems.add(make_system(name="Conversations DB"))
    llm = make_vendor(name="LLM Co")
    feature = make_feature(name="AI answers")
    feature.activities.add(chat)
    feature.vendors.add(llm)
    customer = make_customer(name="Shop SAS")
    customer.features.add(feature)
    unused = make_activity(ref="PA-P8", name="Voice", role="processor")
    unused.data_subject_categories.add(shoppers)
    request = make_request(
        role="processor",
        customer=customer,
        subject_category=shoppers,
        rights=["erasure"],
    )

    request.create_tasks()

    assert {(t.action, t.target) for t in request.tasks.all()} == {
        ("forward", "Shop SAS"),
        ("search", "PA-P9 Chat"),
        ("erase", "Conversations DB"),
        ("notify", "LLM Co"),
    }


def test_uk_pause_stops_the_clock(dpo):
    with time_machine.travel("2026-05-12 09:00Z", tick=False):
        request = make_request(regime="uk", received_at="2026-05-12T09:00:00Z")
        assert request.due_on == date(2026, 6, 12)
        request.pause(dpo, "Asked for proof of identity")
    with time_machine.travel("2026-05-22 09:00Z", tick=False):
        assert request.days_left() == 31  # the clock stood still for 10 days
        request.verify(dpo)
    request.refresh_from_db()
    assert request.paused_days == 10
    assert request.due_on == date(2026, 6, 22)
    assert request.status == "in_progress"


@time_machine.travel("2026-12-02 09:00Z", tick=False)
def test_acknowledge_and_verification_code_by_email(api, mailoutbox):
    request = make_request(
        received_at="2026-12-01T09:00:00Z", regime="ccpa", rights=["know"]
    )

    ack = api.post(f"{URL}{request.pk}/acknowledge/", {}, format="json")
    assert ack.status_code == 200
    assert ack.json()["acknowledged_on"] is not None
    sent = api.post(f"{URL}{request.pk}/send-verification/", {}, format="json")
    assert sent.status_code == 200

    acknowledgement, verification = mailoutbox
    assert acknowledgement.to == [request.requester_email]
    assert request.reference in acknowledgement.subject
    assert "15 January 2027" in acknowledgement.body
    code = re.search(r"\b\d{6}\b", verification.body).group(0)
    request.refresh_from_db()
    assert code not in str(list(request.history.values()))  # only its hash
    assert not request.confirm_code("123 456 and 000000" if code != "000000" else "1")
    assert request.confirm_code(f"the code is {code}")
    request.refresh_from_db()
    assert request.verification == "verified"
    assert request.messages.filter(direction="out").count() == 2


def test_messages_show_to_the_dpo_only(dpo_client, auditor_client):
    request = make_request()
    request.messages.create(
        direction="in",
        message_id="<m@x>",
        sender="Ada <ada@secret.example>",
        sent_at=request.received_at,
        body="Send me my data",
    )
    page = f"/admin/dsr/datasubjectrequest/{request.pk}/change/"
    assert "ada@secret.example" in dpo_client.get(page).content.decode()
    assert "ada@secret.example" not in auditor_client.get(page).content.decode()


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_mail_server_down_is_a_503_and_records_nothing(api, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    request = make_request()

    for action in ("acknowledge", "send-verification"):
        response = api.post(f"{URL}{request.pk}/{action}/", {}, format="json")
        assert response.status_code == 503, response.content
        assert "nothing was sent" in response.json()["detail"]
    request.refresh_from_db()
    assert request.acknowledged_on is None and request.verification_digest == ""
    assert not request.messages.exists()
    assert request.history.count() == 1


def test_a_mailed_request_is_filed_even_when_smtp_is_down(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", closed_port()
    raw = (
        b"From: Ada <ada@example.org>\r\nSubject: my data\r\n"
        b"Message-ID: <down@x>\r\n\r\nPlease send me a copy of my data.\r\n"
    )
    message = intake.receive(raw)
    assert message is not None
    request = message.request
    assert request.acknowledged_on is None
    assert intake.receive(raw) is None  # filed once


def test_pause_and_resume_a_uk_request_over_the_api(api):
    with time_machine.travel("2026-05-12 09:00Z", tick=False):
        request = make_request(regime="uk", received_at="2026-05-12T09:00:00Z")
        eu = make_request(regime="eu", received_at="2026-05-12T09:00:00Z")
        url = f"{URL}{request.pk}/"
        refused = api.post(f"{URL}{eu.pk}/pause/", {"reason": "ID"}, format="json")
        assert refused.status_code == 400
        paused = api.post(f"{url}pause/", {"reason": "Proof of ID"}, format="json")
        assert paused.json()["status"] == "paused"
    with time_machine.travel("2026-05-19 09:00Z", tick=False):
        assert api.get(url).json()["days_left"] == 31  # 24 days + 7 stood still
        resumed = api.post(f"{url}resume/", {}, format="json").json()
    assert (resumed["due_on"], resumed["paused_days"], resumed["status"]) == (
        "2026-06-19",
        7,
        "in_progress",
    )


def test_a_taken_number_is_skipped(monkeypatch):
    first = make_request(received_at="2026-03-01T09:00:00Z")
    from dsr import models

    picks = iter([first.reference, "DSR-2026-0002"])
    monkeypatch.setattr(models, "next_reference", lambda received: next(picks))
    second = make_request(received_at="2026-03-02T09:00:00Z")
    assert second.reference == "DSR-2026-0002"
    assert second.history.count() == 1
