"""Retention as a schedule and per customer: which period applies to a data
category for a customer, and whether a customer's settings stay within its
plan. Pure functions over plain records (dicts of field values, as the
reports' Snapshot and ``model_values`` give them), so the admin, the API, the
findings and every workbook use the same rule. See docs/retention.md.

- Art. 5(1)(e) GDPR: kept no longer than necessary; Art. 30(1)(f): the
  envisaged time limits for erasure of the different categories of data.
- Art. 28(3)(g) GDPR and Clause 8.5 SCC 2021/914: deletion or return at the
  end of the service; Annex I.B: "the period for which the personal data will
  be retained".
- Cal. Civ. Code 1798.100(a)(3): the length of time each category of personal
  information is retained, or the criteria used to determine it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

Record = Mapping[str, Any]

# Periods are compared in days: a month counts 30 days and a year 365, the
# conversion a deletion job applies when it turns "12 months" into a cut-off.
DAYS_PER_UNIT = {"days": 1, "weeks": 7, "months": 30, "years": 365}
EVENTS = {
    "collected": "after collection",
    "last_activity": "after the last activity",
    "contract_end": "after the end of the contract",
    "closed": "after the matter is closed",
    "consent_withdrawn": "after consent is withdrawn",
}
ACTIONS = {"delete": "deletion", "deidentify": "de-identification"}
CUSTOMER_SETTING = "customer setting"
SCHEDULE = "schedule"


@dataclass(frozen=True)
class Period:
    """The retention that applies to one data category (for one customer)."""

    days: int | None  # None: no number, only a criterion
    text: str  # "90 days after collection"
    source: str  # "customer setting", "schedule", "schedule: as DC07"
    action: str  # "deletion" or "de-identification"
    method: str  # how, e.g. "hard delete; backups roll off within 35 days"
    legal_basis: str  # the law that sets the period, if one does

    def describe(self) -> str:
        """One line for an annex: period, source, end action and method."""
        action = f"{self.action}: {self.method}" if self.method else self.action
        return f"{self.short()}; then {action}"

    def short(self) -> str:
        """Period and where it comes from: "90 days after collection
        (customer setting)"; the law that sets it, if one does."""
        text = self.text or "no period recorded"
        basis = f"; set by {self.legal_basis}" if self.legal_basis else ""
        return f"{text} ({self.source}{basis})"


def unit_text(period: int, unit: str) -> str:
    word = unit if period != 1 else unit.removesuffix("s")
    return f"{period} {word}"


def days_text(days: int) -> str:
    """ "90 days"; whole years said as well: "2190 days (6 years)"."""
    text = unit_text(days, "days")
    if days >= 365 and days % 365 == 0:
        text += f" ({unit_text(days // 365, 'years')})"
    return text


def schedule_days(category: Record) -> int | None:
    """The category's own period in days, if it has a number."""
    period, unit = category.get("retention_period"), category.get("retention_unit")
    if period is None or unit not in DAYS_PER_UNIT:
        return None
    return int(period) * DAYS_PER_UNIT[unit]


def schedule_text(category: Record) -> str:
    """The category's own period in words: "12 months after collection", or
    its criterion where it has no number (Art. 30(1)(f): "where possible")."""
    period, unit = category.get("retention_period"), category.get("retention_unit")
    event = EVENTS.get(category.get("retention_from") or "collected", "")
    if period is not None and unit:
        number = f"{unit_text(period, unit)} {event}"
        criterion = category.get("retention") or ""
        return f"{number} ({criterion})" if criterion else number
    return category.get("retention") or ""


def end_action(category: Record) -> tuple[str, str]:
    """(action, method) at the end of the period."""
    action = ACTIONS.get(category.get("end_action") or "delete", "deletion")
    return action, category.get("end_method") or ""


def end_of_service_text(customer: Record) -> str:
    """Clause 8.5 SCC 2021/914 and Art. 28(3)(g) GDPR, as the customer chose."""
    days = customer.get("end_of_service_days")
    within = f" within {days} days" if days is not None else ""
    if customer.get("end_of_service") == "return":
        what = (
            f"returns all personal data to the data exporter{within}, then "
            "deletes the existing copies"
        )
    else:
        what = (
            f"deletes all personal data{within} and certifies to the data "
            "exporter that it has done so"
        )
    return (
        "At the end of the provision of the processing services the data "
        f"importer {what}, unless Union or Member State law requires storage "
        "(Clause 8.5; GDPR Art. 28(3)(g))."
    )


