"""Shared XLSX writer for every report workbook.

Report builders (ROPA under GDPR Art. 30, TIA, DPA annexes, change logs) hand this
module plain rows; it owns the things every workbook must get right the same way:
neutralising spreadsheet formula injection (CWE-1236, OWASP CSV injection, ASVS
V1.2.10; CWE-1236), typed cells, a layout an auditor can read without
reformatting, streaming for large inventories, and byte-reproducible output so a
stored report can be regenerated and compared as evidence.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import io
import itertools
import math
import re
import shutil
import tempfile
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from functools import cache
from typing import IO, Any

from django.core.signals import setting_changed
from django.db import models
from django.dispatch import receiver
from django.utils import translation
from django_countries import countries
from openpyxl import LXML, Workbook
from openpyxl.cell._writer import write_cell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.styles.cell_style import StyleArray
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet
from openpyxl.worksheet.dimensions import RowDimension
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.pagebreak import Break
from openpyxl.worksheet.worksheet import Worksheet

CellValue = (
    str
    | int
    | float
    | bool
    | datetime.date
    | datetime.datetime
    | decimal.Decimal
    | None
)

# OWASP "CSV Injection" triggers plus NUL from ASVS V1.2.10.
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")

MANIFEST_TITLE = "Manifest"
# Excel refuses to open (or "repairs") cells longer than this.
MAX_CELL_CHARS = 32_767
MIN_WIDTH, MAX_WIDTH = 12, 60
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
_ZIP_EPOCH = datetime.datetime(1980, 1, 1)
_ZIP_MAX = datetime.datetime(2107, 12, 31, 23, 59, 58)

# Built once: openpyxl hashes style objects by value, so they are registered per
# workbook as two named styles and each cell only copies their small style array
# (assigning Font/Alignment per cell made 2 M cells about three times slower, and
# assigning the named style by name per cell cost a third of a large report).
# The font named, not left to the viewer: LibreOffice otherwise falls back to a
# wider serif and the row heights computed here no longer fit (Calibri, or its
# metric twin Carlito, is what the heights are estimated for).
FONT_NAME, FONT_SIZE = "Calibri", 11
HEADER_FONT = Font(name=FONT_NAME, sz=FONT_SIZE, bold=True)
DATA_FONT = Font(name=FONT_NAME, sz=FONT_SIZE)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
DATA_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
HEADER_STYLE = "kbinventory header"
DATA_STYLE = "kbinventory data"

# Row heights: LibreOffice does not fit rows to their wrapped text when it opens
# a file (Excel does), so long text overlapped the next row. Each row gets the
# height of its tallest cell, estimated from its text and column width.
LINE_POINTS = 15  # one line of the default 11-point font
MAX_ROW_POINTS = 409  # Excel's limit
# Characters per unit of column width. A unit is one digit of Calibri 11, and
# average text is narrower; word wrap is counted at spaces (_wrapped), so 1.1
# leaves a little spare room, measured in LibreOffice's PDF rendering.
CHARS_PER_WIDTH = 1.1
# Sheets of up to this many rows are read before writing, to widen columns to
# their longest word; longer ones (the change log of a large inventory) stream.
PEEK_ROWS = 2000
MAX_WORD_WIDTH = 48
MIN_CONTENT_WIDTH = 6
# Printing (docs/workbooks.md): A4 landscape. A sheet that fits one page wide
# at MIN_SCALE % or more is fitted to the width; a wider one (a record of 30
# columns would shrink to a third, unreadable) prints at PRINT_SCALE % in groups
# of columns, each group's pages after the previous group's, with its key
# columns (the record's reference and name) repeated at the left of every page.
PAGE_POINTS = (11.69 - 0.3 - 0.3) * 72  # A4 landscape less the side margins
MIN_SCALE = 70
PRINT_SCALE = 70


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row, then rows streamed in order."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[CellValue]]
    widths: Sequence[int] | None = None
    # Every report is a document people print, file or attach to a contract:
    # landscape, one page wide, header row on every page (docs/workbooks.md).
    printable: bool = True
    # Written after the Manifest (a kind whose listed sheets end with it but
    # which has more to show); the Manifest still counts its rows.
    after_manifest: bool = False
    # The leading columns that say which record a row is (its reference and
    # name): repeated on every page when the sheet prints in column groups.
    key_columns: int = 1
    # The widths are the most each column may take: each is narrowed to its
    # content (its longest line, its header's longest word), so a wide record
    # prints in fewer column groups (docs/workbooks.md).
    fit_content: bool = False


@dataclass(frozen=True)
class PageTitle:
    """What every printed page says it belongs to (the page header)."""

    kind: str  # the report, e.g. "Record of processing activities (controller)"
    subject: str  # the customer or transfer it is about; may be empty
    as_of: str  # the moment, as the user asked for it


FINGERPRINT_FIELD = "Inventory fingerprint (SHA-256)"
FOOTER_FINGERPRINT_CHARS = 16


def _needs_prefix(text: str) -> bool:
    """Whether text, read past any leading apostrophes, would start a formula.

    Looking past apostrophes makes neutralise/unneutralise exact inverses: text that
    really starts with "'=" gets one more "'" so the importer's strip is unambiguous.
    Leading whitespace is skipped too, because some viewers trim it.
    """
    core = text.lstrip("'")
    return core[:1] in TRIGGERS or core.lstrip()[:1] in TRIGGERS


def neutralise(text: str) -> str:
    """Prefix "'" so a spreadsheet never reads the text as a formula (CWE-1236)."""
    return "'" + text if _needs_prefix(text) else text


def unneutralise(text: str) -> str:
    """Undo neutralise() for importers, keeping apostrophes that were real text."""
    if text.startswith("'") and _needs_prefix(text):
        return text[1:]
    return text


def _naive_utc(value: datetime.datetime) -> datetime.datetime:
    """Excel has no time zones; callers pass naive UTC, aware values are converted."""
    if value.tzinfo is None:
        return value
    return value.astimezone(datetime.UTC).replace(tzinfo=None)


# What _clean_text() changes: a control character XML cannot hold (openpyxl's
# ILLEGAL_CHARACTERS_RE) or a carriage return. Text free of them, not starting
# with a trigger, an apostrophe or whitespace, and within Excel's limit is
# stored as it is (nine cells in ten of a record).
_TO_CLEAN = re.compile(r"[\000-\010\013\014\016-\037\r]")


def _clean_text(text: str) -> str:
    """Make user text storable: control characters, line ends, Excel's cell limit.

    XML cannot hold most control characters and turns CR into LF when read, so
    both are normalised here, visibly and the same for every reader, rather than
    failing the report; overlong text is cut with a marker, not silently.
    """
    first = text[:1]
    if (
        len(text) <= MAX_CELL_CHARS
        and first not in TRIGGERS
        and first != "'"
        and not first.isspace()
        and _TO_CLEAN.search(text) is None
    ):
        return text
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = neutralise(ILLEGAL_CHARACTERS_RE.sub("\ufffd", text))
    if len(text) <= MAX_CELL_CHARS:
        return text
    marker = f" [... truncated, {len(text)} characters in total]"
    return text[: MAX_CELL_CHARS - len(marker)] + marker


def _plain_value(value: CellValue) -> CellValue:
    """Normalise a value to what the cell will hold; refuse what Excel can't show."""
    if isinstance(value, str):
        return _clean_text(value) or None  # Excel has no empty-string constant
    if isinstance(value, datetime.datetime):
        return _naive_utc(value)
    if isinstance(value, float | decimal.Decimal) and not math.isfinite(value):
        raise ValueError(f"non-finite number {value!r} cannot be written to Excel")
    return value


