"""Deleting a record without losing history.

A database cascade changes other records behind simple-history's back: a
``SET_NULL`` link is cleared by an SQL ``UPDATE`` and a many-to-many row is
dropped without ``m2m_changed``. ``detach`` undoes the link first, one owner at a
time through the ORM, so each owner gets a version saying what it lost. The
admin, the API and the ``pre_delete`` signal (any other path: commands, the
shell, cascades) all call it.
"""

from __future__ import annotations

from typing import Any

from django.db import models, transaction

REASON_MAX_LENGTH = 100  # simple-history's history_change_reason column


def tracked_reverse_relations(instance: models.Model) -> list[Any]:
    """The links other history-tracked records hold to ``instance``."""
    return [
        f
        for f in instance._meta.get_fields(include_hidden=True)
        if f.auto_created
        and not f.concrete
        and f.is_relation
        and hasattr(f.related_model, "history")
    ]


def note_author(owner: models.Model, user: Any, reason: str | None) -> None:
    """The user and the change reason the owner's next version will carry; no
    user: simple-history's request middleware supplies the logged-in one."""
    if user is not None and user.is_authenticated:
        owner._history_user = user  # type: ignore[attr-defined]
    owner._change_reason = reason  # type: ignore[attr-defined]


def detach(instance: models.Model, user: Any = None, reason: str | None = None) -> None:
    """Before a delete, remove ``instance`` from other records' many-to-many
    sets and clear their nullable links to it, one owner at a time, so that
    each owner gets a version in its history."""
    reason = reason or f"{instance} was deleted"[:REASON_MAX_LENGTH]
    for rel in tracked_reverse_relations(instance):
        owner_model: Any = rel.related_model
        name = rel.field.name
        if rel.many_to_many:
            for owner in owner_model._default_manager.filter(**{name: instance}):
                note_author(owner, user, reason)
                getattr(owner, name).remove(instance)
        elif getattr(rel, "on_delete", None) is models.SET_NULL:
            for owner in owner_model._default_manager.filter(**{name: instance}):
                note_author(owner, user, reason)
                setattr(owner, name, None)
                owner.save()


def delete_with_history(
    instance: models.Model, user: Any = None, reason: str | None = None
) -> None:
    """Detach, then delete, in one transaction; the deleted version carries
    the same user and reason."""
    with transaction.atomic():
        detach(instance, user, reason)
        note_author(instance, user, reason)
        instance.delete()


def detach_before_delete(sender: type[models.Model], instance: Any, **_: Any) -> None:
    """pre_delete: every delete path detaches, even one that did not ask to."""
    detach(instance)
