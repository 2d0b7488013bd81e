"""A notice queued while the mail server was down is sent by a real Celery
worker once the server is back; the worker's mail settings come from the
environment (EMAIL_HOST, EMAIL_PORT, EMAIL_HOST_USER, EMAIL_HOST_PASSWORD,
DEFAULT_FROM_EMAIL). Run by .ci/run with PostgreSQL and Redis."""

import time

import pytest

from inventory.notices import MailServerDown, SubprocessorNotice
from inventory.tasks import send_queued_notices
from tests.e2e.test_worker import BROKER, media, start_worker  # noqa: F401
from tests.factories import make_customer, make_feature, make_user, make_vendor
from tests.mailserver import PASSWORD, USER

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(not BROKER, reason="needs CELERY_BROKER_URL (see .ci/run)"),
]


def test_a_worker_sends_the_queued_notice_when_the_server_is_back(
    start_worker,  # noqa: F811
    dead_mail_server,
):
    customer = make_customer(name="Lumière", privacy_email="p@lumiere.example")
    feature = make_feature()
    customer.features.add(feature)
    feature.vendors.add(make_vendor(name="LLM Co"))
    notice = SubprocessorNotice.objects.get(customer=customer)
    dpo = make_user(username="dpo-e2e")
    with pytest.raises(MailServerDown):
        notice.send(dpo)
    start_worker(
        "mail",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(dead_mail_server.port),
        EMAIL_HOST_USER=USER,
        EMAIL_HOST_PASSWORD=PASSWORD,
        DEFAULT_FROM_EMAIL="notices@konnectbot.example",
    )
    dead_mail_server.start()
    send_queued_notices.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and notice.status != "sent":
        time.sleep(0.5)
        notice.refresh_from_db()  # the worker commits after the server took it
    (mail,) = dead_mail_server.received
    assert mail.mail_from == "notices@konnectbot.example"
    assert notice.status == "sent" and notice.send_queued_at is None
    assert notice.history.first().history_user == dpo