# Two-digit hours, so that the times of a column line up and sort as text.
TIME_FORMAT = "yyyy-mm-dd hh:mm:ss"


def _fill(cell: Cell, value: CellValue, style: StyleArray) -> Cell:
    """Give a cell a value that is not text, and its style.

    openpyxl types the value (a date gets a number format, so its own copy of
    the style array); text never comes here (_RowWriter writes it itself:
    openpyxl's typing would read "=..." as a formula and "#N/A" as an error).
    """
    cell._style = StyleArray(style)
    cell.value = value
    if isinstance(value, datetime.datetime):
        cell.number_format = TIME_FORMAT  # openpyxl's own shows "9:05:00"
    return cell


def _lines(text: str, per_line: int) -> int:
    """Lines that text takes once word-wrapped at ``per_line`` characters."""
    if len(text) <= per_line:  # the usual case: no line can wrap
        return text.count("\n") + 1
    if "\n" not in text:
        return _wrapped(text, per_line)
    return sum(_wrapped(part, per_line) for part in text.split("\n"))


def _wrapped(line: str, per_line: int) -> int:
    """Lines of one paragraph, wrapped at spaces as a spreadsheet does (a word
    longer than a line is cut, as it would be)."""
    if len(line) <= per_line:
        return 1
    count, used = 1, 0
    for word in line.split(" "):
        size = len(word)
        if used and used + 1 + size > per_line:
            count, used = count + 1, 0
        if size > per_line:
            count += (used + size - 1) // per_line
            used = (used + size) % per_line or per_line
        else:
            used += size + (1 if used else 0)
    return count


