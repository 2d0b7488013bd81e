"""What an import did (or would do): every row's outcome, or the errors."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from ropa_import.cells import RowError
from ropa_import.read import Table
from ropa_import.rows import shorten


@dataclass
class RowOutcome:
    """What the import did (or would do) with one row."""

    sheet: str
    row: int
    record: str
    outcome: str  # created / updated / unchanged
    fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        changed = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.sheet} row {self.row}: {self.outcome} {self.record}{changed}"


@dataclass
class MappedColumn:
    """A source column, the field it fills (None: kept in the notes;
    "ignored": left out by the DPO's mapping) and a few of its values."""

    header: str
    field: str | None
    samples: list[str]

    def target(self) -> str:
        if self.field is None:
            return "ignored (kept in notes)" if self.samples else "ignored (empty)"
        return self.field

    def __str__(self) -> str:
        samples = "; ".join(self.samples)
        return f"{self.header} -> {self.target()}" + (
            f"  [{samples}]" if samples else ""
        )


def mapping_of(table: Table) -> list[MappedColumn]:
    return [
        MappedColumn(c.header, c.field, [shorten(str(v)) for v in table.values(c)[:3]])
        for c in table.all_columns
    ]


@dataclass
class ImportResult:
    """Every row's outcome, or the errors (and then nothing was written)."""

    file_name: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    mapping: list[MappedColumn] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""

    def unmapped(self) -> list[MappedColumn]:
        return [c for c in self.mapping if c.field is None and c.samples]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def new_records(self) -> list[str]:
        return [note for r in self.rows for note in r.notes if note.startswith("new ")]

    def summary(self) -> str:
        if self.errors:
            errors = len(self.errors)
            return f"{errors} error(s) in {self.file_name}; nothing was imported."
        verbs = ("would be " if self.dry_run else "") + "{}"
        counts = ", ".join(
            f"{self.count(o)} {verbs.format(o)}" for o in ("created", "updated")
        )
        prefix = "Dry run, nothing written: " if self.dry_run else "Imported: "
        return (
            f"{prefix}{counts}, {self.count('unchanged')} unchanged rows; "
            f"{len(self.new_records())} new related records ({self.file_name})."
        )

    def as_json(self, limit: int) -> dict[str, Any]:
        """What a status page shows, as JSON: at most ``limit`` rows and
        errors (their counts in full)."""
        return {
            "file_name": self.file_name,
            "dry_run": self.dry_run,
            "sheet": self.sheet,
            "rows": [asdict(r) for r in self.rows[:limit]],
            "row_count": len(self.rows),
            "errors": [asdict(e) for e in self.errors[:limit]],
            "error_count": len(self.errors),
            "mapping": [asdict(c) for c in self.mapping],
            "warnings": self.warnings[:limit],
            "summary": self.summary(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportResult:
        """The result as ``as_json`` kept it (rows and errors perhaps cut)."""
        return cls(
            file_name=data.get("file_name", ""),
            dry_run=bool(data.get("dry_run")),
            rows=[RowOutcome(**r) for r in data.get("rows", [])],
            errors=[RowError(**e) for e in data.get("errors", [])],
            mapping=[MappedColumn(**c) for c in data.get("mapping", [])],
            warnings=list(data.get("warnings", [])),
            sheet=data.get("sheet", ""),
        )