def root(category: Record, categories: Mapping[int, Record]) -> Record:
    """The category whose period this one follows (itself if none); a loop
    or a missing target stops at the last category reached."""
    seen = {category["id"]}
    current = category
    while (target := current.get("retention_follows_id")) is not None:
        nxt = categories.get(target)
        if nxt is None or nxt["id"] in seen:
            break
        seen.add(nxt["id"])
        current = nxt
    return current


def schedule_period(category: Record, categories: Mapping[int, Record]) -> Period:
    """The schedule's period for a category, following "same period as"."""
    source = root(category, categories)
    via = SCHEDULE if source is category else f"{SCHEDULE}: as {source['code']}"
    return Period(
        schedule_days(source),
        schedule_text(source),
        via,
        *end_action(category),
        source.get("retention_legal_basis") or "",
    )


def effective_period(
    category: Record, categories: Mapping[int, Record], overrides: Mapping[int, int]
) -> Period:
    """What applies to ``category`` for a customer whose settings are
    ``overrides`` ({data category id: days}): its own setting for this
    category, else its setting for the category this one follows, else the
    schedule. A category the customer does not set keeps the schedule's period."""
    source = root(category, categories)
    for candidate in (category, source):
        days = overrides.get(candidate["id"])
        if days is not None:
            event = EVENTS.get(source.get("retention_from") or "collected", "")
            via = CUSTOMER_SETTING
            if candidate is not category:
                via = f"{CUSTOMER_SETTING} for {candidate['code']}"
            return Period(
                days,
                f"{days_text(days)} {event}",
                via,
                *end_action(category),
                source.get("retention_legal_basis") or "",
            )
    return schedule_period(category, categories)


def customer_periods(
    customer_id: int | None,
    category_ids: Iterable[int],
    categories: Mapping[int, Record],
    settings: Iterable[Record],
) -> list[tuple[Record, Period]]:
    """The period in force for each of these categories, by code: for the
    customer (its settings applied), or the schedule when ``customer_id`` is
    None."""
    overrides = overrides_of(customer_id, settings) if customer_id else {}
    found = sorted(
        (categories[i] for i in set(category_ids) if i in categories),
        key=lambda c: c["code"],
    )
    return [(c, effective_period(c, categories, overrides)) for c in found]


def period_lines(periods: Iterable[tuple[Record, Period]]) -> list[str]:
    """ "<code> <name>: <period> (<source>)" per category (Art. 30(1)(f))."""
    return [
        f"{c['code']} {c['name']}: {p.short()}, then {p.action}" for c, p in periods
    ]


def overrides_of(customer_id: int, rows: Iterable[Record]) -> dict[int, int]:
    """A customer's settings as {data category id: days}."""
    return {
        r["data_category_id"]: r["retention_days"]
        for r in rows
        if r["customer_id"] == customer_id
    }


def setting_problems(
    customer: Record,
    plan: Record | None,
    limits: Mapping[int, Record],
    overrides: Mapping[int, int],
    categories: Mapping[int, Record],
) -> list[str]:
    """Why a customer's workspace settings fall outside its plan (each one an
    error finding): a retention outside the plan's limits or not offered by
    it, transcript export the plan does not include, a residency region it
    does not offer. ``limits`` are the plan's, by data category id."""
    if plan is None:
        return ["has workspace settings but no plan"] if overrides else []
    problems = []
    for category_id, days in sorted(overrides.items()):
        category = categories.get(category_id)
        name = category["code"] if category else f"data category #{category_id}"
        limit = limits.get(category_id)
        if limit is None:
            problems.append(
                f"keeps {name} {days} days, but the {plan['name']} plan offers no "
                "retention setting for it"
            )
        elif not limit["min_days"] <= days <= limit["max_days"]:
            problems.append(
                f"keeps {name} {days} days, outside the {plan['name']} plan's "
                f"{limit['min_days']}-{limit['max_days']} days"
            )
    if customer.get("transcript_export") and not plan.get("transcript_export"):
        problems.append(
            f"has transcript export on, which the {plan['name']} plan excludes"
        )
    if customer.get("baa_signed") and not plan.get("baa_available"):
        problems.append(f"has a HIPAA BAA, which the {plan['name']} plan excludes")
    region = customer.get("residency_region_id")
    if region is not None and region not in (plan.get("regions") or []):
        problems.append(
            f"uses a residency region the {plan['name']} plan does not offer"
        )
    return problems