def _text_xml(text: str) -> str:
    """An inline string's content as openpyxl writes it: the text escaped as
    ElementTree escapes it, its spaces kept when it starts or ends with some."""
    stripped = text.strip()
    keep_spaces = stripped and stripped != text
    if "&" in text:
        text = text.replace("&", "&amp;")
    if "<" in text:
        text = text.replace("<", "&lt;")
    if ">" in text:
        text = text.replace(">", "&gt;")
    if keep_spaces:
        return f'<is><t xml:space="preserve">{text}</t></is>'
    return f"<is><t>{text}</t></is>"


class _RowWriter:
    """Streams one sheet's rows, each with the height of its tallest text.

    Text cells, nearly all of a report, are written here as the XML openpyxl
    would write for them (byte for byte, pinned by test_workbook_bytes.py):
    its per-cell element tree was most of the time of a large report. Other
    values go through openpyxl, one reused cell per column. Nothing is kept
    per row, so memory stays flat however long the sheet. Empty values are
    left out (a third of a typical record, and as much of its writing time),
    except the first, so every row exists when read back.
    """

    def __init__(self, ws: WriteOnlyWorksheet, widths: Sequence[int]) -> None:
        self.ws = ws
        self.per_line = [max(int(w * CHARS_PER_WIDTH), 1) for w in widths]
        self.pool = [Cell(ws, row=1, column=i + 1) for i in range(len(widths))]
        self.starts = [f'<c r="{get_column_letter(i + 1)}' for i in range(len(widths))]
        self.heights: dict[int, str] = {}
        if LXML:  # openpyxl would write through lxml, in its own way
            raise RuntimeError(
                "reports.xlsx writes the XML of openpyxl without lxml: "
                "set OPENPYXL_LXML=False or uninstall lxml"
            )
        # The layout is set: write the sheet's top, then take over its rows.
        # Each row arrives as XML text and the cells openpyxl still writes.
        ws._get_writer()
        ws._values_to_row = lambda parts, _: parts
        ws._writer.write_row = self._emit

    def _emit(self, xf: Any, parts: list[str | Cell], _: int) -> None:
        write = xf._file
        for part in parts:
            if isinstance(part, str):
                write(part)
            else:
                write_cell(xf, self.ws, part, part.has_style)

    def _row_start(self, index: int, lines: int) -> str:
        """The row's tag, with the height of ``lines`` lines when above one."""
        if lines == 1:
            return f'<row r="{index}">'
        if lines not in self.heights:
            height = min(lines * LINE_POINTS, MAX_ROW_POINTS)
            attrs = dict(RowDimension(self.ws, index=index, ht=height))
            self.heights[lines] = "".join(f' {k}="{v}"' for k, v in attrs.items())
        return f'<row r="{index}"{self.heights[lines]}>'

    def write(self, index: int, row: Sequence[CellValue], style: StyleArray) -> None:
        """Write ``row`` as sheet row ``index`` (1-based) in ``style``.

        A workbook numbers its cell styles in the order their first cell is
        written, so each style is registered at its cell, as openpyxl does.
        """
        styles = self.ws.parent._cell_styles
        text_attrs = ""
        parts: list[str | Cell] = [""]
        per_line, lines = self.per_line, 1
        for column, value in enumerate(row):
            if value is None or value == "":
                if column:
                    continue
                value = None
            elif isinstance(value, str):
                if not text_attrs:
                    text_attrs = f'{index}" s="{styles.add(style)}" t="inlineStr">'
                text = _clean_text(value)
                size = _lines(text, per_line[column])
                lines = size if size > lines else lines
                parts.append(f"{self.starts[column]}{text_attrs}{_text_xml(text)}</c>")
                continue
            cell = _fill(self.pool[column], _plain_value(value), style)
            cell.row = index
            styles.add(cell._style)
            parts.append(cell)
        parts[0] = self._row_start(index, lines)
        parts.append("</row>")
        self.ws.append(parts)


