"""django-simple-history's ``HistoricalRecords``, recording nothing when nothing
changed.

simple-history writes a version on every ``save()`` and on every many-to-many
signal, even when the values are the ones already stored: an API client that
pushes the same data every night, an admin "Save" without edits or a re-run of
``import_ropa`` would fill the audit trail with empty versions and move the
record's ETag, so every other client's If-Match would go stale. Here a change
(``~``) whose fields and many-to-many sets equal the latest version's is not
recorded, on every path that saves (API, admin, commands, signals); creations and
deletions always are. See docs/api.md ("A write that changes nothing").
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from simple_history import models as simple_history
from simple_history.manager import HistoryManager


def comparable(field: models.Field[Any, Any], value: Any) -> Any:
    """A value as the database stores it, so that "2026-01-01" and a date, or a
    list of country codes and its stored string, compare equal."""
    try:
        return field.get_prep_value(field.to_python(value))
    except (ValidationError, TypeError, ValueError):
        return value


class SealingHistoryManager(HistoryManager):
    """Versions written in bulk are sealed like the others (inventory/chain.py):
    ``bulk_create_with_history`` and ``bulk_update_with_history`` write them
    here, without the signal that seals a single version."""

    def bulk_history_create(self, objs: Any, *args: Any, **kwargs: Any) -> Any:
        from inventory.chain import seal_rows

        with transaction.atomic():
            created = super().bulk_history_create(objs, *args, **kwargs)
            if created:
                seal_rows(self.model, created)
        return created


class HistoricalRecords(simple_history.HistoricalRecords):
    """``history = HistoricalRecords(...)`` on every tracked model."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("history_manager", SealingHistoryManager)
        super().__init__(*args, **kwargs)

    def finalize(self, sender: type[models.Model], **kwargs: Any) -> None:
        super().finalize(sender, **kwargs)
        if sender is self.cls:
            TRACKED[sender] = self

    def create_historical_record(
        self, instance: models.Model, history_type: str, using: str | None = None
    ) -> None:
        if history_type == "~" and self.unchanged(instance):
            return
        super().create_historical_record(instance, history_type, using=using)

    def unchanged(self, instance: models.Model) -> bool:
        """True when the record's values and sets are its latest version's."""
        manager = getattr(instance, self.manager_name)
        latest = manager.order_by("-history_date", "-history_id").first()
        if latest is None or latest.history_type == "-":
            return False
        for field in self.fields_included(instance):
            new = comparable(field, getattr(instance, field.attname))
            if new != comparable(field, getattr(latest, field.attname)):
                return False
        return all(
            self.current_set(instance, field) == self.recorded_set(latest, field)
            for field in latest._history_m2m_fields
        )

    @staticmethod
    def current_set(instance: models.Model, field: Any) -> set[Any]:
        through = field.remote_field.through
        rows = through._default_manager.filter(**{field.m2m_field_name(): instance})
        return set(rows.values_list(field.m2m_reverse_name(), flat=True))

    def recorded_set(self, latest: Any, field: Any) -> set[Any]:
        rows = self.m2m_models[field]._default_manager.filter(history=latest)
        return set(rows.values_list(field.m2m_reverse_name(), flat=True))


TRACKED: dict[type[models.Model], HistoricalRecords] = {}


def record_creation(instance: models.Model) -> None:
    """Write the creation version (``+``) of a record first saved without one
    (``save_without_historical_record``) and then given its many-to-many sets:
    one version with the sets, instead of an empty one and a change."""
    TRACKED[type(instance)].create_historical_record(instance, "+")
