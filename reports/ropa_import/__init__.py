"""Import a controller ROPA workbook (GDPR Art. 30(1)) into the inventory.

Three steps, one module each (the format and the rules: docs/import.md):

- ``read``: the file within its limits, the sheets and their header rows;
- ``cells``: each cell's text, date, flag, lawful basis, country or safeguard,
  and a row as the values of one processing activity;
- ``apply``: related records found by name or created, transfers, one
  transaction for all rows or none; ``import_ropa`` is the entry point.
"""

from reports.ropa_import.apply import ImportResult, RowOutcome, import_ropa
from reports.ropa_import.cells import RowError
from reports.ropa_import.read import ImportFileError, max_bytes, too_big

__all__ = [
    "ImportFileError",
    "ImportResult",
    "RowError",
    "RowOutcome",
    "import_ropa",
    "max_bytes",
    "too_big",
]
