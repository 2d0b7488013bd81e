"""Placeholder: the tia builder is being written."""

from __future__ import annotations

from typing import Any

from reports.snapshot import Snapshot
from reports.xlsx import Sheet


def sheets(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    raise NotImplementedError("tia is being built")
