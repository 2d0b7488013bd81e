"""Sending sub-processor notices through a real SMTP server (aiosmtpd): the
period runs from the sending (Clause 9(a) SCC 2021/914), a notice goes out
once, a resend is explicit and recorded, a mail server that is down leaves the
notice queued for the Celery retry."""

from datetime import date

import pytest
import time_machine
from django.core.exceptions import ValidationError

from inventory.models import Customer
from inventory.notices import MailServerDown, NoticeStateError, SubprocessorNotice
from inventory.tasks import send_queued_notices
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_feature,
    make_user,
    make_vendor,
)

pytestmark = pytest.mark.django_db
DRAFTED = "2026-04-10 09:00Z"


def at(day: str) -> time_machine.travel:
    return time_machine.travel(f"{day} 10:00Z", tick=False)


def draft(option=Customer.Clause9.GENERAL, **customer):
    """Lumière enables Chat (messages and contact data); LLM Co, processing in
    the US and India, is added to Chat on 2026-04-10."""
    customer.setdefault("privacy_email", "privacy@lumiere.example")
    lumiere = make_customer(
        name="Lumière", notice_period_days=30, clause9_option=option, **customer
    )
    activity = make_activity(role="processor", lawful_basis=None)
    activity.data_categories.add(
        make_data_category(code="DC07", name="Conversation messages"),
        make_data_category(code="DC09", name="End-user contact data"),
    )
    chat = make_feature(name="Chat")
    chat.activities.add(activity)
    lumiere.features.add(chat)
    vendor = make_vendor(
        name="LLM Co", service="LLM inference", processing_countries=["US", "IN"]
    )
    with time_machine.travel(DRAFTED, tick=False):
        chat.vendors.add(vendor)
    return SubprocessorNotice.objects.get(customer=lumiere)


def test_the_objection_period_runs_from_the_sending_not_the_drafting(mail_server):
    notice = draft()
    assert (notice.drafted_on, notice.effective_date) == (date(2026, 4, 10), None)
    with at("2026-04-30"):  # 20 days after drafting: the customer still gets 30
        assert notice.send() is True
    assert notice.effective_date == date(2026, 5, 30)
    assert notice.objection_deadline == date(2026, 5, 29)
    (mail,) = mail_server.received
    assert "Notice date: 2026-04-30" in mail.body
    assert "Effective date: 2026-05-30" in mail.body
    assert "Objection deadline: 2026-05-29" in mail.body
    assert "objections by 2026-05-29" in mail.subject


def test_a_change_already_due_is_refused_unless_sent_with_a_new_period(mail_server):
    notice = draft()
    with at("2026-05-20"), pytest.raises(NoticeStateError) as refused:
        notice.send()  # 40 days later: the planned 2026-05-10 has passed
    assert "2026-05-10" in str(refused.value) and "new notice period" in str(
        refused.value
    )
    assert mail_server.received == []
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.effective_date is None
    with at("2026-05-20"):
        notice.send(new_period=True)
    assert notice.effective_date == date(2026, 6, 19)
    assert notice.objection_deadline == date(2026, 6, 18)
    assert notice.new_period is True
    reason = notice.history.first().history_change_reason
    assert reason == ("Notice sent to privacy@lumiere.example with a new notice period")


def test_sending_twice_sends_once_and_a_resend_is_explicit_and_recorded(
    mail_server,
):
    notice = draft()
    dpo = make_user(username="dpo-jane")
    with at("2026-04-12"):
        assert notice.send(dpo) is True
    versions = notice.history.count()
    with at("2026-04-13"):
        assert notice.send(dpo) is False  # nothing sent, nothing recorded
    assert len(mail_server.received) == 1 and notice.history.count() == versions
    assert notice.sent_by == dpo
    with at("2026-04-14"):
        notice.resend(dpo)
    assert len(mail_server.received) == 2
    copy = mail_server.received[1]
    assert copy.subject.startswith("Copy: ")
    assert "copy of the notice we sent you on 2026-04-12" in copy.body
    assert "Effective date: 2026-05-12" in copy.body  # same dates
    assert (notice.resend_count, notice.resent_to) == (1, "privacy@lumiere.example")
    latest = notice.history.first()
    assert latest.history_change_reason == "Resent to privacy@lumiere.example"
    assert latest.history_user == dpo
    assert notice.effective_date == date(2026, 5, 12)


