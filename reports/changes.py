"""The change log: every record of the tracked models created, changed or
deleted between ``since`` (exclusive; the beginning when absent) and ``as_of``
(inclusive), read from the history tables.

It is the evidence of accountability (Art. 5(2) GDPR) and of a record of
processing kept up to date (Art. 30, made available on request under Art.
30(4)): an auditor sees who changed what, when, from which value to which.

One row per changed field, headed When, Who, Object type, Object, Change,
Field, Old value, New value, Reason (docs/reports.md):
- created: one row per field given a value (empty fields are left out; the Old
  value is empty), so the auditor reads what the record started with;
- changed: one row per field that differs from the record's previous version
  (which may predate ``since``); a save that changed nothing gives no row;
- deleted: one row, with Field and values empty.
Values are shown as the admin shows them: related records by name (sets as
sorted names, one per line), choices by their label, countries by name,
booleans as Yes/No; dates and numbers stay typed. Related names are those of
the latest version at ``as_of``, so a record renamed later reads the same
everywhere in the log. Who is the username: a person, or the system actor
``system: <command>`` for commands and migrations (inventory/actors.py), so it
is never empty. Reason is the change reason the version was saved with.
Rows are ordered by When, object type, object id, then the model's field order.

The query count does not depend on the number of changes: per model, one query
for the changes in the window, one for the versions just before it, one per
many-to-many field, and one per model whose names are shown.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db import models
from django.utils import timezone
from django_countries import countries
from django_countries.fields import CountryField

from reports.params import Params, ReportError, parse_when
from reports.snapshot import TRACKED, Record, Snapshot
from reports.xlsx import CellValue, Sheet

# Append-only evidence, not inventory edits: the deletion jobs' runs are listed
# by the retention workbook, not in the change log (never changed or deleted).
EVIDENCE = frozenset({"inventory.DeletionRun"})

HEADERS = (
    "When",
    "Who",
    "Object type",
    "Object",
    "Change",
    "Field",
    "Old value",
    "New value",
    "Reason",
)
WIDTHS = (19, 17, 16, 24, 9, 19, 27, 27, 37)
CHANGE_TYPES = {"+": "created", "~": "changed", "-": "deleted"}
HISTORY_COLUMNS = (
    "history_id",
    "history_date",
    "history_type",
    "history_user_id",
    "history_change_reason",
)

Format = Callable[[Any], CellValue]


@dataclass(frozen=True)
class Change:
    """One row of the change log."""

    when: datetime
    object_type: str
    object_id: int
    history_id: int
    position: int
    who: str
    name: str
    change: str
    field: str = ""
    old: CellValue = None
    new: CellValue = None
    reason: str = ""

    def key(self) -> tuple[datetime, str, int, int, int]:
        return (
            self.when,
            self.object_type,
            self.object_id,
            self.history_id,
            self.position,
        )

    def cells(self) -> tuple[CellValue, ...]:
        return (
            self.when,
            self.who,
            self.object_type,
            self.name,
            self.change,
            self.field,
            self.old,
            self.new,
            self.reason,
        )


@dataclass(frozen=True)
class Field:
    """A tracked field: where its value is in a history row, and how to show it."""

    key: str
    label: str
    show: Format


def sheets(snap: Snapshot, params: Params) -> list[Sheet]:
    """The ``Changes`` sheet for (since, as_of]."""
    since = window_start(snap, params.get("since"))
    log = ChangeLog(snap, since)
    changes = sorted(log.changes(), key=Change.key)
    return [Sheet("Changes", HEADERS, [c.cells() for c in changes], WIDTHS)]


def window_start(snap: Snapshot, since: object) -> datetime | None:
    """``since`` as an aware datetime; None (or empty) means the beginning."""
    if since is None or since == "":
        return None
    if isinstance(since, str):
        since = parse_when(since, "--since")
    elif isinstance(since, date) and not isinstance(since, datetime):
        since = parse_when(since.isoformat(), "--since")
    if not isinstance(since, datetime):
        raise ReportError(f"--since {since!r} is not a date or date-time")
    if timezone.is_naive(since):
        since = since.replace(tzinfo=UTC)
    if since > snap.as_of:
        raise ReportError(
            f"--since {since.isoformat()} is after --as-of {snap.as_of.isoformat()}"
        )
    return since


class Names:
    """Names of related records as the admin shows them (``str()``), from the
    latest version of each at as_of, deleted records included; loaded once per
    model."""

    def __init__(self, snap: Snapshot) -> None:
        self.snap = snap
        self._values: dict[str, dict[int, Record]] = {}
        self._instances: dict[tuple[str, int], models.Model] = {}
        self._users: dict[int, str] | None = None

    def username(self, pk: int | None) -> str:
        if pk is None:
            return ""
        if self._users is None:
            users = get_user_model().objects.values_list("pk", "username")
            self._users = {user_pk: str(name) for user_pk, name in users}
        return self._users.get(pk, f"user #{pk}")

    def name(self, model: type[models.Model], pk: int | None) -> str:
        """The related record's name; users by username."""
        if pk is None:
            return ""
        if model is get_user_model():
            return self.username(pk)
        instance = self.instance(model, pk)
        return str(instance) if instance is not None else f"#{pk}"

    def instance(self, model: type[models.Model], pk: int) -> models.Model | None:
        label = model._meta.label
        if label not in TRACKED:
            return None
        if (label, pk) not in self._instances:
            values = self._table(model).get(pk)
            if values is None:
                return None
            # Cached before linking, so records pointing at each other terminate.
            instance = self._instances[label, pk] = unsaved(model, values)
            self.link(instance, values)
        return self._instances[label, pk]

    def build(self, model: type[models.Model], values: Record) -> models.Model:
        """An unsaved instance with these values, linked (see ``link``)."""
        instance = unsaved(model, values)
        self.link(instance, values)
        return instance

    def link(self, instance: models.Model, values: Record) -> None:
        """Fill in the tracked records an instance points to from the lookups,
        so that its ``str()`` runs no query."""
        for field in instance._meta.concrete_fields:
            target = field.related_model
            if field.many_to_one and isinstance(target, type) and values[field.attname]:
                related = self.instance(target, values[field.attname])
                if related is not None:
                    field.set_cached_value(instance, related)  # type: ignore[attr-defined]

    def _table(self, model: type[models.Model]) -> dict[int, Record]:
        label = model._meta.label
        if label not in self._values:
            history = model.history  # type: ignore[attr-defined]
            latest = history.filter(history_date__lte=self.snap.as_of).latest_of_each()
            attnames = [f.attname for f in model._meta.concrete_fields]
            rows = sorted(
                latest.values(*attnames, "history_id", "history_date"),
                key=lambda r: r["history_id"],
            )
            self.snap.use(f"names:{label}", used(rows))
            self._values[label] = {r["id"]: r for r in rows}
        return self._values[label]


