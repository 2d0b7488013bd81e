"""Reading a ROPA workbook: the file within its limits, then the sheets and
their header rows (docs/import.md)."""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from openpyxl import load_workbook

from reports.ropa import CONTROLLER_HEADERS
from reports.xlsx import unneutralise

MAX_ROWS = 50_000
HEADER_SCAN_ROWS = 20
SCAN_COLUMNS = 200
MAX_UNCOMPRESSED = 250 * 1024 * 1024
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"

CONTROLLER_SHEET = "Controller record"
ICO_SHEET = "Template"
ORGANISATION_SHEET = "Organisation"


class ImportFileError(ValueError):
    """The file as a whole cannot be imported: one line for the user."""


# -- opening the file within limits -----------------------------------------


def max_bytes() -> int:
    limit: int = settings.IMPORT_MAX_BYTES
    return limit


def read_limited(source: str | Path | IO[bytes]) -> bytes:
    """The file's bytes, refusing more than IMPORT_MAX_BYTES without reading it all."""
    limit = max_bytes()
    if isinstance(source, str | Path):
        path = Path(source)
        if not path.is_file():
            raise ImportFileError(f"{path}: no such file")
        if path.stat().st_size > limit:
            raise ImportFileError(too_big(path.stat().st_size, limit))
        return path.read_bytes()
    data = source.read(limit + 1)
    if len(data) > limit:
        raise ImportFileError(too_big(None, limit))
    return data


def too_big(size: int | None, limit: int) -> str:
    shown = f" ({size:,} bytes)" if size is not None else ""
    return f"the file is too big{shown}: at most {limit:,} bytes (IMPORT_MAX_BYTES)"


def check_container(data: bytes) -> None:
    """Refuse what openpyxl should never see: not a zip, encrypted, a zip bomb."""
    if data.startswith(OLE_MAGIC):
        raise ImportFileError(
            "the file is encrypted (password-protected) or a legacy .xls workbook: "
            "save it as an unencrypted .xlsx workbook and import that"
        )
    if not data.startswith(ZIP_MAGIC):
        raise ImportFileError("the file is not an Excel workbook (.xlsx)")
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError):
        raise ImportFileError("the file is not a readable .xlsx workbook") from None
    check_sizes(infos)


def check_sizes(infos: Sequence[zipfile.ZipInfo]) -> None:
    total = sum(info.file_size for info in infos)
    if total > MAX_UNCOMPRESSED:
        raise ImportFileError(
            f"the workbook would unpack to {total:,} bytes (at most "
            f"{MAX_UNCOMPRESSED:,}): refused as a possible zip bomb"
        )
    for info in infos:
        if info.file_size > MAX_RATIO * max(info.compress_size, 1024):
            raise ImportFileError(
                f"the workbook part {info.filename} is compressed more than "
                f"{MAX_RATIO}:1: refused as a possible zip bomb"
            )


# -- recognising sheets and headers -----------------------------------------


def norm(text: str) -> str:
    """Case- and space-insensitive form of a name or header."""
    text = text.replace("_", " ").replace("\u2019", "'").casefold()
    return " ".join(text.split()).strip(" ?:*")


_NOTES = re.compile(r"\([^)]*\)")


def norm_loose(text: str) -> str:
    """norm() without parenthesised notes such as "(if applicable)"."""
    return norm(_NOTES.sub(" ", text))


# This service's own headers, in CONTROLLER_HEADERS order (docs/import.md).
OWN_FIELDS = (
    "ref",
    "name",
    "status",
    "owner",
    "purposes",
    "lawful_basis",
    "legitimate_interest",
    "lia_reference",
    "consent_record_reference",
    "art9_condition",
    "art10_basis",
    "data_subject_categories",
    "data_categories",
    "special_categories",
    "data_source",
    "recipients",
    "systems",
    "third_countries",
    "transfer_safeguards",
    "retention",
    "retention_per_category",  # derived from the data categories: not read
    "security_measures",
    "dpia_required",
    "dpia_reference",
    "next_review_on",
    "rights_available",
    "automated_decisions",
    "profiling",
    "automated_decision_logic",
    "dpia_status",
)

