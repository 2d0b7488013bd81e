"""A spreadsheet row as the values of one processing activity; rows that name
the same activity (Fides writes one row per data category) grouped into one
(docs/import.md)."""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any, NamedTuple

from ropa_import.cells import (
    CellError,
    Recipient,
    RowError,
    TransferLine,
    derogation_ground,
    is_blank,
    parse_art9,
    parse_art9_kind,
    parse_bool,
    parse_country,
    parse_date,
    parse_dpia_status,
    parse_mechanism,
    parse_recipient,
    parse_status,
    parse_tied_bases,
    plain_text,
    safeguard_countries,
    scope_notes,
    split_items,
)
from ropa_import.headings import NOTES, norm
from ropa_import.read import Column, Table, is_empty

# Columns holding lists: split on commas too (outside this service's layout).
LIST_FIELDS = (
    "data_subject_categories",
    "data_categories",
    "recipients",
    "systems",
    "security_measures",
    "third_countries",
)
NAME_LISTS = (
    "data_subject_categories",
    "data_categories",
    "systems",
    "security_measures",
)
TEXT_FIELDS = (
    "owner",
    "purposes",
    "legitimate_interest",
    "lia_reference",
    "consent_record_reference",
    "art10_basis",
    "data_source",
    "retention",
    "dpia_reference",
    "rights_available",
    "automated_decision_logic",
)
TEXT_PARSERS: dict[str, Callable[[str], Any]] = {
    "status": parse_status,
    "art9_condition": parse_art9,
    "dpia_required": parse_bool,
    "automated_decisions": parse_bool,
    "profiling": parse_bool,
    "dpia_status": parse_dpia_status,
}


def shorten(value: Any) -> str:
    text = value if isinstance(value, str) else "" if value is None else str(value)
    return text if len(text) <= 80 else text[:77] + "..."


class RowCells:
    """The cells of one row by field, with errors named by sheet, row and
    column heading."""

    def __init__(
        self, table: Table, number: int, values: tuple[Any, ...], errors: list[RowError]
    ) -> None:
        self.table, self.number, self.values = table, number, values
        self.errors = errors
        self.failed = False

    def has(self, key: str) -> bool:
        return key in self.table.columns

    def cell(self, column: Column) -> Any:
        return self.values[column.index] if column.index < len(self.values) else None

    def raw(self, key: str) -> Any:
        found = [self.cell(c) for c in self.table.columns.get(key, [])]
        filled = [v for v in found if not is_empty(v)]
        if len(filled) <= 1:
            return filled[0] if filled else None
        return "\n".join(v if isinstance(v, str) else plain_text(v) for v in filled)

    def header(self, key: str) -> str:
        columns = self.table.columns.get(key, [])
        filled = [c for c in columns if self.cell(c) is not None]
        return (filled or columns)[0].header if columns else ""

    def error(
        self, key: str, message: str, value: Any = None, exc: CellError | None = None
    ) -> None:
        shown = shorten(self.raw(key) if value is None else value)
        error = RowError(
            self.table.sheet,
            self.number,
            self.header(key),
            shown,
            message,
            exc.expected if exc else "",
            exc.suggestion if exc else "",
        )
        if error not in self.errors[-20:]:  # a cell read twice is reported once
            self.errors.append(error)
        self.failed = True

    def read(self, key: str, parse: Callable[[Any], Any], value: Any = None) -> Any:
        """parse(raw value), or None with an error recorded."""
        raw = self.raw(key) if value is None else value
        try:
            return parse(raw)
        except CellError as exc:
            self.error(key, str(exc), raw, exc)
            return None

    def text(self, key: str) -> str:
        return self.read(key, plain_text) or ""

    def items(self, key: str) -> list[str]:
        return [item for _, item in self.column_items(key)]

    def column_items(self, key: str) -> list[tuple[Column, str]]:
        commas = key in LIST_FIELDS and not self.table.own
        found = []
        for column in self.table.columns.get(key, []):
            text = self.read(key, plain_text, self.cell(column)) or ""
            found += [
                (column, item) for item in split_items(text, not self.table.own, commas)
            ]
        return found

    def read_text(self, header: str, value: Any) -> str:
        try:
            return plain_text(value).strip()
        except CellError as exc:
            error = RowError(self.table.sheet, self.number, header, "", str(exc))
            self.errors.append(error)
            self.failed = True
            return ""

    def unmapped_notes(self, unmapped: list[Column]) -> list[str]:
        """The text of the columns no field takes, so that nothing is lost."""
        found = []
        for column in unmapped:
            value = self.cell(column)
            text = "" if is_empty(value) else self.read_text(column.header, value)
            if text and not is_blank(text):
                found.append(f"{column.header}: {text}")
        return found