def unsaved(model: type[models.Model], values: Record) -> models.Model:
    return model(**{f.attname: values[f.attname] for f in model._meta.concrete_fields})


def used(rows: list[Record]) -> list[tuple[int, str]]:
    return [(r["history_id"], r["history_date"].isoformat()) for r in rows]


class ChangeLog:
    """The changes of every tracked model in (since, as_of]."""

    def __init__(self, snap: Snapshot, since: datetime | None) -> None:
        self.snap = snap
        self.since = since
        self.names = Names(snap)

    def changes(self) -> Iterator[Change]:
        for label in TRACKED:
            if label not in EVIDENCE:
                yield from self.model_changes(apps.get_model(label))

    def model_changes(self, model: type[models.Model]) -> Iterator[Change]:
        window = self.window(model)
        if not window:
            return
        versions = self.previous(model) + window
        fields = tracked_fields(model, self.names)
        in_window = {r["history_id"] for r in window}
        by_object: dict[int, list[Record]] = defaultdict(list)
        for row in sorted(versions, key=lambda r: (r["history_date"], r["history_id"])):
            by_object[row["id"]].append(row)
        for history in by_object.values():
            for before, row in zip([None, *history], history, strict=False):
                if row["history_id"] in in_window:
                    yield from self.record_changes(model, fields, before, row)

    def window(self, model: type[models.Model]) -> list[Record]:
        history = model.history  # type: ignore[attr-defined]
        rows = history.filter(history_date__lte=self.snap.as_of)
        if self.since is not None:
            rows = rows.filter(history_date__gt=self.since)
        return self.load(model, "history", rows)

    def previous(self, model: type[models.Model]) -> list[Record]:
        """Each changed object's last version at ``since``, to diff against."""
        if self.since is None:
            return []
        history = model.history  # type: ignore[attr-defined]
        changed = history.filter(
            history_date__gt=self.since, history_date__lte=self.snap.as_of
        ).values("id")
        rows = history.filter(history_date__lte=self.since, id__in=changed)
        return self.load(model, "before", rows.latest_of_each())

    def load(self, model: type[models.Model], kind: str, rows: Any) -> list[Record]:
        attnames = [f.attname for f in model._meta.concrete_fields]
        records = sorted(
            rows.values(*attnames, *HISTORY_COLUMNS), key=lambda r: r["history_id"]
        )
        if records:
            self.snap.use(f"{kind}:{model._meta.label}", used(records))
            self.snap.attach_m2m(model, {r["history_id"]: r for r in records})
        return records

    def record_changes(
        self,
        model: type[models.Model],
        fields: list[Field],
        before: Record | None,
        row: Record,
    ) -> Iterator[Change]:
        """The rows for one history record: created, changed or deleted."""
        head = {
            "when": row["history_date"],
            "object_type": str(model._meta.verbose_name),
            "object_id": row["id"],
            "history_id": row["history_id"],
            "who": self.names.username(row["history_user_id"]),
            "name": str(self.names.build(model, row)),
            "change": CHANGE_TYPES[row["history_type"]],
            "reason": row["history_change_reason"] or "",
        }
        if row["history_type"] == "-":
            yield Change(position=0, **head)
            return
        for position, field in enumerate(fields, start=1):
            old = before[field.key] if before is not None else None
            new = row[field.key]
            if is_empty(old) and is_empty(new) or old == new:
                continue
            yield Change(
                position=position,
                field=field.label,
                old=field.show(old),
                new=field.show(new),
                **head,
            )


