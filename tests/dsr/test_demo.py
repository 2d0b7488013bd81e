"""The demo register and the admin index's "Today" panel."""

import io

import pytest
from django.core.management import call_command
from django.test import Client

from dsr.models import DataSubjectRequest
from inventory.roles import SALES
from tests.factories import make_user

pytestmark = pytest.mark.django_db


def test_load_demo_adds_a_live_register_once(demo):
    requests = {r.requester_email: r for r in DataSubjectRequest.objects.all()}

    access = requests["lena.vogel@example.de"]
    assert (access.regime, access.rights) == ("eu", ["access", "portability"])
    assert access.tasks.filter(object_type="activity").exists()
    shopper = requests["camille.durand@example.fr"]
    assert str(shopper.customer) == "Maison Lumière SAS"
    assert (shopper.outcome, shopper.role) == ("forwarded", "processor")
    assert shopper.tasks.filter(action="notify").exists()  # Art. 19 recipients
    opt_out = requests["jordan.lee@example.com"]
    assert opt_out.rights == ["opt_out_sale_sharing"]
    assert [r.reference for r in requests.values() if r.is_overdue()] == [
        requests["oliver.hughes@example.co.uk"].reference
    ]

    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert "0 created, 0 changed" in out.getvalue()
    assert DataSubjectRequest.objects.count() == len(requests)


def test_index_shows_what_needs_the_dpo_today(demo, dpo_client):
    page = dpo_client.get("/admin/").content.decode()

    assert 'id="today-module"' in page
    overdue = DataSubjectRequest.objects.get(requester_email__startswith="oliver")
    section = page[page.index('id="today-overdue"') : page.index('id="today-due"')]
    assert overdue.reference in section
    assert "<strong>1</strong>" in section
    week = page[page.index('id="today-due"') : page.index('id="today-findings"')]
    access = DataSubjectRequest.objects.get(requester_email__startswith="lena")
    assert access.reference in week  # received 27 days ago: its month ends soon
    assert 'data-severity="error"' in page
    assert "Reviews due within 30 days" in page


def test_sales_index_has_no_panel(demo):
    client = Client()
    client.force_login(make_user(SALES))
    assert 'id="today-module"' not in client.get("/admin/").content.decode()
