import datetime
import decimal
import io
import os
import zipfile
from collections.abc import Iterator

import openpyxl
import pytest
from openpyxl.worksheet._writer import ALL_TEMP_FILES

from reports.xlsx import (
    CHARS_PER_WIDTH,
    FINGERPRINT_FIELD,
    MAX_CELL_CHARS,
    TRIGGERS,
    PageTitle,
    Sheet,
    build_workbook,
    column_breaks,
    fit_scale,
    neutralise,
    unneutralise,
)

AS_OF = datetime.datetime(2024, 5, 17, 8, 30, 44)  # even seconds: zip keeps 2 s steps

# OWASP "CSV Injection": formula-injection payloads every export must neutralise.
PAYLOADS = [
    "=1+1",
    "+1",
    "-1+1",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    '=HYPERLINK("http://x","y")',
    "a,=1+1",
    '"=1"',
    "{=1+1}",
    "  =1",
    "",
]


def build(*sheets: Sheet, manifest=(("Report", "test"),), as_of=AS_OF) -> bytes:
    return build_workbook(list(sheets), list(manifest), as_of)


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def _write_only_temp_files() -> list[str]:
    return [path for path in ALL_TEMP_FILES if os.path.exists(path)]


def one_column(values) -> Sheet:
    return Sheet("Data", ["Value"], [[value] for value in values])


def data_cells(data: bytes, title: str = "Data"):
    return [row[0] for row in load(data)[title].iter_rows(min_row=2)]


@pytest.mark.parametrize("payload", PAYLOADS)
def test_injection_payload_is_a_plain_string_cell(payload):
    (cell,) = data_cells(build(one_column([payload])))
    if payload == "":
        assert cell.value is None  # written as a blank cell
    else:
        assert cell.data_type == "s"
        assert isinstance(cell.value, str)
        assert not cell.value.startswith(TRIGGERS)
        assert not cell.value.lstrip().startswith(TRIGGERS)
        # XML reads CR as LF, so the writer normalises line ends up front.
        assert unneutralise(cell.value) == payload.replace("\r", "\n")


@pytest.mark.parametrize("payload", PAYLOADS)
def test_unneutralise_gives_the_original_back(payload):
    assert unneutralise(neutralise(payload)) == payload


@pytest.mark.parametrize(
    "text", ["'=1", "''+1", "' =1", "'quoted'", "it's", "'", "plain", "#N/A"]
)
def test_real_apostrophes_survive_a_round_trip(text):
    assert unneutralise(neutralise(text)) == text
    assert not neutralise(text).startswith(TRIGGERS)


def test_text_that_is_not_a_formula_is_left_alone():
    assert neutralise("Acme GmbH") == "Acme GmbH"
    assert unneutralise("'quoted'") == "'quoted'"


def test_numbers_dates_and_bools_stay_typed():
    day = datetime.date(2024, 1, 31)
    moment = datetime.datetime(2024, 1, 31, 12, 30)
    values = [-5, 3.5, decimal.Decimal("2.25"), True, day, moment]
    cells = data_cells(build(one_column(values)))
    assert [c.value for c in cells[:4]] == [-5, 3.5, 2.25, True]
    assert [c.data_type for c in cells[:4]] == ["n", "n", "n", "b"]
    assert cells[4].is_date and cells[4].value.date() == day
    assert cells[5].is_date and cells[5].value == moment


def test_aware_datetime_is_written_as_naive_utc():
    tz = datetime.timezone(datetime.timedelta(hours=2))
    aware = datetime.datetime(2024, 1, 31, 14, 30, tzinfo=tz)
    (cell,) = data_cells(build(one_column([aware])))
    assert cell.value == datetime.datetime(2024, 1, 31, 12, 30)


