"""Report-run fixtures: a media folder per test and simple stand-in builders.

The kinds' real builders are written elsewhere; the run lifecycle only needs
build() to produce a real workbook (or fail), so tests register small builders
in reports.build.registry, and compute the expected bytes with build() itself.
"""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from reports import build as build_module
from reports.params import ReportError
from reports.snapshot import Snapshot
from reports.xlsx import Sheet

SEEN_PARAMS: list[dict[str, Any]] = []


def activities(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    rows = [(r["ref"], r["name"]) for r in snap.records("inventory.ProcessingActivity")]
    return [Sheet("Controller record", ("Reference", "Processing activity"), rows)]


def annex(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    wanted = params.get("customer")
    customers = snap.records("inventory.Customer")
    customer = next((c for c in customers if wanted in (c["id"], c["name"])), None)
    if customer is None:
        raise ReportError(f"unknown customer {params.get('customer')!r}")
    return [Sheet("Annex I.A Parties", ("Customer",), [(customer["name"],)])]


def changes(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    SEEN_PARAMS.append(params)
    return [Sheet("Changes", ("Since",), [(params.get("since"),)])]


def broken(snap: Snapshot, params: dict[str, Any]) -> list[Sheet]:
    raise RuntimeError("disk on fire")


@pytest.fixture
def builders(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    registry = {
        "ropa-controller": activities,
        "ropa-processor": activities,
        "dpa-annex": annex,
        "changes": changes,
        "tia": broken,
    }
    monkeypatch.setattr(build_module, "registry", lambda: registry)
    SEEN_PARAMS.clear()
    yield SEEN_PARAMS


@pytest.fixture
def media(settings: Any, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path
    return tmp_path
