"""Parsing the cells of a ROPA row: text, dates, yes/no, lawful bases, Art. 9
conditions, countries and transfer safeguards (docs/import.md)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from django.db import models
from django.utils import translation
from django_countries import countries

from inventory.models import (
    DataCategory,
    ProcessingActivity,
)
from reports.xlsx import MAX_CELL_CHARS, country_name, unneutralise
from ropa_import.read import Table, norm
from transfers import rules
from transfers.models import Transfer

# -- cell values -------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    """One bad cell (or row): where it is and what is wrong with it."""

    sheet: str
    row: int
    column: str
    value: str
    message: str

    def __str__(self) -> str:
        where = f"{self.sheet} row {self.row}"
        if self.column:
            where += f", column {self.column!r}"
        shown = f" (value: {self.value!r})" if self.value else ""
        return f"{where}: {self.message}{shown}"


class CellError(ValueError):
    """A cell that cannot be read as its column says; the message names why."""


EMPTY_WORDS = {"", "n/a", "na", "none", "-", "not applicable", "nil"}


def plain_text(value: Any) -> str:
    """Any cell as text, with the formula-neutralising prefix removed."""
    if value is None:
        return ""
    if isinstance(value, str):
        if len(value) > MAX_CELL_CHARS:
            raise CellError(f"longer than {MAX_CELL_CHARS:,} characters")
        return unneutralise(value)
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, datetime):
        midnight = value.time() == datetime.min.time()
        return value.date().isoformat() if midnight else value.isoformat(sep=" ")
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def split_lines(text: str, semicolons: bool) -> list[str]:
    parts = re.split(r"[\n;]" if semicolons else r"\n", text)
    return [" ".join(p.split()) for p in parts if p.strip()]


def parse_date(value: Any) -> date | None:
    """A typed date cell, or text as YYYY-MM-DD or DD/MM/YYYY (UK)."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = plain_text(value).strip()
    if not text:
        return None
    for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise CellError("not a date (use a date cell, YYYY-MM-DD or DD/MM/YYYY)")


def parse_bool(text: str) -> bool:
    words = norm(text).split()
    first = words[0].strip(".,;") if words else ""
    if first in ("", "no", "n", "false", "0", "n/a", "na"):
        return False
    if first in ("yes", "y", "true", "1"):
        return True
    raise CellError("not yes or no")


def choice_index(choices: type[models.TextChoices]) -> dict[str, str]:
    index = {norm(str(label)): value for value, label in choices.choices}
    return index | {norm(value): value for value in choices.values}


def by_words(text: str, words: Sequence[tuple[str, str]]) -> set[str]:
    found = norm(text)
    return {value for word, value in words if re.search(rf"\b{word}", found)}


def pick_one(
    text: str,
    choices: type[models.TextChoices],
    article: re.Pattern[str],
    words: Sequence[tuple[str, str]],
) -> str:
    """A choice by its label or value, its article reference (the letter of
    Art. 6(1) or 9(2), read from the choice labels), or its words."""
    exact = choice_index(choices).get(norm(text))
    if exact:
        return exact
    letters = {
        match[1]: value
        for value, label in choices.choices
        if (match := article.search(str(label).lower()))
    }
    found = {letters[m] for m in article.findall(text.lower()) if m in letters}
    found = found or by_words(text, words)
    if len(found) == 1:
        return found.pop()
    raise CellError("more than one was named" if found else "not recognised")


ART6 = re.compile(r"\b6\s*(?:\(\s*1\s*\)|\.\s*1\s*\.?)\s*\(?\s*([a-f])\b")
ART6_WORDS = (
    ("legitimate interest", "legitimate_interests"),
    ("legal obligation", "legal_obligation"),
    ("vital interest", "vital_interests"),
    ("public task", "public_task"),
    ("official authority", "public_task"),
    ("contract", "contract"),
    ("consent", "consent"),
)
ART9 = re.compile(r"\b9\s*(?:\(\s*2\s*\)|\.\s*2\s*\.?)\s*\(?\s*([a-j])\b")
ART9_WORDS = (
    ("explicit consent", "9_2_a"),
    ("employment", "9_2_b"),
    ("social security", "9_2_b"),
    ("vital interest", "9_2_c"),
    ("not.for.profit", "9_2_d"),
    ("made public", "9_2_e"),
    ("legal claim", "9_2_f"),
    ("substantial public interest", "9_2_g"),
    ("health or social care", "9_2_h"),
    ("occupational medicine", "9_2_h"),
    ("public health", "9_2_i"),
    ("archiving", "9_2_j"),
    ("research", "9_2_j"),
    ("statistic", "9_2_j"),
)


