"""Import a controller record of processing activities (GDPR Art. 30(1)) from a
spreadsheet the DPO already keeps: this service's own ``ropa-controller`` export
(docs/import.md) or a sheet with the UK ICO controller template's columns
(ICO documentation guidance). The management command ``import_ropa`` and the
admin upload page are thin over ``import_ropa()``.

Reading (limits that protect the server):
- at most ``settings.IMPORT_MAX_BYTES`` (10 MB by default); an OLE compound file
  (``D0 CF 11 E0``: an encrypted workbook or a legacy .xls) and anything that is
  not a zip are refused with one line; the zip's declared sizes are checked
  before openpyxl opens it (at most ``MAX_UNCOMPRESSED`` bytes in all, at most
  ``MAX_RATIO`` times its compressed size per entry: a zip bomb never inflates;
  Python's zipfile never inflates past a declared size). openpyxl reads in
  ``read_only`` and ``data_only`` mode (defusedxml refuses XML entity bombs);
- at most ``MAX_ROWS`` non-empty data rows and ``MAX_CELL_CHARS`` per cell.

Which sheet, which columns: the sheet ``Controller record`` if there is one, else
the ICO ``Template`` sheet, else the first sheet with a recognisable header row.
The header row is the first of the sheet's first ``HEADER_SCAN_ROWS`` rows that
names at least two known columns (this service's ``CONTROLLER_HEADERS``, the ICO
labels and a few aliases, compared case- and space-insensitively, with
"(if applicable)"-style notes ignored). It needs the activity name or, for ICO
sheets, the purpose (whose first line then names the activity). A column that is
absent leaves that field as it is; a column that is present is the truth for
that field, an empty cell included. Cells are read back through
``reports.xlsx.unneutralise``; lists are one item per line (and also split on
``;`` outside the ``Controller record`` sheet).

Matching (case- and space-insensitive): activities by Reference when the cell
has one, else by name; imported activities are controller activities. Data
categories by ``<code> <name>``, name or code; data-subject categories, vendors,
systems and security measures by name; countries by English name or ISO code.
What is not found is created: a data category takes the first word of its text
as its code when that word looks like one (``DC07``), else ``IMP<n>``; a vendor
is a processor with its country left empty (unknown) until a transfer says it;
a security measure is filed under Annex II "governance" for the DPO to refine.
The ``Special categories of data`` column marks the named data categories as
special with their Art. 9 kind (it never unmarks one).

Transfers (Art. 30(1)(e)). The export derives ``Third countries`` and ``Transfer
safeguards`` from the transfers that include the activity; the import makes the
transfers the two columns describe, as simply as the round trip allows:
- each safeguard line ``<country> (<importer>): <mechanism label>[ (SCC Module
  n)][, <partial adequacy scope>]`` (or without the importer) is one
  transfer; a line with no country applies to every listed third country that no
  other line names; a third country with no line is a transfer with mechanism
  ``none`` (the checks then report the missing safeguard);
- the activity's existing transfers outside the EEA are matched to the lines by
  country, mechanism, module (a line without a module matches any) and the
  importer and Art. 49(1) ground where the line names them; matched
  ones are left alone, unmatched ones lose this activity, unmatched lines are
  linked to a transfer with the same parties, country, mechanism and roles, or
  to a new one;
- exporter: the first legal entity of the ``Organisation`` sheet (created or
  updated from that sheet); without that sheet, the only legal entity there is;
- importer: the one the line names (a recipient, vendor or legal entity of
  that name, else, in our own export's layout, a new vendor: the sheet names
  it), marked in the scope of
  the partial adequacy decision the line names (never unmarked); for a line
  naming none, the one recipient of the activity located (or processing) in
  that country; else the one recipient whose country is unknown (its country
  becomes the destination); else none is invented: the line is kept in the
  activity's notes and named in the result's warnings;
- roles: from the SCC module when the line gives one (Decision 2021/914: 1 C-C,
  2 C-P, 3 P-P, 4 P-C); else the exporter is controller and the importer is
  processor, or controller when the vendor is an independent or joint one.

All rows or none: everything runs in one transaction; every row is checked and
applied and every error (sheet, spreadsheet row, column header, value) collected;
with any error, or in a dry run, the transaction is rolled back. Every record
created or changed carries the history reason ``imported from <file name>`` and
the importing user (none from the command).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from django.db import transaction

from ropa_import.apply.importer import Importer
from ropa_import.apply.result import ImportResult, MappedColumn, RowOutcome, mapping_of
from ropa_import.models import SavedMapping
from ropa_import.read import read_book, read_limited
from ropa_import.rows import Activities

__all__ = ["ImportResult", "MappedColumn", "RowOutcome", "import_ropa"]


def import_ropa(
    source: str | Path | IO[bytes],
    file_name: str | None = None,
    *,
    user: Any | None = None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> ImportResult:
    """Import a controller ROPA workbook: all rows or none (module docstring).
    ``mapping`` (heading -> field or "ignored") overrides the recognised
    columns and is saved for the next file with the same headings;
    ``progress`` is called with (activities done, activities in all) after
    each batch.

    Raises ImportFileError when the file as a whole cannot be read; errors in
    rows are returned in the result, and then nothing is written.
    """
    name = file_name or Path(str(source)).name
    book = read_book(read_limited(source), mapping)
    activities = Activities(book.controller)  # the first pass over the rows
    result = ImportResult(name, dry_run, sheet=book.controller.sheet)
    result.mapping = mapping_of(book.controller)
    with transaction.atomic():
        Importer(result, user, progress).run(book, activities)
        if dry_run or result.errors:
            transaction.set_rollback(True)
    if mapping:
        SavedMapping.remember(book.controller.headings(), mapping, user)
    return result