def _add_styles(wb: Workbook) -> tuple[StyleArray, StyleArray]:
    """Register the header and data styles; return their style arrays."""
    header = NamedStyle(HEADER_STYLE, font=HEADER_FONT, alignment=HEADER_ALIGNMENT)
    data = NamedStyle(DATA_STYLE, font=DATA_FONT, alignment=DATA_ALIGNMENT)
    wb.add_named_style(header)
    wb.add_named_style(data)
    return header.as_tuple(), data.as_tuple()


def _check_titles(sheets: Sequence[Sheet]) -> None:
    """Reject titles Excel would refuse or openpyxl would silently rename."""
    seen = {MANIFEST_TITLE.casefold()}
    for sheet in sheets:
        title = sheet.title
        if not title or len(title) > 31 or _BAD_TITLE_CHARS.search(title):
            raise ValueError(f"invalid sheet title {title!r}")
        if title.startswith("'") or title.endswith("'") or neutralise(title) != title:
            raise ValueError(f"sheet title {title!r} starts or ends badly")
        if title.casefold() in seen:  # Excel compares sheet names case-insensitively
            raise ValueError(f"duplicate or reserved sheet title {title!r}")
        seen.add(title.casefold())


def _widths(sheet: Sheet) -> Sequence[int]:
    """Column widths in characters; derived from the headers when not given."""
    if sheet.widths is None:
        return [min(max(len(h) + 2, MIN_WIDTH), MAX_WIDTH) for h in sheet.headers]
    if len(sheet.widths) != len(sheet.headers):
        raise ValueError(f"sheet {sheet.title!r}: one width per header expected")
    return sheet.widths


