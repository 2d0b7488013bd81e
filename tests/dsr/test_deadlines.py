"""Deadline rules of data subject requests, as tables: each row names the
rule it checks (docs/dsr.md)."""

from datetime import date

import pytest

from dsr.deadlines import (
    Facts,
    acknowledge_by,
    add_months,
    calendar,
    due_on,
    extension_allowed,
)

IE, ENG, CH, CA = calendar("IE"), calendar("GB-ENG"), calendar("CH"), calendar("US-CA")
d = date.fromisoformat


@pytest.mark.parametrize(
    "start,months,expected",
    [
        ("2026-01-15", 1, "2026-02-15"),  # Reg. 1182/71 3(2)(c): same date
        ("2026-01-31", 1, "2026-02-28"),  # no 31 February: its last day
        ("2028-01-31", 1, "2028-02-29"),  # leap year
        ("2028-01-30", 1, "2028-02-29"),
        ("2026-03-31", 1, "2026-04-30"),
        ("2026-12-31", 1, "2027-01-31"),  # across the year end
        ("2026-11-30", 3, "2027-02-28"),
        ("2027-11-30", 3, "2028-02-29"),
    ],
)
def test_months_end_on_the_same_date_or_the_last_day(start, months, expected):
    assert add_months(d(start), months) == d(expected)


GDPR = [
    # (regime, received, calendar, extended, paused days, due, why)
    ("eu", "2026-01-31", IE, False, 0, "2026-03-02", "28 Feb is a Saturday"),
    ("eu", "2026-03-31", IE, False, 0, "2026-04-30", "no 31 April: 30 April"),
    ("eu", "2026-01-15", IE, False, 0, "2026-02-16", "15 Feb is a Sunday"),
    ("eu", "2028-01-31", IE, False, 0, "2028-02-29", "leap year, a Tuesday"),
    ("eu", "2027-01-29", IE, False, 0, "2027-03-01", "28 Feb 2027 is a Sunday"),
    ("eu", "2026-11-25", IE, False, 0, "2026-12-28", "Christmas, St Stephen's, Sun"),
    ("eu", "2026-02-17", IE, False, 0, "2026-03-18", "17 March: St Patrick's Day"),
    ("eu", "2026-01-31", IE, True, 0, "2026-04-30", "Art. 12(3): two further months"),
    ("eu", "2026-11-30", IE, True, 0, "2027-03-01", "extended to 28 Feb, a Sunday"),
    ("uk", "2026-05-12", ENG, False, 0, "2026-06-12", "ICO example"),
    ("uk", "2026-04-03", ENG, False, 0, "2026-05-05", "Sunday, then May Day"),
    ("uk", "2026-11-28", ENG, False, 0, "2026-12-29", "Boxing Day (observed)"),
    ("uk", "2026-05-12", ENG, False, 10, "2026-06-22", "clock stopped 10 days"),
    ("uk", "2026-01-31", ENG, False, 3, "2026-03-03", "pause after a month end"),
]


@pytest.mark.parametrize("regime,received,cal,extended,paused,due,why", GDPR)
def test_gdpr_one_month_moved_to_the_next_working_day(
    regime, received, cal, extended, paused, due, why
):
    facts = Facts(
        regime,
        d(received),
        ("access",),
        extended=extended,
        paused_days=paused,
        public_holidays=cal,
    )
    assert due_on(facts) == d(due), why
    assert acknowledge_by(facts) is None


@pytest.mark.parametrize(
    "received,extended_to,due,why",
    [
        ("2026-03-02", None, "2026-04-01", "FADP Ordinance Art. 18: 30 days"),
        ("2026-07-02", None, "2026-08-03", "1 Aug: Saturday and National Day"),
        ("2026-01-01", None, "2026-02-02", "31 Jan is a Saturday"),
        ("2026-01-01", "2026-03-15", "2026-03-15", "extended to a stated date"),
    ],
)
def test_swiss_thirty_days(received, extended_to, due, why):
    facts = Facts(
        "ch",
        d(received),
        ("access",),
        extended=extended_to is not None,
        extended_to=d(extended_to) if extended_to else None,
        public_holidays=CH,
    )
    assert due_on(facts) == d(due), why


CCPA = [
    # (received, rights, extended, due, acknowledge by, why)
    ("2026-12-01", ("know",), False, "2027-01-15", "2026-12-15", "sec. 7021"),
    ("2026-12-01", ("delete",), True, "2027-03-01", "2026-12-15", "45 + 45 days"),
    ("2026-12-02", ("correct",), False, "2027-01-16", "2026-12-16", "a Saturday"),
    (
        "2026-11-20",
        ("know",),
        False,
        "2027-01-04",
        "2026-12-08",
        "Thanksgiving and the day after are no business days",
    ),
    (
        "2026-12-01",
        ("opt_out_sale_sharing",),
        False,
        "2026-12-22",
        None,
        "sec. 7026(f): 15 business days, no confirmation",
    ),
    (
        "2026-11-20",
        ("opt_out_sale_sharing",),
        False,
        "2026-12-15",
        None,
        "15 business days around Thanksgiving",
    ),
    (
        "2026-12-01",
        ("know", "limit_sensitive"),
        False,
        "2026-12-22",
        "2026-12-15",
        "the earlier of the two deadlines",
    ),
    ("2028-01-15", ("know",), False, "2028-02-29", "2028-01-31", "leap day"),
]


@pytest.mark.parametrize("received,rights,extended,due,ack,why", CCPA)
def test_ccpa_calendar_and_business_days(received, rights, extended, due, ack, why):
    facts = Facts("ccpa", d(received), rights, extended=extended, public_holidays=CA)
    assert due_on(facts) == d(due), why
    assert acknowledge_by(facts) == (d(ack) if ack else None), why


@pytest.mark.parametrize(
    "received,cal,due",
    [
        ("2026-12-01", IE, "2026-12-08"),
        ("2026-12-21", IE, "2026-12-29"),  # Christmas Day, then a weekend
        ("2026-03-13", IE, "2026-03-23"),  # St Patrick's Day in between
    ],
)
def test_processor_forwards_within_five_working_days(received, cal, due):
    facts = Facts("eu", d(received), ("erasure",), processor=True, public_holidays=cal)
    assert due_on(facts) == d(due)


@pytest.mark.parametrize(
    "regime,rights,allowed",
    [
        ("eu", ("access",), True),
        ("ccpa", ("know",), True),
        ("ccpa", ("opt_out_sale_sharing",), False),
        ("ccpa", ("opt_out_sale_sharing", "limit_sensitive"), False),
        ("ccpa", ("opt_out_sale_sharing", "delete"), True),
    ],
)
def test_opt_outs_cannot_be_extended(regime, rights, allowed):
    assert extension_allowed(regime, rights) is allowed


def test_unknown_regime_is_refused():
    with pytest.raises(ValueError):
        due_on(Facts("mars", d("2026-01-01")))