# The UK ICO controller template (sheet "Template"), the short
# forms and a few common aliases. Keys are norm_loose() forms.
ALIASES: dict[str, str] = {
    "business function": "owner",
    "purpose of processing": "purposes",
    "purpose": "purposes",
    "categories of individuals": "data_subject_categories",
    "data subjects": "data_subject_categories",
    "categories of personal data": "data_categories",
    "categories of recipients": "recipients",
    "names of third countries or international organisations that personal "
    "data are transferred to": "third_countries",
    "third countries / ios data are transferred to": "third_countries",
    "third countries": "third_countries",
    "safeguards for exceptional transfers of personal data to third countries "
    "or international organisations": "transfer_safeguards",
    "safeguards for exceptional transfers": "transfer_safeguards",
    "safeguards": "transfer_safeguards",
    "retention schedule": "retention",
    "general description of technical and organisational security measures": (
        "security_measures"
    ),
    "general description of toms": "security_measures",
    "technical and organisational measures": "security_measures",
    "article 6 lawful basis for processing personal data": "lawful_basis",
    "art. 6 lawful basis": "lawful_basis",
    "article 9 condition for processing special category data": "art9_condition",
    "art. 9 condition": "art9_condition",
    "legitimate interests for the processing": "legitimate_interest",
    "legitimate interests pursued": "legitimate_interest",
    "link to record of legitimate interests assessment": "lia_reference",
    "link to lia record": "lia_reference",
    "the source of the personal data": "data_source",
    "source of the personal data": "data_source",
    "link to record of consent": "consent_record_reference",
    "location of personal data": "systems",
    "data protection impact assessment required": "dpia_required",
    "dpia required?": "dpia_required",
    "link to data protection impact assessment": "dpia_reference",
    "link to dpia": "dpia_reference",
    "dpia progress": "dpia_status",
    "rights available to individuals": "rights_available",
    "existence of automated decision-making, including profiling": (
        "automated_decision_logic"
    ),
    "activity": "name",
    "activity name": "name",
    "processing activity name": "name",
    "name of processing activity": "name",
    "name": "name",
    "ref": "ref",
    "reference": "ref",
    "next review date": "next_review_on",
    "review date": "next_review_on",
}

ORGANISATION_ALIASES: dict[str, str] = {
    "name": "name",
    "organisation": "name",
    "address": "address",
    "country": "country",
    "contact": "contact",
    "dpo": "dpo",
    "data protection officer": "dpo",
    "representative": "representative",
    "representative (art. 27)": "representative",
}


def controller_aliases() -> dict[str, str]:
    own = dict(zip(CONTROLLER_HEADERS, OWN_FIELDS, strict=True))
    return {norm_loose(k): v for k, v in ALIASES.items()} | {
        norm(header): key for header, key in own.items()
    }


def field_for(header: Any, aliases: dict[str, str]) -> str | None:
    if not isinstance(header, str) or not header.strip():
        return None
    text = unneutralise(header)
    return aliases.get(norm(text)) or aliases.get(norm_loose(text))


@dataclass(frozen=True)
class Column:
    index: int
    header: str


@dataclass
class Table:
    """One sheet's header and non-empty data rows (spreadsheet row numbers)."""

    sheet: str
    header_row: int
    columns: dict[str, Column]
    rows: list[tuple[int, tuple[Any, ...]]]
    own: bool  # this service's layout: lists are split on newlines only


def header_columns(
    row: Sequence[Any], aliases: dict[str, str]
) -> dict[str, Column] | None:
    """The known columns of a candidate header row (first of each kind wins)."""
    found: dict[str, Column] = {}
    for index, value in enumerate(row):
        key = field_for(value, aliases)
        if key and key not in found:
            found[key] = Column(index, " ".join(unneutralise(value).split()))
    return found if len(found) >= 2 else None


