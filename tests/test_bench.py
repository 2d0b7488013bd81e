"""The benchmark's synthetic inventory must be history as the app writes it,
or its timings would be about some other data."""

import pytest

from bench.synthetic import STEP, Shape, populate
from inventory.models import ProcessingActivity
from reports.snapshot import Snapshot


@pytest.fixture
def shape(db):
    return populate(Shape(activities=30, vendors=12, data_categories=10))


def test_every_activity_has_one_record_per_version(shape):
    history = ProcessingActivity.history
    assert ProcessingActivity.objects.count() == 30
    assert history.count() == 30 * (1 + shape.edits)
    assert set(history.values_list("history_type", flat=True)) == {"+", "~"}


def test_latest_snapshot_matches_the_live_many_to_many_sets(shape):
    snap = Snapshot(shape.edit_dates[-1])
    for act in ProcessingActivity.objects.all():
        rec = snap.table("inventory.ProcessingActivity")[act.pk]
        assert rec["purposes"] == act.purposes
        assert rec["data_categories"] == sorted(
            act.data_categories.values_list("pk", flat=True)
        )
        assert rec["recipients"] == sorted(act.recipients.values_list("pk", flat=True))
        assert len(rec["data_categories"]) == 5 and len(rec["recipients"]) == 3


def test_each_version_reads_back_through_simple_history(shape):
    """Between edits, the snapshot agrees with simple-history's own reading
    of the historical record and its many-to-many rows."""
    for when in [shape.start, *shape.edit_dates]:
        snap = Snapshot(when + STEP / 2)
        for act in ProcessingActivity.objects.all()[:5]:
            version = act.history.as_of(when + STEP / 2)._history
            categories = sorted(
                r.datacategory_id for r in version.data_categories.all()
            )
            rec = snap.table("inventory.ProcessingActivity")[act.pk]
            assert rec["data_categories"] == categories
            assert rec["lawful_basis"] == version.lawful_basis


def test_the_second_edit_swaps_a_category_and_the_basis(shape):
    before = Snapshot(shape.edit_dates[1] - STEP / 2).table(
        "inventory.ProcessingActivity"
    )
    after = Snapshot(shape.edit_dates[1] + STEP / 2).table(
        "inventory.ProcessingActivity"
    )
    for pk, old in before.items():
        new = after[pk]
        assert len(set(old["data_categories"]) - set(new["data_categories"])) == 1
        assert old["lawful_basis"] != new["lawful_basis"]
    assert shape.edit_dates[1] - shape.start == 2 * STEP