def is_empty(value: object) -> bool:
    return value is None or value == "" or value == []


def tracked_fields(model: type[models.Model], names: Names) -> list[Field]:
    """The model's fields in declaration order (the id is the Object), then its
    tracked many-to-many sets."""
    fields = [
        Field(f.attname, str(f.verbose_name), formatter(f, names))
        for f in model._meta.concrete_fields
        if not f.primary_key
    ]
    historical = model.history.model  # type: ignore[attr-defined]
    fields += [
        Field(f.name, str(f.verbose_name), formatter(f, names))
        for f in historical._history_m2m_fields
    ]
    return fields


def formatter(field: Any, names: Names) -> Format:
    """How a value of this field is shown to an auditor."""
    if field.many_to_many:
        target = field.related_model
        # A record created with its sets has no old set (None), not an empty one.
        return lambda ids: (
            "\n".join(sorted(names.name(target, i) for i in ids or ())) or None
        )
    if field.many_to_one:
        target = field.related_model
        return lambda pk: names.name(target, pk) or None
    if isinstance(field, CountryField):
        return show_countries
    if field.choices:
        labels = {key: str(label) for key, label in field.flatchoices}
        return lambda value: labels.get(value, value) or None
    if isinstance(field, models.BooleanField):
        return lambda value: None if value is None else ("Yes" if value else "No")
    return show_plain


def show_countries(codes: str | None) -> CellValue:
    """One country or several ("CA,DE,US"), by name."""
    names = [str(countries.name(c)) or c for c in (codes or "").split(",") if c]
    return ", ".join(names) or None


def show_plain(value: Any) -> CellValue:
    if value is None or value == "":
        return None
    if isinstance(value, str | int | float | date):
        return value
    return str(value)
