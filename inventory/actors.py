"""Who made each change: a person, or a named system actor, never nobody.

Accountability (Art. 5(2) GDPR) means every version of every record says who
wrote it. The admin and the API record the logged-in user. Commands that write
records take ``--user NAME``; without it, and for anything else that writes
outside a request (migrations, Celery tasks), the version names the program as
a system actor: an inactive user called ``system: <command>`` that has no
password and cannot log in, so the admin, the API and the change log all show
the same name without a special case.

One handler, connected to simple-history's ``pre_create_historical_record``
for every historical model, fills the user in; models added later get it too.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from contextvars import ContextVar
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.core.management.base import CommandError, CommandParser

SYSTEM_PREFIX = "system: "
_actor: ContextVar[Any | None] = ContextVar("history_actor", default=None)


def system_user(command: str) -> Any:
    """The inactive ``system: <command>`` user, created on first use."""
    user_model = get_user_model()
    user, created = user_model._default_manager.get_or_create(
        username=f"{SYSTEM_PREFIX}{command}", defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def is_system(username: str) -> bool:
    return username.startswith(SYSTEM_PREFIX)


@contextlib.contextmanager
def acting_as(actor: AbstractBaseUser | str) -> Iterator[None]:
    """Record every version written inside the block as ``actor``: a user,
    or the name of the command (then the ``system: <command>`` user)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def add_user_argument(parser: CommandParser) -> None:
    parser.add_argument(
        "--user",
        help="username the changes are recorded as (default: the command, as a "
        "system actor)",
    )


def command_actor(options: dict[str, Any], command: str) -> Any:
    """The user ``--user`` names (exit 2 if there is none), else the command."""
    name = options.get("user")
    if name is None:
        return command
    user = get_user_model()._default_manager.filter(username=name).first()
    if user is None or is_system(name):
        raise CommandError(f"--user {name!r}: no such user", returncode=2)
    return user


def program_name() -> str:
    """The running command (``manage.py migrate`` -> ``migrate``), else the
    program (``celery``), for versions written with no request and no actor."""
    argv = sys.argv or ["unknown"]
    program = os.path.basename(argv[0]) or "unknown"
    if program in ("manage.py", "django-admin") and len(argv) > 1:
        return argv[1]
    return program


def actor_name(user: Any = None) -> str:
    """The name a version written now is recorded under: ``user``, else the
    actor in effect (a user or ``system: <command>``), else the program."""
    actor = user or _actor.get()
    if actor is None or isinstance(actor, str):
        return f"{SYSTEM_PREFIX}{actor or program_name()}"
    return str(actor.get_username())


def history_user(user: Any = None) -> Any:
    """The user a version written now is recorded under: ``user``, else the
    actor in effect, else the program's ``system: <command>`` user."""
    actor = user or _actor.get()
    if actor is None or isinstance(actor, str):
        actor = system_user(actor or program_name())
    return actor


def fill_history_user(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """pre_create_historical_record: a version without a user gets the actor.
    Versions written in bulk (no signal) take ``history_user()`` themselves."""
    if history_instance.history_user_id is not None:
        return
    history_instance.history_user_id = history_user().pk


# -- versions written before actors were recorded ----------------------------

# What a version's change reason says about the program that wrote it.
REASON_ACTORS = (
    ("(load_demo)", "load_demo"),
    ("imported from ", "import_ropa"),
    ("Seeded from the Commission adequacy list", "migrate"),
)


def backfill_actors(apps: Any, app_label: str) -> None:
    """Data migration: name the actor of every version of ``app_label`` that
    has none, by its change reason; ``system: unrecorded`` when it says
    nothing. Run before the history is sealed (see ``inventory.chain``)."""
    user_model = apps.get_model(*_user_label().split("."))
    users: dict[str, Any] = {}
    for model in apps.get_app_config(app_label).get_models():
        if not model.__name__.startswith("Historical") or not hasattr(
            model, "history_user_id"
        ):
            continue
        for version in model.objects.filter(history_user__isnull=True):
            command = _command_for(version.history_change_reason or "")
            if command not in users:
                users[command] = _migration_system_user(user_model, command)
            version.history_user_id = users[command].pk
            version.save(update_fields=["history_user"])


def _user_label() -> str:
    from django.conf import settings

    return str(settings.AUTH_USER_MODEL)


def _command_for(reason: str) -> str:
    for marker, command in REASON_ACTORS:
        if marker in reason:
            return command
    return "unrecorded"


def _migration_system_user(user_model: Any, command: str) -> Any:
    user, _ = user_model.objects.get_or_create(
        username=f"{SYSTEM_PREFIX}{command}",
        defaults={"is_active": False, "password": "!"},
    )
    return user
