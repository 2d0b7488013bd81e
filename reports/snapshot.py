"""The inventory as it stood at one moment, read from the history tables.

Every report and every finding is a function of a Snapshot, so "as of 31 March"
means the same thing everywhere (docs/architecture.md: a report is a pure
function of the inventory history, as_of and its parameters).

Reading takes a fixed number of queries: per model, the latest historical
record of each object at ``as_of`` (deleted ones dropped) in one query, then
each many-to-many set from the historical through table by those records'
history ids (one query per CHUNK records), grouped in Python. The query count
does not grow with the number of records below CHUNK.
"""

from __future__ import annotations

import gc
import hashlib
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from django.apps import apps
from django.db import connection, models
from django.db.models.expressions import RawSQL

Record = dict[str, Any]
# Ids per IN (...) query: below SQLite's and PostgreSQL's bound-parameter limits.
CHUNK = 5000
# Rows fetched at a time from a many-to-many query.
BLOCK = 1000

# The tracked models, in the order the fingerprint lists them.
TRACKED: tuple[str, ...] = (
    "inventory.LegalEntity",
    "inventory.DataSubjectCategory",
    "inventory.DataCategory",
    "inventory.SecurityMeasure",
    "inventory.Vendor",
    "inventory.System",
    "inventory.ProcessingActivity",
    "inventory.ProductFeature",
    "inventory.Customer",
    "transfers.CountryProfile",
    "transfers.Transfer",
    "transfers.TransferImpactAssessment",
    "inventory.SubprocessorNotice",
    "inventory.Region",
    "inventory.Plan",
    "inventory.PlanLimit",
    "inventory.RetentionOverride",
    "inventory.DeletionRun",
    "inventory.ActivityLawfulBasis",
    "inventory.SpecialCategoryCondition",
)


# Reference data seeded by a migration, not a record of the inventory itself:
# its versions do not make the inventory start earlier.
REFERENCE: tuple[str, ...] = ("transfers.CountryProfile",)
# Also dated by the default ``as_of``: the register of data subject requests,
# whose findings and log are built from its history like the inventory.
DATED_ALSO: tuple[str, ...] = ("dsr.DataSubjectRequest",)


def tracked_models() -> list[type[models.Model]]:
    return [apps.get_model(label) for label in TRACKED]


def latest_change() -> datetime | None:
    """The time of the latest recorded change: the default ``as_of``."""
    dates = [
        m.history.aggregate(last=models.Max("history_date"))["last"]
        for m in [apps.get_model(label) for label in (*TRACKED, *DATED_ALSO)]
    ]
    present = [d for d in dates if d is not None]
    return max(present) if present else None


