"""The roles (docs/api.md) in the API: every resource x role x action."""

import pytest

from reports.models import ReportRun
from tests.api.resources import RESOURCES, Resource

ROLES = ["dpo", "auditor", "sales", "anonymous"]
ACTIONS = ["list", "retrieve", "create", "update", "delete"]


def expected(resource: Resource, role: str, action: str) -> int:
    """docs/api.md, roles: DPO everything; Auditor reads; Sales reads customers,
    features and vendors; anonymous 401."""
    if role == "anonymous":
        return 401
    if action in ("list", "retrieve"):
        readable = role in ("dpo", "auditor") or resource.sales_reads
        return 200 if readable else 403
    if role != "dpo":
        return 403
    return {"create": 201, "update": 200, "delete": 204}[action]


def call(client, resource: Resource, action: str):
    base = f"/api/v1/{resource.path}/"
    if action == "list":
        return client.get(base)
    if action == "create":
        return client.post(base, resource.payload(), format="json")
    obj = resource.make()
    url = f"{base}{obj.pk}/"
    if action == "retrieve":
        return client.get(url)
    if action == "update":
        return client.patch(url, resource.change, format="json")
    return client.delete(url)


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_permission_matrix(role_client, resource, role, action):
    client = role_client(role)
    response = call(client, resource, action)

    want = expected(resource, role, action)
    assert response.status_code == want, response.content
    if want != 204:
        assert response["Content-Type"] == "application/json"
    if want == 401:
        assert response["WWW-Authenticate"] == "Token"


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["auditor", "sales", "anonymous"])
@pytest.mark.parametrize("resource", RESOURCES, ids=str)
def test_refused_writes_change_nothing(role_client, resource, role):
    client = role_client(role)
    obj = resource.make()
    model = type(obj)
    payload = resource.payload()
    before = model.objects.count()
    url = f"/api/v1/{resource.path}/"

    assert client.post(url, payload, format="json").status_code in (401, 403)
    assert client.patch(
        f"{url}{obj.pk}/", resource.change, format="json"
    ).status_code in (401, 403)
    assert client.delete(f"{url}{obj.pk}/").status_code in (401, 403)

    assert model.objects.count() == before
    assert model.history.filter(id=obj.pk).count() == 1


FINDINGS = {
    ("dpo", "list"): 200,
    ("auditor", "list"): 200,
    ("sales", "list"): 403,
    ("anonymous", "list"): 401,
    ("dpo", "create"): 405,
    ("auditor", "create"): 405,
    ("sales", "create"): 403,
    ("anonymous", "create"): 401,
}


@pytest.mark.django_db
@pytest.mark.parametrize("role,action", FINDINGS)
def test_findings_are_read_by_dpo_and_auditor_only(role_client, role, action):
    client = role_client(role)
    if action == "list":
        response = client.get("/api/v1/findings/")
    else:
        response = client.post("/api/v1/findings/", {}, format="json")
    assert response.status_code == FINDINGS[role, action]


# Runs are never edited: 405 for the DPO; the others hold no change/delete
# permission at all, so they are refused before the method is looked at.
REPORTS = {
    "dpo": {"list": 200, "retrieve": 200, "create": 202, "update": 405, "delete": 405},
    "auditor": {
        "list": 200,
        "retrieve": 200,
        "create": 202,
        "update": 403,
        "delete": 403,
    },
    "sales": {
        "list": 200,
        "retrieve": 200,
        "create": 202,
        "update": 403,
        "delete": 403,
    },
    "anonymous": dict.fromkeys(ACTIONS, 401),
}


@pytest.mark.django_db
@pytest.mark.parametrize("action", ACTIONS)
@pytest.mark.parametrize("role", ROLES)
def test_reports_matrix_for_dpa_annex_runs(role_client, role, action):
    from tests.factories import make_customer

    customer = make_customer(name="Acme GmbH", country="DE")
    run = ReportRun.objects.create(
        kind="dpa-annex", parameters={"customer": "Acme GmbH"}
    )
    client = role_client(role)
    url = f"/api/v1/reports/{run.pk}/"
    response = {
        "list": lambda: client.get("/api/v1/reports/"),
        "retrieve": lambda: client.get(url),
        "create": lambda: client.post(
            "/api/v1/reports/",
            {"kind": "dpa-annex", "customer": customer.name},
            format="json",
        ),
        "update": lambda: client.patch(url, {"status": "done"}, format="json"),
        "delete": lambda: client.delete(url),
    }[action]()
    assert response.status_code == REPORTS[role][action], response.content
    assert ReportRun.objects.filter(pk=run.pk, status="queued").exists()
