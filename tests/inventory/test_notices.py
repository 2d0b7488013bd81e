"""Sub-processor change notices (Clause 9(a) SCC 2021/914)."""

from datetime import date

import pytest
import time_machine
from django.core import mail
from django.core.exceptions import ValidationError
from django.db import transaction

from inventory.models import Customer, Vendor
from inventory.notices import SubprocessorNotice, SubprocessorNoticeQuerySet
from tests.factories import make_customer, make_feature, make_vendor

pytestmark = pytest.mark.django_db
DAY = "2026-04-10 09:00Z"


def notices(customer=None):
    found = SubprocessorNotice.objects.order_by("id")
    return list(found.filter(customer=customer) if customer else found)


@pytest.fixture
def setup():
    """Two features; A and B enable chat, C enables only search, D nothing."""
    chat, search = make_feature(name="Chat"), make_feature(name="Search")
    a = make_customer(name="A", notice_period_days=30)
    b = make_customer(name="B", notice_period_days=14)
    c = make_customer(name="C")
    d = make_customer(name="D")
    a.features.add(chat)
    b.features.add(chat, search)
    c.features.add(search)
    return chat, search, a, b, c, d


@time_machine.travel(DAY, tick=False)
def test_adding_a_vendor_to_a_feature_notifies_exactly_its_customers(setup):
    chat, search, a, b, c, d = setup
    llm = make_vendor(name="LLM Co", processing_countries=["US"])
    chat.vendors.add(llm)
    made = notices()
    assert {n.customer.name for n in made} == {"A", "B"}
    first = notices(a)[0]
    assert first.change == SubprocessorNotice.Change.ADDED
    assert first.vendor == llm and first.vendor_name == "LLM Co"
    assert "LLM Co" in first.description and "US" in first.description
    assert first.drafted_on == date(2026, 4, 10)
    assert first.planned_effective_date == date(2026, 5, 10)
    # The customer's dates are fixed when it is told (test_notice_sending.py).
    assert first.effective_date is None and first.objection_deadline is None
    assert first.status == SubprocessorNotice.Status.PENDING
    assert notices(b)[0].planned_effective_date == date(2026, 4, 24)


@time_machine.travel(DAY, tick=False)
def test_no_notice_where_the_customer_already_had_the_vendor(setup):
    chat, search, a, b, c, d = setup
    shared = make_vendor()
    search.vendors.add(shared)
    assert {n.customer.name for n in notices()} == {"B", "C"}
    chat.vendors.add(shared)  # B already has it through search: only A is new
    assert [n.customer.name for n in notices()[2:]] == ["A"]


@time_machine.travel(DAY, tick=False)
def test_removing_a_vendor_notifies_the_customers_that_lose_it(setup):
    chat, search, a, b, c, d = setup
    vendor = make_vendor(name="Old CDN")
    chat.vendors.add(vendor)
    search.vendors.add(vendor)
    before = len(notices())
    chat.vendors.remove(vendor)  # B keeps it through search
    removed = notices()[before:]
    assert [(n.customer.name, n.change) for n in removed] == [("A", "removed")]
    assert "Old CDN" in removed[0].description


@time_machine.travel(DAY, tick=False)
def test_reverse_side_and_set_are_noticed_too(setup):
    chat, search, a, b, c, d = setup
    vendor = make_vendor()
    vendor.productfeature_set.add(search)
    assert {n.customer.name for n in notices()} == {"B", "C"}
    chat.vendors.set([vendor])
    assert [n.customer.name for n in notices()[2:]] == ["A"]
    search.vendors.clear()
    assert [(n.customer.name, n.change) for n in notices()[3:]] == [("C", "removed")]


@time_machine.travel(DAY, tick=False)
def test_vendor_moving_country_notifies_customers_using_it(setup):
    chat, search, a, b, c, d = setup
    vendor = make_vendor(name="Hosting", processing_countries=["US"])
    search.vendors.add(vendor)
    before = len(notices())
    vendor.processing_countries = ["US", "IN"]
    vendor.save()
    moved = notices()[before:]
    assert {n.customer.name for n in moved} == {"B", "C"}
    assert all(n.change == "moved" for n in moved)
    assert "now also in India (IN)" in moved[0].description
    assert moved[0].countries_added == ["IN"]
    vendor.service = "Hosting and backups"
    vendor.save()  # not a move
    assert len(notices()) == before + 2


