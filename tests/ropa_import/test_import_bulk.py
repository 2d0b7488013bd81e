"""The import writes in batches, with bulk inserts: what it leaves must be
what single saves would have left (versions, seals, the as-of snapshot), and
a bad row in the last batch must still leave nothing behind."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from inventory.chain import ChainHead, HistorySeal, verify
from inventory.history_records import record_creation
from inventory.models import DataCategory, ProcessingActivity, Vendor
from reports.snapshot import Snapshot
from ropa_import.apply import import_ropa, importer
from tests.ropa_import.test_import import own_workbook, write
from transfers.models import Transfer

M2M = ("data_subject_categories", "data_categories", "recipients", "systems")
SKIP = {"history_id", "history_date"}


def rows(count: int) -> list[dict[str, str]]:
    return [
        {
            "Reference": f"PA-{i}",
            "Processing activity": f"Activity {i}",
            "Purposes": f"Purpose {i}",
            "Lawful basis": "Contract (Art. 6(1)(b))",
            "Categories of data subjects": f"Staff\nGroup {i % 3}",
            "Categories of personal data": f"DC0{i % 4 + 1} Data {i % 4}",
            "Categories of recipients": f"Vendor {i % 5}",
            "Systems": "HR system",
        }
        for i in range(count)
    ]


def version_of(version: object) -> dict[str, object]:
    """A version's columns and many-to-many sets, its own id and date aside."""
    values = {
        f.attname: getattr(version, f.attname)
        for f in type(version)._meta.concrete_fields
        if f.attname not in SKIP
    }
    for name in M2M:
        through = getattr(version, name).values()
        values[name] = sorted(
            sorted((k, v) for k, v in row.items() if k not in SKIP | {"m2m_history_id"})
            for row in through
        )
    return values


@pytest.mark.django_db
def test_bulk_versions_equal_what_single_saves_write(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 3)  # several batches
    result = import_ropa(write(tmp_path, own_workbook(rows(7))))
    assert not result.errors
    for activity in ProcessingActivity.objects.all():
        (bulk,) = activity.history.all()
        assert bulk.history_type == "+"
        assert bulk.history_change_reason == "imported from register.xlsx"
        with transaction.atomic():  # a single save's version, then undone
            activity._change_reason = "imported from register.xlsx"
            activity._history_user = bulk.history_user
            record_creation(activity)
            single = activity.history.order_by("-history_id").first()
            assert single.history_id != bulk.history_id
            assert version_of(bulk) == version_of(single)
            transaction.set_rollback(True)
    act = ProcessingActivity.objects.get(ref="PA-4")
    names = {
        v.datasubjectcategory.name
        for v in act.history.get().data_subject_categories.all()
    }
    assert names == {"Staff", "Group 1"}


@pytest.mark.django_db
def test_the_chain_verifies_after_a_bulk_import(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 4)
    result = import_ropa(write(tmp_path, own_workbook(rows(9))))
    assert not result.errors
    assert list(verify()) == []
    seals = HistorySeal.objects.filter(table="inventory_historicalprocessingactivity")
    assert seals.count() == 9
    heads = ChainHead.objects.filter(table="inventory_historicalprocessingactivity")
    assert heads.count() == 9
    # a second import changing every row chains on the first versions
    changed = [r | {"Purposes": "Changed"} for r in rows(9)]
    result = import_ropa(write(tmp_path, own_workbook(changed), "v2.xlsx"))
    assert result.count("updated") == 9
    assert list(verify()) == []
    call_command("verify_history")  # exits non-zero on a broken chain


@pytest.mark.django_db
def test_the_as_of_snapshot_reads_the_imported_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    before = timezone.now()
    import_ropa(write(tmp_path, own_workbook(rows(5))))
    snapshot = Snapshot(timezone.now() + timedelta(seconds=1))
    activities = snapshot.records("inventory.ProcessingActivity")
    assert sorted(a["ref"] for a in activities) == [f"PA-{i}" for i in range(5)]
    pa3 = next(a for a in activities if a["ref"] == "PA-3")
    assert pa3["purposes"] == "Purpose 3"
    vendor = Vendor.objects.get(name="Vendor 3")
    assert pa3["recipients"] == [vendor.pk]
    category = DataCategory.objects.get(code="DC04")
    assert pa3["data_categories"] == [category.pk]
    assert Snapshot(before).records("inventory.ProcessingActivity") == []


@pytest.mark.django_db
def test_a_bad_row_in_the_last_batch_leaves_nothing(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    seals = HistorySeal.objects.count()
    records = rows(5)
    records[-1]["Lawful basis"] = "Because we can"
    result = import_ropa(write(tmp_path, own_workbook(records)))
    assert [(e.row, e.column) for e in result.errors] == [(6, "Lawful basis")]
    assert "nothing was imported" in result.summary()
    assert ProcessingActivity.objects.count() == 0
    assert Vendor.objects.count() == 0 and Transfer.objects.count() == 0
    assert ProcessingActivity.history.count() == 0
    assert HistorySeal.objects.count() == seals


@pytest.mark.django_db
def test_findings_are_refreshed_once_per_import(
    tmp_path, monkeypatch, django_capture_on_commit_callbacks
):
    from reports import findings_store

    monkeypatch.setattr(importer, "BATCH", 2)
    with django_capture_on_commit_callbacks() as callbacks:
        result = import_ropa(write(tmp_path, own_workbook(rows(5))))
    assert not result.errors
    assert [c for c in callbacks if c is findings_store.enqueue] == [
        findings_store.enqueue
    ]


@pytest.mark.django_db
def test_rows_of_one_activity_in_different_batches_are_merged(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    records = rows(5)
    records.append(
        {
            "Reference": "PA-0",
            "Processing activity": "Activity 0",
            "Categories of personal data": "DC09 Extra",
        }
    )
    result = import_ropa(write(tmp_path, own_workbook(records)))
    assert not result.errors
    # one outcome per activity, in the order of their first rows
    found = [r.row for r in result.rows if r.sheet == "Controller record"]
    assert found == [2, 3, 4, 5, 6]
    activity = ProcessingActivity.objects.get(ref="PA-0")
    codes = sorted(activity.data_categories.values_list("code", flat=True))
    assert codes == ["DC01", "DC09"]
    assert ProcessingActivity.history.filter(ref="PA-0").count() == 1


@pytest.mark.django_db
def test_a_name_repeated_in_a_later_batch_is_a_duplicate(tmp_path, monkeypatch):
    monkeypatch.setattr(importer, "BATCH", 2)
    records = rows(5)
    records[4]["Processing activity"] = "Activity 0"
    result = import_ropa(write(tmp_path, own_workbook(records)))
    assert [(e.row, e.column, e.message) for e in result.errors] == [
        (6, "Processing activity", "duplicate: also on row 2 of this file")
    ]
    assert ProcessingActivity.objects.count() == 0
