"""One rule for a report request, whoever makes it (docs/reports.md).

The ``report`` command, the API (``POST reports/``) and the admin's request
form all call ``check_request``: which kinds exist, who may ask for which,
which option belongs to which kind, that ``as_of`` is not in the future and
``since`` not after it, and that the customer or transfer named existed as of
that time. It returns the request normalised the way the builders take it:
times as ISO text, the customer and the transfer by id, so a later rename
cannot change what was asked for.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from inventory.models import Customer
from reports.models import ReportRun, may_request
from reports.params import Params, ReportError, parse_when, resolve_as_of
from reports.snapshot import Snapshot

# The option only that kind takes.
OWNERS = {
    "since": (ReportRun.Kind.CHANGES.value, ReportRun.Kind.DSR_LOG.value),
    "customer": (ReportRun.Kind.DPA_ANNEX.value,),
    "transfer": (ReportRun.Kind.TIA.value,),
}
FIELD_NAMES = {"kind": "kind", "as_of": "as_of", "since": "since"}
FIELD_NAMES |= {"customer": "customer", "transfer": "transfer"}
COMMAND_NAMES = {"kind": "kind", "as_of": "--as-of", "since": "--since"}
COMMAND_NAMES |= {"customer": "--customer", "transfer": "--transfer"}


class InvalidRequest(ReportError):
    """Every problem with a request, by field; the message is the first one."""

    def __init__(self, errors: Mapping[str, str]) -> None:
        super().__init__(next(iter(errors.values())))
        self.errors = dict(errors)


@dataclass(frozen=True)
class ReportRequest:
    kind: str
    as_of: datetime | None  # None: the latest recorded change
    parameters: Params


def check_request(
    kind: str,
    *,
    as_of: str | datetime | None = None,
    since: str | datetime | None = None,
    customer: str | int | None = None,
    transfer: str | int | None = None,
    user: Any = None,
    names: Mapping[str, str] = FIELD_NAMES,
) -> ReportRequest:
    """The request, checked and normalised; ``InvalidRequest`` naming each bad
    field otherwise. ``user``: also check that this user may ask for ``kind``.
    ``names``: how the fields are called in messages (``--as-of`` for the
    command)."""
    check = Check(names)
    check.kind(kind, user)
    moment = check.when("as_of", as_of)
    if moment is not None and moment > timezone.now():
        check.fail(
            "as_of",
            f"{names['as_of']} {moment.isoformat()} is in the future (a date "
            f"means the end of that day, UTC; leave {names['as_of']} out for the "
            "latest recorded state)",
        )
    start = check.when("since", since)
    end = moment or timezone.now()
    if start is not None and start > end:
        check.fail(
            "since",
            f"{names['since']} {start.isoformat()} is after "
            f"{names['as_of']} {end.isoformat()}",
        )
    given = {"since": since, "customer": customer, "transfer": transfer}
    for field, owners in OWNERS.items():
        if given[field] not in (None, "") and kind not in owners:
            takers = " and ".join(owners)
            check.fail(field, f"Only the {takers} report takes a {field}.")
    if kind == ReportRun.Kind.DPA_ANNEX and customer in (None, ""):
        check.fail("customer", "A DPA annex is for one customer: name it.")
    check.raise_errors()
    params: Params = {}
    if start is not None:
        params["since"] = start.isoformat()
    if customer not in (None, "") or transfer not in (None, ""):
        snap = Snapshot(resolve_as_of(moment))
        if customer not in (None, ""):
            params["customer"] = check.customer(customer, snap)
        if transfer not in (None, ""):
            params["transfer"] = check.transfer(transfer, snap)
    check.raise_errors()
    return ReportRequest(kind, moment, params)


class Check:
    """Collects the errors of one request, by field."""

    def __init__(self, names: Mapping[str, str]) -> None:
        self.names = names
        self.errors: dict[str, str] = {}

    def fail(self, field: str, message: str) -> None:
        self.errors.setdefault(field, message)

    def raise_errors(self) -> None:
        if self.errors:
            raise InvalidRequest(self.errors)

    def kind(self, kind: str, user: Any) -> None:
        kinds = ReportRun.Kind.values
        if kind not in kinds:
            self.fail(
                "kind", f"unknown report kind {kind!r}; one of {', '.join(kinds)}"
            )
        elif user is not None and not may_request(user, kind):
            self.fail("kind", "Your role may not request this kind of report.")

    def when(self, field: str, value: str | datetime | None) -> datetime | None:
        """A time option: ISO text (a date is the end of that day, UTC)."""
        if value is None or value == "":
            return None
        if isinstance(value, datetime):
            return value if timezone.is_aware(value) else value.replace(tzinfo=UTC)
        try:
            return parse_when(value.strip(), self.names[field])
        except ReportError as exc:
            self.fail(field, str(exc))
            return None

    def customer(self, value: str | int | None, snap: Snapshot) -> int | None:
        """The customer's id: given as an id, or by today's name (any case)."""
        wanted = str(value).strip()
        found = Customer.objects.filter(name__iexact=wanted).first()
        pk = found.pk if found else (int(wanted) if wanted.isdigit() else None)
        if pk is None or pk not in snap.table("inventory.Customer"):
            self.fail("customer", f"unknown customer {value!r}" + self.then(snap, pk))
            return None
        return pk

    def transfer(self, value: str | int | None, snap: Snapshot) -> int | None:
        text = str(value).strip()
        if not text.isdigit():
            self.fail(
                "transfer", f"{self.names['transfer']} {value!r} is not a transfer id"
            )
            return None
        if int(text) not in snap.table("transfers.Transfer"):
            self.fail("transfer", f"unknown transfer {int(text)}" + self.then(snap, 0))
            return None
        return int(text)

    @staticmethod
    def then(snap: Snapshot, pk: int | None) -> str:
        """Say "as of" when the record may exist today but not then."""
        if pk is None:
            return ""
        return f" as of {snap.as_of.isoformat()}"
