"""The Manifest names what a report is about the way a reader knows it: the
customer's or transfer's name as of the report, next to the id that
regenerates it."""

import datetime
import json

import time_machine

from reports.build import build
from tests.factories import make_customer, make_entity
from tests.reports.helpers import load

END_OF_JANUARY = datetime.datetime(2026, 1, 31, 23, 59, tzinfo=datetime.UTC)


def manifest(data: bytes) -> dict:
    return dict(load(data)["Manifest"].iter_rows(min_row=2, values_only=True))


def page_header(data: bytes) -> str:
    return load(data)["Annex I.A Parties"].oddHeader.center.text


def test_parameters_name_the_customer_with_its_id(demo):
    from inventory.models import Customer

    maison = Customer.objects.get(name="Maison Lumière SAS")
    data = build("dpa-annex", customer=maison.pk)
    assert json.loads(manifest(data)["Parameters"]) == {
        "customer": {"id": maison.pk, "name": "Maison Lumière SAS"}
    }
    assert "Maison Lumière SAS" in manifest(data)["Parameters"]  # not \\u00e8
    assert page_header(data) == "Customer: Maison Lumière SAS"


def test_a_past_annex_names_the_customer_as_it_was_called_then(db):
    with time_machine.travel("2026-01-10T09:00Z", tick=False):
        make_entity()
        customer = make_customer(name="Old Name SARL")
    with time_machine.travel("2026-02-10T09:00Z", tick=False):
        customer.name = "New Name SAS"
        customer.save()

    then = build("dpa-annex", as_of=END_OF_JANUARY, customer=customer.pk)
    shown = json.loads(manifest(then)["Parameters"])
    assert shown == {"customer": {"id": customer.pk, "name": "Old Name SARL"}}
    assert page_header(then) == "Customer: Old Name SARL"
