"""The pages a DPO uses cost the same number of queries on a small and on a
three times larger inventory (bench.pages times them at 10,000 activities)."""

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from bench.synthetic import Shape, populate
from inventory.models import ProcessingActivity, Vendor
from reports import findings_store

PATHS = [
    "/admin/",
    "/admin/inventory/processingactivity/",
    "/admin/inventory/processingactivity/{activity}/change/",
    "/admin/inventory/processingactivity/{activity}/history/",
    "/admin/inventory/vendor/",
    "/admin/inventory/vendor/{vendor}/change/",
    "/admin/findings/",
    "/api/v1/findings/",
    "/api/v1/activities/",
    "/api/v1/activities/?page_size=500",
    "/api/v1/activities/{activity}/",
    "/api/v1/activities/{activity}/history/",
    "/api/v1/vendors/",
]


def inventory(activities, edits=3):
    populate(
        Shape(
            activities=activities, vendors=activities, data_categories=10, edits=edits
        )
    )
    findings_store.refresh()
    middle = {}
    for name, model in (("activity", ProcessingActivity), ("vendor", Vendor)):
        pks = list(model.objects.order_by("pk").values_list("pk", flat=True))
        middle[name] = pks[len(pks) // 2]
    return middle


def queries(client, path):
    client.get(path)  # sessions, caches and the like settle first
    with CaptureQueriesContext(connection) as captured:
        response = client.get(path)
    assert response.status_code == 200, path
    return len(captured)


@pytest.mark.django_db
@pytest.mark.parametrize("path", PATHS)
def test_queries_do_not_depend_on_the_inventory_size(
    dpo_client, path, django_assert_max_num_queries
):
    with transaction.atomic():
        few = queries(dpo_client, path.format(**inventory(10)))
        transaction.set_rollback(True)
    ids = inventory(30)
    dpo_client.get(path.format(**ids))
    with django_assert_max_num_queries(few):
        assert dpo_client.get(path.format(**ids)).status_code == 200


@pytest.mark.django_db
def test_a_history_page_costs_the_same_whatever_its_versions(
    dpo_client, django_assert_max_num_queries
):
    """Each version's changes (many-to-many sets included) are read for the
    whole page at once, not version by version."""
    path = "/admin/inventory/processingactivity/{activity}/history/"
    with transaction.atomic():
        few = queries(dpo_client, path.format(**inventory(3, edits=1)))
        transaction.set_rollback(True)
    ids = inventory(3, edits=8)
    page = dpo_client.get(path.format(**ids))
    assert page.content.count(b"(rev ") >= 8  # every version's change is listed
    assert b"Data categories" in page.content  # the second edit swapped one
    with django_assert_max_num_queries(few):
        assert dpo_client.get(path.format(**ids)).status_code == 200
