"""Related records (data-subject and data categories, vendors, systems,
security measures): found by their normalised names in an index read once
per import (one query per model), else created at the batch's flush."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from django.db import models

from inventory.models import (
    DataCategory,
    DataSubjectCategory,
    SecurityMeasure,
    System,
    Vendor,
)
from ropa_import.apply.writes import Writes
from ropa_import.cells import Recipient
from ropa_import.headings import norm

CODE_LIKE = re.compile(r"^(?=.*\d)[A-Z0-9][A-Z0-9._/-]{0,19}$")
RELATED: dict[str, type[models.Model]] = {
    "data_subject_categories": DataSubjectCategory,
    "data_categories": DataCategory,
    "recipients": Vendor,
    "systems": System,
    "security_measures": SecurityMeasure,
}


def max_length(model: type[models.Model], field_name: str = "name") -> int:
    found = model._meta.get_field(field_name)
    return getattr(found, "max_length", None) or 0


def split_code(text: str) -> tuple[str | None, str]:
    """``DC07 Conversation content`` -> (``DC07``, ``Conversation content``)."""
    first, _, rest = text.partition(" ")
    if CODE_LIKE.match(first) and rest.strip():
        return first, rest.strip()
    return None, text


def index_keys(obj: models.Model) -> list[str]:
    """The texts a record is found by, best first."""
    if isinstance(obj, DataCategory):
        return [norm(f"{obj.code} {obj.name}"), norm(obj.name), norm(obj.code)]
    return [norm(str(getattr(obj, "name", "")))]


class Related:
    """Lookup of existing related records by their normalised names; plans
    the creation of what is missing (and says so in the row's notes)."""

    def __init__(self, writes: Writes) -> None:
        self.writes = writes
        self.indexes: dict[type[models.Model], dict[str, Any]] = {}
        self.keyed: dict[type[models.Model], dict[Any, Any]] = {}

    def index(self, model: type[models.Model]) -> dict[str, Any]:
        if model not in self.indexes:
            objects = list(model._default_manager.all())
            index: dict[str, Any] = {}
            for level in range(3):  # full keys first, then names, then codes
                for obj in objects:
                    keys = index_keys(obj)
                    if level < len(keys):
                        index.setdefault(keys[level], obj)
            self.indexes[model] = index
        return self.indexes[model]

    def find(self, model: type[models.Model], text: str) -> Any | None:
        return self.index(model).get(norm(text))

    def by_pk(self, model: type[models.Model]) -> dict[Any, Any]:
        """The stored records of ``model`` by key."""
        if model not in self.keyed:
            index = self.index(model).values()
            self.keyed[model] = {o.pk: o for o in index if o.pk is not None}
        return self.keyed[model]

    def add(self, obj: models.Model) -> None:
        self.keyed.pop(type(obj), None)
        for key in index_keys(obj):
            self.index(type(obj)).setdefault(key, obj)

    def problem(self, model: type[models.Model], text: str) -> str | None:
        """Why ``text`` can be neither found nor created, or None."""
        if self.find(model, text) is not None:
            return None
        if model is not DataCategory:
            limit = max_length(model)
            return f"name longer than {limit} characters" if len(text) > limit else None
        code, name = split_code(text)
        used = self.find(DataCategory, code) if code else None
        if used is not None:
            return f"the code {code} is already used by {used}"
        if len(name) > max_length(DataCategory):
            return f"name longer than {max_length(DataCategory)} characters"
        return None

    def get(
        self,
        model: type[models.Model],
        text: str,
        specials: dict[str, str],
        notes: list[str],
        recipient: Recipient | None = None,
    ) -> Any:
        found = self.find(model, text)
        if found is not None:
            return found
        obj = self.new(model, text, specials.get(norm(text), ""))
        if recipient is not None and isinstance(obj, Vendor):
            obj.role = recipient.role or obj.role
            obj.country = recipient.country
        self.writes.create(obj)
        self.add(obj)
        notes.append(f"new {model._meta.verbose_name} {obj}")
        return obj

    def new(self, model: type[models.Model], text: str, art9_kind: str) -> models.Model:
        if model is DataCategory:
            code, name = split_code(text)
            return DataCategory(
                code=code or self.next_code(),
                name=name,
                special_category=bool(art9_kind),
                art9_kind=art9_kind,
            )
        if model is Vendor:  # country unknown until a transfer says it
            return Vendor(name=text, role=Vendor.Role.PROCESSOR, country="")
        if model is SecurityMeasure:
            heading = SecurityMeasure.AnnexII.GOVERNANCE
            return SecurityMeasure(name=text, annex_ii_heading=heading)
        return model(name=text)

    def next_code(self) -> str:
        number = 1
        while self.find(DataCategory, f"IMP{number:03d}") is not None:
            number += 1
        return f"IMP{number:03d}"

    def note_retention(
        self, categories: list[Any], lines: list[str], notes: list[str]
    ) -> None:
        """Art. 30(1)(f): a category of this row that has no period yet takes
        the one the record states for it ("<code> <name>: <period>")."""
        for line in lines:
            label, colon, text = line.partition(": ")
            category = self.find(DataCategory, label)
            if not colon or category is None or category not in categories:
                continue
            scheduled = category.retention_period is not None
            if category.retention or scheduled or category.retention_follows_id:
                continue
            category.retention = text.strip()[: max_length(DataCategory, "retention")]
            self.writes.change(category, ["retention"])
            notes.append(f"data category {category} retention: {category.retention}")

    def note_contracts(
        self, vendors: list[Vendor], contracts: list[tuple[str, date]], notes: list[str]
    ) -> list[str]:
        """Art. 28(3): a recipient of this row without a DPA date takes the
        one the record states ("<vendor>: DPA signed <date>"); returns what
        differs from a date already recorded (kept)."""
        by_name = {norm(v.name): v for v in vendors}
        differs = []
        for name, signed in contracts:
            vendor = by_name.get(norm(name))
            if vendor is None:
                notes.append(f"DPA of {name} not recorded: not a recipient of this row")
            elif vendor.dpa_signed_on is None:
                vendor.dpa_signed_on = signed
                self.writes.change(vendor, ["dpa_signed_on"])
                notes.append(f"vendor {vendor} DPA signed on {signed}")
            elif vendor.dpa_signed_on != signed:
                differs.append(
                    f"{vendor}: DPA signed {signed} in the file, "
                    f"{vendor.dpa_signed_on} recorded (kept)"
                )
        return differs

    def note_contacts(
        self, vendors: list[Vendor], contacts: list[tuple[str, str]], notes: list[str]
    ) -> list[str]:
        """Art. 26(1), 30(1)(a): a joint controller among this row's
        recipients without contact details takes those the record states;
        returns what differs from details already recorded (kept)."""
        by_name = {norm(v.name): v for v in vendors}
        differs = []
        for name, contact in contacts:
            vendor = by_name.get(norm(name))
            if vendor is None:
                notes.append(f"contact of {name} not recorded: not a recipient")
            elif not vendor.contact:
                vendor.contact = contact[: max_length(Vendor, "contact")]
                self.writes.change(vendor, ["contact"])
                notes.append(f"vendor {vendor} contact: {vendor.contact}")
            elif vendor.contact != contact:
                differs.append(
                    f"{vendor}: contact {contact!r} in the file, "
                    f"{vendor.contact!r} recorded (kept)"
                )
        return differs

    def note_ccpa(
        self, categories: list[Any], found: list[tuple[str, str]], notes: list[str]
    ) -> list[str]:
        """Cal. Civ. Code 1798.140(v)(1): a data category of this row without
        CCPA category letters takes those the record states ("DC01: A,I");
        returns what differs from letters already recorded (kept)."""
        differs = []
        for text, letters in found:
            category = self.find(DataCategory, text)
            if category is None or category not in categories:
                notes.append(f"CCPA {text}: {letters} not recorded: not in this row")
            elif not category.ccpa_category:
                category.ccpa_category = letters
                self.writes.change(category, ["ccpa_category"])
                notes.append(f"data category {category} CCPA categories: {letters}")
            elif category.ccpa_category != letters:
                differs.append(
                    f"{category}: CCPA categories {letters} in the file, "
                    f"{category.ccpa_category} recorded (kept)"
                )
        return differs

    def mark_special(self, category: DataCategory, kind: str, notes: list[str]) -> None:
        """Art. 9(1): the record says this data category is a special category."""
        if category.special_category and category.art9_kind == kind:
            return
        category.special_category, category.art9_kind = True, kind
        self.writes.change(category, ["special_category", "art9_kind"])
        label = DataCategory.Art9Kind(kind).label
        notes.append(f"data category {category} marked special category ({label})")