def parse_lawful_basis(text: str) -> str | None:
    """An Art. 6(1) basis written in words, as a reference or as exported."""
    if norm(text) in EMPTY_WORDS:
        return None
    try:
        return pick_one(text, ProcessingActivity.LawfulBasis, ART6, ART6_WORDS)
    except CellError as exc:
        raise CellError(
            f"unknown lawful basis ({exc}): write one of "
            "'Consent', 'Contract', 'Legal obligation', 'Vital interests', "
            "'Public task', 'Legitimate interests', or 'Art. 6(1)(a)'-'(f)'"
        ) from None


def parse_basis_line(line: str) -> tuple[str, str]:
    """``<basis>: <purposes>`` (one of several bases, as the controller record
    writes them), or a basis alone with no purposes."""
    head, sep, purposes = line.partition(":")
    if sep and purposes.strip():
        try:
            return parse_lawful_basis(head) or "", purposes.strip()
        except CellError:
            pass  # the colon belongs to the basis' own text
    return parse_lawful_basis(line) or "", ""


def parse_lawful_bases(text: str) -> tuple[str | None, list[tuple[str, str]]]:
    """The main basis and, when the cell ties bases to purposes (one
    ``<basis>: <purposes>`` per line), every basis with its purposes; a cell
    naming one basis alone has no list (Art. 6(1))."""
    found = [parse_basis_line(line) for line in text.splitlines() if line.strip()]
    if not any(purposes for _, purposes in found):
        return parse_lawful_basis(text), []
    if not all(basis and purposes for basis, purposes in found):
        raise CellError(
            "with several bases, write one '<basis>: <purposes>' per line, "
            "e.g. 'Contract: invoicing'"
        )
    return found[0][0], found


def parse_art9(text: str) -> str:
    """An Art. 9(2) condition written in words, as a reference or as exported."""
    if norm(text) in EMPTY_WORDS:
        return ""
    try:
        return pick_one(text, ProcessingActivity.Art9Condition, ART9, ART9_WORDS)
    except CellError as exc:
        raise CellError(
            f"unknown Art. 9 condition ({exc}): write e.g. 'Explicit consent' "
            "or 'Art. 9(2)(a)'-'(j)'"
        ) from None


def parse_status(text: str) -> str | None:
    if not text.strip():
        return None
    found = choice_index(ProcessingActivity.Status).get(norm(text))
    if found is None:
        raise CellError("unknown status: write Active, Draft or Retired")
    return found


ART9_KIND_WORDS = (
    ("racial", "racial_ethnic"),
    ("ethnic", "racial_ethnic"),
    ("political", "political"),
    ("religio", "religious"),
    ("philosoph", "religious"),
    ("trade.union", "trade_union"),
    ("genetic", "genetic"),
    ("biometric", "biometric"),
    ("health", "health"),
    ("sex life", "sex_life"),
    ("sexual orientation", "sex_life"),
)


def parse_art9_kind(text: str) -> str:
    found = choice_index(DataCategory.Art9Kind).get(norm(text))
    kinds = {found} if found else by_words(text, ART9_KIND_WORDS)
    if len(kinds) != 1:
        raise CellError(f"unknown Art. 9 kind {text!r}: write e.g. 'Health data'")
    return kinds.pop()


COUNTRY_ALIASES = {
    "uk": "GB",
    "great britain": "GB",
    "england": "GB",
    "usa": "US",
    "united states of america": "US",
    "u.s.": "US",
    "the netherlands": "NL",
}


def country_index() -> dict[str, str]:
    """English names, ISO alpha-2 and alpha-3 codes and a few aliases."""
    index = dict(COUNTRY_ALIASES)
    with translation.override("en"):
        for country in countries:
            index[norm(str(country.name))] = country.code
            index[norm(country.code)] = country.code
            index[norm(countries.alpha3(country.code))] = country.code
    return index


MECHANISM_WORDS = (
    ("standard contractual clause", "scc"),
    ("sccs?", "scc"),
    ("adequacy", "adequacy"),
    ("adequate", "adequacy"),
    ("data privacy framework", "adequacy"),
    ("binding corporate rule", "bcr"),
    ("bcrs?", "bcr"),
    ("code of conduct", "code_of_conduct"),
    ("certification", "certification"),
    ("derogation", "derogation"),
    ("art(icle|\\.)? ?49", "derogation"),
    ("no safeguard", "none"),  # the export's line for an uncovered flow
)
MODULE = re.compile(r"\(?\s*(?:scc\s+)?module\s*([1-4])\s*\)?", re.IGNORECASE)


