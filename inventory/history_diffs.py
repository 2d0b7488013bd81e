"""What changed in each version on an admin history page, in a fixed number
of queries.

simple-history's ``diff_against`` reads both many-to-many sets of every pair
of versions it compares (two queries per field and pair, more when a set
changed): a page of ten versions of a processing activity cost about a
hundred queries. Here each tracked set is read once for the whole page (one
query per field) and its members once per related model; the plain fields are
still compared by ``diff_against``, whose foreign keys the page's query has
already joined. The result is the same ``ModelDelta`` simple-history builds.
"""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import models
from simple_history.models import DeletedObject, ModelChange, ModelDelta

Members = dict[int, list[int]]  # history id -> the set's target ids


def deltas(
    records: Sequence[Any], excluded: Sequence[str]
) -> list[tuple[Any, ModelDelta]]:
    """For each record but the oldest (``records`` newest first), the change
    from the next older record to it."""
    if len(records) < 2:
        return []
    historical = type(records[0])
    fields = [f for f in historical._history_m2m_fields if f.name not in set(excluded)]
    ids = [r.history_id for r in records]
    sets = {f.name: members(historical, f, ids) for f in fields}
    objects = {f.name: related_objects(f, sets[f.name]) for f in fields}
    pairs = []
    for newer, older in zip(records, records[1:], strict=False):
        delta = newer.diff_against(
            older,
            excluded_fields=[*excluded, *(f.name for f in fields)],
            foreign_keys_are_objs=True,
        )
        changes = [*delta.changes]
        for field in fields:
            old = sets[field.name].get(older.history_id, [])
            new = sets[field.name].get(newer.history_id, [])
            if old != new:
                shown = objects[field.name]
                changes.append(
                    ModelChange(
                        field.name,
                        rows(field, newer.instance, old, shown),
                        rows(field, newer.instance, new, shown),
                    )
                )
        changes.sort(key=lambda change: change.field)  # as diff_against sorts
        changed = [c.field for c in changes]
        pairs.append(
            (newer, dataclasses.replace(delta, changes=changes, changed_fields=changed))
        )
    return pairs


def members(
    historical: Any, field: models.ManyToManyField[Any, Any], ids: list[int]
) -> Members:
    """The target ids of one set under each of the page's versions."""
    through = apps.get_model(
        historical._meta.app_label, f"{historical.__name__}_{field.name}"
    )
    target = field.m2m_reverse_name()
    found: Members = defaultdict(list)
    pairs = through.objects.filter(history_id__in=ids).values_list("history_id", target)
    for history_id, target_id in pairs.order_by("pk"):
        found[history_id].append(target_id)
    return found


def related_objects(
    field: models.ManyToManyField[Any, Any], sets: Members
) -> dict[int, Any]:
    """The members still in the inventory, in their model's own order (a
    deleted one is shown as simple-history shows it)."""
    model = field.related_model
    assert isinstance(model, type)  # never a lazy reference once apps are ready
    ids = {pk for targets in sets.values() for pk in targets}
    return {obj.pk: obj for obj in model._default_manager.filter(pk__in=ids)}


def rows(
    field: models.ManyToManyField[Any, Any],
    owner: models.Model,
    targets: list[int],
    shown: dict[int, Any],
) -> list[dict[str, Any]]:
    """A set as ``diff_against`` gives it: one dict per through row, ordered
    as the related model orders its records."""
    model = field.related_model
    order = {pk: n for n, pk in enumerate(shown)}
    ordered = sorted(targets, key=lambda pk: (order.get(pk, len(order)), pk))
    return [
        {
            field.m2m_field_name(): owner,
            field.m2m_reverse_field_name(): shown.get(pk) or DeletedObject(model, pk),
        }
        for pk in ordered
    ]