def test_times_show_two_digit_hours():
    """A change log's When reads 2024-01-31 09:05:00, not 2024-01-31 9:05:00."""
    early = datetime.datetime(2024, 1, 31, 9, 5)
    day_cell, moment_cell = data_cells(build(one_column([early.date(), early])))
    assert moment_cell.number_format == "yyyy-mm-dd hh:mm:ss"
    assert day_cell.number_format == "yyyy-mm-dd"


def test_error_lookalike_text_stays_a_string():
    (cell,) = data_cells(build(one_column(["#N/A"])))
    assert cell.data_type == "s" and cell.value == "#N/A"


def test_no_cell_anywhere_is_a_formula():
    sheet = Sheet("Data", ["=Header", "@b"], [[p, p] for p in PAYLOADS])
    wb = load(build(sheet, manifest=[("=Source", "+cmd")]))
    cells = [c for ws in wb for row in ws.iter_rows() for c in row]
    assert len(cells) == 2 * (len(PAYLOADS) + 1) + 2 * 3
    assert all(c.data_type != "f" for c in cells)
    assert wb["Data"]["A1"].value == "'=Header"
    assert wb["Manifest"]["B2"].value == "'+cmd"


def test_control_characters_are_replaced_not_fatal():
    (cell,) = data_cells(build(one_column(["a\x00b\x07c"])))
    assert cell.value == "a\ufffdb\ufffdc"


def test_line_ends_are_normalised_to_line_feeds():
    (cell,) = data_cells(build(one_column(["a\r\nb\rc"])))
    assert cell.value == "a\nb\nc"


def test_failed_build_leaves_no_temp_files():
    with pytest.raises(ValueError):
        build(Sheet("Data", ["A"], [[1], [1, 2]]))
    assert not _write_only_temp_files()


def test_overlong_text_is_truncated_with_a_visible_marker():
    (cell,) = data_cells(build(one_column(["x" * 40_000])))
    assert len(cell.value) == MAX_CELL_CHARS
    assert cell.value.endswith("40000 characters in total]")


def test_non_finite_number_is_refused():
    with pytest.raises(ValueError):
        build(one_column([float("nan")]))


def test_same_inputs_give_identical_bytes():
    assert build(one_column(PAYLOADS)) == build(one_column(PAYLOADS))


def test_different_as_of_gives_different_bytes():
    later = AS_OF + datetime.timedelta(days=1)
    assert build(one_column([1])) != build(one_column([1]), as_of=later)


def test_zip_entries_carry_as_of():
    archive = zipfile.ZipFile(io.BytesIO(build(one_column([1]))))
    stamp = AS_OF.timetuple()[:6]
    assert archive.infolist()
    assert all(info.date_time == stamp for info in archive.infolist())
    assert {info.external_attr for info in archive.infolist()} == {0o644 << 16}


def test_zip_date_is_clamped_to_1980():
    data = build(one_column([1]), as_of=datetime.datetime(1970, 1, 1))
    archive = zipfile.ZipFile(io.BytesIO(data))
    assert archive.infolist()[0].date_time == (1980, 1, 1, 0, 0, 0)


def test_core_properties_carry_as_of():
    data = build(one_column([1]))
    core = zipfile.ZipFile(io.BytesIO(data)).read("docProps/core.xml").decode()
    assert core.count("2024-05-17T08:30:44Z") == 2  # created and modified
    props = load(data).properties
    assert props.creator == "kbinventory"
    assert props.created == props.modified == AS_OF


def test_header_is_bold_frozen_and_filtered():
    sheet = Sheet("Data", ["Name", "A rather long column header"], [["a", 1]] * 3)
    ws = load(build(sheet))["Data"]
    assert all(cell.font.b for cell in ws[1])
    assert not ws["A2"].font.b and ws["A2"].alignment.wrap_text
    assert ws.freeze_panes == "A2"
    assert ws.auto_filter.ref == "A1:B4"
    assert ws.column_dimensions["A"].width == 12
    assert ws.column_dimensions["B"].width == len("A rather long column header") + 2


