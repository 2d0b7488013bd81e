"""The demo fixture's copy writes exactly the rows load_demo writes."""

from django.contrib.auth.models import User
from django.core import management
from django.db import transaction

from tests import demo_rows
from tests.factories import make_vendor


def load_and_read() -> dict:
    with transaction.atomic():
        demo_rows.load()
        rows = {t.name: rows for t, (_, rows) in demo_rows.state().items()}
        transaction.set_rollback(True)
    return rows


def test_the_copy_is_the_commands_output(db, monkeypatch):
    monkeypatch.setattr(demo_rows, "COPIES", {})
    loaded = load_and_read()
    assert len(demo_rows.COPIES) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("load_demo ran again")

    monkeypatch.setattr(demo_rows, "call_command", refuse)
    copied = load_and_read()
    assert copied == loaded
    assert len(loaded["inventory_processingactivity"]) >= 10
    assert len(loaded["inventory_historicalprocessingactivity"]) > len(
        loaded["inventory_processingactivity"]
    )


def test_another_starting_state_runs_the_command(db, monkeypatch):
    monkeypatch.setattr(demo_rows, "COPIES", {})
    load_and_read()
    ran = []
    real = management.call_command
    monkeypatch.setattr(
        demo_rows, "call_command", lambda *a, **k: ran.append(a) or real(*a, **k)
    )
    make_vendor(name="A vendor written before the demo")
    load_and_read()
    assert ran == [("load_demo",)]
    assert len(demo_rows.COPIES) == 2


def test_the_demo_is_set_up_before_the_tests_other_fixtures(dpo, demo):
    """Listed after `dpo`, the demo is loaded first (tests/conftest.py), so it
    always starts from the migrated database and its copy fits."""
    assert User.objects.get(username="dpo").pk > (
        User.objects.get(username="system: load_demo").pk
    )