@dataclass
class ActivityRow:
    """One processing activity as the sheet gives it (one row or several)."""

    cells: RowCells
    ref: str
    name: str
    scalars: dict[str, Any]
    names: dict[str, list[str]]
    recipients: list[Recipient] | None
    specials: list[tuple[str, str]]  # (data category text, Art. 9 kind)
    countries: list[str] | None
    safeguards: list[Safeguard]
    notes: list[str] = field(default_factory=list)
    rows: list[int] = field(default_factory=list)
    # (lawful basis, purposes) when the row names several bases or ties one to
    # purposes; [] when it names one alone; None without a lawful-basis column.
    bases: list[tuple[str, str]] | None = None
    # (vendor name, date its DPA was signed), Art. 28(3); (data category,
    # CCPA category letters): the controller record's own derived columns.
    contracts: list[tuple[str, date]] = field(default_factory=list)
    ccpa: list[tuple[str, str]] = field(default_factory=list)
    # (joint controller's name, its contact details), Art. 26(1), 30(1)(a)
    contacts: list[tuple[str, str]] = field(default_factory=list)

    def key(self) -> str:
        return f"ref:{norm(self.ref)}" if self.ref else f"name:{norm(self.name)}"

    def transfers(self) -> list[TransferLine] | None:
        """The transfers the third-country and safeguard cells describe: a
        safeguard naming countries covers those; one naming none covers the
        listed countries no other line names; a country with no safeguard is
        a transfer without one (mechanism none, reported by the findings)."""
        if self.countries is None and not self.safeguards:
            return None
        countries = list(self.countries or [])
        named = [
            replace(safeguard.line, country=code)
            for safeguard in self.safeguards
            for code in safeguard.codes
        ]
        covered = {line.country for line in named}
        rest = [c for c in countries if c not in covered]
        general = [s.line for s in self.safeguards if not s.codes]
        if general and not rest:
            self.cells.error(
                "transfer_safeguards", "no third country for this safeguard"
            )
        found = general[0] if general else TransferLine("", "none")
        return named + [replace(found, country=code) for code in rest]

    def merge(self, other: ActivityRow) -> None:
        """Another row of the same activity: lists add up, values must agree."""
        for key, value in other.scalars.items():
            mine = self.scalars.get(key)
            if value in (None, "") or value == mine:
                continue
            if mine in (None, ""):
                self.scalars[key] = value
            else:
                other.cells.error(
                    key if other.cells.has(key) else "name",
                    f"differs from row {self.rows[0]} of the same activity "
                    f"({shorten(mine)!r})",
                )
        for key, names in other.names.items():
            self.names[key] = unique(self.names.get(key, []) + names)
        if other.recipients is not None:
            self.recipients = unique((self.recipients or []) + other.recipients)
        self.specials = unique(self.specials + other.specials)
        if other.countries is not None:
            self.countries = unique((self.countries or []) + other.countries)
        self.safeguards = unique(self.safeguards + other.safeguards)
        self.notes = unique(self.notes + other.notes)
        self.contracts = unique(self.contracts + other.contracts)
        self.ccpa = unique(self.ccpa + other.ccpa)
        self.contacts = unique(self.contacts + other.contacts)
        self.rows += other.rows


