"""Reading a ROPA workbook: the file within its limits, then the sheets and
their header rows (docs/import.md)."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import IO, Any

from django.conf import settings
from openpyxl import load_workbook
from openpyxl.worksheet import _read_only
from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG, WorkSheetParser
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.xml.functions import iterparse

from reports.ropa import CONTROLLER_HEADERS
from reports.xlsx import unneutralise
from ropa_import.headings import (
    DERIVED,
    IGNORED,
    all_fields,
    contact_label,
    contact_section,
    field_for,
    field_under,
    norm,
)
from ropa_import.models import SavedMapping

MAX_ROWS = 50_000
SAMPLES = 3  # values shown for each column in the mapping
HEADER_SCAN_ROWS = 30
SCAN_COLUMNS = 200
MAX_UNCOMPRESSED = 250 * 1024 * 1024
MAX_RATIO = 200
OLE_MAGIC = b"\xd0\xcf\x11\xe0"
ZIP_MAGIC = b"PK\x03\x04"

CONTROLLER_SHEET = "Controller record"
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


@dataclass
class Column:
    """One headed column; ``field`` None: not recognised (its text is kept in
    the record's notes), ``ignored``: the DPO chose to leave it out."""

    index: int
    header: str
    field: str | None


@dataclass
class Table:
    """One sheet's header and non-empty data rows (spreadsheet row numbers):
    a list, or ``SheetRows`` streaming them from the workbook at each pass."""

    sheet: str
    header_row: int
    all_columns: list[Column]
    rows: Iterable[tuple[int, tuple[Any, ...]]]
    own: bool  # this service's layout: lists are split on newlines only
    contact: dict[str, dict[str, str]] = field(default_factory=dict)

    @cached_property
    def columns(self) -> dict[str, list[Column]]:
        """The columns of each field (read once per row and field: cached,
        and recomputed when the mapping changes)."""
        found: dict[str, list[Column]] = {}
        for column in self.all_columns:
            if column.field and column.field not in (IGNORED, DERIVED):
                found.setdefault(column.field, []).append(column)
        return found

    def headings(self) -> list[str]:
        return [c.header for c in self.all_columns]

    @cached_property
    def samples(self) -> dict[int, list[Any]]:
        """The first ``SAMPLES`` non-empty values of each column."""
        return self.survey()

    def survey(
        self, visit: Callable[[int, tuple[Any, ...]], None] | None = None
    ) -> dict[int, list[Any]]:
        """One pass over the rows: counted against ``MAX_ROWS``, the samples
        kept, and ``visit(number, values)`` called for each."""
        found: dict[int, list[Any]] = {c.index: [] for c in self.all_columns}
        count = 0
        for number, row in self.rows:
            count += 1
            if count > MAX_ROWS:
                raise ImportFileError(too_many(self.sheet))
            for index, kept in found.items():
                if len(kept) < SAMPLES and index < len(row):
                    if not is_empty(row[index]):
                        kept.append(row[index])
            if visit is not None:
                visit(number, row)
        self.__dict__["samples"] = found
        return found

    def values(self, column: Column) -> list[Any]:
        """The column's first non-empty values (at most ``SAMPLES``)."""
        return self.samples.get(column.index, [])

    def unmapped(self) -> list[Column]:
        """Columns with content that no field takes: kept in the notes."""
        return [c for c in self.all_columns if c.field is None and self.values(c)]

    def apply_mapping(self, mapping: dict[str, str]) -> None:
        """The DPO's choices (heading -> field or "ignored") override ours."""
        chosen = {norm(k): v for k, v in mapping.items()}
        unknown = sorted({v for v in chosen.values() if v not in MAPPABLE})
        if unknown:
            raise ImportFileError(
                f"mapping: {', '.join(map(repr, unknown))} is not a field; use one "
                f"of {', '.join(MAPPABLE)}"
            )
        for column in self.all_columns:
            column.field = chosen.get(norm(column.header), column.field)
        self.__dict__.pop("columns", None)


MAPPABLE = (*all_fields(), IGNORED)


def text_of(value: Any) -> str:
    if value is None:
        return ""
    text = value if isinstance(value, str) else str(value)
    return " ".join(unneutralise(text).split())


def single_row(row: Sequence[Any], own: bool) -> list[Column]:
    return [
        Column(index, text, field_for(text, own))
        for index, value in enumerate(row)
        if (text := text_of(value))
    ]


def row_pair(top: Sequence[Any], bottom: Sequence[Any]) -> list[Column]:
    """A two-row header: a group heading (merged, so written in its first
    cell only) over sub-headings; a cell with nothing below is a heading of
    its own."""
    columns, group = [], ""
    for index in range(max(len(top), len(bottom))):
        upper = text_of(top[index]) if index < len(top) else ""
        lower = text_of(bottom[index]) if index < len(bottom) else ""
        group = upper or group
        if lower:
            header = f"{group} / {lower}" if group else lower
            columns.append(Column(index, header, field_under(group, lower)))
        elif upper:
            columns.append(Column(index, upper, field_for(upper)))
    return columns


def score(columns: list[Column]) -> int:
    return len({c.field for c in columns if c.field})


@dataclass
class Header:
    first: int  # the header's first and last rows (spreadsheet numbering)
    row: int
    columns: list[Column]


def find_header(scan: list[tuple[Any, ...]], own: bool) -> Header | None:
    """The row (or pair of rows) naming the most known fields, at least two;
    title, note and group rows above it name fewer."""
    best: Header | None = None
    best_score = 1
    for i, row in enumerate(scan):
        candidates = [Header(i + 1, i + 1, single_row(row, own))]
        if i + 1 < len(scan) and not own:
            pair = Header(i + 1, i + 2, row_pair(row, scan[i + 1]))
            if score(pair.columns) > score(single_row(scan[i + 1], own)):
                candidates.append(pair)
        for header in candidates:
            if score(header.columns) > best_score:
                best, best_score = header, score(header.columns)
    return best


def is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def too_many(sheet: str) -> str:
    return f"sheet {sheet!r} has more than {MAX_ROWS:,} rows: split the file"


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
            raise ImportFileError(too_many(ws.title))
        found.append((number, tuple(row)))
    return found


class RowsParser(WorkSheetParser):
    """openpyxl's sheet parser as a read-only sheet uses it, with two
    changes. It keeps none of the attributes (height, style) of the rows:
    a read-only sheet never reads them, and they grew with the rows (about
    250 bytes each). And it looks for the sheet's size (``<dimension>``,
    which comes before the cells) only up to the start of the cells: openpyxl
    stops at their end, so a sheet without one (this service's exports) was
    parsed whole each time the workbook was opened, a fifth of an import."""

    def parse_row(self, row: Any) -> tuple[int, list[Any]]:
        found: tuple[int, list[Any]] = super().parse_row(row)
        self.row_dimensions.clear()
        return found

    def parse_dimensions(self) -> tuple[int, int, int, int] | None:
        for _, element in iterparse(self.source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                found: tuple[int, int, int, int] = SheetDimension.from_tree(
                    element
                ).boundaries
                return found
            if element.tag == DATA_TAG:
                break
        return None


# The parser a read-only sheet creates to stream its rows (whose row
# attributes nothing reads in read-only mode).
_read_only.WorkSheetParser = RowsParser


class SheetRows:
    """A sheet's non-empty data rows, read from the workbook again at each
    pass (openpyxl's streaming reader), so that they are never all in memory
    at once: the import reads the sheet once for its activities' keys, then
    once to parse them batch by batch (docs/import.md)."""

    def __init__(self, data: bytes, title: str, header_row: int, ncols: int) -> None:
        self.data, self.title = data, title
        self.header_row, self.ncols = header_row, ncols

    def __iter__(self) -> Iterator[tuple[int, tuple[Any, ...]]]:
        book = open_book(self.data)
        try:
            ws = book[self.title]
            rows = ws.iter_rows(
                min_row=self.header_row + 1, max_col=self.ncols, values_only=True
            )
            for number, row in enumerate(rows, start=self.header_row + 1):
                if not all(is_empty(v) for v in row):
                    yield number, tuple(row)
        except Exception as exc:  # noqa: BLE001 - a malformed part: one line
            raise ImportFileError(f"the workbook cannot be read: {exc}") from None
        finally:
            book.close()


def open_book(data: bytes) -> Any:
    try:
        return load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # noqa: BLE001 - openpyxl fails in many ways on bad files
        raise ImportFileError("the file is not a readable .xlsx workbook") from None


def scan_rows(ws: Any) -> list[tuple[Any, ...]]:
    rows = ws.iter_rows(
        max_row=HEADER_SCAN_ROWS, max_col=SCAN_COLUMNS, values_only=True
    )
    return [tuple(row) for row in rows]


def read_table(ws: Any, own: bool, data: bytes) -> Table | None:
    scan = scan_rows(ws)
    header = find_header(scan, own)
    if header is None:
        return None
    ncols = max(c.index for c in header.columns) + 1
    return Table(
        ws.title,
        header.row,
        header.columns,
        SheetRows(data, ws.title, header.row, ncols),
        own,
        contact_block(scan[: header.first - 1]),
    )


def contact_block(rows: list[tuple[Any, ...]]) -> dict[str, dict[str, str]]:
    """Art. 30(1)(a) above the table: "Name / Address / Email / Telephone"
    of the controller, its DPO and its representative, either one section
    after another or side by side under section headings."""
    block: dict[str, dict[str, str]] = {}
    section, by_column = "entity", {}
    label_columns: dict[int, str] = {}
    for row in rows:
        cells = [(i, text_of(v)) for i, v in enumerate(row) if text_of(v)]
        labels = [(i, contact_label(t)) for i, t in cells]
        named = [label for _, label in labels if label]
        if len(named) >= 2 and len(named) == len(labels):
            label_columns = {i: label for i, label in labels if label}
            continue
        if label_columns and cells and (owner := contact_section(cells[0][1])):
            for index, value in cells[1:]:
                if index in label_columns:
                    block.setdefault(owner, {}).setdefault(label_columns[index], value)
            continue
        sections = {i: s for i, t in cells if (s := contact_section(t))}
        if sections and not any(label for _, label in labels):
            by_column, section = sections, next(iter(sections.values()))
            continue
        for position, (_index, label) in enumerate(labels):
            if label is None or position + 1 >= len(cells):
                continue
            value_index, value = cells[position + 1]
            if contact_label(value):
                continue
            owner = section_at(by_column, value_index) or section
            block.setdefault(owner, {}).setdefault(label, value)
            for other_index, other in cells[position + 2 :]:
                other_owner = section_at(by_column, other_index)
                if other_owner and other_owner != owner:
                    block.setdefault(other_owner, {}).setdefault(label, other)
    return block


def section_at(by_column: dict[int, str], index: int) -> str | None:
    left = [i for i in by_column if i <= index]
    return by_column[max(left)] if left else None


def by_title(book: Any, title: str) -> Any | None:
    return next((ws for ws in book.worksheets if norm(ws.title) == norm(title)), None)


def controller_table(book: Any, data: bytes) -> Table:
    """The Controller record sheet (this service's export), else the sheet
    whose header names the most known columns."""
    own = by_title(book, CONTROLLER_SHEET)
    if own is not None:
        table = read_table(own, own=True, data=data)
        if table is None:
            raise ImportFileError(no_header([own.title]))
        return table
    sheets = [
        ws for ws in book.worksheets if norm(ws.title) != norm(ORGANISATION_SHEET)
    ]
    tables = [
        t for ws in sheets if (t := read_table(ws, own=False, data=data)) is not None
    ]
    if not tables:
        raise ImportFileError(no_header([ws.title for ws in sheets]))
    return max(tables, key=lambda t: score(t.all_columns))


def no_header(sheets: list[str]) -> str:
    looked = ", ".join(repr(s) for s in sheets) or "none"
    return (
        f"no sheet has a header row in its first {HEADER_SCAN_ROWS} rows naming "
        f"at least two known columns (sheets looked at: {looked}); expected "
        f"headings such as {', '.join(CONTROLLER_HEADERS[1:5])}, the ICO "
        "template's 'Purpose of processing', the CNIL's 'Finalité(s)' or "
        "'Zwecke der Verarbeitung'"
    )


def check_required(table: Table) -> None:
    """The activity name (or the purpose, whose first line names it)."""
    if "name" in table.columns or ("purposes" in table.columns and not table.own):
        return
    raise ImportFileError(
        f"sheet {table.sheet!r} row {table.header_row}: missing required column "
        f"{CONTROLLER_HEADERS[1]!r} (or a purpose column such as 'Purpose of "
        f"processing'); headings found: {', '.join(table.headings())}"
    )


ORGANISATION_FIELDS = {
    "name": "name",
    "organisation": "name",
    "address": "address",
    "country": "country",
    "contact": "contact",
    "dpo": "dpo",
    "data protection officer": "dpo",
    "representative": "representative",
    "representative art 27": "representative",
}


def organisation_table(book: Any) -> Table | None:
    ws = by_title(book, ORGANISATION_SHEET)
    if ws is None:
        return None
    scan = scan_rows(ws)
    if not scan:
        return None
    columns = [
        Column(c.index, c.header, ORGANISATION_FIELDS.get(norm(c.header)))
        for c in single_row(scan[0], own=True)
    ]
    ncols = max((c.index for c in columns), default=0) + 1
    return Table(ws.title, 1, columns, data_rows(ws, 1, ncols), own=True)


@dataclass
class Book:
    organisation: Table | None
    controller: Table


def read_book(data: bytes, mapping: dict[str, str] | None = None) -> Book:
    """Both tables within the limits: the Organisation rows in full, the
    Controller record's headers; its rows are streamed from ``data`` at each
    pass (``Table.survey`` counts them against ``MAX_ROWS``). ``mapping``
    (heading -> field or "ignored") overrides the recognised columns; without
    it, the mapping saved for these headings does."""
    check_container(data)
    book = open_book(data)
    try:
        controller = controller_table(book, data)
        chosen = mapping or SavedMapping.for_headings(controller.headings())
        if chosen:
            controller.apply_mapping(chosen)
        check_required(controller)
        return Book(organisation_table(book), controller)
    except ImportFileError:
        raise
    except Exception as exc:  # noqa: BLE001 - a malformed part, one line for the user
        raise ImportFileError(f"the workbook cannot be read: {exc}") from None
    finally:
        book.close()
