"""Annex III and the findings follow the notices: a new sub-processor is
authorised from its effective date, pending and objected ones are marked, an
objection is an error finding until its resolution is recorded, and a past
date shows the state of then."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from inventory.models import SubprocessorNotice
from reports import findings
from reports.build import build
from reports.notices import ANNEX_STATUS_HEADER
from tests.factories import make_customer, make_entity, make_feature, make_vendor

pytestmark = pytest.mark.django_db


def at(day: str, hour: int = 10) -> datetime:
    return datetime.fromisoformat(day).replace(hour=hour, tzinfo=UTC)


def travel(day: str) -> time_machine.travel:
    return time_machine.travel(at(day), tick=False)


def annex_iii(day: str, customer: str = "Lumière") -> dict[str, str]:
    """Sub-processor name -> status in Annex III as of noon on ``day``."""
    with time_machine.travel(at(day, 12), tick=False):
        data = build("dpa-annex", as_of=at(day, 12), customer=customer)
    rows = list(load_workbook(io.BytesIO(data))["Annex III Sub-processors"].values)
    column = rows[0].index(ANNEX_STATUS_HEADER)
    return {r[0]: r[column] for r in rows[1:]}


@pytest.fixture
def lumiere():
    """Hosting is an agreed sub-processor; LLM Co is added on 2026-04-10 and
    announced on 2026-04-12 (30 days' notice)."""
    with travel("2026-01-02"):
        make_entity(name="KonnectBot")
        customer = make_customer(
            name="Lumière", privacy_email="p@lumiere.example", notice_period_days=30
        )
        feature = make_feature(name="Chat")
        feature.vendors.add(make_vendor(name="Hosting"))
        customer.features.add(feature)
    with travel("2026-04-10"):
        feature.vendors.add(make_vendor(name="LLM Co", processing_countries=["US"]))
    return SubprocessorNotice.objects.get(customer=customer, vendor_name="LLM Co")


def test_a_new_sub_processor_is_authorised_only_from_its_effective_date(lumiere):
    with travel("2026-04-12"):
        lumiere.send()
    assert annex_iii("2026-04-11") == {
        "Hosting": "Authorised",
        "LLM Co": "Pending: notice drafted on 2026-04-10, not yet sent",
    }
    assert annex_iii("2026-05-11")["LLM Co"] == (
        "Pending: notified on 2026-04-12; effective from 2026-05-12 unless you "
        "object by 2026-05-11"
    )
    assert annex_iii("2026-05-12")["LLM Co"] == "Authorised"


def test_an_objection_marks_annex_iii_and_is_an_error_until_resolved(lumiere):
    with travel("2026-04-12"):
        lumiere.send()
    with travel("2026-04-20"):
        lumiere.record_objection(lumiere.customer)
    with travel("2026-04-25"):
        lumiere.resolve(SubprocessorNotice.Resolution.CHANGE_WITHDRAWN)
    objected = "Objected on 2026-04-20: not to be used for your data until resolved"
    assert annex_iii("2026-04-21")["LLM Co"] == objected
    assert annex_iii("2026-05-20")["LLM Co"] == (
        "Objected on 2026-04-20; change withdrawn on 2026-04-25"
    )
    codes = [f.code for f in findings.current(at("2026-04-21", 12))]
    assert "NTC_OBJECTION_UNRESOLVED" in codes
    (finding,) = [
        f
        for f in findings.current(at("2026-04-21", 12))
        if f.code == "NTC_OBJECTION_UNRESOLVED"
    ]
    assert finding.severity == "error" and finding.object_id == lumiere.pk
    assert finding.admin_url() == (
        f"/admin/inventory/subprocessornotice/{lumiere.pk}/change/"
    )
    later = [f.code for f in findings.current(at("2026-04-26", 12))]
    assert "NTC_OBJECTION_UNRESOLVED" not in later


def test_a_withdrawn_objection_lets_the_change_take_effect(lumiere):
    with travel("2026-04-12"):
        lumiere.send()
    with travel("2026-04-20"):
        lumiere.record_objection(lumiere.customer)
        lumiere.resolve(SubprocessorNotice.Resolution.OBJECTION_WITHDRAWN)
    assert annex_iii("2026-05-12")["LLM Co"] == "Authorised"


def test_unsent_notices_are_findings_and_overdue_once_the_change_was_due(lumiere):
    def codes(day):
        return {
            f.code
            for f in findings.current(at(day, 12))
            if f.object_type == "subprocessornotice"
        }

    assert codes("2026-04-11") == {"NTC_NOT_SENT"}
    assert codes("2026-05-10") == {"NTC_SEND_OVERDUE"}
    with travel("2026-05-11"):
        lumiere.send(new_period=True)
    assert codes("2026-05-12") == set()


def test_the_notices_sheet_shows_the_answer_and_its_resolution(lumiere, dpo):
    with travel("2026-04-12"):
        lumiere.send(dpo)
    with travel("2026-04-20"):
        lumiere.record_objection(lumiere.customer, user=dpo)
    with travel("2026-04-25"):
        lumiere.resolve(
            SubprocessorNotice.Resolution.CUSTOMER_TERMINATED, user=dpo, note="Q2"
        )
    with time_machine.travel(at("2026-04-26", 12), tick=False):
        data = build("dpa-annex", as_of=at("2026-04-26", 12), customer="Lumière")
    values = list(load_workbook(io.BytesIO(data))["Sub-processor notices"].values)
    (row,) = [dict(zip(values[0], r, strict=True)) for r in values[1:]]
    assert row["Status"] == "Objected"
    assert row["Customer's answer"] == "Objected on 2026-04-20 (recorded by dpo)"
    assert row["Resolution of the objection"] == (
        "Customer terminated on 2026-04-25 (recorded by dpo): Q2"
    )
    assert row["Effective date"].date().isoformat() == "2026-05-12"


def test_the_change_log_shows_who_sent_and_who_recorded_the_answer(lumiere, dpo):
    with travel("2026-04-12"):
        lumiere.send(dpo)
    with travel("2026-04-20"):
        lumiere.record_objection(lumiere.customer, user=dpo)
    with time_machine.travel(at("2026-04-21", 12), tick=False):
        data = build("changes", since=at("2026-04-11", 12), as_of=at("2026-04-21", 12))
    values = list(load_workbook(io.BytesIO(data))["Changes"].values)
    rows = [dict(zip(values[0], r, strict=True)) for r in values[1:]]
    mine = {
        (r["Field"], r["New value"])
        for r in rows
        if r["Object type"] == "sub-processor notice"
    }
    assert ("sent by", "dpo") in mine
    assert ("response recorded by", "dpo") in mine
    assert ("objection deadline", date(2026, 5, 11)) in {
        (f, v.date() if hasattr(v, "date") else v) for f, v in mine
    }