def test_a_notice_never_sent_cannot_be_resent(mail_server):
    notice = draft()
    with at("2026-04-12"), pytest.raises(NoticeStateError):
        notice.resend()
    assert mail_server.received == []


def test_mail_server_down_queues_the_notice_and_the_retry_sends_it(
    dead_mail_server,
):
    notice = draft()
    dpo = make_user(username="dpo-jane")
    with at("2026-04-12"), pytest.raises(MailServerDown) as down:
        notice.send(dpo)
    assert f"127.0.0.1:{dead_mail_server.port}" in str(down.value)
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.send_queued_at is not None
    assert notice.effective_date is None  # no dates until it really goes out
    queued_versions = notice.history.count()
    with at("2026-04-12"):
        assert send_queued_notices.delay().get() == 1  # still down: still queued
    assert notice.history.count() == queued_versions  # no empty versions
    dead_mail_server.start()
    with at("2026-04-13"):
        assert send_queued_notices.delay().get() == 0  # Celery, in-process
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.send_queued_at is None
    assert notice.effective_date == date(2026, 5, 13)  # from the real sending
    (mail,) = dead_mail_server.received
    assert "Notice date: 2026-04-13" in mail.body
    sent = notice.history.first()
    assert sent.history_user == dpo  # the DPO who asked, not "nobody"
    assert sent.history_change_reason == "Notice sent to privacy@lumiere.example"


def test_a_queued_notice_whose_change_came_due_leaves_the_queue(dead_mail_server):
    notice = draft()
    with at("2026-04-12"), pytest.raises(MailServerDown):
        notice.send()
    dead_mail_server.start()
    with at("2026-05-11"):
        send_queued_notices.delay()
    notice.refresh_from_db()
    assert notice.status == "pending" and notice.send_queued_at is None
    assert "new notice period" in notice.send_error
    assert dead_mail_server.received == []


def test_the_email_names_features_data_categories_and_countries(mail_server):
    notice = draft()
    with at("2026-04-12"):
        notice.send()
    (mail,) = mail_server.received
    assert mail.mail_from == "privacy@konnectbot.example"
    assert mail.rcpt_tos == ["privacy@lumiere.example"]
    assert "Features concerned:\nChat" in mail.body
    assert "DC07 Conversation messages" in mail.body
    assert "DC09 End-user contact data" in mail.body
    assert "India (IN)" in mail.body and "United States of America (US)" in mail.body
    assert "established in the United States of America (US)" in mail.body


def test_option_1_customers_are_asked_for_authorisation_not_given_a_deadline(
    mail_server,
):
    notice = draft(option=Customer.Clause9.SPECIFIC)
    with at("2026-04-12"):
        notice.send()
    assert notice.objection_deadline is None
    assert notice.effective_date == date(2026, 5, 12)
    (mail,) = mail_server.received
    assert mail.subject == "Request for authorisation: sub-processor LLM Co"
    assert "We request your authorisation" in mail.body
    assert "Objection deadline" not in mail.body


def test_a_removal_informs_without_a_deadline(mail_server):
    notice = draft()
    chat = notice.customer.features.get()
    with at("2026-04-20"):
        chat.vendors.clear()
    removal = SubprocessorNotice.objects.get(change="removed")
    assert removal.objection_deadline is None
    assert removal.effective_date == date(2026, 4, 20)
    with at("2026-06-01"):  # informing late is allowed: nothing to object to
        removal.send()
    (mail,) = mail_server.received
    assert "Objection deadline" not in mail.body
    assert "nothing to object to" in mail.body
    assert "(for information)" in mail.subject


def test_notices_go_to_the_privacy_email_else_the_contacts_address(mail_server):
    notice = draft(
        privacy_email="",
        dpo="Dr Data, dpo@lumiere.example",
        contact="Jo Doe, Legal, jo.doe@lumiere.example",
    )
    with at("2026-04-12"):
        notice.send()
    assert mail_server.received[0].rcpt_tos == ["jo.doe@lumiere.example"]
    assert notice.sent_to == "jo.doe@lumiere.example"


def test_no_address_is_refused_and_nothing_is_sent(mail_server):
    notice = draft(privacy_email="", contact="Jo Doe, Legal")
    with at("2026-04-12"), pytest.raises(ValidationError) as error:
        notice.send()
    assert "customer" in error.value.message_dict
    assert mail_server.received == []
