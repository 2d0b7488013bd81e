"""The data map page in the admin: a Sankey of the flows, for our own
processing, everything or one customer, as of any date."""

import pytest
from django.test import Client

from inventory.models import Customer
from inventory.roles import SALES
from tests.factories import make_user
from transfers.models import Transfer

URL = "/admin/data-map/"


def table_rows(response):
    return response.context["rows"]


def test_everything_shows_the_chart_and_every_flow_with_links(dpo_client, demo):
    response = dpo_client.get(URL, {"scope": "all"})

    assert response.status_code == 200
    page = response.content.decode()
    assert 'id="data-map-chart"' in page and 'id="data-map-figure"' in page
    assert "/admin/data-map/plotly.js" in page
    missing = [r for r in table_rows(response) if r["flow"].status == "missing"]
    assert {r["flow"].importer.name for r in missing} >= {
        "Sahay Support Services Pvt Ltd",
        "Textwire Messaging Inc.",
    }
    cortex = Transfer.objects.get(name="KonnectBot to Cortex AI (US)")
    assert f"/admin/transfers/transfer/{cortex.pk}/change/" in page
    assert 'data-status="missing"' in page


def test_one_customer_shows_only_its_flows(dpo_client, demo):
    thistle = Customer.objects.get(name="Thistle & Pine Ltd")

    response = dpo_client.get(URL, {"scope": thistle.pk})

    rows = table_rows(response)
    assert rows and all(r["flow"].customers == (thistle.pk,) for r in rows)
    assert "Thistle &amp; Pine Ltd" in response.content.decode()


def test_our_own_processing_is_the_default(dpo_client, demo):
    rows = table_rows(dpo_client.get(URL))
    assert rows and all(r["flow"].customers == () for r in rows)
    assert {r["flow"].route.exporter_role for r in rows} == {"controller"}


def test_as_of_before_anything_was_recorded_shows_no_flow(dpo_client, demo):
    response = dpo_client.get(URL, {"scope": "all", "as_of": "2020-01-01"})
    assert response.context["error"]  # refused, as in the reports
    assert table_rows(response) == []
    assert 'id="data-map-empty"' in response.content.decode()


def test_bad_input_is_named_not_a_500(dpo_client, demo):
    response = dpo_client.get(URL, {"scope": "999999", "as_of": "soon"})
    assert response.status_code == 200
    assert response.context["error"]


def test_plotly_js_comes_from_the_installed_wheel(dpo_client):
    response = dpo_client.get("/admin/data-map/plotly.js")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/javascript"
    assert len(response.content) > 1_000_000


def test_admin_index_links_to_the_data_map(dpo_client):
    assert URL in dpo_client.get("/admin/").content.decode()


@pytest.mark.parametrize("path", [URL, f"{URL}plotly.js"])
@pytest.mark.parametrize(
    "role,status", [("dpo", 200), ("auditor", 200), ("sales", 403), ("anonymous", 302)]
)
def test_role_matrix(request, db, path, role, status):
    client = Client()
    if role == "sales":
        client.force_login(make_user(SALES))
    elif role != "anonymous":
        client.force_login(request.getfixturevalue(role))
    response = client.get(path)
    assert response.status_code == status
    if role == "anonymous":
        assert response["Location"].startswith("/admin/login/")
