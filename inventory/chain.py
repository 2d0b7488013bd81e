"""Tamper evidence for the history: each version is sealed with a SHA-256
chained to the previous version of the same record.

A seal is ``sha256(previous seal of the record + the version's columns and its
many-to-many sets)``, written by a ``post_create_historical_record`` handler
(connected for every historical model, so models added later are sealed too)
in the transaction that writes the version. The per-record head is locked
(``select_for_update``) while it moves, so two writes of one record are chained
one after the other, and writes of different records never wait for each
other. ``manage.py verify_history`` recomputes every chain; docs/workbooks.md
says what it detects and what it does not.
"""

from __future__ import annotations

import datetime
import decimal
import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps as global_apps
from django.db import connection, models, transaction
from django.utils import timezone


class HistorySeal(models.Model):
    """The seal of one version (one row of a historical table)."""

    table = models.CharField(max_length=100)
    history_id = models.BigIntegerField()
    object_id = models.CharField(max_length=64)
    digest = models.CharField(max_length=64)
    columns = models.TextField(help_text="The columns sealed, comma-separated.")

    class Meta:
        app_label = "inventory"
        constraints = [
            models.UniqueConstraint(fields=["table", "history_id"], name="seal_once")
        ]
        indexes = [models.Index(fields=["table", "object_id"])]

    def __str__(self) -> str:
        return f"{self.table} #{self.history_id}: {self.digest}"


class ChainHead(models.Model):
    """The latest seal of each record: truncating its history shows."""

    table = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    history_id = models.BigIntegerField()
    digest = models.CharField(max_length=64)

    class Meta:
        app_label = "inventory"
        constraints = [
            models.UniqueConstraint(fields=["table", "object_id"], name="one_head")
        ]

    def __str__(self) -> str:
        return f"{self.table} {self.object_id}: #{self.history_id}"


class Reseal(models.Model):
    """A record whose past versions the application rewrote on purpose (a
    data subject request's identity purged after its retention, Art. 5(1)(e)
    GDPR), and sealed again: ``verify_history`` lists these, so an auditor
    sees when, by whom and why a chain was re-sealed rather than an
    unexplained change."""

    table = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    resealed_at = models.DateTimeField(default=timezone.now)
    actor = models.CharField(max_length=150)
    reason = models.CharField(max_length=200)
    versions = models.PositiveIntegerField()
    previous_head = models.CharField(
        max_length=64, blank=True, help_text="The record's chain head before."
    )

    class Meta:
        app_label = "inventory"
        ordering = ["resealed_at", "id"]

    def __str__(self) -> str:
        return (
            f"{self.table} {self.object_id}: {self.versions} version(s) re-sealed "
            f"{self.resealed_at:%Y-%m-%d %H:%M} UTC by {self.actor}: {self.reason}"
        )


def is_historical(model: type[models.Model]) -> bool:
    names = {f.name for f in model._meta.fields}
    return {"history_id", "history_type", "history_date"} <= names


_M2M_TABLES: dict[Any, list[Any]] = {}


def m2m_tables(apps: Any, historical: type[models.Model]) -> list[Any]:
    """The historical many-to-many tables of a historical model: those with a
    ``history`` key pointing at it (found once per model in the running app)."""
    if apps is global_apps and historical in _M2M_TABLES:
        return _M2M_TABLES[historical]
    found = []
    for model in apps.get_models():
        field = next((f for f in model._meta.fields if f.name == "history"), None)
        if field is not None and field.related_model is historical:
            found.append(model)
    found.sort(key=lambda m: m._meta.model_name)
    if apps is global_apps:
        _M2M_TABLES[historical] = found
    return found


