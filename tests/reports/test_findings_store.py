"""Stored findings: after any sequence of writes, the table the pages read
holds exactly what a full computation over the history gives."""

import random
from contextlib import contextmanager
from datetime import date, timedelta

import pytest
import time_machine
from django.db import connection, transaction
from django.db.models import ProtectedError
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase
from simple_history.utils import bulk_create_with_history

from inventory.models import ProcessingActivity, Vendor
from reports import findings, findings_store
from reports.findings_store import as_finding, history_stamp
from reports.models import FindingsState, StoredFinding
from reports.snapshot import DATED_ALSO, TRACKED, LiveSnapshot, Snapshot
from tests.api.test_unchanged_writes import browser_post
from tests.factories import (
    make_activity,
    make_customer,
    make_data_category,
    make_feature,
    make_transfer,
    make_vendor,
)


def computed():
    return findings.compute(Snapshot(timezone.now()))


def recorded():
    """Every tracked record as of now, read from the history (reports)."""
    snap = Snapshot(timezone.now())
    return {
        label: [strip(r) for r in snap.records(label)] for label in TRACKED + DATED_ALSO
    }


def live_records():
    """The same, read from the live tables (the stored findings' refresh)."""
    snap = LiveSnapshot(timezone.now())
    return {label: snap.records(label) for label in TRACKED + DATED_ALSO}


def strip(record):
    return {k: v for k, v in record.items() if k not in ("history_id", "history_date")}


def in_table():
    """The stored rows as they are, without the readers' staleness check."""
    return [as_finding(row) for row in StoredFinding.objects.all()]


def pick(rng, model):
    pks = sorted(model.objects.values_list("pk", flat=True))
    return model.objects.get(pk=rng.choice(pks)) if pks else None


def new_activity(rng):
    basis = rng.choice([None, "consent", "legitimate_interests", "contract"])
    make_activity(lawful_basis=basis, dpia_required=rng.random() < 0.3)


def edit_activity(rng):
    act = pick(rng, ProcessingActivity)
    if act is None:
        return new_activity(rng)
    if act.role == "controller":
        act.lawful_basis = rng.choice([None, "consent", "contract"])
    act.status = rng.choice(["draft", "active", "retired"])
    act.next_review_on = date.today() + timedelta(days=rng.randint(-30, 30))
    act.save()


def delete(obj):
    """Delete, unless the record is still referred to (then nothing changes)."""
    try:
        with transaction.atomic():
            obj.delete()
    except ProtectedError:
        pass


def delete_activity(rng):
    act = pick(rng, ProcessingActivity)
    if act is not None:
        delete(act)


def new_vendor(rng):
    make_vendor(
        role=rng.choice(["processor", "sub_processor", "independent_controller"]),
        dpa_signed_on=rng.choice([None, date(2025, 1, 1)]),
        processing_countries=rng.choice(["", "US", "IN,US"]),
    )


def edit_vendor(rng):
    vendor = pick(rng, Vendor)
    if vendor is None:
        return new_vendor(rng)
    vendor.dpa_signed_on = None if vendor.dpa_signed_on else date(2025, 1, 1)
    vendor.save()


def delete_vendor(rng):
    vendor = pick(rng, Vendor)
    if vendor is not None:
        delete(vendor)


def special_data(rng):
    """A many-to-many change only: a special category added to an activity."""
    act = pick(rng, ProcessingActivity)
    if act is None:
        return new_activity(rng)
    act.data_categories.add(make_data_category(special_category=True))


def new_transfer(rng):
    importer = pick(rng, Vendor) or make_vendor()
    make_transfer(
        importer=importer,
        destination=rng.choice(["US", "IN", "CH"]),
        mechanism=rng.choice(["none", "scc", "adequacy"]),
    )


def new_customer(rng):
    """A customer side: a processor activity behind a feature it enables."""
    act = make_activity(role="processor")
    vendor = pick(rng, Vendor) or make_vendor()
    act.recipients.add(vendor)
    feature = make_feature()
    feature.activities.add(act)
    feature.vendors.add(vendor)
    make_customer().features.add(feature)


WRITES = {
    f.__name__: f
    for f in (
        new_activity,
        edit_activity,
        delete_activity,
        new_vendor,
        edit_vendor,
        delete_vendor,
        special_data,
        new_transfer,
        new_customer,
    )
}


