"""The daily findings digest to the DPO."""

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.core import mail

from inventory.roles import DPO
from reports.digest import send_digest
from reports.models import FindingsDigest
from reports.tasks import send_findings_digest
from tests.factories import make_activity, make_user

pytestmark = pytest.mark.django_db
DAY = datetime(2026, 6, 1, 6, 30, tzinfo=UTC)


@pytest.fixture
def dpo_with_email(db):
    return make_user(DPO, username="dana", email="dana@konnectbot.example")


def test_first_digest_sends_every_finding_and_records_it(dpo_with_email):
    with time_machine.travel(DAY, tick=False):
        bad = make_activity(lawful_basis=None, ref="PA-X1")
        digest = send_digest()
    (message,) = mail.outbox
    assert message.to == ["dana@konnectbot.example"]
    assert message.subject == "kbinventory: 1 new finding (1 error)"
    assert "[error] ACT_NO_LAWFUL_BASIS - processing activity PA-X1" in message.body
    assert digest.recipients == ["dana@konnectbot.example"]
    assert [(f["code"], f["object_id"]) for f in digest.sent] == [
        ("ACT_NO_LAWFUL_BASIS", bad.pk)
    ]
    assert digest.findings == digest.sent


def test_second_run_the_same_day_sends_nothing_new(dpo_with_email):
    with time_machine.travel(DAY, tick=False):
        make_activity(lawful_basis=None)
        send_digest()
    with time_machine.travel(DAY + timedelta(hours=3), tick=False):
        again = send_digest()
    assert len(mail.outbox) == 1
    assert again.sent == [] and again.recipients == []
    assert len(again.findings) == 1
    assert FindingsDigest.objects.count() == 2


def test_next_day_sends_only_what_became_due(dpo_with_email):
    with time_machine.travel(DAY, tick=False):
        make_activity(lawful_basis=None)
        due = make_activity(ref="PA-DUE", next_review_on=date(2026, 6, 1))
        send_digest()
    with time_machine.travel(DAY + timedelta(days=1), tick=False):
        digest = send_digest()
    assert len(mail.outbox) == 2
    assert [(f["code"], f["object_id"]) for f in digest.sent] == [
        ("ACT_REVIEW_OVERDUE", due.pk)
    ]
    assert "2 findings open in all" in mail.outbox[1].body


def test_a_fixed_finding_that_comes_back_is_new_again(dpo_with_email):
    with time_machine.travel(DAY, tick=False):
        activity = make_activity(lawful_basis=None)
        send_digest()
    with time_machine.travel(DAY + timedelta(days=1), tick=False):
        activity.lawful_basis = "contract"
        activity.save()
        send_digest()
    with time_machine.travel(DAY + timedelta(days=2), tick=False):
        activity.lawful_basis = None
        activity.save()
        digest = send_digest()
    assert len(digest.sent) == 1 and len(mail.outbox) == 2


def test_dpo_email_setting_adds_recipients_and_no_recipient_sends_nothing(
    settings,
):
    make_activity(lawful_basis=None)
    assert send_digest() is None
    assert FindingsDigest.objects.count() == 0 and mail.outbox == []
    settings.DPO_EMAIL = "dpo@a.example, legal@a.example"
    digest = send_digest()
    assert digest.recipients == ["dpo@a.example", "legal@a.example"]
    assert mail.outbox[0].to == ["dpo@a.example", "legal@a.example"]


def test_users_without_email_or_inactive_are_not_recipients():
    make_user(DPO, email="")
    make_user(DPO, email="gone@a.example", is_active=False)
    make_user(None, email="sales@a.example")
    make_activity(lawful_basis=None)
    assert send_digest() is None


def test_the_celery_task_runs_the_digest_and_is_scheduled_daily(
    dpo_with_email, settings
):
    make_activity(lawful_basis=None)
    assert send_findings_digest.delay().get() == 1
    assert send_findings_digest.delay().get() == 0
    entry = settings.CELERY_BEAT_SCHEDULE["findings-digest"]
    assert (
        entry["task"]
        == send_findings_digest.name
        == ("reports.tasks.send_findings_digest")
    )


def test_digest_links_are_absolute_and_it_mentions_pending_and_overdue_notices(
    dpo_with_email, settings
):
    from inventory.models import SubprocessorNotice
    from tests.factories import make_customer, make_feature, make_vendor

    settings.SITE_URL = "https://inventory.example.com"
    feature = make_feature()
    customer = make_customer(name="Lumière", notice_period_days=30)
    customer.features.add(feature)
    with time_machine.travel(DAY - timedelta(days=40), tick=False):
        feature.vendors.add(make_vendor(name="Late LLM"))
    with time_machine.travel(DAY - timedelta(days=1), tick=False):
        feature.vendors.add(make_vendor(name="New CDN"))
    late = SubprocessorNotice.objects.get(vendor_name="Late LLM")
    new = SubprocessorNotice.objects.get(vendor_name="New CDN")
    with time_machine.travel(DAY, tick=False):
        send_digest()
    (message,) = mail.outbox
    assert "Sub-processor notices: 1 pending, 1 overdue" in message.body
    assert (
        "https://inventory.example.com/admin/inventory/subprocessornotice/"
        "?status__exact=pending" in message.body
    )
    assert (
        f"- overdue: Lumière - Late LLM: Sub-processor added (drafted 2026-04-22, "
        f"was due 2026-05-22: send with a new notice period) "
        f"https://inventory.example.com/admin/inventory/subprocessornotice/"
        f"{late.pk}/change/" in message.body
    )
    assert f"subprocessornotice/{new.pk}/change/" in message.body
    assert "findings open in all: https://inventory.example.com/admin/findings/" in (
        message.body
    )
    assert "[warning] NTC_SEND_OVERDUE" in message.body
    with time_machine.travel(DAY + timedelta(hours=2), tick=False):
        send_digest()
    assert len(mail.outbox) == 1  # never twice


def test_the_digest_goes_through_a_real_smtp_server_once(dpo_with_email, mail_server):
    with time_machine.travel(DAY, tick=False):
        make_activity(lawful_basis=None, ref="PA-X1")
        send_digest()
        send_digest()
    (received,) = mail_server.received
    assert received.rcpt_tos == ["dana@konnectbot.example"]
    assert received.mail_from == "privacy@konnectbot.example"
    assert "ACT_NO_LAWFUL_BASIS" in received.body
