"""Ten DPOs press *send* on the same notice at once (PostgreSQL): the customer
gets one e-mail, one answer says it was sent and the others that it already
was. Each thread has its own database connection, so the sends overlap."""

import pytest
from django.conf import settings

from inventory.models import SubprocessorNotice
from tests.api.test_concurrency import all_at_once, dpos, token_client
from tests.factories import make_customer, make_feature, make_vendor

SENDERS = 10

pytestmark = [
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
    pytest.mark.skipif(
        "postgresql" not in settings.DATABASES["default"]["ENGINE"],
        reason="concurrent senders need PostgreSQL (set DATABASE_URL; .ci/run does)",
    ),
]


def test_parallel_sends_of_one_notice_send_one_email(mail_server):
    customer = make_customer(name="Lumière", privacy_email="p@lumiere.example")
    feature = make_feature()
    customer.features.add(feature)
    feature.vendors.add(make_vendor(name="LLM Co"))
    notice = SubprocessorNotice.objects.get(customer=customer)
    url = f"/api/v1/notices/{notice.pk}/send/"
    clients = [token_client(user) for user in dpos(SENDERS)]
    responses = all_at_once(
        [lambda c=c: c.post(url, {}, format="json") for c in clients]
    )
    assert [r.status_code for r in responses] == [200] * SENDERS
    details = sorted(r.json()["detail"] for r in responses)
    assert sum(d.startswith("Sent to") for d in details) == 1
    assert sum(d.startswith("Already sent at") for d in details) == SENDERS - 1
    assert len(mail_server.received) == 1
    notice.refresh_from_db()
    assert (
        notice.history.filter(history_change_reason__startswith="Notice sent").count()
        == 1
    )