def unique(items: list[Any]) -> list[Any]:
    found: list[Any] = []
    for item in items:
        if item not in found:
            found.append(item)
    return found


def via_text(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    return lambda value: parse(plain_text(value))


def parse_scalars(cells: RowCells, notes: list[str]) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in (k for k in TEXT_FIELDS if cells.has(k)):
        text = cells.text(key)
        values[key] = "" if is_blank(text) else text
    for key, parse in TEXT_PARSERS.items():
        if cells.has(key):
            values[key] = cells.read(key, via_text(parse))
    if cells.has("next_review_on"):
        values["next_review_on"] = cells.read("next_review_on", parse_date)
    if values.get("status", "") is None:
        del values["status"]  # an empty status leaves it (or the default) alone
    return values


def lawful_bases(cells: RowCells) -> tuple[str | None, list[tuple[str, str]]]:
    """The main basis (the first named) and, when the cell names several or
    ties one to purposes, every basis with its purposes (Art. 6(1))."""
    bases = cells.read("lawful_basis", via_text(parse_tied_bases)) or []
    main = bases[0][0] if bases else None
    listed = len(bases) > 1 or any(purposes for _, purposes in bases)
    return main, bases if listed else []


def parse_name(cells: RowCells) -> str:
    """The activity's name; without a name column, the purpose's first line."""
    key = "name" if cells.has("name") else "purposes"
    lines = cells.text(key).strip().splitlines()
    name = " ".join(lines[0].split()) if lines else ""
    if not name:
        cells.error(key, "missing the processing activity's name")
    return name[:200]


def parse_specials(cells: RowCells) -> list[tuple[str, str]]:
    """``<data category>: <Art. 9 kind>`` per line; yes/no cells say nothing
    about which category."""
    found = []
    for line in cells.items("special_categories"):
        category, _, kind = line.rpartition(":")
        if not category.strip():
            continue  # "Yes", "Health data": no category named, kept in notes
        try:
            found.append((category.strip(), parse_art9_kind(kind)))
        except CellError as exc:
            cells.error("special_categories", str(exc), line, exc)
    return found


def parse_security(cells: RowCells) -> list[str]:
    """Measures by name; in a yes/no column ("Encryption: Yes") the heading
    names the measure."""
    found = []
    for column, item in cells.column_items("security_measures"):
        verdict = norm(item).split()[:1]
        if verdict and verdict[0] in ("yes", "oui", "ja", "x", "y"):
            found.append(column.header.split(" / ")[-1])
        elif verdict and verdict[0] in ("no", "non", "nein", "n"):
            continue
        else:
            found.append(item)
    return unique(found)


def parse_countries(cells: RowCells) -> list[str]:
    codes = []
    for item in cells.items("third_countries"):
        code = cells.read("third_countries", parse_country, item)
        if code and code not in codes:
            codes.append(code)
    return codes


class Safeguard(NamedTuple):
    """One safeguard line: the countries it names (none: the listed ones no
    other line names) and the transfer it describes there."""

    codes: list[str]
    line: TransferLine


def parse_safeguard(text: str) -> Safeguard:
    """A safeguard line, with what the controller record prints after the
    mechanism: the importer, its partial adequacy scope, an Art. 49 ground."""
    codes, rest, importer = safeguard_countries(text)
    rest, scopes = scope_notes(rest)
    mechanism, module = parse_mechanism(rest)
    ground, safeguards = ("", "")
    if mechanism == "derogation":
        ground, safeguards = derogation_ground(rest.strip())
    line = TransferLine("", mechanism, module, importer, scopes, ground, safeguards)
    return Safeguard(codes, line)


def parse_safeguards(cells: RowCells) -> list[Safeguard]:
    found = []
    for line in cells.items("transfer_safeguards"):
        try:
            found.append(parse_safeguard(line))
        except CellError as exc:
            cells.error("transfer_safeguards", str(exc), line, exc)
    return found


def parse_recipients(cells: RowCells) -> list[Recipient]:
    """Vendors by name, or kinds of recipient; this service's export lists
    vendors only, by their exact names."""
    details = {
        norm(found.name): found
        for item in cells.items("recipient_details")
        if not (found := parse_recipient(item)).kind
    }
    recipients = []
    for item in cells.items("recipients"):
        recipient = Recipient(item, False) if cells.table.own else parse_recipient(item)
        detail = details.get(norm(recipient.name))
        if detail and not recipient.kind:
            role, country = (
                recipient.role or detail.role,
                recipient.country or detail.country,
            )
            recipient = Recipient(recipient.name, False, role, country)
        recipients.append(recipient)
    return recipients


CONTRACT_LINE = re.compile(r"(?P<name>.+):\s*DPA signed\s+(?P<date>.+)", re.I)
CCPA_LETTERS = re.compile(r"[A-L](,[A-L])*")  # inventory.models.ccpa_validator


def parse_contracts(cells: RowCells, notes: list[str]) -> list[tuple[str, date]]:
    """ "<vendor>: DPA signed <date>" per line (Art. 28(3)); another line is
    kept in the notes with its heading."""
    found = []
    for line in cells.items("processor_contracts"):
        match = CONTRACT_LINE.fullmatch(line.strip())
        signed = match and cells.read("processor_contracts", parse_date, match["date"])
        if match and signed:
            found.append((match["name"].strip(), signed))
        elif not match:
            notes.append(f"{cells.header('processor_contracts')}: {line}")
    return found


def parse_ccpa(cells: RowCells) -> list[tuple[str, str]]:
    """ "<data category>: <CCPA letters>" per line, e.g. "DC01: A,I"."""
    found = []
    for line in cells.items("ccpa_categories"):
        category, _, letters = line.rpartition(":")
        letters = re.sub(r"\s+", "", letters.upper())
        if not category.strip() or not CCPA_LETTERS.fullmatch(letters):
            cells.error(
                "ccpa_categories",
                "not a data category with CCPA category letters",
                line,
                CellError("", "<data category>: <letters A-L>, e.g. DC01: A,I"),
            )
            continue
        found.append((category.strip(), letters))
    return found


def parse_contacts(cells: RowCells) -> list[tuple[str, str]]:
    """ "<joint controller>: <contact details>" per line (a bare name names
    no contact)."""
    found = []
    for line in cells.items("joint_controllers"):
        name, sep, contact = line.partition(": ")
        if sep and name.strip() and contact.strip():
            found.append((name.strip(), contact.strip()))
    return found


def parse_activity(cells: RowCells, unmapped: list[Column]) -> ActivityRow:
    notes: list[str] = []
    if cells.has(NOTES):
        notes += [cells.text(NOTES)] if cells.text(NOTES).strip() else []
    ref = " ".join(cells.text("ref").split()) if cells.has("ref") else ""
    names = {key: cells.items(key) for key in NAME_LISTS if cells.has(key)}
    if cells.has("security_measures"):
        names["security_measures"] = parse_security(cells)
    row = ActivityRow(
        cells,
        ref,
        parse_name(cells),
        parse_scalars(cells, notes),
        names,
        parse_recipients(cells) if cells.has("recipients") else None,
        parse_specials(cells) if cells.has("special_categories") else [],
        parse_countries(cells) if cells.has("third_countries") else None,
        parse_safeguards(cells) if cells.has("transfer_safeguards") else [],
        notes + cells.unmapped_notes(unmapped),
        [cells.number],
    )
    if cells.has("lawful_basis"):
        row.scalars["lawful_basis"], row.bases = lawful_bases(cells)
    if cells.has("processor_contracts"):
        row.contracts = parse_contracts(cells, row.notes)
    if cells.has("ccpa_categories"):
        row.ccpa = parse_ccpa(cells)
    if cells.has("joint_controllers"):
        row.contacts = parse_contacts(cells)
    return row


def row_key(cells: RowCells) -> tuple[str, str]:
    """The key of the activity a row names (as ``ActivityRow.key``) and its
    name folded (``norm``); ("", "") when it names none."""
    ref = " ".join(cells.text("ref").split()) if cells.has("ref") else ""
    name = parse_name(cells)
    if not name:
        return "", ""
    return (f"ref:{norm(ref)}" if ref else f"name:{norm(name)}"), norm(name)


class Activities:
    """The sheet's activities, rows naming the same one merged wherever they
    are, in the order of their first rows, in batches: a first pass over the
    rows notes which rows end an activity, the second parses the rows and
    hands on each activity once its last row is read, so that only the
    activities not yet complete (or not yet handed on) are in memory, not the
    whole sheet (docs/import.md, "Speed and memory").

    What stays from the first pass is one byte per row (``ends``) and the
    names that more than one activity takes (``repeated``, by their hash:
    the first activity's row and, once it is handed on, its name, so that a
    hash collision is never taken for a duplicate)."""

    def __init__(self, table: Table) -> None:
        self.table = table
        self.rows = 0  # the rows of the sheet passed over
        self.total = 0  # activities in the sheet
        self.done = 0  # handed on (those with errors included)
        last: dict[int, int] = {}  # hash of an activity's key -> its last row
        names: dict[int, int] = {}  # hash of a name -> its first activity's row
        repeated: set[int] = set()

        def visit(number: int, values: tuple[Any, ...]) -> None:
            key, name = row_key(RowCells(table, number, values, []))
            if key:
                if hash(key) not in last:  # the activity's first row
                    first = names.setdefault(hash(name), number)
                    if first != number:
                        repeated.add(hash(name))
                last[hash(key)] = self.rows
            self.rows += 1

        table.survey(visit)  # the rows counted and sampled in the same pass
        self.total = len(last)
        self.ends = bytearray(self.rows)  # 1: the row is its activity's last
        for row in last.values():
            self.ends[row] = 1
        self.repeated = {h: (names[h], "") for h in repeated}

    def batches(self, size: int, errors: list[RowError]) -> Iterator[list[ActivityRow]]:
        """Lists of at most ``size`` activities without errors (theirs are
        added to ``errors``)."""
        unmapped = self.table.unmapped()
        pending: OrderedDict[str, ActivityRow] = OrderedDict()
        complete: set[str] = set()
        batch: list[ActivityRow] = []
        for ordinal, (number, values) in enumerate(self.table.rows):
            row = parse_activity(RowCells(self.table, number, values, errors), unmapped)
            if not row.name:
                continue
            first = pending.setdefault(row.key(), row)
            if first is not row:
                first.merge(row)
                first.cells.failed = first.cells.failed or row.cells.failed
            if ordinal < len(self.ends) and self.ends[ordinal]:
                complete.add(row.key())
            while pending and next(iter(pending)) in complete:
                key, activity = pending.popitem(last=False)
                complete.discard(key)
                if self.take(activity, batch) and len(batch) >= size:
                    yield batch
                    batch = []
        for activity in pending.values():
            self.take(activity, batch)
        if batch:
            yield batch

    def take(self, activity: ActivityRow, batch: list[ActivityRow]) -> bool:
        """Add a complete activity to the batch unless it has errors."""
        self.done += 1
        self.check_duplicate(activity)
        if activity.cells.failed:
            return False
        batch.append(activity)
        return True

    def check_duplicate(self, activity: ActivityRow) -> None:
        """A name may be taken by one activity of the file only."""
        name, cells = norm(activity.name), activity.cells
        if hash(name) not in self.repeated:
            return
        first, first_name = self.repeated[hash(name)]
        if first == cells.number:
            self.repeated[hash(name)] = (first, name)
        elif first_name == name:
            key = "name" if cells.has("name") else "purposes"
            message = f"duplicate: also on row {first} of this file"
            cells.error(key, message, activity.name)
