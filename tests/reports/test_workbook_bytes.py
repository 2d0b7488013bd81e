"""The bytes every workbook is made of, pinned: a faster writer must write the
same files (a stored report is regenerated and compared as evidence).

Each test hashes the uncompressed parts of the zip (name and content, in
order), not the zip itself: the parts are what this code writes, while the
deflated bytes also depend on the zlib the interpreter links. When a change is
meant to alter a workbook (a new column, another cell format), rerun the test
and put the digest it reports in the constant, saying why in the commit.
"""

import datetime
import decimal
import hashlib
import io
import zipfile

import pytest
import time_machine
from django.core.management import call_command
from django.db import connection

from reports.build import build
from reports.xlsx import PageTitle, Sheet, build_workbook

AS_OF = datetime.datetime(2024, 5, 17, 8, 30, 44)
AS_OF_DEMO = datetime.datetime(2026, 1, 31, tzinfo=datetime.UTC)

# A sheet of every kind of value the writer handles: formula triggers, text
# that wraps or keeps its spaces, markup characters, control characters,
# every typed value, and empty cells in and after the first column.
TRICKY = [
    "=1+1",
    "+1",
    "-1",
    "@SUM(A1)",
    "\t=1",
    "\r\n=1",
    "  =1",
    "'=1",
    "''quoted",
    "plain",
    "  leading spaces",
    "trailing spaces  ",
    "line\r\nends\rhere\n",
    "<b>&amp; \"quotes\" 'and' > </b>",
    "bell\x07 and nul\x00",
    "é ü ß 中文 🙂",
    "word " * 60,
    "averyveryverylongwordthatcannotwrapanywhereatallinthiscolumn" * 3,
    "\n".join(f"DC{i:02d} Category number {i}" for i in range(12)),
    "x" * 40_000,
]
TYPED = [
    0,
    -7,
    3.25,
    1e20,
    decimal.Decimal("12.50"),
    True,
    False,
    datetime.date(2024, 2, 29),
    datetime.datetime(2024, 5, 17, 9, 5),
    datetime.datetime(2024, 5, 17, 9, 5, tzinfo=datetime.UTC),
    None,
    "",
]


def parts_digest(data: bytes) -> str:
    digest = hashlib.sha256()
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for info in archive.infolist():
            digest.update(info.filename.encode() + b"\0")
            digest.update(archive.read(info) + b"\0")
    return digest.hexdigest()


def writer_workbook() -> bytes:
    texts = [(i, text, text[::-1], None) for i, text in enumerate(TRICKY)]
    typed = [(value, "typed", value, "") for value in TYPED]
    rows = [*texts, *typed, ("", None, "", "last")]
    headers = ("Key", "Text", "Reversed", "Note")
    dated = [(AS_OF, "text after a date"), (datetime.date(2024, 1, 2), 1.5)]
    sheets = [
        # A typed value before any text: styles are numbered in the order
        # their first cell is written.
        Sheet("Dated", ("When", "What"), dated),
        Sheet("Fitted", headers, rows, widths=(10, 40, 30, 12), fit_content=True),
        Sheet("Default widths", headers, rows, printable=False),
        Sheet(
            "Wide",
            [f"Column {i}" for i in range(30)],
            [[f"r{r} c{c} " * (c % 7) for c in range(30)] for r in range(5)],
            widths=[20] * 30,
            key_columns=2,
        ),
        Sheet(
            "Streamed", ("N", "Text"), ((n, f"row {n} " * (n % 9)) for n in range(2100))
        ),
        Sheet("Appendix", ("Note",), [("after the manifest",)], after_manifest=True),
    ]
    manifest = [("Report", "=pinned"), ("Inventory fingerprint (SHA-256)", "ab" * 32)]
    page = PageTitle("Pinned & kind", "Subject", "2024-05-17")
    return build_workbook(sheets, manifest, AS_OF, page)


def test_writer_output_is_pinned():
    assert parts_digest(writer_workbook()) == WRITER_DIGEST


def test_demo_controller_record_is_pinned(db):
    # The Manifest's and the footers' fingerprint covers the history records'
    # ids, which only SQLite numbers alike in every run (a rolled-back test
    # leaves PostgreSQL's sequences advanced); the writer is the same on both.
    if connection.vendor != "sqlite":
        pytest.skip("history ids differ from run to run on this database")
    with time_machine.travel("2026-01-05T10:00Z", tick=False):
        call_command("load_demo", stdout=io.StringIO())
    with time_machine.travel("2026-02-01T12:00Z", tick=False):
        data = build("ropa-controller", AS_OF_DEMO)
    assert parts_digest(data) == DEMO_CONTROLLER_DIGEST


WRITER_DIGEST = "c5d6b4c80831b45413b54ac34e32339624e280fd65774b45153e68678ea310fd"
DEMO_CONTROLLER_DIGEST = (
    "fc6d6030e3b4eb222437caba0fad74e6f6042a0079cf81a25cde6415d2667781"
)
