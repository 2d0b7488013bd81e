"""The findings and the workbooks are built with Python's cyclic collector
paused (reports.snapshot.collector_paused): it would walk every object they
build and free none. It must resume afterwards, even when a build fails, and
an enclosing pause must be left as it was."""

import gc

import pytest
from django.utils import timezone

import reports.build
from reports import findings
from reports.params import ReportError
from reports.snapshot import Snapshot, collector_paused
from tests.factories import make_activity

pytestmark = pytest.mark.django_db


def test_the_checks_run_with_the_collector_paused_and_it_resumes(monkeypatch):
    seen = []

    def watching(snap):
        seen.append(gc.isenabled())
        raise KeyError("broken")
        yield

    monkeypatch.setattr(findings.base, "CHECKS", [watching, *findings.CHECKS])
    make_activity(lawful_basis=None)
    found = findings.current()
    assert seen == [False]
    assert gc.isenabled()
    assert {"CHECK_FAILED", "ACT_NO_LAWFUL_BASIS"} <= {f.code for f in found}


def test_a_workbook_is_built_with_the_collector_paused_and_it_resumes(monkeypatch):
    seen = []

    def failing(snap, params):
        seen.append(gc.isenabled())
        raise ReportError("unknown customer 'nobody'")

    kinds = {**reports.build.registry(), "dpa-annex": failing}
    monkeypatch.setattr(reports.build, "registry", lambda: kinds)
    with pytest.raises(ReportError):
        reports.build.build("dpa-annex", customer="nobody")
    assert seen == [False]
    assert gc.isenabled()
    assert reports.build.build("ropa-controller").startswith(b"PK")
    assert gc.isenabled()


def test_an_enclosing_pause_is_left_as_it_was():
    with collector_paused():
        make_activity()
        findings.compute(Snapshot(timezone.now()))
        assert not gc.isenabled()
    assert gc.isenabled()
