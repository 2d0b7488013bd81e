"""Shared XLSX writer for every report workbook.

Report builders (ROPA under GDPR Art. 30, TIA, DPA annexes, change logs) hand this
module plain rows; it owns the things every workbook must get right the same way:
neutralising spreadsheet formula injection (CWE-1236, OWASP CSV injection, ASVS
V1.2.10; domain.md section 9), typed cells, a layout an auditor can read without
reformatting, streaming for large inventories, and byte-reproducible output so a
stored report can be regenerated and compared as evidence.
"""

from __future__ import annotations

import contextlib
import datetime
import decimal
import io
import math
import re
import shutil
import tempfile
import textwrap
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Font, NamedStyle
from openpyxl.utils import get_column_letter
from openpyxl.worksheet._write_only import WriteOnlyWorksheet

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

# OWASP CSV injection triggers plus NUL from ASVS V1.2.10 (domain.md 9, rule 1).
TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n", "\0")

MANIFEST_TITLE = "Manifest"
# Excel refuses to open (or "repairs") cells longer than this.
MAX_CELL_CHARS = 32_767
MIN_WIDTH, MAX_WIDTH = 12, 60
ROW_POINTS = 15  # one line of the default 11-point font
_BAD_TITLE_CHARS = re.compile(r"[\[\]:*?/\\]")
_CORE_DATES = re.compile(rb"(<dcterms:(created|modified)\b[^>]*>)[^<]*(</dcterms:\2>)")
_ZIP_EPOCH = datetime.datetime(1980, 1, 1)
_ZIP_MAX = datetime.datetime(2107, 12, 31, 23, 59, 58)

# Built once: openpyxl hashes style objects by value, so they are registered per
# workbook as two named styles and each cell only copies a small style array
# (assigning Font/Alignment per cell made 2 M cells about three times slower).
HEADER_FONT = Font(bold=True)
HEADER_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
DATA_ALIGNMENT = Alignment(wrap_text=True, vertical="top")
HEADER_STYLE = "kbinventory header"
DATA_STYLE = "kbinventory data"


@dataclass(frozen=True)
class Sheet:
    """One worksheet: a header row, then rows streamed in order."""

    title: str
    headers: Sequence[str]
    rows: Iterable[Sequence[CellValue]]
    widths: Sequence[int] | None = None
    # For documents people print or attach to a contract (the DPA annexes):
    # landscape, one page wide, header row on every page, and row heights set
    # from the wrapped text, since LibreOffice does not fit them on opening.
    printable: bool = False


def _needs_prefix(text: str) -> bool:
    """Whether text, read past any leading apostrophes, would start a formula.

    Looking past apostrophes makes neutralise/unneutralise exact inverses: text that
    really starts with "'=" gets one more "'" so the importer's strip is unambiguous.
    Leading whitespace is skipped too, because some viewers trim it (domain.md 9).
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


def _clean_text(text: str) -> str:
    """Make user text storable: control characters, line ends, Excel's cell limit.

    XML cannot hold most control characters and turns CR into LF when read, so
    both are normalised here, visibly and the same for every reader, rather than
    failing the report; overlong text is cut with a marker, not silently.
    """
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


def _cell(ws: WriteOnlyWorksheet, value: CellValue, header: bool = False) -> Cell:
    """A styled cell; strings are forced to type "s" so nothing becomes a formula."""
    plain = _plain_value(value)
    cell = WriteOnlyCell(ws)
    cell.style = HEADER_STYLE if header else DATA_STYLE
    cell.value = plain  # after the style, so a date keeps its number format
    if isinstance(plain, str):
        # openpyxl would otherwise type "=..." as a formula and "#N/A" as an error.
        cell.data_type = "s"
    return cell


def _add_styles(wb: Workbook) -> None:
    """Register the header and data styles that _cell() applies by name."""
    header = NamedStyle(HEADER_STYLE, font=HEADER_FONT, alignment=HEADER_ALIGNMENT)
    wb.add_named_style(header)
    wb.add_named_style(NamedStyle(DATA_STYLE, alignment=DATA_ALIGNMENT))


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


def _write_sheet(wb: Workbook, sheet: Sheet) -> int:
    """Stream one sheet into the workbook and return its number of data rows."""
    if not sheet.headers:
        raise ValueError(f"sheet {sheet.title!r} has no headers")
    ws = wb.create_sheet(sheet.title)
    # Layout must be set before the first append: write-only sheets emit it then.
    for index, width in enumerate(_widths(sheet), start=1):
        ws.column_dimensions[get_column_letter(index)].width = width
    ws.freeze_panes = "A2"
    if sheet.printable:
        _print_layout(ws)
    ncols = len(sheet.headers)
    _append(ws, sheet, 1, sheet.headers, header=True)
    count = 0
    for row in sheet.rows:
        if len(row) != ncols:
            raise ValueError(
                f"sheet {sheet.title!r} row {count + 1}: "
                f"{len(row)} values for {ncols} headers"
            )
        _append(ws, sheet, count + 2, row)
        count += 1
    # The autofilter is written at close, so it can cover the streamed range.
    ws.auto_filter.ref = f"A1:{get_column_letter(ncols)}{count + 1}"
    return count


def _print_layout(ws: WriteOnlyWorksheet) -> None:
    ws.page_setup.orientation = "landscape"
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as needed
    ws.print_title_rows = "1:1"


def _append(
    ws: WriteOnlyWorksheet,
    sheet: Sheet,
    index: int,
    row: Sequence[CellValue],
    header: bool = False,
) -> None:
    """Append row number ``index``; a printable sheet's row gets its height."""
    cells = [_cell(ws, value, header) for value in row]
    if sheet.printable:
        widths = _widths(sheet)
        lines = max(
            _wrapped_lines(c.value, w) for c, w in zip(cells, widths, strict=True)
        )
        ws.row_dimensions[index].height = ROW_POINTS * lines
    ws.append(cells)


def _wrapped_lines(value: CellValue, width: int) -> int:
    """Lines a wrapped cell takes in a column ``width`` characters wide
    (counted narrower: bold and wide letters take more than one width each)."""
    if not isinstance(value, str):
        return 1
    fit = max(int(width * 0.85), 1)
    return sum(len(textwrap.wrap(line, fit)) or 1 for line in value.split("\n"))


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
    return Sheet(MANIFEST_TITLE, ("Field", "Value"), rows, widths=(40, 60))


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
) -> bytes:
    """Write the sheets in order, then the Manifest, as reproducible XLSX bytes.

    Every string goes through neutralise() (CWE-1236, domain.md 9); row counts in
    the Manifest are counted while streaming, so they match what was written.
    A callable manifest is called after the data sheets are written, so it can
    describe what streaming them read (e.g. an inventory fingerprint).
    """
    _check_titles(sheets)
    wb = Workbook(write_only=True)
    wb.properties.creator = "kbinventory"
    wb.properties.created = _naive_utc(as_of)
    _add_styles(wb)
    try:
        counts = [(sheet.title, _write_sheet(wb, sheet)) for sheet in sheets]
        items = manifest() if callable(manifest) else manifest
        _write_sheet(wb, _manifest_sheet(items, counts))
    except BaseException:
        _discard(wb)
        raise
    with tempfile.TemporaryFile() as raw:  # on disk: keeps peak memory low
        wb.save(raw)
        raw.seek(0)
        return _reproducible(raw, as_of)
