"""Sales reads customers, features and vendors only: the pages it can open
name no processing activity (or other record it may not read)."""

import pytest
from django.test import Client

from inventory.roles import SALES
from tests.factories import make_activity, make_customer, make_feature, make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def sales_client():
    client = Client()
    client.force_login(make_user(SALES, username="sales"))
    return client


def test_feature_pages_do_not_name_its_activities(sales_client, dpo_client):
    activity = make_activity(name="Secret profiling of chats", role="processor")
    feature = make_feature(name="Voice bot")
    feature.activities.add(activity)
    customer = make_customer()
    customer.features.add(feature)
    pages = [
        f"/admin/inventory/productfeature/{feature.pk}/change/",
        f"/admin/inventory/productfeature/{feature.pk}/history/",
        "/admin/inventory/productfeature/",
        f"/admin/inventory/customer/{customer.pk}/change/",
        f"/admin/inventory/customer/{customer.pk}/history/",
    ]
    for url in pages:
        page = sales_client.get(url)
        assert page.status_code == 200, url
        assert "Secret profiling" not in page.content.decode(), url
    dpo_page = dpo_client.get(pages[0]).content.decode()
    assert "Secret profiling" in dpo_page
