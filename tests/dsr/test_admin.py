"""The register in the admin: by due date, overdue marked, filters, the
actions that take a request to closed, and what the Auditor may see."""

import pytest
import time_machine
from django.contrib.auth.models import User
from django.test import Client

from dsr.models import DataSubjectRequest
from tests.factories import make_customer, make_request

URL = "/admin/dsr/datasubjectrequest/"
pytestmark = pytest.mark.django_db


def action(client, name, requests, **extra):
    data = {"action": name, "_selected_action": [r.pk for r in requests], **extra}
    return client.post(URL, data, follow=True)


@time_machine.travel("2026-03-10 09:00Z", tick=False)
def test_list_by_due_date_with_overdue_marked(dpo_client):
    later = make_request(received_at="2026-03-01T09:00:00Z", requester_name="Bo")
    overdue = make_request(received_at="2026-01-31T09:00:00Z", requester_name="Al")

    page = dpo_client.get(URL).content.decode()

    assert page.index(overdue.reference) < page.index(later.reference)
    assert "OVERDUE" in page
    assert page.count("OVERDUE") == 1
    assert ">-8<" in page  # days left of the overdue one
    overdue_only = dpo_client.get(URL, {"due": "overdue"}).content.decode()
    assert overdue.reference in overdue_only and later.reference not in overdue_only


def test_filters_by_regime_right_status_and_customer(dpo_client):
    customer = make_customer(name="Shop SAS")
    erasure = make_request(rights=["erasure"], role="processor", customer=customer)
    ccpa = make_request(regime="ccpa", rights=["opt_out_sale_sharing"])

    def shown(**params):
        page = dpo_client.get(URL, params).content.decode()
        return {r.reference for r in (erasure, ccpa) if r.reference in page}

    assert shown(right="erasure") == {erasure.reference}
    assert shown(regime__exact="ccpa") == {ccpa.reference}
    assert shown(customer__id__exact=customer.pk) == {erasure.reference}
    assert shown(status__exact="closed") == set()
    assert dpo_client.get(URL, {"right": "(acc"}).status_code == 200


def test_extend_asks_for_the_reason_first(dpo_client):
    request = make_request(received_at="2026-01-31T09:00:00Z")

    form = action(dpo_client, "extend_deadline", [request])
    assert b'name="reason"' in form.content
    again = action(dpo_client, "extend_deadline", [request], apply="1", reason="")
    assert b"This field is required" in again.content
    request.refresh_from_db()
    assert request.extension_reason == ""

    done = action(dpo_client, "extend_deadline", [request], apply="1", reason="Complex")
    assert b"1 request(s) extended" in done.content
    request.refresh_from_db()
    assert str(request.due_on) == "2026-04-30"
    assert request.history.first().history_user.username == "dpo"


def test_verify_forward_and_close_actions(dpo_client):
    customer = make_customer(name="Shop SAS", privacy_email="privacy@shop.example")
    ours = make_request()
    theirs = make_request(role="processor", customer=customer, rights=["erasure"])

    action(dpo_client, "verify_identity", [ours])
    action(dpo_client, "forward_to_controller", [theirs])
    refused = action(
        dpo_client, "close_requests", [ours], apply="1", outcome="refused", ground=""
    )
    assert b"refusal_ground" in refused.content or b"states its ground" in (
        refused.content
    )
    action(dpo_client, "close_requests", [ours], apply="1", outcome="fulfilled")

    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert (ours.verification, ours.status, ours.outcome) == (
        "verified",
        "closed",
        "fulfilled",
    )
    assert (theirs.status, theirs.outcome, theirs.forwarded_to) == (
        "closed",
        "forwarded",
        "privacy@shop.example",
    )