def _write_sheet(
    wb: Workbook, sheet: Sheet, styles: tuple[StyleArray, StyleArray]
) -> int:
    """Stream one sheet into the workbook and return its number of data rows."""
    if not sheet.headers:
        raise ValueError(f"sheet {sheet.title!r} has no headers")
    ws = wb.create_sheet(sheet.title)
    # Layout must be set before the first append: write-only sheets emit it then.
    head, rows = _peek(sheet.rows)
    widths = _widths(sheet)
    if head is not None:
        if sheet.fit_content:
            widths = _content_widths(widths, sheet.headers, head)
        widths = _within_page(widths, _fit_words(widths, [sheet.headers, *head]))
    for index, width in enumerate(widths, start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    if sheet.printable:
        _print_layout(ws, widths, sheet.key_columns)
    writer = _RowWriter(ws, widths)
    ncols = len(sheet.headers)
    header, data = styles
    writer.write(1, sheet.headers, header)
    count = 0
    for row in rows:
        if len(row) != ncols:
            raise ValueError(
                f"sheet {sheet.title!r} row {count + 1}: "
                f"{len(row)} values for {ncols} headers"
            )
        count += 1
        writer.write(count + 1, row, data)
    # The autofilter is written at close, so it can cover the streamed range.
    ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{count + 1}"
    return count


def _peek(
    rows: Iterable[Sequence[CellValue]],
) -> tuple[list[Sequence[CellValue]] | None, Iterable[Sequence[CellValue]]]:
    """The rows of a sheet short enough to read before writing it (None for a
    longer one, which streams), and the rows to write."""
    iterator = iter(rows)
    head = list(itertools.islice(iterator, PEEK_ROWS + 1))
    if len(head) > PEEK_ROWS:
        return None, itertools.chain(head, iterator)
    return head, head


def _shown(value: CellValue) -> str:
    """The text a cell shows, near enough to measure its width."""
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M:%S")
    return str(value)


def _content_widths(
    widths: Sequence[int],
    headers: Sequence[str],
    rows: list[Sequence[CellValue]],
) -> list[int]:
    """Narrow each column to what it holds: its longest line, or its header's
    longest word when that is longer (a header wraps at spaces); never wider
    than given, never narrower than MIN_CONTENT_WIDTH."""
    needed = [_longest_word(h) + 2 for h in headers]
    for row in rows:
        for column, value in enumerate(row[: len(needed)]):
            if value is None or value == "":
                continue
            shown = value if isinstance(value, str) else _shown(value)
            if "\n" in shown:
                longest = max(map(len, shown.split("\n")))
            else:
                longest = len(shown)
            wanted = math.ceil(longest / CHARS_PER_WIDTH) + 2
            if wanted > needed[column]:
                needed[column] = wanted
    return [
        min(given, max(need, MIN_CONTENT_WIDTH))
        for given, need in zip(widths, needed, strict=True)
    ]


def _fit_words(widths: Sequence[int], rows: list[Sequence[CellValue]]) -> list[int]:
    """Widen each column to its longest word (an e-mail address, a hash), up to
    MAX_WORD_WIDTH: a viewer would otherwise break the word in the middle."""
    fitted = list(widths)
    for row in rows:
        for column, value in enumerate(row[: len(fitted)]):
            if isinstance(value, str) and len(value) > fitted[column] - 2:
                wanted = min(_longest_word(value) + 2, MAX_WORD_WIDTH)
                fitted[column] = max(fitted[column], wanted)
    return fitted


def _longest_word(text: str) -> int:
    """The length of the longest run of text between whitespace (str.split()
    splits at the same characters as the regular expression \\s)."""
    return max(map(len, text.split()), default=0)


def column_points(width: float) -> float:
    """Printed width of a column ``width`` characters wide at 100 %, as
    LibreOffice renders it (Carlito 11: 5.55 points a character, measured on
    its PDFs, and about 4 of padding)."""
    return width * 5.55 + 3.75


def fit_scale(widths: Sequence[int]) -> int:
    """The scale (%) at which the sheet fits one A4 landscape page wide."""
    return min(100, int(PAGE_POINTS * 100 / sum(map(column_points, widths))))


def column_breaks(widths: Sequence[int], keys: int) -> list[int]:
    """Where a sheet too wide for one page breaks into column groups at
    PRINT_SCALE: the number of columns before each new group (1-based last
    column of the previous one), each group fitting one page beside the key
    columns repeated on it."""
    room = PAGE_POINTS * 100 / PRINT_SCALE - sum(map(column_points, widths[:keys]))
    breaks, used = [], 0.0
    for index in range(keys, len(widths)):
        points = column_points(widths[index])
        if used and used + points > room:
            breaks.append(index)
            used = 0.0
        used += points
    return breaks


def _within_page(given: Sequence[int], fitted: list[int]) -> list[int]:
    """Widening columns to their longest word must not push a sheet that fits
    one page wide at MIN_SCALE off it (into column groups): then each column
    gets a share of the room left, and a very long word may break."""
    if fit_scale(given) < MIN_SCALE or fit_scale(fitted) >= MIN_SCALE:
        return fitted
    room = (PAGE_POINTS * 100 / MIN_SCALE - 3.75 * len(given)) / 5.55
    spare, wanted = room - sum(given), sum(fitted) - sum(given)
    share = max(spare, 0) / wanted
    return [g + int((f - g) * share) for g, f in zip(given, fitted, strict=True)]


def _print_layout(ws: WriteOnlyWorksheet, widths: Sequence[int], keys: int) -> None:
    """A4 landscape, the header row repeated on every page; fitted to one page
    wide when that keeps the text at MIN_SCALE % or more, else at PRINT_SCALE %
    in column groups with the key columns repeated (docs/workbooks.md)."""
    setup = ws.page_setup
    setup.orientation = "landscape"
    setup.paperSize = Worksheet.PAPERSIZE_A4
    setup.pageOrder = "downThenOver"  # each column group's pages together
    ws.print_title_rows = "1:1"
    ws.page_margins = PageMargins(
        left=0.3, right=0.3, top=0.55, bottom=0.55, header=0.2, footer=0.2
    )
    if fit_scale(widths) >= MIN_SCALE:
        ws.sheet_properties.pageSetUpPr.fitToPage = True
        setup.fitToWidth = 1
        setup.fitToHeight = 0  # as many pages down as needed
        return
    setup.scale = PRINT_SCALE
    if keys:
        ws.print_title_cols = f"A:{get_column_letter(keys)}"
    for index in column_breaks(widths, keys):
        ws.col_breaks.append(Break(id=index))


def _header_text(text: str) -> str:
    """Header/footer text is a small language: "&" starts a code."""
    return text.replace("&", "&&")


def _page_header_footer(
    ws: WriteOnlyWorksheet, page: PageTitle, fingerprint: str
) -> None:
    """Which report, customer and as-of each page belongs to; page x of y and
    the start of the fingerprint, so a loose page can be matched to its file.
    Set at close time: write-only sheets emit header and footer last."""
    header = ws.oddHeader
    header.left.text = _header_text(page.kind)
    header.center.text = _header_text(page.subject)
    header.right.text = _header_text(f"As of {page.as_of}")
    footer = ws.oddFooter
    footer.left.text = _header_text(ws.title)
    footer.center.text = "Page &P of &N"
    if fingerprint:
        short = fingerprint[:FOOTER_FINGERPRINT_CHARS]
        footer.right.text = _header_text(f"Fingerprint {short}")
    for part in (header.left, header.center, header.right):
        part.size = 9
    for part in (footer.left, footer.center, footer.right):
        part.size = 8


def _zip_time(as_of: datetime.datetime) -> tuple[int, int, int, int, int, int]:
    """Zip dates only cover 1980-2107; clamp rather than fail."""
    moment = min(max(_naive_utc(as_of), _ZIP_EPOCH), _ZIP_MAX)
    return (
        moment.year,
        moment.month,
        moment.day,
        moment.hour,
        moment.minute,
        moment.second,
    )


def _fix_core_dates(xml: bytes, as_of: datetime.datetime) -> bytes:
    """openpyxl stamps "modified" with the wall clock at save; pin both to as_of."""
    stamp = _naive_utc(as_of).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    return _CORE_DATES.sub(lambda m: m[1] + stamp + m[3], xml)


def _copy_entry(
    src: zipfile.ZipFile,
    info: zipfile.ZipInfo,
    dst: zipfile.ZipFile,
    as_of: datetime.datetime,
) -> None:
    """Copy one zip entry with fixed metadata, streaming unless it is core.xml."""
    fixed = zipfile.ZipInfo(info.filename, date_time=_zip_time(as_of))
    fixed.compress_type = zipfile.ZIP_DEFLATED
    fixed.create_system = 3  # the host OS is recorded otherwise
    fixed.external_attr = 0o644 << 16
    fixed.file_size = info.file_size  # Zip64 headers only when really needed
    if info.filename == "docProps/core.xml":
        dst.writestr(fixed, _fix_core_dates(src.read(info), as_of))
        return
    with src.open(info) as reader, dst.open(fixed, "w") as writer:
        shutil.copyfileobj(reader, writer, 1 << 20)


def _reproducible(raw: IO[bytes], as_of: datetime.datetime) -> bytes:
    """Rewrite openpyxl's zip so that the same inputs give the same bytes."""
    out = io.BytesIO()
    with (
        zipfile.ZipFile(raw) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            _copy_entry(src, info, dst, as_of)
    return out.getvalue()


def _manifest_sheet(
    manifest: Sequence[tuple[str, CellValue]], counts: Sequence[tuple[str, int]]
) -> Sheet:
    """The closing sheet that lets an auditor check the export is complete."""
    rows: list[tuple[str, CellValue]] = list(manifest)
    rows += [(f"Rows in {title}", count) for title, count in counts]
    # Wide enough for the 64 hex digits of a SHA-256 on one line.
    return Sheet(MANIFEST_TITLE, ("Field", "Value"), rows, widths=(34, 70))


def _discard(wb: Workbook) -> None:
    """Delete the temp files of a workbook abandoned mid-stream.

    openpyxl removes them only on save or at interpreter exit, so a long-lived
    worker failing on a bad row would otherwise keep one file per sheet. Saving
    to a throwaway file is the public way to close and remove them.
    """
    with contextlib.suppress(Exception), tempfile.TemporaryFile() as sink:
        wb.save(sink)


Manifest = Sequence[tuple[str, CellValue]]


def build_workbook(
    sheets: Sequence[Sheet],
    manifest: Manifest | Callable[[], Manifest],
    as_of: datetime.datetime,
    page: PageTitle | None = None,
) -> bytes:
    """Write the sheets in order, then the Manifest, as reproducible XLSX bytes.

    Every string goes through neutralise() (CWE-1236); row counts in
    the Manifest are counted while streaming, so they match what was written.
    A callable manifest is called after the data sheets are written, so it can
    describe what streaming them read (e.g. an inventory fingerprint).
    """
    _check_titles(sheets)
    wb = Workbook(write_only=True)
    wb.properties.creator = "kbinventory"
    wb.properties.created = _naive_utc(as_of)
    styles = _add_styles(wb)
    before = [s for s in sheets if not s.after_manifest]
    after = [replace(s, rows=list(s.rows)) for s in sheets if s.after_manifest]
    try:
        counts = [(sheet.title, _write_sheet(wb, sheet, styles)) for sheet in before]
        counts += [(sheet.title, len(list(sheet.rows))) for sheet in after]
        items = manifest() if callable(manifest) else manifest
        _write_sheet(wb, _manifest_sheet(items, counts), styles)
        for sheet in after:
            _write_sheet(wb, sheet, styles)
        if page is not None:
            fingerprint = dict(items).get(FINGERPRINT_FIELD) or ""
            for ws in wb.worksheets:
                _page_header_footer(ws, page, str(fingerprint))
    except BaseException:
        _discard(wb)
        raise
    with tempfile.TemporaryFile() as raw:  # on disk: keeps peak memory low
        wb.save(raw)
        raw.seek(0)
        return _reproducible(raw, as_of)


# -- cell values: how every report writes lists, flags, choices, countries


def lines(items: Iterable[str]) -> str:
    """One item per line: how every list is written in a cell."""
    return "\n".join(items)


def yes_no(flag: Any) -> str:
    return "Yes" if flag else "No"


@cache
def labels(choices: type[models.TextChoices]) -> dict[str, str]:
    return {value: str(text) for value, text in choices.choices}


def label(choices: type[models.TextChoices], value: str | None) -> str:
    """The human label of a stored choice; an unknown old value is shown as is."""
    if not value:
        return ""
    return labels(choices).get(value, value)


def country_name(code: str) -> str:
    """The country's English name (django-countries), whatever the locale."""
    return _english_name(code)


@cache
def _english_name(code: str) -> str:
    # Remembered per code: switching the language per call was a sixth of the
    # time of a large controller record (one call per recipient and flow).
    with translation.override("en"):
        return str(countries.name(code)) or code


@receiver(setting_changed)
def _forget_names(*, setting: str, **kwargs: Any) -> None:
    """A test overriding django-countries' settings gets names from them."""
    if setting.startswith("COUNTRIES"):
        _english_name.cache_clear()


class Row:
    """A report row as a dataclass whose fields are its columns, in order."""

    def cells(self) -> tuple[CellValue, ...]:
        return tuple(self.__dict__.values())
