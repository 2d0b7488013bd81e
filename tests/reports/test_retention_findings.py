"""Retention findings: customer settings outside the plan, and deletion runs
that are overdue, have a gap, or applied a longer period than in force."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine

from inventory.models import RetentionOverride
from reports import findings
from tests.factories import (
    make_customer,
    make_data_category,
    make_deletion_run,
    make_plan,
    make_plan_limit,
    make_region,
)

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 11, 30, 12, 0, tzinfo=UTC)


def found(code):
    return [f for f in findings.current() if f.code == code]


def nightly(days, **kwargs):
    """Successful runs at 02:00 on each of these days before NOW."""
    for back in days:
        start = (NOW - timedelta(days=back)).replace(hour=2, minute=0)
        make_deletion_run(started_at=start, **kwargs)


def chat(**kwargs):
    kwargs.setdefault("retention_period", 12)
    kwargs.setdefault("retention_unit", "months")
    return make_data_category(code="DC07", **kwargs)


def test_retention_outside_the_plan_is_an_error():
    category = chat()
    plan = make_plan(name="Starter")
    make_plan_limit(plan=plan, data_category=category, min_days=30, max_days=365)
    inside = make_customer(name="Inside", plan=plan)
    outside = make_customer(name="Outside", plan=plan)
    RetentionOverride.objects.create(
        customer=inside, data_category=category, retention_days=365
    )
    RetentionOverride.objects.create(
        customer=outside, data_category=category, retention_days=730
    )

    (finding,) = found("CUS_SETTING_OUTSIDE_PLAN")
    assert finding.severity == "error"
    assert (finding.object_type, finding.object_id) == ("customer", outside.pk)
    assert "keeps DC07 730 days, outside the Starter plan's 30-365 days" in (
        finding.message
    )


def test_export_and_region_the_plan_does_not_offer_are_errors():
    offered, other = make_region(name="US"), make_region(name="EU")
    plan = make_plan(name="Starter")
    plan.regions.set([offered])
    make_customer(plan=plan, transcript_export=True, residency_region=other)
    messages = " ".join(f.message for f in found("CUS_SETTING_OUTSIDE_PLAN"))
    assert "transcript export" in messages and "residency region" in messages


@time_machine.travel(NOW, tick=False)
def test_daily_runs_without_a_gap_are_fine():
    customer = make_customer()
    nightly(range(10, 0, -1), data_category=chat(), customer=customer)
    assert found("DEL_RUN_OVERDUE") == found("DEL_RUN_GAP") == []


@time_machine.travel(NOW, tick=False)
def test_a_gap_between_successful_runs_is_an_error():
    customer = make_customer(name="Thistle")
    category = chat()
    nightly([10, 9, 8, 4, 3, 2, 1], data_category=category, customer=customer)
    make_deletion_run(
        data_category=category,
        customer=customer,
        started_at=NOW - timedelta(days=7),
        outcome="failed",
        deleted=0,
    )

    (gap,) = found("DEL_RUN_GAP")
    assert gap.severity == "error"
    assert (gap.object_type, gap.object_id) == ("customer", customer.pk)
    assert "between 2026-11-22 and 2026-11-26 (4 days" in gap.message
    assert found("DEL_RUN_OVERDUE") == []


@time_machine.travel(NOW, tick=False)
def test_a_stale_last_run_is_overdue_per_the_categorys_interval():
    weekly = make_data_category(
        code="DC04",
        retention_period=26,
        retention_unit="months",
        deletion_interval_days=7,
    )
    daily = chat()
    nightly([6], data_category=weekly)
    nightly([3], data_category=daily)

    (overdue,) = found("DEL_RUN_OVERDUE")
    assert (overdue.object_type, overdue.object_id) == ("datacategory", daily.pk)
    assert "3 days ago" in overdue.message


@time_machine.travel(NOW, tick=False)
def test_only_failed_runs_are_overdue():
    make_deletion_run(
        data_category=chat(), started_at=NOW - timedelta(hours=5), outcome="failed"
    )
    (overdue,) = found("DEL_RUN_OVERDUE")
    assert "No successful deletion run" in overdue.message


@time_machine.travel(NOW, tick=False)
def test_a_run_for_all_customers_counts_for_each_customer():
    category = chat()
    customer = make_customer()
    nightly([5], data_category=category, customer=customer)
    nightly([2, 1], data_category=category)
    gaps = found("DEL_RUN_GAP")
    assert [g.object_type for g in gaps] == ["customer"]  # 5 -> 2, then daily
    assert found("DEL_RUN_OVERDUE") == []


@time_machine.travel(NOW, tick=False)
def test_a_run_keeping_data_longer_than_the_customers_setting():
    category = chat()
    customer = make_customer()
    RetentionOverride.objects.create(
        customer=customer, data_category=category, retention_days=90
    )
    nightly([1], data_category=category, customer=customer, retention_days=360)

    (finding,) = found("DEL_RUN_LONGER_PERIOD")
    assert "kept 360 days" in finding.message and "90 days" in finding.message


def test_the_demo_gap_is_an_error_finding(demo):
    (gap,) = found("DEL_RUN_GAP")
    assert gap.object_name == "Thistle & Pine Ltd"
    assert gap.severity == "error"
    assert gap.message.startswith("DC07 Conversation content: No successful")
    assert found("DEL_RUN_OVERDUE") == found("DEL_RUN_LONGER_PERIOD") == []
    assert found("CUS_SETTING_OUTSIDE_PLAN") == []


def test_a_vendor_outside_the_customers_region_is_an_error():
    from tests.factories import make_feature, make_vendor

    inside, outside = make_vendor(name="Frankfurt Host"), make_vendor(name="US LLM")
    region = make_region(name="European Union")
    region.vendors.set([inside])
    feature = make_feature(name="AI chat")
    feature.vendors.set([inside, outside])
    eu = make_customer(name="EU shop", residency_region=region)
    eu.features.set([feature])
    anywhere = make_customer(name="No region")
    anywhere.features.set([feature])

    (finding,) = found("CUS_VENDOR_OUTSIDE_REGION")
    assert (finding.object_type, finding.object_id) == ("customer", eu.pk)
    assert "European Union" in finding.message and "US LLM" in finding.message


def test_an_activitys_own_recipient_outside_the_region_is_an_error_too():
    # A recipient no feature names serves every customer of the activity: the
    # data map leaves it out for a customer of another region, never silently.
    from tests.factories import make_activity, make_feature, make_vendor

    contractor = make_vendor(name="On-call contractor")
    act = make_activity(ref="PA-X", role="processor", lawful_basis=None)
    act.recipients.set([contractor])
    feature = make_feature(name="AI chat")
    feature.activities.set([act])
    eu = make_customer(name="EU shop", residency_region=make_region(name="EU"))
    eu.features.set([feature])

    (finding,) = found("CUS_VENDOR_OUTSIDE_REGION")
    assert finding.object_id == eu.pk and finding.severity == "error"
    assert "PA-X" in finding.message and "On-call contractor" in finding.message


def test_the_demo_keeps_each_region_to_its_vendors(demo):
    assert found("CUS_VENDOR_OUTSIDE_REGION") == []
