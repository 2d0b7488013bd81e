"""The retention rules of inventory.retention: which period applies to a data
category for a customer (Art. 30(1)(f), Annex I.B field 7), and which
workspace settings fall outside the customer's plan."""

import pytest

from inventory.residency import serving
from inventory.retention import (
    effective_period,
    schedule_period,
    setting_problems,
)


def category(pk, code, **kwargs):
    record = {
        "id": pk,
        "code": code,
        "retention": "",
        "retention_period": None,
        "retention_unit": "",
        "retention_from": "collected",
        "retention_follows_id": None,
        "end_action": "delete",
        "end_method": "",
        "retention_legal_basis": "",
    }
    return {**record, **kwargs}


CHAT = category(7, "DC07", retention_period=12, retention_unit="months")
FILES = category(8, "DC08", retention_follows_id=7, end_method="Object deleted")
TAX = category(
    3,
    "DC03",
    retention_period=10,
    retention_unit="years",
    retention_from="contract_end",
    retention_legal_basis="tax law",
)
CONSENT = category(6, "DC06", retention="Until consent is withdrawn")
ALL = {c["id"]: c for c in (CHAT, FILES, TAX, CONSENT)}


@pytest.mark.parametrize(
    "record, overrides, days, text, source",
    [
        # Art. 30(1)(f): the schedule's period, a number and a unit.
        (CHAT, {}, 360, "12 months after collection", "schedule"),
        # The customer's setting (retention_overrides) replaces it.
        (CHAT, {7: 90}, 90, "90 days after collection", "customer setting"),
        # "As conversation content": the followed category's period ...
        (FILES, {}, 360, "12 months after collection", "schedule: as DC07"),
        # ... and the customer's setting for the followed category.
        (FILES, {7: 90}, 90, "90 days after collection", "customer setting for DC07"),
        # A setting for the follower itself wins.
        (FILES, {7: 90, 8: 30}, 30, "30 days after collection", "customer setting"),
        # An event: end of contract + 10 years, with the law that sets it.
        (TAX, {}, 3650, "10 years after the end of the contract", "schedule"),
        # No number: the criterion (Art. 30(1)(f) "where possible").
        (CONSENT, {}, None, "Until consent is withdrawn", "schedule"),
    ],
)
def test_effective_period(record, overrides, days, text, source):
    period = effective_period(record, ALL, overrides)
    assert (period.days, period.text, period.source) == (days, text, source)


def test_period_describes_end_action_method_and_law():
    assert schedule_period(FILES, ALL).describe() == (
        "12 months after collection (schedule: as DC07); then deletion: Object deleted"
    )
    assert "set by tax law" in schedule_period(TAX, ALL).describe()


def test_a_loop_of_follows_stops_instead_of_hanging():
    a = category(1, "A", retention_follows_id=2)
    b = category(2, "B", retention_follows_id=1, retention="Forever")
    period = effective_period(a, {1: a, 2: b}, {})
    assert period.text == "Forever"


PLAN = {"name": "Business", "transcript_export": False, "regions": [1]}
LIMITS = {7: {"min_days": 30, "max_days": 730}}
CUSTOMER = {"transcript_export": False, "residency_region_id": None}


@pytest.mark.parametrize(
    "customer, overrides, problem",
    [
        (CUSTOMER, {7: 90}, None),
        (CUSTOMER, {7: 30}, None),
        (CUSTOMER, {7: 731}, "keeps DC07 731 days, outside the Business plan's"),
        (CUSTOMER, {7: 7}, "keeps DC07 7 days, outside"),
        (CUSTOMER, {3: 100}, "offers no retention setting for it"),
        ({**CUSTOMER, "transcript_export": True}, {}, "transcript export on"),
        ({**CUSTOMER, "residency_region_id": 2}, {}, "region the Business plan"),
        ({**CUSTOMER, "residency_region_id": 1}, {}, None),
        ({**CUSTOMER, "baa_signed": True}, {}, "HIPAA BAA"),
    ],
)
def test_settings_outside_the_plan(customer, overrides, problem):
    problems = setting_problems(customer, PLAN, LIMITS, overrides, ALL)
    if problem is None:
        assert problems == []
    else:
        assert len(problems) == 1 and problem in problems[0]


def test_settings_without_a_plan():
    assert setting_problems(CUSTOMER, None, {}, {7: 90}, ALL) == [
        "has workspace settings but no plan"
    ]
    assert setting_problems(CUSTOMER, None, {}, {}, ALL) == []


def test_serving_follows_the_customers_region():
    regions = {1: {"name": "EU", "systems": [4], "vendors": [5, 6]}}
    eu = serving({"residency_region_id": 1}, regions)
    assert eu.allows_system(4) and not eu.allows_system(9)
    assert eu.allows_vendor(6) and not eu.allows_vendor(9)
    anywhere = serving({"residency_region_id": None}, regions)
    assert anywhere.allows_system(9) and anywhere.allows_vendor(9)


def test_narrow_keeps_only_what_serves_the_region():
    from inventory.residency import narrow

    eu = serving(
        {"residency_region_id": 1}, {1: {"name": "EU", "systems": [4], "vendors": [5]}}
    )
    assert narrow(eu, {10: frozenset({4, 9})}, "systems") == {10: frozenset({4})}
    assert narrow(eu, {10: frozenset({5, 9})}, "vendors") == {10: frozenset({5})}