class StoredEqualsComputed(TestCase):
    @contextmanager
    def committed(self):
        """The block's writes, then their on-commit hooks, as a commit runs
        them (and forgets them: the test's own transaction never commits)."""
        start = len(connection.run_on_commit)
        with self.captureOnCommitCallbacks(execute=True):
            with transaction.atomic():
                yield
        del connection.run_on_commit[start:]

    @settings(
        max_examples=15,
        deadline=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(
        st.lists(
            st.tuples(st.sampled_from(sorted(WRITES)), st.integers(0, 2**16)),
            min_size=1,
            max_size=8,
        )
    )
    def test_after_random_writes_the_table_holds_a_full_computation(self, writes):
        findings_store.refresh()  # the empty inventory's, as after migrating
        for name, seed in writes:
            with self.committed():
                WRITES[name](random.Random(seed))
            # The write's own hook refreshed the table (no reader needed) ...
            state = FindingsState.objects.get()
            assert state.stamp == history_stamp(timezone.now())
            # ... and it holds exactly what the checks compute now, in order.
            assert in_table() == computed()
            assert findings_store.current() == computed()
            # ... and its tallies count exactly those findings.
            assert state.tallies == findings_store.tally(computed())
            # The refresh reads the live tables: the same records as history.
            assert live_records() == recorded()


@pytest.mark.django_db
def test_one_transaction_asks_for_one_refresh(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as callbacks:
        with transaction.atomic():
            act = make_activity(lawful_basis=None)
            act.data_categories.add(make_data_category())
            make_vendor(role="processor")
    assert callbacks == [findings_store.enqueue]


@pytest.mark.django_db
def test_a_write_without_signals_is_caught_by_the_next_reader(dpo_client):
    make_activity()
    findings_store.refresh()
    bulk_create_with_history(
        [ProcessingActivity(ref="PA-B1", name="Bulk", role="controller")],
        ProcessingActivity,
    )
    assert "ACT_NO_LAWFUL_BASIS" not in {f.code for f in in_table()}
    body = dpo_client.get("/api/v1/findings/?code=ACT_NO_LAWFUL_BASIS").json()
    assert [f["object_name"] for f in body["results"]] == ["PA-B1 Bulk"]
    assert in_table() == computed()


@pytest.mark.django_db
def test_the_next_day_is_judged_afresh(dpo):
    """A review date that passes overnight makes a finding without any write."""
    tomorrow = timezone.now() + timedelta(days=1)
    act = make_activity(next_review_on=tomorrow.date())
    findings_store.refresh()
    assert findings_store.of_object("processingactivity", act.pk) == []
    with time_machine.travel(tomorrow + timedelta(days=1), tick=False):
        client = Client()
        client.force_login(dpo)
        page = client.get(f"/admin/inventory/processingactivity/{act.pk}/change/")
        assert b'data-code="ACT_REVIEW_OVERDUE"' in page.content
        assert in_table() == computed()


@pytest.mark.django_db
def test_a_broker_that_is_down_only_delays_the_refresh(monkeypatch, caplog):
    from kombu.exceptions import OperationalError

    from reports import tasks

    def down():
        raise OperationalError("connection refused")

    monkeypatch.setattr(tasks.refresh_findings, "delay", down)
    findings_store.enqueue()
    assert "broker unreachable" in caplog.text
    make_activity(lawful_basis=None)
    assert [f.code for f in findings_store.current()] == ["ACT_NO_LAWFUL_BASIS"]


@pytest.mark.django_db
def test_findings_as_of_a_past_date_are_computed_not_read(dpo_client):
    start = timezone.now() - timedelta(days=3)
    with time_machine.travel(start, tick=False):
        act = make_activity(lawful_basis=None)
    act.lawful_basis = "contract"
    act.save()
    day = (start + timedelta(days=1)).date().isoformat()
    past = dpo_client.get(f"/api/v1/findings/?as_of={day}").json()
    assert [f["code"] for f in past["results"]] == ["ACT_NO_LAWFUL_BASIS"]
    assert dpo_client.get("/api/v1/findings/").json()["count"] == 0


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_without_a_broker_an_admin_save_answers_before_the_refresh(
    dpo_client, monkeypatch
):
    """In-process, the refresh a write asks for runs once the response has
    been handed to the server, not inside the request that saved."""
    from django.core.handlers.base import BaseHandler

    vendor = make_vendor(role="processor", dpa_signed_on=date(2026, 1, 5))
    findings_store.refresh()
    events = []
    refresh, get_response = findings_store.refresh, BaseHandler.get_response

    def refreshing():
        events.append("refresh")
        return refresh()

    def responding(handler, request):
        response = get_response(handler, request)
        events.append("response")
        return response

    monkeypatch.setattr(findings_store, "refresh", refreshing)
    monkeypatch.setattr(BaseHandler, "get_response", responding)
    url = f"/admin/inventory/vendor/{vendor.pk}/change/"
    form = browser_post(dpo_client.get(url))
    del form["dpa_signed_on"]
    events.clear()
    response = dpo_client.post(url, form)
    assert response.status_code == 302
    assert events == ["response", "refresh"]
    assert "VEN_NO_DPA" in {f.code for f in in_table()}
    assert in_table() == computed()


@pytest.mark.django_db
def test_a_live_snapshot_cannot_sign_a_manifest():
    """It reads no history record, so it has none to name or seal."""
    snap = LiveSnapshot(timezone.now())
    snap.records("inventory.ProcessingActivity")
    with pytest.raises(TypeError):
        snap.fingerprint()