def test_explicit_widths_are_used():
    sheet = Sheet("Data", ["A", "B"], [], widths=[30, 45])
    ws = load(build(sheet))["Data"]
    assert [ws.column_dimensions[c].width for c in "AB"] == [30, 45]
    assert ws.auto_filter.ref == "A1:B1"


def test_sheets_in_order_then_manifest_with_row_counts():
    first = Sheet("Activities", ["Name"], [["a"], ["b"], ["c"]])
    second = Sheet("Transfers", ["Name"], iter([]))
    wb = load(build(first, second, manifest=[("Report", "ROPA"), ("Rows", None)]))
    assert wb.sheetnames == ["Activities", "Transfers", "Manifest"]
    rows = list(wb["Manifest"].values)
    assert rows == [
        ("Field", "Value"),
        ("Report", "ROPA"),
        ("Rows", None),
        ("Rows in Activities", 3),
        ("Rows in Transfers", 0),
    ]


def test_generator_of_twenty_thousand_rows_is_streamed():
    def rows() -> Iterator[list[object]]:
        for i in range(20_000):
            yield [i, f"name {i}", -i]

    wb = load(build(Sheet("Big", ["Id", "Name", "Neg"], rows())))
    assert wb["Big"].max_row == 20_001
    assert wb["Big"]["C20001"].value == -19_999
    assert wb["Big"].auto_filter.ref == "A1:C20001"
    assert ("Rows in Big", 20_000) in list(wb["Manifest"].values)


@pytest.mark.parametrize(
    "title",
    ["x" * 32, "a/b", "a\\b", "a:b", "a*b", "a?b", "[a]", "", "Manifest", "'a", "=a"],
)
def test_bad_sheet_title_is_a_value_error(title):
    with pytest.raises(ValueError):
        build(Sheet(title, ["A"], []))


def test_longest_valid_title_is_kept_exactly():
    assert load(build(Sheet("x" * 31, ["A"], []))).sheetnames[0] == "x" * 31


def test_duplicate_titles_are_a_value_error():
    with pytest.raises(ValueError):
        build(Sheet("Data", ["A"], []), Sheet("data", ["A"], []))


def test_row_of_wrong_length_is_a_value_error():
    with pytest.raises(ValueError):
        build(Sheet("Data", ["A", "B"], [["only one"]]))


def test_every_sheet_is_landscape_one_page_wide_with_its_header_row_repeated():
    wb = load(build(Sheet("Data", ["Value"], [["short"]], [20])))
    for ws in wb.worksheets:  # the Manifest too
        assert ws.page_setup.orientation == "landscape"
        assert ws.page_setup.fitToWidth == 1
        assert ws.page_setup.fitToHeight == 0
        assert ws.sheet_properties.pageSetUpPr.fitToPage
        assert ws.print_title_rows == "$1:$1"


def test_every_page_names_report_subject_as_of_and_fingerprint():
    page = PageTitle(
        "Change log", "Customer: Smith & Co", "2026-03-31 end of day (UTC)"
    )
    manifest = [("Report", "x"), (FINGERPRINT_FIELD, "ab" * 32)]
    data = build_workbook([Sheet("Data", ["A"], [["x"]])], manifest, AS_OF, page)
    for ws in load(data).worksheets:
        header, footer = ws.oddHeader, ws.oddFooter
        assert header.left.text == "Change log"
        assert header.center.text == "Customer: Smith && Co"  # "&" escaped
        assert header.right.text == "As of 2026-03-31 end of day (UTC)"
        assert footer.center.text == "Page &P of &N"
        assert footer.right.text == "Fingerprint " + "ab" * 8
        assert footer.left.text == ws.title


def test_row_height_follows_word_wrap_not_character_count():
    # 23 characters in a 12-wide column: two lines by count, but a spreadsheet
    # wraps at spaces, so each 7-letter word takes a line of its own.
    sheet = Sheet("Data", ["T"], [["aaaaaaa bbbbbbb ccccccc"]], widths=[12])
    ws = load(build(sheet))["Data"]
    assert ws.row_dimensions[2].height == 3 * 15


