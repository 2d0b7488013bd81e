"""Deadlines of data subject requests: pure functions, no ORM.

Every date here is a calendar date; the day of receipt is day 0. The rules and
their sources are set out in docs/dsr.md:

- GDPR and UK GDPR, Art. 12(3): one month from receipt, computed as Regulation
  (EEC, Euratom) No 1182/71 Art. 3 says (the same date of the next month; no
  such date: its last day; a Saturday, Sunday or public holiday: the next
  working day). Two further months when the subject was told within the first
  month. The UK clock stops while the controller waits for identity or
  clarification (Data (Use and Access) Act 2025; ICO guidance): the days it
  stood still are added.
- Switzerland, FADP Art. 25(7) and FADP Ordinance Art. 18: 30 days; when the
  controller needs longer it tells the subject by when (a date it states).
- CCPA, Cal. Code Regs. tit. 11 sec. 7021: confirm receipt of requests to
  know, delete or correct within 10 business days; answer within 45 calendar
  days, once extendable by 45 more; sec. 7026 and 7027: opt-outs of sale or
  sharing and requests to limit sensitive data within 15 business days.
- A processor forwards a request to its controller without undue delay
  (Art. 28(3)(e) GDPR); this register allows 5 working days.
"""

from __future__ import annotations

from collections.abc import Container, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache

import holidays
from dateutil.relativedelta import relativedelta

Holidays = Container[date]

EU, UK, CH, CCPA = "eu", "uk", "ch", "ccpa"
GDPR_REGIMES = (EU, UK)
CCPA_ANSWER_DAYS = 45  # sec. 7021(b), and as much again once extended
CCPA_ACKNOWLEDGE_BUSINESS_DAYS = 10  # sec. 7021(a)
CCPA_OPT_OUT_BUSINESS_DAYS = 15  # sec. 7026(f), 7027(g)
CCPA_FAST_RIGHTS = frozenset({"opt_out_sale_sharing", "limit_sensitive"})
CCPA_ACKNOWLEDGED_RIGHTS = frozenset({"know", "delete", "correct"})
SWISS_DAYS = 30  # FADP Ordinance Art. 18(1)
GDPR_MONTHS, GDPR_EXTENDED_MONTHS = 1, 3  # Art. 12(3): one month, two further
FORWARD_WORKING_DAYS = 5  # processor to controller, Art. 28(3)(e)


def is_working_day(day: date, public_holidays: Holidays) -> bool:
    return day.weekday() < 5 and day not in public_holidays


def next_working_day(day: date, public_holidays: Holidays) -> date:
    """``day`` itself if it is a working day, else the first one after it
    (Reg. 1182/71 Art. 3(4))."""
    while not is_working_day(day, public_holidays):
        day += timedelta(days=1)
    return day


def add_months(day: date, months: int) -> date:
    """The same date ``months`` later; its last day when it has no such date
    (Reg. 1182/71 Art. 3(2)(c): 31 January + 1 month = 28 or 29 February)."""
    result: date = day + relativedelta(months=months)
    return result


def add_business_days(day: date, count: int, public_holidays: Holidays) -> date:
    """The ``count``-th working day after ``day`` (day 0 is not counted)."""
    while count > 0:
        day += timedelta(days=1)
        if is_working_day(day, public_holidays):
            count -= 1
    return day


def gdpr_due(
    received: date,
    public_holidays: Holidays,
    extended: bool = False,
    paused_days: int = 0,
) -> date:
    """Art. 12(3) GDPR / UK GDPR: one month (three when extended) from
    receipt, plus the days the clock stood still, moved off weekends and
    public holidays (Reg. 1182/71 Art. 3(2)(c) and 3(4))."""
    months = GDPR_EXTENDED_MONTHS if extended else GDPR_MONTHS
    end = add_months(received, months) + timedelta(days=paused_days)
    return next_working_day(end, public_holidays)