def first_change() -> datetime | None:
    """The time of the inventory's first recorded change (reference data aside):
    before it there is no record to report on."""
    dates = [
        apps.get_model(label).history.aggregate(first=models.Min("history_date"))[
            "first"
        ]
        for label in TRACKED
        if label not in REFERENCE
    ]
    present = [d for d in dates if d is not None]
    return min(present) if present else None


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a snapshot is judged or written out.
    At 10,000 activities that builds some 150,000 objects (the records, the
    data map's legs, the findings, the rows) that all live until it ends;
    each full pass of the collector walks every object of the process and
    frees none of them: a quarter to a half of the findings' time, a tenth
    of a workbook's (docs/performance.md). Reference counting frees
    everything as before; collection resumes after (unless something else
    had paused it, such as an enclosing pause)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


class Snapshot:
    """The tracked records as of ``as_of``; tables are read lazily, once."""

    def __init__(self, as_of: datetime) -> None:
        self.as_of = as_of
        self._tables: dict[str, dict[int, Record]] = {}
        # The history records behind the tables read (their ids and times,
        # by history id), and those noted with ``use``.
        self._read: dict[str, tuple[list[int], list[datetime]]] = {}
        self._used: dict[str, list[tuple[int, str]]] = {}
        self._children: dict[str, dict[int, list[Record]]] = {}

    def table(self, label: str) -> dict[int, Record]:
        """Records of one model by primary key, m2m fields as sorted id lists."""
        if label not in self._tables:
            self._tables[label] = self._load(apps.get_model(label), label)
        return self._tables[label]

    def records(self, label: str) -> list[Record]:
        return list(self.table(label).values())

    def children(self, label: str, parent: str) -> dict[int, list[Record]]:
        """The records of ``label`` grouped by the id in their ``parent``
        column (e.g. an activity's lawful bases), in primary-key order."""
        key = f"{label}:{parent}"
        if key not in self._children:
            grouped: dict[int, list[Record]] = defaultdict(list)
            for record in self.table(label).values():
                grouped[record[parent]].append(record)
            self._children[key] = grouped
        return self._children[key]

    def get(self, label: str, pk: int | None) -> Record | None:
        return None if pk is None else self.table(label).get(pk)

    def created(
        self, label: str, before: datetime | None = None
    ) -> dict[int, datetime]:
        """When each object of a model was first recorded, up to ``as_of``
        (e.g. to tell how long a never-reviewed record has gone unreviewed);
        with ``before``, only the objects recorded before that time."""
        history = apps.get_model(label).history
        rows = history.filter(history_date__lte=self.as_of, history_type="+")
        if before is not None:
            rows = rows.filter(history_date__lt=before)
        return dict(rows.values_list("id", "history_date"))

    def use(self, label: str, history: list[tuple[int, str]]) -> None:
        """Note history records read directly (e.g. by the change log)."""
        self._used.setdefault(label, []).extend(history)

    def attach_m2m(self, model: type[models.Model], rows: dict[int, Record]) -> None:
        """Add each tracked many-to-many set, as it was in each history record,
        to ``rows`` (keyed by history_id): one query per field and CHUNK ids."""
        historical = model.history.model  # type: ignore[attr-defined]
        for field in historical._history_m2m_fields:
            self._attach_m2m(historical, field, rows)

    def fingerprint(self) -> str:
        """SHA-256 over the ids and times of the history records used."""
        digest = hashlib.sha256()
        used = self.used()
        for label in sorted(used):
            for history_id, when in used[label]:
                digest.update(f"{label}:{history_id}:{when}\n".encode())
        return digest.hexdigest()

    def history_ids(self) -> dict[str, list[int]]:
        """The history rows used, by historical table (for their seals)."""
        found: dict[str, set[int]] = defaultdict(set)
        for label, used in self.used().items():
            model = apps.get_model(label.rsplit(":", 1)[-1])
            table = model.history.model._meta.db_table
            found[table].update(history_id for history_id, _ in used)
        return {table: sorted(ids) for table, ids in found.items()}

    def used(self) -> dict[str, list[tuple[int, str]]]:
        """(history id, ISO time) of each history record used, by label: a
        table's in history id order, then any noted with ``use``. Built when
        asked (a workbook's manifest), not while reading: the findings never
        ask."""
        found = {
            label: list(zip(ids, [when.isoformat() for when in times], strict=True))
            for label, (ids, times) in self._read.items()
        }
        for label, history in self._used.items():
            found.setdefault(label, []).extend(history)
        return found

    def _load(self, model: type[models.Model], label: str) -> dict[int, Record]:
        history = model.history  # type: ignore[attr-defined]
        current = history.filter(
            history_id__in=latest_records(history.model, self.as_of)
        ).exclude(history_type="-")
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = list(current.values(*fields, "history_id", "history_date"))
        rows.sort(key=lambda r: r["history_id"])
        self._read[label] = (
            [r["history_id"] for r in rows],
            [r["history_date"] for r in rows],
        )
        by_history = {r["history_id"]: r for r in rows}
        for field in history.model._history_m2m_fields:
            self._attach_m2m(history.model, field, by_history)
        return {r["id"]: r for r in sorted(rows, key=lambda r: r["id"])}

    def _attach_m2m(
        self,
        historical: Any,
        field: models.ManyToManyField[Any, Any],
        rows: dict[int, Record],
    ) -> None:
        """One query per field and CHUNK records, by their history ids."""
        through = apps.get_model(
            historical._meta.app_label, f"{historical.__name__}_{field.name}"
        )
        quote = connection.ops.quote_name
        owner, target = (
            quote(column(through, name))
            for name in ("history", field.m2m_reverse_name())
        )
        select = f"SELECT {owner}, {target} FROM {quote(through._meta.db_table)}"
        members: dict[int, list[int]] = defaultdict(list)
        ids = list(rows)
        with connection.cursor() as cursor:  # plain ids: the ORM's IN is slower
            for start in range(0, len(ids), CHUNK):
                cursor.execute(*ids_in(select, owner, ids[start : start + CHUNK]))
                # A block at a time, not fetchall(): the rows' tuples are
                # freed a block at a time instead of tens of thousands
                # surviving into the garbage collector's older generations
                # (whose full passes then cost more than the reading).
                while block := cursor.fetchmany(BLOCK):
                    for history_id, target_id in block:
                        members[history_id].append(target_id)
        for history_id, row in rows.items():
            found = members.get(history_id)
            if found is None:
                row[field.name] = []
            else:
                found.sort()  # the list is this row's alone: sorted in place
                row[field.name] = found


class LiveSnapshot(Snapshot):
    """The records as they are now, read from the live tables: the records
    of ``Snapshot(now)``, since every write to a tracked model goes through
    its history (the findings' property test holds the two equal over random
    writes), without picking each object's latest of its ten or a hundred
    versions. For today's findings, which carry no manifest: it keeps no
    history ids. Reports, as of any moment, read the history."""

    def _load(self, model: type[models.Model], label: str) -> dict[int, Record]:
        fields = [f.attname for f in model._meta.concrete_fields]
        rows = model._base_manager.order_by("pk").values(*fields)
        by_id = {r["id"]: r for r in rows}
        historical = model.history.model  # type: ignore[attr-defined]
        for field in historical._history_m2m_fields:
            attach_live_m2m(model._meta.get_field(field.name), by_id)
        return by_id

    def used(self) -> dict[str, list[tuple[int, str]]]:
        """A live snapshot reads no history record: nothing it builds can
        carry a manifest (fingerprint, seals) of the history it stands on."""
        raise TypeError("a LiveSnapshot reads the live tables, not the history")


def attach_live_m2m(field: Any, rows: dict[int, Record]) -> None:
    """A many-to-many set of every row, from the live through table, in one
    query: every row is wanted, so no list of ids goes with it."""
    through = field.remote_field.through
    quote = connection.ops.quote_name
    select = (
        f"SELECT {quote(field.m2m_column_name())}, "
        f"{quote(field.m2m_reverse_name())} FROM {quote(through._meta.db_table)}"
    )
    members: dict[int, list[int]] = {pk: [] for pk in rows}
    with connection.cursor() as cursor:
        cursor.execute(select)
        while block := cursor.fetchmany(BLOCK):
            for owner, target in block:
                members[owner].append(target)
    for pk, row in rows.items():
        row[field.name] = sorted(members[pk])


def ids_in(select: str, column: str, ids: list[int]) -> tuple[str, list[Any]]:
    """``select`` for the rows whose ``column`` is one of ``ids``. On
    PostgreSQL the ids go as one array: psycopg parses a query's placeholders
    in Python on every call, and one of 5,000 is too long for its cache (a
    fifth of a refresh's CPU at 10,000 activities)."""
    if connection.vendor == "postgresql":
        return f"{select} WHERE {column} = ANY(%s)", [ids]
    marks = ", ".join(["%s"] * len(ids))
    return f"{select} WHERE {column} IN ({marks})", ids


def latest_records(historical: type[models.Model], as_of: datetime) -> RawSQL:
    """The history ids of each object's latest record up to ``as_of`` (all of
    them if several share that time), as a subquery: the latest time of each
    object, then its records at that time. Both steps read the (id,
    history_date) index of the historical table (a migration of its app)."""
    quote = connection.ops.quote_name
    table = quote(historical._meta.db_table)
    pk, obj, when = (
        quote(column(historical, name)) for name in ("history_id", "id", "history_date")
    )
    sql = (
        f"SELECT h.{pk} FROM {table} h JOIN ("
        f"SELECT {obj} AS obj, MAX({when}) AS latest FROM {table} "
        f"WHERE {when} <= %s GROUP BY {obj}"
        f") l ON h.{obj} = l.obj AND h.{when} = l.latest"
    )
    return RawSQL(sql, [connection.ops.adapt_datetimefield_value(as_of)])


def column(model: type[models.Model], name: str) -> str:
    field = model._meta.get_field(name)
    assert isinstance(field, models.Field) and field.column
    return field.column
