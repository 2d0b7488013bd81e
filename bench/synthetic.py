"""A large synthetic inventory with real history, written fast.

Records are created with ``bulk_create_with_history`` and edited with
``bulk_update_with_history``; the many-to-many history that those helpers do
not write is written here the way simple-history writes it
(``HistoricalRecords.create_historical_record_m2ms``): under every historical
record, a copy of each of the object's through rows at that moment. The result
is what the admin would leave behind, so reports as of any date read it back
exactly as they would read a hand-made inventory.
"""

from __future__ import annotations

import datetime
import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from inventory.models import (
    DataCategory,
    DataSubjectCategory,
    LegalEntity,
    ProcessingActivity,
    SecurityMeasure,
    System,
    Vendor,
)
from transfers.models import Transfer

BATCH = 2000
# The edits are a second apart: the whole history then lies after the country
# register's seeding (migration time) and before the report is built.
STEP = datetime.timedelta(seconds=1)
BASES = ["contract", "legitimate_interests", "consent", "legal_obligation"]
DESTINATIONS = [("US", "scc"), ("IN", "scc"), ("GB", "adequacy"), ("BR", "none")]


@dataclass
class Shape:
    """How big the inventory is (the benchmark's defaults)."""

    activities: int = 10_000
    vendors: int = 2_000
    data_categories: int = 200
    categories_per_activity: int = 5
    recipients_per_activity: int = 3
    edits: int = 3
    activities_per_transfer: int = 100
    start: datetime.datetime = field(default_factory=timezone.now)
    edit_dates: list[datetime.datetime] = field(default_factory=list)


def history_ids(model: type[models.Model], when: datetime.datetime) -> dict[int, int]:
    """Object id -> id of its historical record written at ``when``."""
    hist = model.history.model  # type: ignore[attr-defined]
    rows = hist.objects.filter(history_date=when).values_list("id", "history_id")
    return dict(rows)


def snapshot_m2m(model: type[models.Model], when: datetime.datetime) -> None:
    """Copy the through rows of every object under its record written at
    ``when``, as simple-history does after each save or m2m change."""
    hist = model.history.model  # type: ignore[attr-defined]
    owners = history_ids(model, when)
    for m2m in hist._history_m2m_fields:
        through = getattr(model, m2m.name).through
        copy = apps.get_model(hist._meta.app_label, f"{hist.__name__}_{m2m.name}")
        source, target = m2m.m2m_field_name(), m2m.m2m_reverse_field_name()
        rows = through.objects.values_list("id", f"{source}_id", f"{target}_id")
        copies = (
            copy(
                id=pk,
                history_id=owners[owner],
                **{f"{source}_id": owner, f"{target}_id": other},
            )
            for pk, owner, other in rows.iterator(chunk_size=BATCH)
            if owner in owners
        )
        while chunk := list(itertools.islice(copies, BATCH)):
            copy.objects.bulk_create(chunk)


def create(model: type[models.Model], objs: list[Any], when: datetime.datetime) -> None:
    bulk_create_with_history(objs, model, batch_size=BATCH, default_date=when)


def link(model: type[models.Model], name: str, pairs: list[tuple[int, int]]) -> None:
    """Live through rows for one many-to-many field."""
    m2m = model._meta.get_field(name)
    through = getattr(model, name).through
    source = m2m.m2m_field_name()  # type: ignore[union-attr]
    target = m2m.m2m_reverse_field_name()  # type: ignore[union-attr]
    through.objects.bulk_create(
        [through(**{f"{source}_id": s, f"{target}_id": t}) for s, t in pairs],
        batch_size=BATCH,
    )


def reference_data(shape: Shape) -> dict[str, list[int]]:
    """Our entity, subjects, data categories, TOMs, vendors and systems."""
    when = shape.start
    create(LegalEntity, [LegalEntity(name="Synthetic Corp", country="US")], when)
    specs: list[tuple[type[models.Model], int, Any]] = [
        (DataSubjectCategory, 20, lambda i: {"name": f"Subjects {i:03}"}),
        (DataCategory, shape.data_categories, lambda i: {
            "code": f"DC{i:04}",
            "name": f"Data category {i:04}",
            "special_category": i % 50 == 0,
            "art9_kind": "health" if i % 50 == 0 else "",
        }),
        (SecurityMeasure, 20, lambda i: {
            "name": f"Measure {i:03}", "annex_ii_heading": "at_rest",
        }),
        (Vendor, shape.vendors, lambda i: {
            "name": f"Vendor {i:05} Ltd", "role": "sub_processor", "country": "US",
        }),
        (System, 50, lambda i: {"name": f"System {i:03}", "hosting_countries": "US"}),
    ]  # fmt: skip
    ids: dict[str, list[int]] = {}
    for model, count, values in specs:
        create(model, [model(**values(i)) for i in range(count)], when)
        ids[model.__name__] = list(
            model._default_manager.order_by("id").values_list("id", flat=True)
        )
    return ids


