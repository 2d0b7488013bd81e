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


def test_a_past_annex_shows_the_sub_processors_of_that_day(demo):
    before = load(
        build("dpa-annex", parse_when("2026-01-31"), customer="Maison Lumière SAS")
    )
    after = load(build("dpa-annex", customer="Maison Lumière SAS"))

    def vendors(wb):
        return {
            row[0]
            for row in wb["Annex III Sub-processors"].iter_rows(
                min_row=2, values_only=True
            )
        }

    assert "EdgeShield CDN Inc." not in vendors(before)
    assert "EdgeShield CDN Inc." in vendors(after)


def test_a_past_record_shows_the_values_of_that_day(demo):
    wb = load(build("ropa-controller", parse_when("2025-03-31")))
    rows = by(wb["Controller record"], "Reference")
    assert rows["PA-C4"]["Retention"] == "24 months"


def test_load_demo_twice_writes_no_history(demo):
    feature = ProductFeature.objects.get(name="AI chat")
    before = feature.history.count()
    call_command("load_demo", stdout=io.StringIO())
    assert feature.history.count() == before