def plain(value: Any) -> Any:
    """A column's value in one canonical JSON form, whatever the database."""
    if isinstance(value, datetime.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(datetime.UTC).replace(tzinfo=None)
        return value.isoformat()
    if isinstance(value, datetime.date | decimal.Decimal):
        return str(value)
    if isinstance(value, list | tuple):
        return [plain(v) for v in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    return str(value)


def payload(apps: Any, historical: Any, history_id: int, columns: list[str]) -> str:
    text = payloads(apps, historical, [history_id], columns).get(history_id)
    if text is None:
        raise historical.DoesNotExist(f"no version {history_id}")
    return text


def payloads(
    apps: Any, historical: Any, history_ids: list[int], columns: list[str]
) -> dict[int, str]:
    """The canonical text sealed for each version: its columns and its
    many-to-many sets (two or three queries however many versions)."""
    found = historical._default_manager.filter(history_id__in=history_ids)
    read = columns if "history_id" in columns else [*columns, "history_id"]
    values = {
        row["history_id"]: {k: plain(v) for k, v in row.items() if k in columns}
        for row in found.values(*read)
    }
    for through in m2m_tables(apps, historical):
        names = [
            f.attname
            for f in through._meta.fields
            if not f.primary_key and f.name != "history"
        ]
        key = f"m2m:{through._meta.model_name}"
        sets: dict[int, list[list[Any]]] = {i: [] for i in values}
        rows = through._default_manager.filter(history_id__in=list(values))
        for history_id, *row in rows.values_list("history_id", *names):
            sets[history_id].append([plain(v) for v in row])
        for history_id, found_set in sets.items():
            values[history_id][key] = sorted(found_set)
    return {i: json.dumps(v, sort_keys=True) for i, v in values.items()}


def digest_of(previous: str, text: str) -> str:
    return hashlib.sha256(f"{previous}\n{text}".encode()).hexdigest()


def columns_of(historical: Any) -> list[str]:
    return [f.attname for f in historical._meta.concrete_fields]


def seal(apps: Any, historical: Any, history_id: int, object_id: Any) -> str:
    """Seal one version, chained to its record's head; returns the digest."""
    table = historical._meta.db_table
    heads = apps.get_model("inventory", "ChainHead")._default_manager
    seals = apps.get_model("inventory", "HistorySeal")._default_manager
    with transaction.atomic():
        head = heads.select_for_update().filter(table=table, object_id=object_id)
        current = head.first()
        columns = columns_of(historical)
        value = digest_of(
            current.digest if current else "",
            payload(apps, historical, history_id, columns),
        )
        seals.create(
            table=table,
            history_id=history_id,
            object_id=str(object_id),
            digest=value,
            columns=",".join(columns),
        )
        if current is None:
            heads.create(
                table=table,
                object_id=str(object_id),
                history_id=history_id,
                digest=value,
            )
        else:
            current.history_id, current.digest = history_id, value
            current.save(update_fields=["history_id", "digest"])
    return value


def seal_version(sender: Any, history_instance: Any, **kwargs: Any) -> None:
    """post_create_historical_record: seal the version just written (its
    many-to-many rows are written before this signal)."""
    pk_name = history_instance.instance_type._meta.pk.attname
    seal(
        global_apps,
        type(history_instance),
        history_instance.history_id,
        getattr(history_instance, pk_name),
    )


def seal_rows(historical: Any, rows: Iterable[Any]) -> None:
    """Seal versions written in bulk (``bulk_create_with_history``,
    ``bulk_update_with_history``), which send no signal per version: as
    ``seal`` would one by one, in a few queries per batch."""
    table = historical._meta.db_table
    pk_name = historical.instance_type._meta.pk.attname
    written = sorted(rows, key=lambda r: r.history_id)
    columns = columns_of(historical)
    texts = payloads(global_apps, historical, [r.history_id for r in written], columns)
    keys = {str(getattr(r, pk_name)) for r in written}
    with transaction.atomic():
        locked = ChainHead.objects.select_for_update().filter(table=table)
        heads = {h.object_id: h for h in locked.filter(object_id__in=keys)}
        known = set(heads)
        seals = []
        for row in written:
            key = str(getattr(row, pk_name))
            head = heads.setdefault(key, ChainHead(table=table, object_id=key))
            value = digest_of(head.digest, texts[row.history_id])
            seals.append(
                HistorySeal(
                    table=table,
                    history_id=row.history_id,
                    object_id=key,
                    digest=value,
                    columns=",".join(columns),
                )
            )
            head.history_id, head.digest = row.history_id, value
        HistorySeal.objects.bulk_create(seals)
        ChainHead.objects.bulk_create([h for k, h in heads.items() if k not in known])
        move_heads([h for k, h in heads.items() if k in known])


MOVES_PER_STATEMENT = 5000  # three parameters each, within SQLite's 32,766


def move_heads(heads: list[ChainHead]) -> None:
    """Write the new position of chain heads that exist: an UPDATE joined on a
    VALUES list, linear in the number of heads. ``bulk_update`` would send one
    CASE WHEN per head, which each row evaluates: minutes on PostgreSQL for the
    10,000 heads of one bulk edit. PostgreSQL and SQLite (3.33 and later) both
    accept UPDATE ... FROM and name a VALUES list's columns column1, column2..."""
    table = connection.ops.quote_name(ChainHead._meta.db_table)
    for start in range(0, len(heads), MOVES_PER_STATEMENT):
        chunk = heads[start : start + MOVES_PER_STATEMENT]
        rows = ", ".join(["(%s, %s, %s)"] * len(chunk))
        params = [value for h in chunk for value in (h.pk, h.history_id, h.digest)]
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET history_id = moved.column2, "
                f"digest = moved.column3 FROM (VALUES {rows}) AS moved "
                f"WHERE {table}.id = moved.column1",
                params,
            )


def reseal(historical: Any, object_id: Any, reason: str, actor: str) -> Reseal:
    """Seal again, in order, every version of one record that the application
    has just rewritten on purpose, and record why (a ``Reseal``). Call it in
    the transaction that rewrote them."""
    table, key = historical._meta.db_table, str(object_id)
    pk_name = historical.instance_type._meta.pk.attname
    with transaction.atomic():
        head = ChainHead.objects.select_for_update().filter(table=table, object_id=key)
        previous = head.first()
        ids = list(
            historical._default_manager.filter(**{pk_name: object_id})
            .order_by("history_id")
            .values_list("history_id", flat=True)
        )
        HistorySeal.objects.filter(table=table, object_id=key).delete()
        head.delete()
        for history_id in ids:
            seal(global_apps, historical, history_id, object_id)
        return Reseal.objects.create(
            table=table,
            object_id=key,
            actor=actor,
            reason=reason,
            versions=len(ids),
            previous_head=previous.digest if previous else "",
        )


def seal_existing(apps: Any) -> None:
    """Data migration: seal the versions written before seals existed, in the
    order they were written."""
    sealed = apps.get_model("inventory", "HistorySeal")._default_manager
    for historical in [m for m in apps.get_models() if is_historical(m)]:
        done = set(
            sealed.filter(table=historical._meta.db_table).values_list(
                "history_id", flat=True
            )
        )
        pk = next(
            f.attname
            for f in historical._meta.fields
            if f.attname not in ("history_id",) and f.name == "id"
        )
        for history_id, object_id in historical._default_manager.order_by(
            "history_id"
        ).values_list("history_id", pk):
            if history_id not in done:
                seal(apps, historical, history_id, object_id)


# -- verification -----------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    table: str
    history_id: int
    what: str

    def __str__(self) -> str:
        return f"{self.table} history_id {self.history_id}: {self.what}"


def verify() -> Iterator[Problem]:
    """Every break of every chain, table by table, oldest first."""
    for historical in [m for m in global_apps.get_models() if is_historical(m)]:
        yield from verify_table(historical)


def verify_table(historical: Any) -> Iterator[Problem]:
    table = historical._meta.db_table
    seals = {s.history_id: s for s in HistorySeal.objects.filter(table=table)}
    pk = historical.instance_type._meta.pk.attname
    previous: dict[str, str] = {}
    last: dict[str, int] = {}
    rows = historical._default_manager.order_by("history_id").values_list(
        "history_id", pk
    )
    for history_id, object_id in rows:
        key = str(object_id)
        stored = seals.pop(history_id, None)
        if stored is None:
            yield Problem(
                table, history_id, "not sealed: written outside the application"
            )
            continue
        columns = stored.columns.split(",")
        try:
            text = payload(global_apps, historical, history_id, columns)
        except Exception:  # a sealed column no longer exists
            yield Problem(table, history_id, "its sealed columns cannot be read")
            continue
        if digest_of(previous.get(key, ""), text) != stored.digest:
            yield Problem(table, history_id, "altered, or a version before it removed")
        previous[key], last[key] = stored.digest, history_id
    for history_id in sorted(seals):
        yield Problem(table, history_id, "removed (its seal remains)")
    for head in ChainHead.objects.filter(table=table):
        if last.get(head.object_id) != head.history_id:
            yield Problem(
                table, head.history_id, "removed: the record's latest version is gone"
            )


def chain_digest(tables_and_ids: dict[str, list[int]]) -> str:
    """One SHA-256 over the seals of the versions a report read: recorded in
    its Manifest, so the workbook can later be checked against the database."""
    hasher = hashlib.sha256()
    for table in sorted(tables_and_ids):
        ids = tables_and_ids[table]
        found = dict(
            HistorySeal.objects.filter(table=table, history_id__in=ids).values_list(
                "history_id", "digest"
            )
        )
        for history_id in sorted(ids):
            hasher.update(
                f"{table}:{history_id}:{found.get(history_id, '')}\n".encode()
            )
    return hasher.hexdigest()