def parse_mechanism(text: str) -> tuple[str, int | None]:
    """A Chapter V tool (label, value or words) and the SCC module if named."""
    module_match = MODULE.search(text)
    module = int(module_match[1]) if module_match else None
    bare = MODULE.sub(" ", text)
    exact = choice_index(Transfer.Mechanism).get(norm(bare))
    found = {exact} if exact else by_words(bare, MECHANISM_WORDS)
    if len(found) != 1:
        raise CellError(
            "unknown transfer mechanism: write e.g. 'Standard contractual clauses', "
            "'Adequacy decision', 'Binding corporate rules', 'Derogation' or 'None'"
        )
    return found.pop(), module


@dataclass(frozen=True)
class TransferLine:
    """One transfer as the record shows it: country, mechanism, SCC module."""

    country: str
    mechanism: str
    module: int | None = None

    def text(self) -> str:
        module = f" (SCC Module {self.module})" if self.module else ""
        return f"{country_name(self.country)}: {self.mechanism}{module}"

    def matches(self, other: TransferLine) -> bool:
        same = (self.country, self.mechanism) == (other.country, other.mechanism)
        return same and (self.module is None or self.module == other.module)


# Decision 2021/914 module headings: One C-C, Two C-P, Three P-P, Four P-C.
MODULE_ROLES: dict[int, tuple[str, str]] = {
    1: (rules.Role.CONTROLLER, rules.Role.CONTROLLER),
    2: (rules.Role.CONTROLLER, rules.Role.PROCESSOR),
    3: (rules.Role.PROCESSOR, rules.Role.PROCESSOR),
    4: (rules.Role.PROCESSOR, rules.Role.CONTROLLER),
}


# -- one spreadsheet row -----------------------------------------------------


class RowCells:
    """The cells of one row by field key, with errors named by sheet, row and
    column header."""

    def __init__(
        self, table: Table, number: int, values: tuple[Any, ...], errors: list[RowError]
    ) -> None:
        self.table, self.number, self.values = table, number, values
        self.errors = errors
        self.reported: set[RowError] = set()
        self.failed = False

    def has(self, key: str) -> bool:
        return key in self.table.columns

    def raw(self, key: str) -> Any:
        column = self.table.columns.get(key)
        if column is None or column.index >= len(self.values):
            return None
        return self.values[column.index]

    def error(self, key: str, message: str, value: Any = None) -> None:
        column = self.table.columns.get(key)
        shown = plain_text_safe(self.raw(key) if value is None else value)
        header = column.header if column else ""
        error = RowError(self.table.sheet, self.number, header, shown, message)
        if error not in self.reported:  # a cell read twice is reported once
            self.reported.add(error)
            self.errors.append(error)
        self.failed = True

    def read(self, key: str, parse: Callable[[Any], Any]) -> Any:
        """parse(raw value), or None with an error recorded."""
        try:
            return parse(self.raw(key))
        except CellError as exc:
            self.error(key, str(exc))
            return None

    def text(self, key: str) -> str:
        return self.read(key, plain_text) or ""

    def items(self, key: str) -> list[str]:
        return split_lines(self.text(key), semicolons=not self.table.own)


def plain_text_safe(value: Any) -> str:
    text = value if isinstance(value, str) else plain_text(value)
    text = str(value) if value is not None and not text else text
    return text if len(text) <= 80 else text[:77] + "..."


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
)
TEXT_PARSERS: dict[str, Callable[[str], Any]] = {
    "status": parse_status,
    "art9_condition": parse_art9,
    "dpia_required": parse_bool,
}
NAME_LISTS = (
    "data_subject_categories",
    "data_categories",
    "recipients",
    "systems",
    "security_measures",
)


@dataclass
class ActivityRow:
    """One parsed row of the controller record."""

    cells: RowCells
    ref: str
    name: str
    scalars: dict[str, Any]
    names: dict[str, list[str]]
    specials: list[tuple[str, str]]  # (data category text, Art. 9 kind)
    bases: list[tuple[str, str]] | None  # (lawful basis, purposes) when read
    transfers: list[TransferLine] | None


