"""Bad input never gives a 5xx or an exception's text: 400/404 with a plain
message, and numbers are not taken for ids or text."""

import pytest

from inventory.models import Customer, DataSubjectCategory
from tests.api.conftest import token_client
from tests.factories import make_activity, make_feature

pytestmark = pytest.mark.django_db


def test_json_nested_a_thousand_deep_is_400(dpo):
    body = "[" * 1000 + "]" * 1000
    api = token_client(dpo)
    for deep in (body, '{"name": ' + body + "}"):
        response = api.generic(
            "POST", "/api/v1/data-subject-categories/", deep, "application/json"
        )
        assert response.status_code == 400, response.content[:200]
        assert response["Content-Type"] == "application/json"


def test_findings_never_show_an_exception_text(dpo):
    make_activity()
    response = token_client(dpo).get("/api/v1/findings/?as_of=0001-01-01")
    assert response.status_code in (200, 400)
    assert "Error(" not in response.content.decode()


@pytest.mark.parametrize("when", ["0001-01-01T00:00:00+01:00", "9999-12-31"])
def test_findings_as_of_out_of_range_is_400_naming_it(dpo, when):
    make_activity()
    response = token_client(dpo).get(f"/api/v1/findings/?as_of={when}")
    assert response.status_code == 400, response.content[:300]
    assert "as_of" in response.json()


def test_admin_findings_with_a_far_past_as_of_is_not_a_500(dpo_client):
    make_activity()
    response = dpo_client.get("/admin/findings/?as_of=0001-01-01")
    assert response.status_code in (200, 400)
    assert "Traceback" not in response.content.decode()


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_admin_report_request_with_an_extreme_as_of_names_the_field(dpo_client, as_of):
    make_activity()
    response = dpo_client.post(
        "/admin/reports/reportrun/add/", {"kind": "ropa-controller", "as_of": as_of}
    )
    assert response.status_code == 200
    assert "as_of" in response.context["adminform"].form.errors


@pytest.mark.parametrize(
    "as_of", ["0001-01-01T00:00:00+01:00", "9999-12-31T23:59:59-01:00"]
)
def test_api_report_request_with_an_extreme_as_of_is_400(dpo, as_of):
    make_activity()
    response = token_client(dpo).post(
        "/api/v1/reports/", {"kind": "ropa-controller", "as_of": as_of}, format="json"
    )
    assert response.status_code == 400
    assert "as_of" in response.json()


@pytest.mark.parametrize("ids", [[1.5], [1.0], ["1"], [True]])
def test_numbers_that_are_not_ids_are_refused(dpo, ids):
    make_feature()
    response = token_client(dpo).post(
        "/api/v1/customers/",
        {"name": "Acme", "country": "FR", "features": ids},
        format="json",
    )
    assert response.status_code == 400
    assert "features" in response.json()
    assert not Customer.objects.exists()


@pytest.mark.parametrize("name", ["1e999", "12"])
def test_numbers_where_text_is_expected_are_refused(dpo, name):
    raw = '{"name": ' + name + "}"
    response = token_client(dpo).generic(
        "POST", "/api/v1/data-subject-categories/", raw, "application/json"
    )
    assert response.status_code == 400
    assert "name" in response.json()
    assert not DataSubjectCategory.objects.exists()