def activity(i: int) -> ProcessingActivity:
    return ProcessingActivity(
        ref=f"PA-{i:06}",
        name=f"Synthetic processing activity {i:06}",
        role="controller",
        purposes=f"Provide service line {i % 97} to customers; keep records",
        lawful_basis=BASES[i % len(BASES)],
        legitimate_interest="Running the business" if i % 4 == 1 else "",
        data_source="The data subject",
        retention=f"{12 + i % 48} months after the end of the contract",
        owner=f"Team {i % 30}",
        next_review_on=datetime.date(2027, 1, 1) + datetime.timedelta(days=i % 365),
    )


def spread(owners: list[int], pool: list[int], per: int) -> list[tuple[int, int]]:
    """``per`` distinct members of ``pool`` for each owner, cycling through it."""
    return [
        (owner, pool[(n * per + j) % len(pool)])
        for n, owner in enumerate(owners)
        for j in range(per)
    ]


def activities(shape: Shape, ids: dict[str, list[int]]) -> list[int]:
    create(
        ProcessingActivity,
        [activity(i) for i in range(shape.activities)],
        shape.start,
    )
    pks = list(ProcessingActivity.objects.order_by("id").values_list("id", flat=True))
    links = {
        "data_categories": spread(
            pks, ids["DataCategory"], shape.categories_per_activity
        ),
        "recipients": spread(pks, ids["Vendor"], shape.recipients_per_activity),
        "data_subject_categories": spread(pks, ids["DataSubjectCategory"], 1),
        "systems": spread(pks, ids["System"], 1),
        "security_measures": spread(pks, ids["SecurityMeasure"], 2),
    }
    for name, pairs in links.items():
        link(ProcessingActivity, name, pairs)
    snapshot_m2m(ProcessingActivity, shape.start)
    return pks


def transfers(shape: Shape, pks: list[int], ids: dict[str, list[int]]) -> None:
    """One transfer per block of activities, to a few third countries."""
    entity = LegalEntity.objects.get().pk
    blocks = range(0, len(pks), shape.activities_per_transfer)
    objs = [
        Transfer(
            name=f"Transfer {n:05}",
            exporter_id=entity,
            exporter_role="controller",
            importer_id=ids["Vendor"][n % len(ids["Vendor"])],
            importer_role="processor",
            destination=DESTINATIONS[n % len(DESTINATIONS)][0],
            mechanism=DESTINATIONS[n % len(DESTINATIONS)][1],
        )
        for n, _ in enumerate(blocks)
    ]
    create(Transfer, objs, shape.start)
    made = list(Transfer.objects.order_by("id").values_list("id", flat=True))
    per = shape.activities_per_transfer
    pairs = [(t, a) for n, t in enumerate(made) for a in pks[n * per : (n + 1) * per]]
    link(Transfer, "activities", pairs)
    snapshot_m2m(Transfer, shape.start)


def edit(shape: Shape, number: int, cats: list[int]) -> None:
    """One edit of every activity, all on the same day: the purposes, then
    (second edit) the lawful basis and one data category swapped."""
    when = shape.start + number * STEP
    objs = list(ProcessingActivity.objects.order_by("id"))
    for obj in objs:
        obj.purposes = f"{obj.purposes.split(' (rev')[0]} (rev {number})"
    fields = ["purposes"]
    if number == 2:
        for n, obj in enumerate(objs):
            obj.lawful_basis = BASES[(n + 1) % len(BASES)]
        fields.append("lawful_basis")
        swap_first_category(cats)
    bulk_update_with_history(
        objs, ProcessingActivity, fields, batch_size=BATCH, default_date=when
    )
    snapshot_m2m(ProcessingActivity, when)
    shape.edit_dates.append(when)


def swap_first_category(cats: list[int]) -> None:
    """Replace each activity's lowest data category by the next unused one."""
    through = ProcessingActivity.data_categories.through
    current: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for pk, act, cat in through.objects.values_list(
        "id", "processingactivity_id", "datacategory_id"
    ):
        current[act].append((cat, pk))
    drop, add = [], []
    for act, rows in current.items():
        cat, pk = min(rows)
        drop.append(pk)
        held = {c for c, _ in rows}
        add.append((act, next(c for c in cats if c not in held)))
    for start in range(0, len(drop), BATCH):
        through.objects.filter(id__in=drop[start : start + BATCH]).delete()
    link(ProcessingActivity, "data_categories", add)


def populate(shape: Shape | None = None) -> Shape:
    """Write the whole synthetic inventory; returns its shape with edit dates."""
    shape = shape or Shape()
    with transaction.atomic():
        ids = reference_data(shape)
        pks = activities(shape, ids)
        transfers(shape, pks, ids)
        for number in range(1, shape.edits + 1):
            edit(shape, number, ids["DataCategory"])
    return shape
