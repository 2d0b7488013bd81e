"""Load the KonnectBot demo inventory; running it again changes nothing."""

from collections.abc import Iterator
from datetime import date
from functools import cache
from importlib import import_module
from typing import Any

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from inventory.signals import demo_loaded

Row = dict[str, Any]
REASON = "KonnectBot demo data (load_demo)"


def app_parts() -> Iterator[tuple[type[models.Model], tuple[str, ...], list[Row]]]:
    """Every installed app's part of the demo (its ``demo.PLAN``), in
    INSTALLED_APPS order, so an app's records exist before those that name them."""
    for config in apps.get_app_configs():
        try:
            module = import_module(f"{config.name}.demo")
        except ModuleNotFoundError as exc:
            if exc.name != f"{config.name}.demo":
                raise
            continue
        for label, key, rows in getattr(module, "PLAN", []):
            yield apps.get_model(label), key, rows


@cache
def natural_keys() -> dict[type[models.Model], tuple[str, ...]]:
    """The natural key each record is found by, so a second run finds the
    first's rows."""
    return {model: key for model, key, _ in app_parts()}


def resolve(model: type[models.Model], key: Any) -> models.Model:
    """Find a related record by its natural key."""
    (field,) = natural_keys()[model]
    return model._default_manager.get(**{field: key})


def convert(model: type[models.Model], name: str, value: Any) -> Any:
    field = model._meta.get_field(name)
    if field.many_to_many or field.many_to_one:
        assert field.related_model is not None
        target: type[models.Model] = field.related_model
        if field.many_to_many:
            return [resolve(target, v) for v in value]
        return resolve(target, value)
    if isinstance(field, models.DateField) and isinstance(value, str):
        return date.fromisoformat(value)
    return value


def comparable(value: Any) -> Any:
    """Country objects compare by code; lists of them too (stored sorted)."""
    if isinstance(value, list | tuple):
        return sorted(comparable(v) for v in value)
    return getattr(value, "code", value)


def put(model: type[models.Model], row: Row) -> str:
    """Create or update one record; returns created / changed / unchanged."""
    values = {name: convert(model, name, value) for name, value in row.items()}
    m2m = {
        n: values.pop(n) for n in list(values) if model._meta.get_field(n).many_to_many
    }
    lookup = {k: values[k] for k in natural_keys()[model]}
    obj = model._default_manager.filter(**lookup).first()
    outcome = "unchanged"
    if obj is None:
        obj, outcome = model(**values), "created"
    else:
        for name, value in values.items():
            if comparable(getattr(obj, name)) != comparable(value):
                setattr(obj, name, value)
                outcome = "changed"
    # Set before the sets change too: notices a set change creates carry it.
    obj._change_reason = REASON  # type: ignore[attr-defined]
    if outcome != "unchanged":
        obj.full_clean()
        obj.save()
    for name, targets in m2m.items():
        manager = getattr(obj, name)
        if set(manager.values_list("pk", flat=True)) != {t.pk for t in targets}:
            manager.set(targets)
            outcome = "changed" if outcome == "unchanged" else outcome
    return outcome


class Command(BaseCommand):
    help = (
        "Load the KonnectBot demo inventory (idempotent: a second run writes nothing)."
    )

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="Report what would change."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        counts = {"created": 0, "changed": 0, "unchanged": 0}
        with transaction.atomic():
            for model, _, rows in app_parts():
                for row in rows:
                    counts[put(model, row)] += 1
            # Other apps add their part of the demo (e.g. data subject requests).
            parts: list[tuple[Any, Any]] = demo_loaded.send(sender=self.__class__)
            for _, outcomes in parts:
                for outcome in outcomes:
                    counts[outcome] += 1
            if options["dry_run"]:
                transaction.set_rollback(True)
        prefix = "Dry run: would have " if options["dry_run"] else "Demo inventory: "
        self.stdout.write(
            f"{prefix}{counts['created']} created, {counts['changed']} changed, "
            f"{counts['unchanged']} unchanged."
        )
