"""A compact set of 64-bit hashes: what the import keeps of each activity it
has written, 8 bytes each instead of a Python object each (docs/import.md,
"Speed and memory")."""

from __future__ import annotations

import heapq
from array import array
from bisect import bisect_left


class Hashes:
    """Hashes added batch by batch (``seal`` after each batch): sorted
    arrays of 8-byte integers, merged so that there are never more than
    about log2(batches) of them to search."""

    def __init__(self) -> None:
        self.runs: list[array[int]] = []
        self.fresh: set[int] = set()

    def add(self, value: int) -> None:
        self.fresh.add(value)

    def seal(self) -> None:
        """Move the hashes added since the last seal into the sorted arrays."""
        run = array("q", sorted(self.fresh))
        self.fresh = set()
        while self.runs and len(self.runs[-1]) <= len(run):
            run = array("q", heapq.merge(self.runs.pop(), run))
        if run:
            self.runs.append(run)

    def __contains__(self, value: int) -> bool:
        if value in self.fresh:
            return True
        for run in self.runs:
            found = bisect_left(run, value)
            if found < len(run) and run[found] == value:
                return True
        return False

    def __len__(self) -> int:
        return len(self.fresh) + sum(len(run) for run in self.runs)
