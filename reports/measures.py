"""The processor record's technical and organisational measures, numbered.

Art. 30(2)(d) GDPR asks the processor's record for "where possible, a general
description of the technical and organisational security measures referred to
in Article 32(1)". Every processing category of the demo applies the same
seventeen measures, so listing them in full on every row made each row as tall
as the list (and the record 24 pages long). The measures are described once, on
the ``Security measures`` sheet, numbered M1..Mn under their SCC Annex II
heading (Decision (EU) 2021/914), and each row of the record names the numbers
it applies ("M1-M5, M9").
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from inventory.models import SecurityMeasure
from reports.snapshot import Record, Snapshot
from reports.xlsx import Sheet, label

MEASURES_TITLE = "Security measures"
MEASURE_HEADERS = ("Reference", "Measure", "SCC Annex II heading", "Description")
MEASURE_WIDTHS = (10, 34, 34, 80)


@dataclass(frozen=True)
class MeasureNumbers:
    """The number of each measure applied by a processing activity at as_of,
    in Annex II order then by name: M1 is the first."""

    numbers: dict[int, int]

    def refs(self, ids: Iterable[int]) -> str:
        """The references of these measures, consecutive ones as a range:
        "M1-M5, M9"."""
        found = sorted({self.numbers[i] for i in ids if i in self.numbers})
        runs: list[list[int]] = []
        for number in found:
            if runs and number == runs[-1][-1] + 1:
                runs[-1].append(number)
            else:
                runs.append([number])
        return ", ".join(
            f"M{run[0]}-M{run[-1]}" if len(run) > 1 else f"M{run[0]}" for run in runs
        )


def applied_measures(snap: Snapshot) -> list[Record]:
    """The measures some activity applies at as_of, in Annex II heading order
    (the template's), then by name."""
    used = {
        i
        for act in snap.records("inventory.ProcessingActivity")
        for i in act["security_measures"]
    }
    table = snap.table("inventory.SecurityMeasure")
    order = {value: n for n, value in enumerate(SecurityMeasure.AnnexII.values)}
    found = [table[i] for i in used if i in table]
    found.sort(key=lambda m: (order.get(m["annex_ii_heading"], len(order)), m["name"]))
    return found


def measure_numbers(snap: Snapshot) -> MeasureNumbers:
    measures = applied_measures(snap)
    return MeasureNumbers({m["id"]: n for n, m in enumerate(measures, start=1)})


def measures_sheet(snap: Snapshot) -> Sheet:
    """The Security measures sheet: one row per measure, by its number."""
    rows = [
        (
            f"M{number}",
            m["name"],
            label(SecurityMeasure.AnnexII, m["annex_ii_heading"]),
            m["description"],
        )
        for number, m in enumerate(applied_measures(snap), start=1)
    ]
    return Sheet(MEASURES_TITLE, MEASURE_HEADERS, rows, MEASURE_WIDTHS)
