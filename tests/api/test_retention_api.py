"""Retention over the API: customers' plan and retention_overrides, plan
limits, and the append-only deletion-runs evidence, for each role."""

import io

import openpyxl
import pytest

from inventory.models import DeletionRun, RetentionOverride
from tests.factories import (
    make_customer,
    make_data_category,
    make_deletion_run,
    make_plan,
    make_system,
)

pytestmark = pytest.mark.django_db


def test_customer_retention_overrides_are_written_and_read_back(api):
    chat = make_data_category(code="DC07")
    files = make_data_category(code="DC08")
    plan = make_plan(name="Business")
    customer = make_customer()
    url = f"/api/v1/customers/{customer.pk}/"

    response = api.patch(
        url,
        {
            "plan": plan.pk,
            "retention_overrides": [
                {"data_category": chat.pk, "retention_days": 90},
                {"data_category": files.pk, "retention_days": 30},
            ],
        },
        format="json",
        HTTP_X_CHANGE_REASON="Customer chose 90 days",
    )

    assert response.status_code == 200, response.content
    body = api.get(url).json()
    assert body["plan"] == plan.pk
    assert sorted(
        (o["data_category"], o["retention_days"]) for o in body["retention_overrides"]
    ) == [(chat.pk, 90), (files.pk, 30)]
    setting = RetentionOverride.objects.get(customer=customer, data_category=chat)
    record = setting.history.get()
    assert record.history_user.username == "dpo"
    assert record.history_change_reason == "Customer chose 90 days"


def test_changing_the_list_versions_only_what_changed(api):
    chat = make_data_category(code="DC07")
    files = make_data_category(code="DC08")
    customer = make_customer()
    url = f"/api/v1/customers/{customer.pk}/"
    first = [
        {"data_category": chat.pk, "retention_days": 90},
        {"data_category": files.pk, "retention_days": 30},
    ]
    api.patch(url, {"retention_overrides": first}, format="json")
    kept = RetentionOverride.objects.get(data_category=chat)

    again = api.patch(url, {"retention_overrides": first}, format="json")
    changed = api.patch(
        url,
        {"retention_overrides": [{"data_category": chat.pk, "retention_days": 180}]},
        format="json",
    )

    assert again.status_code == changed.status_code == 200
    assert [h.history_type for h in kept.history.order_by("history_id")] == ["+", "~"]
    assert kept.history.earliest("history_id").retention_days == 90
    assert not RetentionOverride.objects.filter(data_category=files).exists()
    removed = RetentionOverride.history.filter(data_category_id=files.pk)
    assert [h.history_type for h in removed.order_by("history_id")] == ["+", "-"]


def test_a_category_not_listed_keeps_the_schedule(api):
    customer = make_customer()
    response = api.get(f"/api/v1/customers/{customer.pk}/")
    assert response.json()["retention_overrides"] == []


@pytest.mark.parametrize(
    "overrides, message",
    [
        ([{"data_category": "CHAT", "retention_days": -1}], "retention_days"),
        ([{"data_category": 999999, "retention_days": 30}], "data_category"),
        ([{"retention_days": 30}], "data_category"),
        (
            [
                {"data_category": "CHAT", "retention_days": 30},
                {"data_category": "CHAT", "retention_days": 60},
            ],
            "at most once",
        ),
        ("90", "list"),
    ],
)
def test_bad_overrides_are_a_400_naming_the_field(api, overrides, message):
    chat = make_data_category(code="DC07")
    customer = make_customer()
    if isinstance(overrides, list):
        overrides = [
            {k: (chat.pk if v == "CHAT" else v) for k, v in item.items()}
            for item in overrides
        ]
    response = api.patch(
        f"/api/v1/customers/{customer.pk}/",
        {"retention_overrides": overrides},
        format="json",
    )
    assert response.status_code == 400
    assert "retention_overrides" in response.json()
    assert message in str(response.json()["retention_overrides"])
    assert not RetentionOverride.objects.exists()