def test_row_is_as_tall_as_its_longest_wrapped_text():
    """LibreOffice does not fit rows to wrapped text on opening a file: without
    a height, a cell's second line was drawn over the next row."""
    five_lines = "\n".join(f"DC0{i} Category" for i in range(5))
    sheet = Sheet(
        "Data", ["Short", "List"], [["a", "b"], ["a", five_lines]], widths=[12, 20]
    )
    ws = load(build(sheet))["Data"]
    assert ws.row_dimensions[2].height is None  # one line: the viewer's default
    assert ws.row_dimensions[3].height >= 5 * 15


def test_long_text_counts_its_wrapped_lines():
    text = "word " * 40  # 200 characters in a 20-wide column: about ten lines
    ws = load(build(Sheet("Data", ["Text"], [[text]], widths=[20])))["Data"]
    assert 10 * 15 <= ws.row_dimensions[2].height <= 409


def test_empty_cells_are_not_written_but_every_row_is_kept():
    sheet = Sheet("Data", ["A", "B", "C"], [["x", None, ""], [None, None, None]])
    data = build(sheet)
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        xml = z.read("xl/worksheets/sheet1.xml").decode()
    assert 'r="B2"' not in xml and 'r="C2"' not in xml
    ws = load(data)["Data"]
    assert ws.max_row == 3
    assert [c.value for c in ws[3]] == [None, None, None]


def test_a_sheet_too_wide_for_a_page_prints_at_70_percent_in_column_groups():
    headers = ["Ref", "Name"] + [f"Column {n}" for n in range(20)]
    widths = [10, 30] + [30] * 20
    sheet = Sheet("Data", headers, [["R1", "One"] + ["x"] * 20], widths, key_columns=2)
    ws = load(build(sheet))["Data"]

    assert not ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.scale == 70
    assert ws.print_title_cols == "$A:$B"  # reference and name on every page
    breaks = [b.id for b in ws.col_breaks.brk]
    assert breaks == column_breaks(widths, 2)
    ends = zip([2, *breaks], [*breaks, len(widths)], strict=True)
    groups = [widths[start:end] for start, end in ends]
    for group in groups:  # each group fits one A4 landscape page beside the keys
        assert fit_scale(widths[:2] + group) >= 70


def test_widening_to_the_longest_word_never_pushes_a_sheet_off_the_page():
    hash_ = "f" * 64
    widths = [19, 17, 16, 24, 9, 19, 27, 27, 37]  # fits at 70 %
    rows = [[hash_] * 9]
    ws = load(build(Sheet("Data", [f"H{n}" for n in range(9)], rows, widths)))["Data"]
    assert ws.sheet_properties.pageSetUpPr.fitToPage
    fitted = [ws.column_dimensions[c].width for c in "ABCDEFGHI"]
    assert fit_scale(fitted) >= 70


def test_fit_content_narrows_each_column_to_its_longest_line_or_header_word():
    headers = ["Reference", "Special category condition", "Purposes"]
    rows = [["PA-C1", None, "Short\nA somewhat longer line of text"]]
    sheet = Sheet("Data", headers, rows, widths=[11, 26, 45], fit_content=True)
    ws = load(build(sheet))["Data"]
    widths = [ws.column_dimensions[c].width for c in "ABC"]
    assert widths[0] == len("Reference") + 2  # the header's word is longer
    assert widths[1] == len("condition") + 2  # empty: its header's longest word
    # The longest line fits on one line (as the row heights count it), no more.
    assert len("A somewhat longer line of text") <= widths[2] * CHARS_PER_WIDTH
    assert widths[2] < 45
    assert ws.row_dimensions[2].height == 2 * 15
    # Not asked for: the given widths stand.
    ws = load(build(Sheet("Data", headers, rows, widths=[11, 26, 45])))["Data"]
    assert [ws.column_dimensions[c].width for c in "ABC"] == [11, 26, 45]
