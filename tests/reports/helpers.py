"""Reading generated workbooks back the way an auditor's spreadsheet does."""

import io
from typing import Any

import openpyxl
from openpyxl.worksheet.worksheet import Worksheet


def load(data: bytes) -> openpyxl.Workbook:
    return openpyxl.load_workbook(io.BytesIO(data))


def headers(ws: Worksheet) -> list[Any]:
    return [c.value for c in ws[1]]


def records(ws: Worksheet) -> list[dict[str, Any]]:
    """Data rows as {header: value}."""
    names = headers(ws)
    return [
        dict(zip(names, row, strict=True))
        for row in ws.iter_rows(min_row=2, values_only=True)
    ]


def by(ws: Worksheet, column: str) -> dict[Any, dict[str, Any]]:
    """Data rows keyed by one column's value."""
    return {row[column]: row for row in records(ws)}


def cells(wb: openpyxl.Workbook):
    for ws in wb.worksheets:
        for row in ws.iter_rows():
            yield from row