def test_data_category_schedule_over_the_api(api):
    chat = make_data_category(code="DC07")
    response = api.post(
        "/api/v1/data-categories/",
        {
            "code": "DC08",
            "name": "Attachments",
            "retention_follows": chat.pk,
            "end_action": "deidentify",
            "end_method": "Blurred",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["retention_follows"] == chat.pk

    both = api.patch(
        f"/api/v1/data-categories/{response.json()['id']}/",
        {"retention_period": 3, "retention_unit": "months"},
        format="json",
    )
    assert both.status_code == 400
    assert "retention_follows" in both.json()
    no_unit = api.patch(
        f"/api/v1/data-categories/{chat.pk}/", {"retention_period": 3}, format="json"
    )
    assert no_unit.status_code == 400
    assert "retention_unit" in no_unit.json()


def test_plan_limit_below_its_minimum_is_refused(api):
    response = api.post(
        "/api/v1/plan-limits/",
        {
            "plan": make_plan().pk,
            "data_category": make_data_category().pk,
            "min_days": 90,
            "max_days": 30,
        },
        format="json",
    )
    assert response.status_code == 400
    assert "max_days" in response.json()


# -- deletion runs: append-only evidence --------------------------------------


def run_body():
    return {
        "system": make_system().pk,
        "data_category": make_data_category().pk,
        "customer": make_customer().pk,
        "retention_days": 90,
        "deleted": 1234,
        "started_at": "2026-11-20T02:00:00Z",
        "finished_at": "2026-11-20T02:04:10Z",
        "outcome": "success",
    }


RUNS = {
    "dpo": {"list": 200, "retrieve": 200, "create": 201},
    "auditor": {"list": 200, "retrieve": 200, "create": 403},
    "sales": {"list": 403, "retrieve": 403, "create": 403},
    "anonymous": {"list": 401, "retrieve": 401, "create": 401},
}
NEVER = {"update", "delete"}


@pytest.mark.parametrize("action", ["list", "retrieve", "create", "update", "delete"])
@pytest.mark.parametrize("role", list(RUNS))
def test_deletion_runs_role_matrix(role_client, role, action):
    run = make_deletion_run()
    client = role_client(role)
    url = f"/api/v1/deletion-runs/{run.pk}/"
    response = {
        "list": lambda: client.get("/api/v1/deletion-runs/"),
        "retrieve": lambda: client.get(url),
        "create": lambda: client.post(
            "/api/v1/deletion-runs/", run_body(), format="json"
        ),
        "update": lambda: client.patch(url, {"deleted": 0}, format="json"),
        "delete": lambda: client.delete(url),
    }[action]()

    if action in NEVER:
        want = 401 if role == "anonymous" else 405
    else:
        want = RUNS[role][action]
    assert response.status_code == want, response.content
    assert response["Content-Type"] == "application/json"
    run.refresh_from_db()
    assert run.deleted == 5
    assert run.history.count() == 1


def test_a_run_is_recorded_with_who_reported_it(api):
    body = run_body()
    response = api.post("/api/v1/deletion-runs/", body, format="json")

    assert response.status_code == 201, response.content
    run = DeletionRun.objects.get(pk=response.json()["id"])
    assert run.deleted == 1234 and run.customer_id == body["customer"]
    assert run.history.get().history_user.username == "dpo"
    assert api.get(f"/api/v1/deletion-runs/{run.pk}/").json()["outcome"] == "success"


def test_a_run_for_all_customers_has_no_customer(api):
    body = {**run_body(), "customer": None}
    response = api.post("/api/v1/deletion-runs/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["customer"] is None


@pytest.mark.parametrize(
    "change, field",
    [
        ({"finished_at": "2026-11-20T01:00:00Z"}, "finished_at"),
        ({"finished_at": "2999-01-01T00:00:00Z"}, "finished_at"),
        ({"deleted": -1}, "deleted"),
        ({"outcome": "maybe"}, "outcome"),
        ({"system": 999999}, "system"),
        ({"id": 5}, "id"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_bad_runs_are_refused_naming_the_field(api, change, field):
    response = api.post(
        "/api/v1/deletion-runs/", {**run_body(), **change}, format="json"
    )
    assert response.status_code == 400
    assert field in response.json()
    assert not DeletionRun.objects.exists()


def test_runs_cannot_be_changed_or_deleted_in_code_either():
    run = make_deletion_run()
    run.deleted = 0
    with pytest.raises(Exception, match="append-only"):
        run.save()
    with pytest.raises(Exception, match="append-only"):
        run.delete()


def test_the_admin_shows_runs_read_only(dpo_client):
    run = make_deletion_run()
    base = "/admin/inventory/deletionrun/"
    assert dpo_client.get(base).status_code == 200
    page = dpo_client.get(f"{base}{run.pk}/change/")
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    assert dpo_client.get(f"{base}add/").status_code == 403
    assert (
        dpo_client.post(f"{base}{run.pk}/delete/", {"post": "yes"}).status_code == 403
    )
    assert (
        dpo_client.post(f"{base}{run.pk}/change/", {"deleted": "0"}).status_code == 403
    )
    run.refresh_from_db()
    assert run.deleted == 5


def test_retention_report_over_the_api(
    api,
    auditor_api,
    sales_api,
    demo,
    settings,
    tmp_path,
    django_capture_on_commit_callbacks,
):
    settings.MEDIA_ROOT = tmp_path
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post("/api/v1/reports/", {"kind": "retention"}, format="json")
    assert response.status_code == 202, response.content
    status = api.get(f"/api/v1/reports/{response.json()['id']}/").json()
    assert status["status"] == "done", status
    workbook = openpyxl.load_workbook(
        io.BytesIO(b"".join(api.get(status["download_url"]).streaming_content))
    )
    assert workbook.sheetnames[:3] == ["Schedule", "Customers", "Manifest"]

    asked = auditor_api.post("/api/v1/reports/", {"kind": "retention"}, format="json")
    assert asked.status_code == 202
    refused = sales_api.post("/api/v1/reports/", {"kind": "retention"}, format="json")
    assert refused.status_code == 403
