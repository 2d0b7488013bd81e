"""No list endpoint does a query per row: the same number of queries for a
page of 5 records as for a page of 50."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.api.resources import RESOURCES
from tests.factories import make_data_category, make_vendor
from transfers.models import CountryProfile


def populate(resource, count):
    for _ in range(count):
        obj = resource.make()
        for field in obj._meta.many_to_many:  # fill the sets too
            if field.name in ("data_categories",):
                getattr(obj, field.name).add(make_data_category(), make_data_category())
            if field.name in ("recipients", "vendors"):
                getattr(obj, field.name).add(make_vendor())


def list_queries(api, path, query=""):
    with CaptureQueriesContext(connection) as queries:
        response = api.get(f"/api/v1/{path}/?page_size=500{query}")
    assert response.status_code == 200
    return len(queries), response.json()["count"]


CRUD = [r for r in RESOURCES if r.path != "countries"]


@pytest.mark.django_db
@pytest.mark.parametrize("resource", CRUD, ids=str)
def test_list_query_count_does_not_grow_with_rows(api, resource):
    populate(resource, 5)
    few, few_count = list_queries(api, resource.path)
    populate(resource, 45)
    many, many_count = list_queries(api, resource.path)
    assert many_count >= few_count + 45
    assert many == few


@pytest.mark.django_db
def test_countries_list_query_count_does_not_grow_with_rows(api):
    few, _ = list_queries(api, "countries", "&code=DE")
    many, count = list_queries(api, "countries")
    assert count == CountryProfile.objects.count() > 200
    assert many == few


@pytest.mark.django_db
@pytest.mark.parametrize("resource", CRUD, ids=str)
def test_history_list_query_count_does_not_grow_with_rows(api, resource):
    populate(resource, 5)
    with CaptureQueriesContext(connection) as few:
        api.get(f"/api/v1/{resource.path}/history/?page_size=500")
    populate(resource, 45)
    with CaptureQueriesContext(connection) as many:
        response = api.get(f"/api/v1/{resource.path}/history/?page_size=500")
    assert response.status_code == 200
    assert len(many) == len(few)


@pytest.mark.django_db
@pytest.mark.parametrize("client_name", ["api", "sales_api"])
def test_report_runs_list_query_count_does_not_grow_with_rows(request, client_name):
    from reports.models import ReportRun
    from tests.factories import make_user

    client = request.getfixturevalue(client_name)
    user = make_user()
    for _ in range(5):
        ReportRun.objects.create(kind="dpa-annex", requested_by=user)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/api/v1/reports/?page_size=500").status_code == 200
    for _ in range(45):
        ReportRun.objects.create(kind="dpa-annex", requested_by=user)
    with CaptureQueriesContext(connection) as many:
        response = client.get("/api/v1/reports/?page_size=500")
    assert response.json()["count"] == 50
    assert len(many) == len(few)