def via_text(parse: Callable[[str], Any]) -> Callable[[Any], Any]:
    return lambda value: parse(plain_text(value))


def parse_scalars(cells: RowCells) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key in (k for k in TEXT_FIELDS if cells.has(k)):
        values[key] = cells.text(key)
    for key, parse in TEXT_PARSERS.items():
        if cells.has(key):
            values[key] = cells.read(key, via_text(parse))
    if cells.has("next_review_on"):
        values["next_review_on"] = cells.read("next_review_on", parse_date)
    if values.get("status", "") is None:
        del values["status"]  # an empty status leaves it (or the default) alone
    return values


def parse_name(cells: RowCells) -> str:
    """The activity's name; an ICO sheet without one uses the purpose's first line."""
    key = "name" if cells.has("name") else "purposes"
    lines = cells.text(key).strip().splitlines()
    name = " ".join(lines[0].split()) if lines else ""
    if not name:
        cells.error(key, "missing the processing activity's name")
    return name


def parse_specials(cells: RowCells) -> list[tuple[str, str]]:
    """``<data category>: <Art. 9 kind>`` per line."""
    found = []
    for line in cells.items("special_categories"):
        category, _, kind = line.rpartition(":")
        if not category.strip():
            message = (
                "write '<data category>: <Art. 9 kind>', e.g. 'DC13 Health: Health'"
            )
            cells.error("special_categories", message, line)
            continue
        try:
            found.append((category.strip(), parse_art9_kind(kind)))
        except CellError as exc:
            cells.error("special_categories", str(exc), line)
    return found


def parse_countries(cells: RowCells, index: dict[str, str]) -> list[str]:
    codes = []
    for item in cells.items("third_countries"):
        if norm(item) in EMPTY_WORDS:
            continue
        code = index.get(norm(item))
        if code is None:
            cells.error("third_countries", "unknown country", item)
        elif code not in codes:
            codes.append(code)
    return codes


def parse_safeguard(
    cells: RowCells, line: str, index: dict[str, str]
) -> tuple[str | None, str, int | None] | None:
    """(country or None, mechanism, module) of one safeguard line."""
    country_text, sep, rest = line.partition(":")
    code = index.get(norm(country_text)) if sep else None
    if sep and code is None:
        cells.error("transfer_safeguards", "unknown country", country_text)
        return None
    try:
        mechanism, module = parse_mechanism(rest if code else line)
    except CellError as exc:
        cells.error("transfer_safeguards", str(exc), line)
        return None
    return code, mechanism, module


def parse_transfers(
    cells: RowCells, index: dict[str, str]
) -> list[TransferLine] | None:
    """The transfers the Third countries and Transfer safeguards cells describe."""
    if not (cells.has("third_countries") or cells.has("transfer_safeguards")):
        return None
    codes = parse_countries(cells, index)
    named, general = [], []
    for line in cells.items("transfer_safeguards"):
        if norm(line) in EMPTY_WORDS:
            continue
        parsed = parse_safeguard(cells, line, index)
        if parsed and parsed[0]:
            named.append(TransferLine(parsed[0], parsed[1], parsed[2]))
        elif parsed:
            general.append(parsed)
    return named + unnamed_lines(cells, codes, named, general)


def unnamed_lines(
    cells: RowCells,
    codes: list[str],
    named: list[TransferLine],
    general: list[tuple[str | None, str, int | None]],
) -> list[TransferLine]:
    """Third countries no line names: the general safeguard, else none."""
    rest = [c for c in codes if c not in {line.country for line in named}]
    if general and not rest:
        cells.error("transfer_safeguards", "no third country for this safeguard")
    mechanism, module = (general[0][1], general[0][2]) if general else ("none", None)
    return [TransferLine(code, mechanism, module) for code in rest]


def parse_activity(cells: RowCells, index: dict[str, str]) -> ActivityRow:
    ref = " ".join(cells.text("ref").split()) if cells.has("ref") else ""
    scalars = parse_scalars(cells)
    bases = None
    if cells.has("lawful_basis"):
        main, bases = cells.read("lawful_basis", via_text(parse_lawful_bases)) or (
            None,
            [],
        )
        scalars["lawful_basis"] = main
    return ActivityRow(
        cells,
        ref,
        parse_name(cells),
        scalars,
        {key: cells.items(key) for key in NAME_LISTS if cells.has(key)},
        parse_specials(cells) if cells.has("special_categories") else [],
        bases,
        parse_transfers(cells, index),
    )
