"""Findings about data subject requests: overdue, extension not told in the
first month, processor requests not forwarded in 5 working days, CCPA receipt
not confirmed, due within 7 days; as of any date."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from reports import findings
from tests.factories import make_customer, make_request

pytestmark = pytest.mark.django_db


def dsr_findings(when: str) -> set[tuple[str, str, str]]:
    as_of = datetime.fromisoformat(when).replace(tzinfo=UTC)
    return {
        (f.code, f.severity, f.object_name)
        for f in findings.current(as_of)
        if f.object_type == "datasubjectrequest"
    }


def test_overdue_and_due_soon(dpo):
    with time_machine.travel("2026-01-31 09:00Z", tick=False):
        request = make_request(received_at="2026-01-31T09:00:00Z")  # due 2 March
    ref = request.reference

    assert dsr_findings("2026-02-20T12:00:00") == set()
    assert dsr_findings("2026-02-23T12:00:00") == {("DSR_DUE_SOON", "warning", ref)}
    assert dsr_findings("2026-03-02T12:00:00") == {("DSR_DUE_SOON", "warning", ref)}
    assert dsr_findings("2026-03-03T12:00:00") == {("DSR_OVERDUE", "error", ref)}
    with time_machine.travel("2026-03-05 09:00Z", tick=False):
        request.close(dpo, "fulfilled")
    assert dsr_findings("2026-03-06T12:00:00") == set()
    # as of a date before it was closed, the register still says overdue
    assert dsr_findings("2026-03-04T12:00:00") == {("DSR_OVERDUE", "error", ref)}
    finding = next(
        f
        for f in findings.current(datetime(2026, 3, 4, 12, tzinfo=UTC))
        if f.code == "DSR_OVERDUE"
    )
    assert finding.admin_url() == f"/admin/dsr/datasubjectrequest/{request.pk}/change/"


@pytest.mark.parametrize(
    "told_on,expected",
    [
        (date(2026, 2, 27), set()),
        (date(2026, 2, 28), set()),  # the last day of the first month
        (date(2026, 3, 1), {"DSR_EXTENSION_NOT_TOLD"}),
    ],
)
def test_extension_must_be_told_within_the_first_month(dpo, told_on, expected):
    with time_machine.travel("2026-01-31 09:00Z", tick=False):
        request = make_request(received_at="2026-01-31T09:00:00Z")
    with time_machine.travel("2026-02-10 09:00Z", tick=False):
        request.extend(dpo, "Complex", told_on=told_on)
    codes = {c for c, _, _ in dsr_findings("2026-03-10T00:00:00")}
    assert codes == expected


def test_processor_request_must_be_forwarded_in_five_working_days(dpo):
    customer = make_customer(name="Maison Test")
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        late = make_request(
            role="processor", customer=customer, received_at="2026-12-01T09:00:00Z"
        )
        prompt = make_request(
            role="processor", customer=customer, received_at="2026-12-01T09:00:00Z"
        )
    with time_machine.travel("2026-12-02 09:00Z", tick=False):
        prompt.forward(dpo)
    assert late.due_on == date(2026, 12, 8)
    assert dsr_findings("2026-12-08T23:00:00") == set()
    assert dsr_findings("2026-12-09T12:00:00") == {
        ("DSR_NOT_FORWARDED", "error", late.reference)
    }
    with time_machine.travel("2026-12-10 09:00Z", tick=False):
        late.forward(dpo)
    # forwarded, but late: the finding stays as evidence
    assert dsr_findings("2026-12-11T12:00:00") == {
        ("DSR_NOT_FORWARDED", "error", late.reference)
    }


def test_ccpa_receipt_confirmed_within_ten_business_days(dpo):
    with time_machine.travel("2026-12-01 09:00Z", tick=False):
        request = make_request(
            regime="ccpa", rights=["know"], received_at="2026-12-01T09:00:00Z"
        )
    assert request.acknowledge_by == date(2026, 12, 15)
    assert dsr_findings("2026-12-15T12:00:00") == set()
    assert ("DSR_NOT_ACKNOWLEDGED", "error", request.reference) in dsr_findings(
        "2026-12-16T12:00:00"
    )
