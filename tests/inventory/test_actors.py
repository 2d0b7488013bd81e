"""Every version names who wrote it: a user, or the command as a system actor."""

import io

import pytest
from django.apps import apps
from django.core.management import call_command
from django.core.management.base import CommandError

from reports.build import build
from tests.factories import make_user
from tests.reports.helpers import load

QUIET = {"stdout": io.StringIO()}


def history_models():
    return [
        m
        for m in apps.get_models()
        if any(f.name == "history_user" for f in m._meta.fields)
    ]


def users_of_all_versions() -> set[str | None]:
    found: set[str | None] = set()
    for model in history_models():
        found |= set(model.objects.values_list("history_user__username", flat=True))
    return found


def test_migrations_name_themselves_as_the_actor(db):
    # The country register is seeded by a migration.
    assert users_of_all_versions() == {"system: migrate"}


def test_load_demo_without_user_records_the_command(db):
    call_command("load_demo", **QUIET)

    assert users_of_all_versions() == {"system: migrate", "system: load_demo"}


def test_system_actor_cannot_log_in(db):
    call_command("load_demo", **QUIET)
    from django.contrib.auth import get_user_model

    actor = get_user_model().objects.get(username="system: load_demo")
    assert not actor.is_active
    assert not actor.has_usable_password()


def test_load_demo_with_user_records_that_user(db):
    make_user(username="dana")
    call_command("load_demo", "--user", "dana", **QUIET)

    assert users_of_all_versions() == {"system: migrate", "dana"}


@pytest.mark.parametrize("name", ["nobody", "system: load_demo"])
def test_unknown_user_is_exit_2_and_writes_nothing(db, name):
    with pytest.raises(CommandError) as error:
        call_command("load_demo", "--user", name, **QUIET)

    assert error.value.returncode == 2
    assert "no such user" in str(error.value)
    assert users_of_all_versions() == {"system: migrate"}


def test_import_ropa_unknown_user_is_exit_2(db, tmp_path):
    with pytest.raises(CommandError) as error:
        call_command("import_ropa", str(tmp_path / "x.xlsx"), "--user", "nobody")
    assert error.value.returncode == 2


def test_change_log_who_is_never_empty_after_the_demo(demo):
    wb = load(build("changes"))
    rows = list(wb["Changes"].iter_rows(values_only=True))
    who = {row[1] for row in rows[1:]}
    assert who == {"system: load_demo", "system: migrate"}
    reasons = {row[-1] for row in rows[1:]}
    assert "KonnectBot demo data (load_demo)" in reasons
