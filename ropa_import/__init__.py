"""Import a controller ROPA workbook (GDPR Art. 30(1)) into the inventory.

Three steps, one module each (the format and the rules: docs/import.md):

- ``read``: the file within its limits, the sheets and their header rows;
- ``cells``: each cell's text, date, flag, lawful basis, country or safeguard,
  and a row as the values of one processing activity;
- ``apply``: related records found by name or created, transfers, one
  transaction for all rows or none; ``apply.import_ropa`` is the entry point.

``views`` is the admin's upload page (preview, then import) and
``management/commands/import_ropa`` the command; both call ``import_ropa``.
"""
