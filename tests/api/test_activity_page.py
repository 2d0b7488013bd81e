"""The activity list is written a page at a time (inventory.serializers.
activity_page): its JSON is the serializer's, record for record."""

import json

import pytest
from django.core.management import call_command
from django.utils import timezone
from rest_framework.renderers import JSONRenderer

from inventory.models import DataCategory, ProcessingActivity, SpecialCategoryCondition
from inventory.serializers import ProcessingActivitySerializer


def serialised(pk):
    """What the serializer writes for one activity (the detail route's body)."""
    data = ProcessingActivitySerializer(ProcessingActivity.objects.get(pk=pk)).data
    return json.loads(JSONRenderer().render(data))


@pytest.fixture
def inventory(db, dpo):
    call_command("load_demo", stdout=open("/dev/null", "w"))  # bases, Art. 9 rows
    first, second = ProcessingActivity.objects.order_by("pk")[:2]
    first.mark_reviewed(dpo, timezone.localdate())  # reviewed_by and dates set
    for category in DataCategory.objects.order_by("-code")[:2]:  # two rows
        SpecialCategoryCondition.objects.create(
            activity=second,
            data_category=category,
            condition=ProcessingActivity.Art9Condition.choices[0][0],
        )


@pytest.mark.parametrize(
    "query",
    [
        "",
        "?page_size=500",
        "?page=2&page_size=7",
        "?ordering=-name&page_size=500",
        "?role=controller&search=a",
        "?dpia_required=false",
    ],
)
def test_the_list_is_the_serializers_output(api, inventory, query):
    body = api.get(f"/api/v1/activities/{query}").json()
    listed = body["results"]
    assert listed, query
    assert listed == [serialised(item["id"]) for item in listed]


def test_every_kind_of_value_is_compared(api, inventory):
    listed = api.get("/api/v1/activities/?page_size=500").json()["results"]
    for name in ("lawful_bases", "special_category_conditions", "data_categories"):
        assert any(item[name] for item in listed), name
    assert any(item["reviewed_by"] for item in listed)
    assert any(item["reviewed_on"] for item in listed)
    assert len(listed) > 7  # the demo's activities fill more than one page above
