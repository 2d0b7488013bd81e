"""The demo has a believable past: as-of reports and the change log show it."""

import io

from django.core.management import call_command

from inventory.models import Customer, ProcessingActivity, ProductFeature
from reports.build import build, parse_when
from tests.reports.helpers import by, load


def test_records_are_created_in_early_2025_and_customers_on_their_dpa_day(demo):
    maison = Customer.objects.get(name="Maison Lumière SAS")
    created = maison.history.earliest("history_date", "history_id")
    assert created.history_date.date().isoformat() == "2025-03-14"
    activity = ProcessingActivity.objects.get(ref="PA-C1")
    assert activity.history.earliest("history_date").history_date.year == 2025


def test_edits_are_dated_and_give_their_reason(demo):
    pa = ProcessingActivity.objects.get(ref="PA-C4")
    versions = list(pa.history.order_by("history_date", "history_id"))
    assert [v.retention for v in versions][0] == "24 months"
    assert versions[-1].retention == "26 months"
    assert versions[-1].history_date.date().isoformat() == "2025-05-20"
    assert versions[-1].history_change_reason.startswith("Retention aligned")


def test_a_past_annex_builds_and_the_feature_change_is_dated(demo):
    # Maison's DPA was signed on 2025-03-14: its annex as of 2026-03-31 exists.
    wb = load(
        build("dpa-annex", parse_when("2026-03-31"), customer="Maison Lumière SAS")
    )
    assert wb["Annex III Sub-processors"].max_row > 1
    feature = ProductFeature.objects.get(name="AI chat")
    added = feature.history.order_by("history_date", "history_id").last()
    assert added.history_date.date().isoformat() == "2026-02-16"
    assert added.history_change_reason.startswith("EdgeShield CDN added")


def test_a_past_record_shows_the_values_of_that_day(demo):
    wb = load(build("ropa-controller", parse_when("2025-03-31")))
    rows = by(wb["Controller record"], "Reference")
    assert rows["PA-C4"]["Retention"] == "24 months"


def test_load_demo_twice_writes_no_history(demo):
    feature = ProductFeature.objects.get(name="AI chat")
    before = feature.history.count()
    call_command("load_demo", stdout=io.StringIO())
    assert feature.history.count() == before
