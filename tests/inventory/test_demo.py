from io import StringIO

import pytest
from django.core.management import call_command

from inventory.models import (
    Customer,
    DataCategory,
    ProcessingActivity,
    Vendor,
)
from transfers.models import Transfer


def total_history() -> int:
    from django.apps import apps

    return sum(
        m.objects.count()
        for m in apps.get_models()
        if m.__name__.startswith("Historical")
    )


@pytest.mark.django_db
def test_load_demo_has_the_konnectbot_inventory(demo):
    assert DataCategory.objects.count() >= 12
    assert DataCategory.objects.filter(special_category=True).exists()
    assert DataCategory.objects.exclude(ccpa_category="").count() >= 12
    assert ProcessingActivity.objects.count() >= 8
    assert set(ProcessingActivity.objects.values_list("role", flat=True)) == {
        "controller",
        "processor",
    }
    assert Vendor.objects.count() >= 10
    assert Vendor.objects.values("country").distinct().count() >= 4
    customers = {c.name: c for c in Customer.objects.all()}
    assert len(customers) == 3
    assert {c.country.code for c in customers.values()} == {"FR", "US", "GB"}
    assert customers["Bayview Telehealth Inc."].baa_signed
    pa_p2 = ProcessingActivity.objects.get(ref="PA-P2")
    assert "Shopify" in pa_p2.data_source and "WooCommerce" in pa_p2.data_source
    assert Transfer.objects.count() >= 6


@pytest.mark.django_db
def test_load_demo_twice_changes_nothing_and_writes_no_history(demo):
    before = total_history()
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert total_history() == before
    assert "0 created, 0 changed" in out.getvalue()
