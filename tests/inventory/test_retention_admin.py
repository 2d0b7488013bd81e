"""The DPO edits plans (with their limits inline) and a customer's retention
settings (inline) in the admin; every row keeps its history."""

import pytest

from inventory.models import PlanLimit, RetentionOverride
from tests.factories import make_customer, make_data_category, make_plan
from tests.inventory.test_stale_save import form_data

pytestmark = pytest.mark.django_db

MODELS = ["plan", "region", "deletionrun"]


def inline(prefix, rows):
    data = {
        f"{prefix}-TOTAL_FORMS": str(len(rows)),
        f"{prefix}-INITIAL_FORMS": "0",
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }
    for i, row in enumerate(rows):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data


@pytest.mark.parametrize("model", MODELS)
def test_dpo_and_auditor_see_the_new_changelists(dpo_client, auditor_client, model):
    for client in (dpo_client, auditor_client):
        assert client.get(f"/admin/inventory/{model}/").status_code == 200


def test_customer_settings_are_edited_inline_with_history(dpo_client):
    chat = make_data_category(code="DC07")
    plan = make_plan(name="Business")
    customer = make_customer(name="Maison")
    url = f"/admin/inventory/customer/{customer.pk}/change/"
    data = form_data(dpo_client.get(url))
    data["plan"] = str(plan.pk)
    data.update(
        inline(
            "retention_overrides",
            [{"data_category": str(chat.pk), "retention_days": "90"}],
        )
    )

    response = dpo_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    setting = RetentionOverride.objects.get(customer=customer)
    assert setting.retention_days == 90
    assert setting.history.get().history_user.username == "dpo"
    customer.refresh_from_db()
    assert customer.plan == plan


def test_plan_limits_are_edited_inline_and_checked(dpo_client):
    chat = make_data_category(code="DC07")
    data = {"name": "Starter", **inline("limits", [])}
    data.update(
        inline(
            "limits",
            [{"data_category": str(chat.pk), "min_days": "400", "max_days": "30"}],
        )
    )
    refused = dpo_client.post("/admin/inventory/plan/add/", data)
    assert refused.status_code == 200
    assert not PlanLimit.objects.exists()

    data["limits-0-min_days"] = "30"
    data["limits-0-max_days"] = "365"
    assert dpo_client.post("/admin/inventory/plan/add/", data).status_code == 302
    limit = PlanLimit.objects.get()
    assert (limit.min_days, limit.max_days) == (30, 365)
    assert limit.history.count() == 1