def test_notice_and_change_commit_together(setup, monkeypatch):
    chat, search, a, b, c, d = setup
    vendor = make_vendor(processing_countries=["US"])
    chat.vendors.add(vendor)

    def fail(*args, **kwargs):
        raise RuntimeError("mail merge down")

    monkeypatch.setattr(SubprocessorNoticeQuerySet, "announce", fail)
    vendor.processing_countries = ["CN"]
    with pytest.raises(RuntimeError):
        vendor.save()
    assert Vendor.objects.get(pk=vendor.pk).processing_country_codes() == ["US"]
    other = make_vendor()
    with pytest.raises(RuntimeError), transaction.atomic():  # as a request would
        chat.vendors.add(other)
    assert other not in chat.vendors.all()


def test_negative_notice_period_is_refused_naming_the_field(dpo_client):
    customer = Customer(name="Neg", country="FR", notice_period_days=-1)
    with pytest.raises(ValidationError) as error:
        customer.full_clean()
    assert "notice_period_days" in error.value.message_dict
    response = dpo_client.post(
        "/admin/inventory/customer/add/",
        {
            "name": "Neg",
            "country": "FR",
            "notice_period_days": "-5",
            "clause9_option": "general",
        },
    )
    assert response.status_code == 200
    assert "notice_period_days" in response.context["adminform"].form.errors
    assert not Customer.objects.filter(name="Neg").exists()


@time_machine.travel(DAY, tick=False)
def test_send_emails_the_privacy_contact_and_marks_sent(setup):
    chat, search, a, b, c, d = setup
    a.privacy_email = "privacy@a.example"
    a.save()
    b.contact = "Jo Doe, Legal, jo.doe@b.example"
    b.save()
    c.dpo = "Dr. Data, dpo@c.example"
    c.contact = "Sales lead, sales@c.example"
    assert c.notice_email() == "sales@c.example"  # README: privacy email, contact
    chat.vendors.add(make_vendor(name="LLM Co"))
    for notice in notices():
        notice.send()
    assert sorted(m.to[0] for m in mail.outbox) == [
        "jo.doe@b.example",
        "privacy@a.example",
    ]
    message = next(m for m in mail.outbox if m.to == ["privacy@a.example"])
    assert "LLM Co" in message.subject
    assert "Objection deadline: 2026-05-09" in message.body
    sent = notices(a)[0]
    assert sent.status == "sent" and sent.sent_to == "privacy@a.example"
    assert (
        sent.history.first().history_change_reason == "Notice sent to privacy@a.example"
    )


@time_machine.travel(DAY, tick=False)
def test_send_without_any_email_is_refused(setup):
    chat, search, a, b, c, d = setup
    chat.vendors.add(make_vendor())
    notice = notices(a)[0]
    with pytest.raises(ValidationError):
        notice.send()
    assert mail.outbox == []
    notice.refresh_from_db()
    assert notice.status == "pending"


@time_machine.travel("2026-04-25 09:00Z", tick=False)
def test_objection_by_another_customer_is_refused_and_changes_nothing(setup):
    chat, search, a, b, c, d = setup
    a.privacy_email = "privacy@a.example"
    a.save()
    with time_machine.travel(DAY, tick=False):
        chat.vendors.add(make_vendor())
        notice = notices(a)[0]
        notice.send()
    with pytest.raises(ValidationError) as error:
        notice.record_objection(b)
    assert "customer" in error.value.message_dict
    notice.refresh_from_db()
    assert notice.status == "sent" and notice.responded_on is None
    notice.record_objection(a, on=date(2026, 4, 20))
    notice.refresh_from_db()
    assert (notice.status, notice.responded_on) == ("objected", date(2026, 4, 20))


@time_machine.travel(DAY, tick=False)
def test_admin_send_action_and_list(dpo_client, setup):
    chat, search, a, b, c, d = setup
    a.privacy_email = "privacy@a.example"
    a.save()
    chat.vendors.add(make_vendor(name="LLM Co"))
    page = dpo_client.get("/admin/inventory/subprocessornotice/")
    assert page.status_code == 200 and b"LLM Co" in page.content
    response = dpo_client.post(
        "/admin/inventory/subprocessornotice/",
        {"action": "send_notices", "_selected_action": [n.pk for n in notices()]},
        follow=True,
    )
    assert b"sent to privacy@a.example" in response.content
    assert b"has no privacy contact email" in response.content  # B's
    assert [m.to for m in mail.outbox] == [["privacy@a.example"]]
