"""What the register says is late or about to be: problems of data subject
requests as they stood on a given day, for the inventory's findings.

==========================  ========  ============================================
DSR_OVERDUE                 error     open request past its deadline, Art. 12(3)
DSR_EXTENSION_NOT_TOLD      error     extended, subject not told in time, 12(3)
DSR_NOT_FORWARDED           error     processor request not forwarded in 5
                                      working days, Art. 28(3)(e)
DSR_NOT_ACKNOWLEDGED        error     CCPA receipt not confirmed in 10 business
                                      days, regs sec. 7021(a)
DSR_DUE_SOON                warning   open request due within 7 days
==========================  ========  ============================================
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from dsr import deadlines
from dsr.models import DataSubjectRequest

DUE_SOON_DAYS = 7
Request = DataSubjectRequest


@dataclass(frozen=True)
class Problem:
    code: str
    severity: str  # "error" or "warning"
    request_id: int
    reference: str
    message: str


def problem(code: str, severity: str, request: Request, message: str) -> Problem:
    return Problem(code, severity, request.pk, request.reference, message)


def told_by(request: Request) -> date:
    """The last day the subject can be told of an extension: within the first
    month (Art. 12(3)), the first 45 days (CCPA sec. 7021(b)), the first 30
    days (FADP Ordinance Art. 18(2))."""
    received = request.received_on()
    if request.regime == Request.Regime.CCPA:
        return received + timedelta(days=deadlines.CCPA_ANSWER_DAYS)
    if request.regime == Request.Regime.CH:
        return received + timedelta(days=deadlines.SWISS_DAYS)
    return deadlines.first_month_ends(received)


def request_problems(request: Request, today: date) -> Iterator[Problem]:
    is_open = request.status != Request.Status.CLOSED
    due = request.due_date(today)
    processor = request.role == Request.Role.PROCESSOR
    if processor:
        forwarded = request.forwarded_at.date() if request.forwarded_at else None
        if (forwarded or today) > (request.due_on or today):
            yield problem(
                "DSR_NOT_FORWARDED",
                "error",
                request,
                f"Request about {request.customer}'s data "
                f"{'forwarded' if forwarded else 'not forwarded'} after "
                f"{request.due_on}: a processor passes it on without undue delay "
                "(Art. 28(3)(e); 5 working days here).",
            )
    elif is_open and due is not None and due < today:
        yield problem(
            "DSR_OVERDUE",
            "error",
            request,
            f"Open request was due on {due} ({request.get_regime_display()}; "
            "Art. 12(3) GDPR, FADP Art. 25(7), CCPA regs sec. 7021).",
        )
    elif is_open and due is not None and due <= today + timedelta(DUE_SOON_DAYS):
        yield problem(
            "DSR_DUE_SOON",
            "warning",
            request,
            f"Due on {due}, within {DUE_SOON_DAYS} days.",
        )
    if request.is_extended:
        limit = told_by(request)
        told = request.extension_told_on
        if told is None or told > limit:
            yield problem(
                "DSR_EXTENSION_NOT_TOLD",
                "error",
                request,
                f"Deadline extended but the subject was "
                f"{'told on ' + str(told) if told else 'not told'}; they must be "
                f"told by {limit} with the reasons (Art. 12(3) GDPR; CCPA regs "
                "sec. 7021(b)).",
            )
    ack = request.acknowledge_by
    if ack is not None and not processor:
        done = request.acknowledged_on
        if (done is None and today > ack and is_open) or (done and done > ack):
            yield problem(
                "DSR_NOT_ACKNOWLEDGED",
                "error",
                request,
                f"Receipt not confirmed by {ack} (10 business days, CCPA regs "
                "sec. 7021(a)).",
            )


def problems(requests: Iterable[Request], today: date) -> list[Problem]:
    return [p for r in requests for p in request_problems(r, today)]


def requests_as_of(as_of: datetime) -> list[tuple[Request, int, datetime]]:
    """Each request as it stood at ``as_of`` (deleted ones left out), with the
    id and time of the history record it was read from."""
    history = DataSubjectRequest.history.filter(history_date__lte=as_of)
    current = history.latest_of_each().exclude(history_type="-").order_by("id")
    return [(r.instance, r.history_id, r.history_date) for r in current]
