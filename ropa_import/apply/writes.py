"""The import's writes, done in bulk: a fixed number of queries per batch of
rows, whatever its size, with the history single saves would give.

Rows only *plan* their writes here (``create``, ``change``, ``link``,
``delete``); ``flush`` then inserts the new records model by model (those
others point at first), updates the changed ones, changes the many-to-many
sets, and writes one version per record touched: ``+`` for a record created
(with its sets as they stand after the batch), ``~`` for one changed (its
values or its sets), ``-`` for one deleted. Each version carries the import's
change reason and user and is sealed in its record's hash chain
(``inventory.chain.seal_rows``), as a version written by ``save()`` is.
Versions written here send no ``post_create_historical_record`` signal, so
the flush asks for the one refresh of today's findings itself
(``reports.findings_store.schedule_refresh``: once per transaction).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.db import connection, models
from django.db.models import Q
from django.utils import timezone

from inventory.actors import history_user
from inventory.chain import seal_rows
from inventory.history_records import TRACKED
from inventory.models import (
    ActivityLawfulBasis,
    DataCategory,
    DataSubjectCategory,
    ProcessingActivity,
    SecurityMeasure,
    System,
    Vendor,
)
from reports.findings_store import schedule_refresh
from transfers.models import Transfer

# Inserted in this order: a record is inserted after those it points at.
ORDER: tuple[type[models.Model], ...] = (
    DataSubjectCategory,
    DataCategory,
    Vendor,
    System,
    SecurityMeasure,
    ProcessingActivity,
    Transfer,
    ActivityLawfulBasis,
)
CHUNK = 500  # rows per statement where a list of ids is sent


def chunks(items: list[Any], size: int = CHUNK) -> list[list[Any]]:
    return [items[i : i + size] for i in range(0, len(items), size)]


class Writes:
    """The planned writes of one batch; ``flush`` does them."""

    def __init__(self, reason: str, user: Any | None) -> None:
        self.reason, self.user = reason, user
        self.user_id: int | None = None
        self.reset()

    def reset(self) -> None:
        self.created: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        self.new_ids: set[int] = set()
        self.changed: dict[int, tuple[models.Model, set[str]]] = {}
        self.touched: dict[int, models.Model] = {}
        self.links: list[tuple[models.Model, str, list[Any], list[Any]]] = []
        self.deleted: list[models.Model] = []

    # -- planning
    def is_new(self, obj: models.Model) -> bool:
        return id(obj) in self.new_ids

    def create(self, obj: models.Model) -> None:
        self.created[type(obj)].append(obj)
        self.new_ids.add(id(obj))

    def change(self, obj: models.Model, fields: list[str]) -> None:
        """``fields`` of a stored record changed (a new one is inserted with
        its values as they are at the flush)."""
        if not fields or self.is_new(obj):
            return
        _, known = self.changed.setdefault(id(obj), (obj, set()))
        known.update(fields)
        self.touched[id(obj)] = obj

    def link(
        self, obj: models.Model, name: str, add: list[Any], remove: list[Any]
    ) -> None:
        """Add members (records, stored or planned) to ``obj``'s many-to-many
        set ``name`` and remove others (their keys)."""
        if not add and not remove:
            return
        self.links.append((obj, name, add, remove))
        if not self.is_new(obj):
            self.touched[id(obj)] = obj

    def delete(self, obj: models.Model) -> None:
        self.deleted.append(obj)

    # -- doing
    def flush(self) -> None:
        """Every planned write and its versions, then nothing is planned."""
        if not (self.created or self.touched or self.deleted):
            return
        now = timezone.now()
        for model in sorted(self.created, key=order_of):
            model._default_manager.bulk_create(self.created[model], batch_size=CHUNK)
        self.update_changed()
        self.change_links()
        versions: dict[type[models.Model], list[tuple[models.Model, str]]]
        versions = defaultdict(list)
        for model, objs in self.created.items():
            versions[model] += [(obj, "+") for obj in objs]
        for obj in self.touched.values():
            versions[type(obj)].append((obj, "~"))
        for obj in self.deleted:
            versions[type(obj)].append((obj, "-"))
        for model in sorted(versions, key=order_of):
            self.write_versions(model, versions[model], now)
        self.delete_planned()
        schedule_refresh()
        self.reset()

    def update_changed(self) -> None:
        by_model: dict[type[models.Model], list[models.Model]] = defaultdict(list)
        fields: dict[type[models.Model], set[str]] = defaultdict(set)
        for obj, names in self.changed.values():
            by_model[type(obj)].append(obj)
            fields[type(obj)].update(names)
        for model, objs in by_model.items():
            manager = model._default_manager
            manager.bulk_update(objs, sorted(fields[model]), batch_size=CHUNK)

    def change_links(self) -> None:
        """Many-to-many rows: removals in one statement per set, additions in
        one insert per set (a few per thousand rows)."""
        removes: dict[Any, list[Q]] = defaultdict(list)
        adds: dict[Any, list[tuple[Any, Any]]] = defaultdict(list)
        for obj, name, add, remove in self.links:
            field = obj._meta.get_field(name)
            through = field.remote_field.through  # type: ignore[union-attr]
            source = field.m2m_field_name()  # type: ignore[union-attr]
            target = field.m2m_reverse_field_name()  # type: ignore[union-attr]
            if remove:
                removes[through].append(
                    Q(**{f"{source}_id": obj.pk, f"{target}_id__in": remove})
                )
            adds[through] += [(obj.pk, t.pk) for t in add]
        for through, conditions in removes.items():
            for part in chunks(conditions, 100):
                query = Q()
                for condition in part:
                    query |= condition
                through._default_manager.filter(query).delete()
        for through, pairs in adds.items():
            insert_pairs(through, pairs)

    def delete_planned(self) -> None:
        by_model: dict[type[models.Model], list[Any]] = defaultdict(list)
        for obj in self.deleted:
            by_model[type(obj)].append(obj.pk)
        for model, pks in by_model.items():
            for part in chunks(pks):
                model._default_manager.filter(pk__in=part).delete()

    def history_user_id(self) -> int:
        if self.user_id is None:
            self.user_id = int(history_user(self.user).pk)
        return self.user_id

    def write_versions(
        self,
        model: type[models.Model],
        items: list[tuple[models.Model, str]],
        now: Any,
    ) -> None:
        """One version per record, its many-to-many sets as they stand now,
        sealed in order."""
        historical: Any = model.history.model  # type: ignore[attr-defined]
        rows = [
            historical(
                history_date=now,
                history_type=kind,
                history_user_id=self.history_user_id(),
                history_change_reason=self.reason,
                **{
                    f.attname: getattr(obj, f.attname)
                    for f in historical.tracked_fields
                },
            )
            for obj, kind in items
        ]
        created = historical._default_manager.bulk_create(rows, batch_size=CHUNK)
        # the version of each record, by the record's key
        by_pk = {getattr(row, model._meta.pk.attname): row for row in created}
        for field in historical._history_m2m_fields:
            write_m2m_versions(model, field, by_pk)
        seal_rows(historical, created)


def insert_pairs(through: Any, pairs: list[tuple[Any, Any]]) -> None:
    """Rows of a many-to-many table, (source key, target key) each: one
    statement run for every row (``executemany``), no model instance each."""
    fields = [f for f in through._meta.fields if not f.primary_key]
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES (%s, %s)".format(
        quote(through._meta.db_table), ", ".join(quote(f.column) for f in fields)
    )
    with connection.cursor() as cursor:
        cursor.executemany(sql, pairs)


def write_m2m_versions(
    model: type[models.Model], field: Any, versions: dict[Any, Any]
) -> None:
    """The set ``field`` of each versioned record, copied to its version by
    the database (``INSERT ... SELECT``: no row passes through Python)."""
    m2m_history = TRACKED[model].m2m_models[field]
    through = field.remote_field.through
    historical = m2m_history._meta.get_field("history").related_model
    quote = connection.ops.quote_name
    copied = [f.column for f in through._meta.fields]  # its id too
    source = through._meta.get_field(field.m2m_field_name()).column
    key = historical._meta.get_field(model._meta.pk.attname).column
    history = m2m_history._meta.get_field("history").column
    sql = (
        "INSERT INTO {target} ({columns}, {history}) "
        "SELECT {selected}, h.{history_id} FROM {through} t "
        "JOIN {historical} h ON h.{key} = t.{source} "
        "WHERE h.{history_id} IN ({ids})"
    )
    for part in chunks([row.history_id for row in versions.values()]):
        statement = sql.format(
            target=quote(m2m_history._meta.db_table),
            columns=", ".join(quote(c) for c in copied),
            history=quote(history),
            selected=", ".join(f"t.{quote(c)}" for c in copied),
            history_id=quote("history_id"),
            through=quote(through._meta.db_table),
            historical=quote(historical._meta.db_table),
            key=quote(key),
            source=quote(source),
            ids=", ".join(["%s"] * len(part)),
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, part)


def order_of(model: type[models.Model]) -> int:
    return ORDER.index(model) if model in ORDER else len(ORDER)
