import io
from datetime import UTC, datetime, timedelta

import openpyxl
import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from inventory.models import Vendor
from reports.build import build
from reports.params import ReportError
from tests.factories import (
    make_activity,
    make_data_category,
    make_entity,
    make_system,
    make_transfer,
    make_user,
    make_vendor,
)

HEADERS = [
    "When",
    "Who",
    "Object type",
    "Object",
    "Change",
    "Field",
    "Old value",
    "New value",
]
START = timezone.now().replace(microsecond=0) - timedelta(days=30)


def at(days: int) -> datetime:
    return START + timedelta(days=days)


def changes(**params) -> list[dict]:
    wb = openpyxl.load_workbook(io.BytesIO(build("changes", **params)))
    values = list(wb["Changes"].iter_rows(values_only=True))
    assert list(values[0]) == HEADERS
    return [dict(zip(HEADERS, row, strict=True)) for row in values[1:]]


def about(rows: list[dict], name: str) -> list[dict]:
    return [r for r in rows if r["Object"] == name]


def naive(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(tzinfo=None)


def save_as(user, instance):
    """Save as this user, as the admin and the API do (history_user)."""
    instance._history_user = user
    instance.save()
    return instance


@pytest.fixture
def story(db):
    """A vendor's life: created, changed, linked to an activity, deleted."""
    dana, lee = make_user(username="dana"), make_user(username="lee")
    with time_machine.travel(at(1), tick=False):
        vendor = Vendor(name="Mailer Inc.", service="Email", role="sub_processor")
        save_as(dana, vendor)
        archive = make_vendor(name="Archive Ltd")
        activity = make_activity(ref="PA-1", name="Newsletters")
    with time_machine.travel(at(2), tick=False):
        vendor.service = "Transactional email"
        vendor.baa_signed = True
        save_as(lee, vendor)
    with time_machine.travel(at(3), tick=False):
        activity._history_user = dana
        activity.recipients.add(vendor, archive)
    with time_machine.travel(at(4), tick=False):
        activity._history_user = lee
        activity.recipients.remove(vendor)
    with time_machine.travel(at(5), tick=False):
        vendor._history_user = dana
        vendor.delete()
    return vendor, activity


def test_created_record_shows_each_value_given(story):
    rows = about(changes(since=at(0)), "Mailer Inc.")
    created = [r for r in rows if r["Change"] == "created"]

    assert {r["Who"] for r in created} == {"dana"}
    assert {r["When"] for r in created} == {naive(at(1))}
    by_field = {r["Field"]: r for r in created}
    assert by_field["name"]["New value"] == "Mailer Inc."
    assert by_field["service"]["New value"] == "Email"
    assert by_field["role"]["New value"] == "Sub-processor"  # the choice's label
    assert "country" not in by_field
    assert by_field["HIPAA BAA signed"]["New value"] == "No"
    assert all(r["Old value"] is None for r in created)
    assert "address" not in by_field  # empty at creation


def test_changed_fields_show_old_and_new_values_and_who(story):
    rows = about(changes(since=at(0)), "Mailer Inc.")
    changed = {r["Field"]: r for r in rows if r["Change"] == "changed"}

    assert set(changed) == {"service", "HIPAA BAA signed"}
    assert changed["service"]["Old value"] == "Email"
    assert changed["service"]["New value"] == "Transactional email"
    assert changed["HIPAA BAA signed"]["Old value"] == "No"
    assert changed["HIPAA BAA signed"]["New value"] == "Yes"
    assert changed["service"]["Who"] == "lee"
    assert changed["service"]["When"] == naive(at(2))
    assert changed["service"]["Object type"] == "vendor"


def test_many_to_many_changes_show_names_not_ids(story):
    rows = about(changes(since=at(0)), "PA-1 Newsletters")
    recipients = [r for r in rows if r["Field"] == "recipients"]

    added, removed = recipients
    assert added["Who"] == "dana"
    assert added["Old value"] is None
    assert added["New value"] == "Archive Ltd\nMailer Inc."
    assert removed["Who"] == "lee"
    assert removed["Old value"] == "Archive Ltd\nMailer Inc."
    assert removed["New value"] == "Archive Ltd"
    assert removed["Object type"] == "processing activity"


def test_deleted_record_is_one_row(story):
    rows = about(changes(since=at(0)), "Mailer Inc.")
    deleted = [r for r in rows if r["Change"] == "deleted"]

    assert len(deleted) == 1
    assert deleted[0]["Who"] == "dana"
    assert deleted[0]["When"] == naive(at(5))
    assert deleted[0]["Field"] is None


def test_window_is_since_exclusive_to_as_of_inclusive(story):
    rows = changes(since=at(2), as_of=at(4))

    assert {r["When"] for r in rows} == {naive(at(3)), naive(at(4))}
    assert {r["Change"] for r in rows} == {"changed"}
    # The first change in the window is diffed against the version before it.
    first = [r for r in rows if r["When"] == naive(at(3))]
    assert first[0]["Old value"] is None
    assert first[0]["New value"] == "Archive Ltd\nMailer Inc."


def test_change_diffs_against_the_version_before_since(story):
    rows = changes(since=at(1) + timedelta(hours=1), as_of=at(2))

    assert [(r["Field"], r["Old value"], r["New value"]) for r in rows] == [
        ("service", "Email", "Transactional email"),
        ("HIPAA BAA signed", "No", "Yes"),
    ]


def test_without_since_the_log_starts_at_the_beginning(story):
    rows = changes()

    assert "Mailer Inc." in {r["Object"] for r in rows}
    # The seeded country register is part of the history too.
    assert "France (FR)" in {r["Object"] for r in rows}


def test_rows_are_ordered_by_time_then_object(story):
    rows = changes(since=at(0))
    keys = [(r["When"], r["Object type"]) for r in rows]

    assert keys == sorted(keys)


def test_foreign_keys_and_choices_show_names_and_labels(db):
    with time_machine.travel(at(1), tick=False):
        old, new = make_vendor(name="Old Host"), make_vendor(name="New Host")
        system = make_system(name="Database", vendor=old)
        activity = make_activity(ref="PA-9", name="Billing")
    with time_machine.travel(at(2), tick=False):
        system.vendor = new
        system.hosting_countries = ["DE", "CA"]
        system.save()
        activity.status = "retired"
        activity.save()

    rows = {r["Field"]: r for r in changes(since=at(1), as_of=at(2))}

    assert rows["vendor"]["Old value"] == "Old Host"
    assert rows["vendor"]["New value"] == "New Host"
    assert rows["hosting countries"]["New value"] == "Canada, Germany"
    assert rows["status"]["Old value"] == "Active"
    assert rows["status"]["New value"] == "Retired"


def test_names_of_deleted_related_records_are_kept(db):
    with time_machine.travel(at(1), tick=False):
        category = make_data_category(code="DC-Z", name="Old data")
        activity = make_activity(ref="PA-Z", name="Legacy")
        activity.data_categories.add(category)
    with time_machine.travel(at(2), tick=False):
        activity.data_categories.remove(category)
    with time_machine.travel(at(3), tick=False):
        category.delete()

    rows = changes(since=at(1), as_of=at(3))
    (removed,) = [r for r in rows if r["Field"] == "data categories"]

    assert removed["Old value"] == "DC-Z Old data"
    assert removed["New value"] is None
    assert [r["Object"] for r in rows if r["Change"] == "deleted"] == ["DC-Z Old data"]


def test_since_after_as_of_is_a_report_error(story):
    with pytest.raises(ReportError, match="--since .* is after --as-of"):
        build("changes", since=at(3), as_of=at(2))
    with pytest.raises(ReportError, match="--since 'yesterday'"):
        build("changes", since="yesterday")


def test_since_may_be_given_as_text(story):
    day = at(3).date().isoformat()  # a bare date means the end of that day

    rows = changes(since=day, as_of=at(4))

    assert {r["When"] for r in rows} == {naive(at(4))}


def test_same_history_gives_identical_bytes(story):
    first = build("changes", since=at(0), as_of=at(4))
    make_vendor(name="Added later")  # after as_of: not part of this log

    assert build("changes", since=at(0), as_of=at(4)) == first


def test_query_count_does_not_grow_with_the_number_of_changes(db):
    vendors = [make_vendor(name=f"Vendor {i}") for i in range(2)]
    user = make_user(username="dana")

    def change(count: int) -> datetime:
        since = timezone.now()
        for _ in range(count):
            activity = make_activity()
            activity.purposes = "Changed"
            save_as(user, activity)
            activity.recipients.set(vendors)
        return since

    def queries(since: datetime) -> tuple[int, int]:
        with CaptureQueriesContext(connection) as ctx:
            rows = changes(since=since)
        return len(ctx.captured_queries), len(rows)

    few, few_rows = queries(change(2))
    many, many_rows = queries(change(12))

    assert many_rows > 5 * few_rows
    assert many == few


def test_demo_load_and_an_admin_edit_in_the_log(demo, dpo_client):
    loaded = changes()
    since = timezone.now()
    response = dpo_client.post(
        "/admin/inventory/datasubjectcategory/add/",
        {"name": "Job applicants", "description": "People applying for jobs"},
    )
    assert response.status_code == 302

    rows = changes(since=since)

    maison = about(loaded, "Maison Lumière SAS")
    assert {r["Who"] for r in maison} == {None}  # load_demo: a system change
    assert "Postwave Email Inc." in {r["Object"] for r in loaded}
    # Names that include a related record's (TIA -> its transfer) are resolved.
    assert "TIA Maison Lumière to KonnectBot (US) (2026-02-10)" in {
        r["Object"] for r in loaded
    }
    assert [(r["Who"], r["Object type"], r["Change"], r["Field"]) for r in rows] == [
        ("dpo", "data subject category", "created", "name"),
        ("dpo", "data subject category", "created", "description"),
    ]
    assert rows[0]["New value"] == "Job applicants"


def test_records_pointing_at_each_other_are_named(db):
    with time_machine.travel(at(1), tick=False):
        first, second = make_transfer(name="First"), make_transfer(name="Second")
        first.parent, second.parent = second, first
        first.save()
        second.save()
        entity = make_entity(name="Other Co")
    with time_machine.travel(at(2), tick=False):
        first.exporter = entity
        first.save()

    (row,) = changes(since=at(1), as_of=at(2))

    assert (row["Object"], row["Field"], row["New value"]) == (
        "First",
        "exporter",
        "Other Co",
    )
