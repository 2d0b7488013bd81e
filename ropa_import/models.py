"""The column mapping a DPO chose for a layout, reused for the next file with
the same headings (docs/import.md, "Mapping")."""

from __future__ import annotations

import hashlib
import json

from django.conf import settings
from django.db import models

from ropa_import.headings import norm


def headings_key(headings: list[str]) -> str:
    """SHA-256 of the normalised headings, in order: the layout's identity."""
    text = json.dumps([norm(h) for h in headings])
    return hashlib.sha256(text.encode()).hexdigest()


class SavedMapping(models.Model):
    """Heading -> field (or "ignored") for one layout of register. Not part of
    the inventory (no Art. 30 content), so it keeps no history."""

    key = models.CharField(max_length=64, unique=True)
    headings = models.JSONField()
    mapping = models.JSONField()
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    def __str__(self) -> str:
        return f"mapping for {len(self.headings)} headings ({self.key[:12]})"

    @classmethod
    def for_headings(cls, headings: list[str]) -> dict[str, str] | None:
        found = cls.objects.filter(key=headings_key(headings)).first()
        return dict(found.mapping) if found else None

    @classmethod
    def remember(
        cls, headings: list[str], mapping: dict[str, str], user: object
    ) -> None:
        user_id = getattr(user, "pk", None)
        cls.objects.update_or_create(
            key=headings_key(headings),
            defaults={
                "headings": headings,
                "mapping": mapping,
                "updated_by_id": user_id,
            },
        )