def find_header(
    ws: Any, aliases: dict[str, str]
) -> tuple[int, dict[str, Column]] | None:
    scan = ws.iter_rows(
        max_row=HEADER_SCAN_ROWS, max_col=SCAN_COLUMNS, values_only=True
    )
    for number, row in enumerate(scan, start=1):
        columns = header_columns(row, aliases)
        if columns:
            return number, columns
    return None


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def data_rows(
    ws: Any, header_row: int, ncols: int
) -> list[tuple[int, tuple[Any, ...]]]:
    """Non-empty rows below the header, at most MAX_ROWS of them."""
    found: list[tuple[int, tuple[Any, ...]]] = []
    rows = ws.iter_rows(min_row=header_row + 1, max_col=ncols, values_only=True)
    for number, row in enumerate(rows, start=header_row + 1):
        if all(is_empty(v) for v in row):
            continue
        if len(found) >= MAX_ROWS:
            raise ImportFileError(
                f"sheet {ws.title!r} has more than {MAX_ROWS:,} rows: split the file"
            )
        found.append((number, tuple(row)))
    return found


def read_table(ws: Any, aliases: dict[str, str], own: bool) -> Table | None:
    header = find_header(ws, aliases)
    if header is None:
        return None
    number, columns = header
    ncols = max(c.index for c in columns.values()) + 1
    return Table(ws.title, number, columns, data_rows(ws, number, ncols), own)


def by_title(book: Any, title: str) -> Any | None:
    return next((ws for ws in book.worksheets if norm(ws.title) == norm(title)), None)


def controller_table(book: Any) -> Table:
    """The Controller record sheet, else the ICO Template sheet, else the first
    sheet with a recognisable header row."""
    aliases = controller_aliases()
    for title in (CONTROLLER_SHEET, ICO_SHEET):
        ws = by_title(book, title)
        if ws is not None:
            table = read_table(ws, aliases, own=title == CONTROLLER_SHEET)
            if table is None:
                raise ImportFileError(no_header(ws.title))
            return table
    for ws in book.worksheets:
        if norm(ws.title) != norm(ORGANISATION_SHEET):
            table = read_table(ws, aliases, own=False)
            if table is not None:
                return table
    raise ImportFileError(no_header(None))


def no_header(sheet: str | None) -> str:
    where = f"sheet {sheet!r}" if sheet else "no sheet"
    return (
        f"{where} has no header row in its first {HEADER_SCAN_ROWS} rows naming "
        f"the columns (e.g. {', '.join(CONTROLLER_HEADERS[:3])}, or the ICO "
        "template's 'Purpose of processing', 'Categories of individuals')"
    )


def check_required(table: Table) -> None:
    """The activity name (or, in ICO sheets, the purpose that names it)."""
    if "name" in table.columns or ("purposes" in table.columns and not table.own):
        return
    raise ImportFileError(
        f"sheet {table.sheet!r} row {table.header_row}: missing required column "
        f"{CONTROLLER_HEADERS[1]!r} (or the ICO template's 'Purpose of processing')"
    )


def organisation_table(book: Any) -> Table | None:
    ws = by_title(book, ORGANISATION_SHEET)
    return None if ws is None else read_table(ws, ORGANISATION_ALIASES, own=True)


@dataclass
class Book:
    organisation: Table | None
    controller: Table


def read_book(data: bytes) -> Book:
    """Both tables, read in full within the limits, then the workbook closed."""
    check_container(data)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on bad files
        raise ImportFileError("the file is not a readable .xlsx workbook") from None
    try:
        controller = controller_table(book)
        check_required(controller)
        return Book(organisation_table(book), controller)
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed part, one line for the user
        raise ImportFileError(f"the workbook cannot be read: {exc}") from None
    finally:
        book.close()