def swiss_due(
    received: date, public_holidays: Holidays, extended_to: date | None = None
) -> date:
    """FADP Ordinance Art. 18: 30 days, or the later date the controller
    announced. A last day on a weekend or holiday moves to the next working
    day (Art. 78 Swiss Code of Obligations)."""
    if extended_to is not None:
        return extended_to
    return next_working_day(received + timedelta(days=SWISS_DAYS), public_holidays)


def ccpa_due(
    received: date, rights: Iterable[str], public_holidays: Holidays, extended: bool
) -> date:
    """CCPA regs sec. 7021(b): 45 calendar days (90 once extended with notice);
    sec. 7026(f) / 7027(g): opt-out and limit requests within 15 business
    days. A request asking for both is due at the earlier date."""
    asked = set(rights)
    dates = []
    if asked & CCPA_FAST_RIGHTS:
        dates.append(
            add_business_days(received, CCPA_OPT_OUT_BUSINESS_DAYS, public_holidays)
        )
    if asked - CCPA_FAST_RIGHTS or not dates:
        days = CCPA_ANSWER_DAYS * (2 if extended else 1)
        dates.append(received + timedelta(days=days))
    return min(dates)


def ccpa_acknowledge_by(
    received: date, rights: Iterable[str], public_holidays: Holidays
) -> date | None:
    """Sec. 7021(a): confirm receipt of a request to know, delete or correct
    within 10 business days; other requests need no confirmation."""
    if not set(rights) & CCPA_ACKNOWLEDGED_RIGHTS:
        return None
    return add_business_days(received, CCPA_ACKNOWLEDGE_BUSINESS_DAYS, public_holidays)


def forward_by(received: date, public_holidays: Holidays) -> date:
    """A processor's deadline to pass a request on to its controller."""
    return add_business_days(received, FORWARD_WORKING_DAYS, public_holidays)


def first_month_ends(received: date) -> date:
    """The last day on which the subject can be told of an extension (Art.
    12(3): "within one month of receipt"), before any working-day shift."""
    return add_months(received, GDPR_MONTHS)


@dataclass(frozen=True)
class Facts:
    """What the deadlines of one request depend on."""

    regime: str
    received: date
    rights: tuple[str, ...] = ()
    processor: bool = False
    extended: bool = False
    extended_to: date | None = None
    paused_days: int = 0
    public_holidays: Holidays = field(default_factory=frozenset)


def due_on(facts: Facts) -> date:
    """The answer's deadline, extensions and pauses included; for a request
    about data we process for a customer, the day to forward it by."""
    holidays_ = facts.public_holidays
    if facts.processor:
        return forward_by(facts.received, holidays_)
    if facts.regime in GDPR_REGIMES:
        return gdpr_due(facts.received, holidays_, facts.extended, facts.paused_days)
    if facts.regime == CH:
        extended_to = facts.extended_to if facts.extended else None
        return swiss_due(facts.received, holidays_, extended_to)
    if facts.regime == CCPA:
        return ccpa_due(facts.received, facts.rights, holidays_, facts.extended)
    raise ValueError(f"unknown regime {facts.regime!r}")


def acknowledge_by(facts: Facts) -> date | None:
    """CCPA only: when receipt must be confirmed (sec. 7021(a))."""
    if facts.regime != CCPA or facts.processor:
        return None
    return ccpa_acknowledge_by(facts.received, facts.rights, facts.public_holidays)


def extension_allowed(regime: str, rights: Iterable[str]) -> bool:
    """Opt-out and limit requests under the CCPA cannot be extended."""
    return not (regime == CCPA and set(rights) <= CCPA_FAST_RIGHTS)


@lru_cache(maxsize=32)
def calendar(code: str) -> Holidays:
    """Public holidays of a country (``IE``) or subdivision (``US-CA``), from
    the ``holidays`` package; years are filled in as they are asked for."""
    country, _, subdivision = code.partition("-")
    result: Holidays = holidays.country_holidays(country, subdiv=subdivision or None)
    return result
