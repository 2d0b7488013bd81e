"""What an import did (or would do): every row's outcome, or the errors."""

from __future__ import annotations

import json
import tempfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from typing import IO, Any

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


KEPT = 1000  # outcomes kept in memory (and for the status page)


def is_new_record(note: str) -> bool:
    return note.startswith("new ")


@dataclass
class ImportResult:
    """Every row's outcome, or the errors (and then nothing was written).

    Only the first ``KEPT`` outcomes stay in ``rows``; the others are written
    to an unnamed temporary file as they come (``outcomes()`` reads them all
    back, in order), and each outcome is counted, so that a large register
    is reported in full without its outcomes growing in memory."""

    file_name: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    mapping: list[MappedColumn] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""
    counts: dict[str, int] = field(default_factory=dict)  # outcome -> rows
    new_related: int = 0  # related records created (the "new ..." notes)
    spool: IO[str] | None = field(default=None, repr=False, compare=False)

    def add(self, row: RowOutcome) -> None:
        """One row's outcome, its notes complete."""
        self.counts[row.outcome] = self.counts.get(row.outcome, 0) + 1
        self.new_related += sum(1 for note in row.notes if is_new_record(note))
        if len(self.rows) < KEPT:
            self.rows.append(row)
            return
        if self.spool is None:
            self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")
        self.spool.write(json.dumps(asdict(row), ensure_ascii=False) + "\n")

    def outcomes(self) -> Iterator[RowOutcome]:
        """Every row's outcome, in order: the kept ones, then the spooled."""
        yield from self.rows
        if self.spool is not None:
            self.spool.seek(0)
            for line in self.spool:
                yield RowOutcome(**json.loads(line))

    def row_count(self) -> int:
        return sum(self.counts.values())

    def unmapped(self) -> list[MappedColumn]:
        return [c for c in self.mapping if c.field is None and c.samples]

    def count(self, outcome: str) -> int:
        return self.counts.get(outcome, 0)

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
            f"{self.new_related} new related records ({self.file_name})."
        )

    def as_json(self, limit: int) -> dict[str, Any]:
        """What a status page shows, as JSON: at most ``limit`` rows and
        errors (their counts in full)."""
        return {
            "file_name": self.file_name,
            "dry_run": self.dry_run,
            "sheet": self.sheet,
            "rows": [asdict(r) for r in self.rows[:limit]],
            "row_count": self.row_count(),
            "counts": self.counts,
            "new_related": self.new_related,
            "errors": [asdict(e) for e in self.errors[:limit]],
            "error_count": len(self.errors),
            "mapping": [asdict(c) for c in self.mapping],
            "warnings": self.warnings[:limit],
            "summary": self.summary(),
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ImportResult:
        """The result as ``as_json`` kept it (rows and errors perhaps cut)."""
        rows = [RowOutcome(**r) for r in data.get("rows", [])]
        counts: dict[str, int] = {}
        for row in rows:  # a run recorded before the counts were
            counts[row.outcome] = counts.get(row.outcome, 0) + 1
        new = sum(1 for r in rows for note in r.notes if is_new_record(note))
        return cls(
            file_name=data.get("file_name", ""),
            dry_run=bool(data.get("dry_run")),
            rows=rows,
            errors=[RowError(**e) for e in data.get("errors", [])],
            mapping=[MappedColumn(**c) for c in data.get("mapping", [])],
            warnings=list(data.get("warnings", [])),
            sheet=data.get("sheet", ""),
            counts=dict(data.get("counts", counts)),
            new_related=int(data.get("new_related", new)),
        )