def test_ticking_a_task_records_who_and_when(dpo_client, dpo):
    request = make_request()
    request.tasks.create(
        action="export", object_type="system", object_id=1, target="CRM"
    )
    task = request.tasks.get()
    page = dpo_client.get(f"{URL}{request.pk}/change/")
    version = page.context["adminform"].form["version"].value()
    form = {
        "reference": request.reference,
        "received_at_0": "2026-01-31",
        "received_at_1": "09:00:00",
        "channel": "email",
        "regime": "eu",
        "rights": ["access"],
        "status": "in_progress",
        "requester_name": request.requester_name,
        "requester_email": request.requester_email,
        "verification": "verified",
        "role": "controller",
        "paused_days": "0",
        "version": version,
        "tasks-TOTAL_FORMS": "1",
        "tasks-INITIAL_FORMS": "1",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
        "tasks-0-id": task.pk,
        "tasks-0-request": request.pk,
        "tasks-0-result": "3 orders",
        "tasks-0-done": "on",
        "messages-TOTAL_FORMS": "0",
        "messages-INITIAL_FORMS": "0",
        "messages-MIN_NUM_FORMS": "0",
        "messages-MAX_NUM_FORMS": "1000",
    }
    response = dpo_client.post(f"{URL}{request.pk}/change/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    task.refresh_from_db()
    assert (task.done_by, task.result) == (dpo, "3 orders")
    assert task.done_at is not None


def test_auditor_sees_pseudonyms_and_no_past_versions(auditor_client):
    request = make_request(requester_name="Ada Lovelace", requester_email="ada@x.org")

    listing = auditor_client.get(URL).content.decode()
    page = auditor_client.get(f"{URL}{request.pk}/change/").content.decode()

    for text in (listing, page):
        assert "Ada" not in text and "ada@x.org" not in text
        assert request.pseudonym() in text
    assert (
        "Ada" not in auditor_client.get(f"{URL}{request.pk}/history/").content.decode()
    )
    version = request.history.first().history_id
    past = auditor_client.get(f"{URL}{request.pk}/history/{version}/")
    assert past.status_code == 403
    assert action(auditor_client, "verify_identity", [request]).status_code in (
        200,
        403,
    )
    request.refresh_from_db()
    assert request.verification == "pending"


def test_sales_cannot_open_the_register(sales: User):
    client = Client()
    client.force_login(sales)
    make_request()
    assert client.get(URL).status_code == 403
    assert not DataSubjectRequest.objects.filter(status="closed").exists()


@time_machine.travel("2026-03-02 09:00Z", tick=False)
def test_dpo_enters_a_letter_in_the_admin(dpo_client):
    assert dpo_client.get(f"{URL}add/").status_code == 200
    form = {
        "reference": "",
        "received_at_0": "2026-02-27",
        "received_at_1": "10:00:00",
        "channel": "letter",
        "regime": "eu",
        "rights": ["erasure", "access"],
        "status": "received",
        "requester_name": "Grace Hopper",
        "requester_email": "",
        "verification": "pending",
        "role": "controller",
        "paused_days": "0",
        "tasks-TOTAL_FORMS": "0",
        "tasks-INITIAL_FORMS": "0",
        "tasks-MIN_NUM_FORMS": "0",
        "tasks-MAX_NUM_FORMS": "1000",
        "messages-TOTAL_FORMS": "0",
        "messages-INITIAL_FORMS": "0",
        "messages-MIN_NUM_FORMS": "0",
        "messages-MAX_NUM_FORMS": "1000",
    }
    response = dpo_client.post(f"{URL}add/", form)
    assert response.status_code == 302, response.context["adminform"].form.errors
    request = DataSubjectRequest.objects.get()
    assert (request.reference, request.rights) == (
        "DSR-2026-0001",
        ["access", "erasure"],
    )
    assert str(request.due_on) == "2026-03-27"
    assert request.history.get().history_user.username == "dpo"
    bad = dpo_client.post(f"{URL}add/", {**form, "rights": ["delete"]})
    assert "CCPA rights only under the CCPA regime" in bad.content.decode()
