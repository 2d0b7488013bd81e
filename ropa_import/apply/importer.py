"""Applying the sheets: the Organisation rows (saved one by one: a handful),
then the Controller record's activities in batches of ``BATCH``, each row
checked and planned in memory and each batch written by one flush
(``ropa_import.apply.writes``)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from inventory.models import (
    ActivityLawfulBasis,
    DataCategory,
    LegalEntity,
    ProcessingActivity,
    Vendor,
    lawful_bases_errors,
    model_values,
)
from ropa_import.apply.keys import Hashes
from ropa_import.apply.related import RELATED, Related
from ropa_import.apply.result import ImportResult, RowOutcome
from ropa_import.apply.transfers import Transfers
from ropa_import.apply.writes import Writes
from ropa_import.cells import TransferLine, country_in_address, maybe_country
from ropa_import.headings import norm
from ropa_import.read import Book, Table
from ropa_import.rows import Activities, ActivityRow, RowCells

REASON_MAX = 100  # simple-history's change-reason column
BATCH = 1000  # activities planned, then written, together
UNIQUE = ("ref", "name")  # checked against the import's index, not one by one
NOT_VALIDATED = ("reviewed_by",)  # the import never sets it


def assign(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; returns the names of the fields changed."""
    changed = []
    for name, value in values.items():
        current = getattr(obj, name)
        if getattr(current, "code", current) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def report(
    cells: RowCells, errors: dict[str, list[str]], obj: Any, fallback: str
) -> bool:
    """Validation errors put on their columns; True when there were none."""
    for name, messages in errors.items():
        key = name if cells.has(name) else fallback
        cells.error(key, " ".join(messages), getattr(obj, name, None))
    return not errors


def validate(cells: RowCells, obj: models.Model, fallback: str) -> bool:
    """Model validation (lengths, uniqueness, clean()), errors put on columns."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        return report(cells, exc.message_dict, obj, fallback)
    return True


def outcome_of(created: bool, changed: Sequence[str]) -> str:
    return "created" if created else "updated" if changed else "unchanged"


def contact_text(info: dict[str, str], with_name: bool = False) -> str:
    keys = ("name", "email", "phone", "address") if with_name else ("email", "phone")
    return ", ".join(info[k] for k in keys if info.get(k))[:300]


def distinct(objs: list[Any]) -> list[Any]:
    """Each record once, in order; a planned one (no key yet) by identity."""
    seen: set[tuple[str, int]] = set()
    found = []
    for obj in objs:
        key = ("pk", obj.pk) if obj.pk is not None else ("new", id(obj))
        if key not in seen:
            seen.add(key)
            found.append(obj)
    return found


def column_label(cells: RowCells, name: str) -> str:
    return cells.header(name) or name


class Importer:
    """Applies the parsed rows inside the caller's transaction and notes every
    outcome and error in the ImportResult; never commits or rolls back."""

    def __init__(
        self, result: ImportResult, user: Any | None, progress: Any = None
    ) -> None:
        self.result, self.user = result, user
        self.reason = f"imported from {result.file_name}"[:REASON_MAX]
        self.progress = progress  # called with (rows done, rows in all)
        self.writes = Writes(self.reason, user)
        self.related = Related(self.writes)
        self.transfers = Transfers(self.writes, result.warnings, self.related)
        # The activities that rows can still match or collide with, by their
        # folded (``norm``) and exact reference and name.
        self.by_name: dict[str, ProcessingActivity] = {}
        self.by_ref: dict[str, ProcessingActivity] = {}
        self.exact: dict[str, dict[str, ProcessingActivity]] = {"ref": {}, "name": {}}
        # Those this import has written: their rows cannot come again (the
        # file's references and names are unique), so only the hashes of
        # their folded references (for ``next_ref``) and of their exact
        # references and names (for uniqueness) are kept.
        self.written_refs = Hashes()
        self.written_exact = Hashes()
        self.written = 0
        for activity in ProcessingActivity.objects.all():
            self.remember(activity)
        # the stored sets and lawful bases of the batch's activities
        self.sets: dict[int, dict[str, set[int]]] = {}
        self.bases: dict[int, list[ActivityLawfulBasis]] = {}

    def run(self, book: Book, activities: Activities) -> None:
        if book.organisation is not None:
            for number, values in book.organisation.rows:
                self.entity_row(self.cells(book.organisation, number, values))
        elif book.controller.contact:
            self.contact_block(book.controller)
        if self.transfers.exporter is None:
            entities = list(LegalEntity.objects.all()[:2])
            self.transfers.exporter = entities[0] if len(entities) == 1 else None
        self.transfers.own = book.controller.own
        self.controller_rows(activities)
        if not self.result.errors:  # with errors everything is rolled back
            self.transfers.flush()
            self.writes.flush()

    def cells(self, table: Table, number: int, values: tuple[Any, ...]) -> RowCells:
        return RowCells(table, number, values, self.result.errors)

    def record(
        self,
        cells: RowCells,
        label: str,
        outcome: str,
        fields: list[str],
        notes: list[str] | None = None,
    ) -> None:
        sheet, number = cells.table.sheet, cells.number
        self.result.add(RowOutcome(sheet, number, label, outcome, fields, notes or []))

    def save(self, obj: models.Model) -> None:
        """One record saved with the import's reason and user (its version is
        written and sealed by simple-history's signal)."""
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        obj._history_user = self.user  # type: ignore[attr-defined]
        obj.save()

    # -- Organisation (Art. 30(1)(a)): our legal entities
    def entity_row(self, cells: RowCells) -> None:
        name = " ".join(cells.text("name").split())
        if not name:
            cells.error("name", "missing the legal entity's name")
            return
        entity = LegalEntity.objects.filter(name__iexact=name).first()
        created = entity is None
        entity = entity or LegalEntity(name=name)
        changed = assign(entity, self.entity_values(cells))
        if cells.failed or not validate(cells, entity, "name"):
            return
        if created or changed:
            self.save(entity)
        shown = [] if created else changed
        self.record(cells, str(entity), outcome_of(created, changed), shown)
        self.transfers.exporter = self.transfers.exporter or entity

    def entity_values(self, cells: RowCells) -> dict[str, Any]:
        keys = ("address", "contact", "dpo", "representative")
        values: dict[str, Any] = {
            k: cells.text(k)[:300] if k != "address" else cells.text(k)
            for k in keys
            if cells.has(k)
        }
        text = cells.text("country")
        code = maybe_country(text)
        if code is None:
            cells.error("country", "unknown country" if text else "missing the country")
        values["country"] = code
        rep = country_in_address(values.get("representative", ""))
        if rep:  # else an existing entity keeps the country it has
            values["representative_country"] = rep
        return values

    def contact_block(self, table: Table) -> None:
        """Art. 30(1)(a) from the block above the table (ICO template rows
        1-6, Fides' organisation block): the controller, its DPO, its
        representative. Without a country it can only complete an entity of
        that name; otherwise it is reported, not guessed."""
        block = table.contact
        entity_info = block.get("entity", {})
        name = entity_info.get("name", "")
        if not name:
            return
        entity = LegalEntity.objects.filter(name__iexact=name).first()
        address = entity_info.get("address", "")
        code = maybe_country(entity_info.get("country", "")) or maybe_country(
            (address.replace(",", "\n").splitlines() or [""])[-1]
        )
        if entity is None and code is None:
            self.result.warnings.append(
                f"{table.sheet}: the contact block names {name!r} without a country: "
                "add it as a legal entity (with its country) to import its details"
            )
            return
        created = entity is None
        entity = entity or LegalEntity(name=name[:200], country=code or "")
        values = {
            "address": address,
            "contact": contact_text(entity_info),
            "dpo": contact_text(block.get("dpo", {}), with_name=True),
            "representative": contact_text(block.get("representative", {}), True),
        }
        values["representative_country"] = (
            country_in_address(values["representative"]) or ""
        )
        changed = assign(entity, {k: v for k, v in values.items() if v})
        if created or changed:
            self.save(entity)
        label = f"{table.sheet} contact block: {entity}"
        self.result.add(
            RowOutcome(table.sheet, 1, label, outcome_of(created, changed), changed)
        )
        self.transfers.exporter = entity

    # -- Controller record (Art. 30(1)(b)-(g))
    def controller_rows(self, activities: Activities) -> None:
        for batch in activities.batches(BATCH, self.result.errors):
            self.prefetch(batch)
            for row in batch:
                self.activity_row(row)
            if self.result.errors:  # nothing will be kept: write no more
                self.writes.reset()
            else:
                self.writes.flush()
                self.release(batch)  # and the batch's rows are let go
                self.transfers.release()
            if self.progress is not None:
                self.progress(activities.done, activities.total)

    def prefetch(self, batch: list[ActivityRow]) -> None:
        """The stored sets and lawful bases of the batch's stored activities:
        one query per set, one for the bases."""
        found = (self.find(row) for row in batch)
        pks = [a.pk for a in found if a is not None and a.pk is not None]
        self.sets = {pk: {key: set() for key in RELATED} for pk in pks}
        for key in RELATED:
            field: Any = ProcessingActivity._meta.get_field(key)
            source = f"{field.m2m_field_name()}_id"
            target = f"{field.m2m_reverse_field_name()}_id"
            through = field.remote_field.through._default_manager
            rows = through.filter(**{f"{source}__in": pks}).values_list(source, target)
            for activity_id, target_id in rows:
                self.sets[activity_id][key].add(target_id)
        self.bases = defaultdict(list)
        stored = ActivityLawfulBasis.objects.filter(activity_id__in=pks).order_by("id")
        for basis in stored:
            self.bases[basis.activity_id].append(basis)

    def find(self, row: ActivityRow) -> ProcessingActivity | None:
        """The activity the row names; None also for one this import has
        written (its reference or name is then reported as taken)."""
        if row.ref:
            return self.by_ref.get(norm(row.ref))
        return self.by_name.get(norm(row.name))

    def remember(self, activity: ProcessingActivity) -> None:
        self.by_name[norm(activity.name)] = activity
        self.by_ref[norm(activity.ref)] = activity
        self.exact["name"][activity.name] = activity
        self.exact["ref"][activity.ref] = activity

    def release(self, batch: list[ActivityRow]) -> None:
        """Keep only hashes of the batch's activities (written): memory
        stays bounded by the batch, not the file."""
        for row in batch:
            activity = self.find(row)
            if activity is not None and not row.cells.failed:
                self.forget(activity)
                self.written += 1
                self.written_refs.add(hash(norm(activity.ref)))
                for key in UNIQUE:
                    self.written_exact.add(hash((key, getattr(activity, key))))
        self.written_refs.seal()
        self.written_exact.seal()

    def taken(self, key: str, value: str) -> bool:
        """Whether ``value`` is the reference or name (``key``) of another
        activity: one rows can still match, or one this import has written
        (a hash found is checked in the database: a collision is no error)."""
        if value in self.exact[key]:
            return True
        if hash((key, value)) not in self.written_exact:
            return False
        return ProcessingActivity.objects.filter(**{key: value}).exists()

    def forget(self, activity: ProcessingActivity) -> None:
        self.by_name.pop(norm(activity.name), None)
        self.by_ref.pop(norm(activity.ref), None)
        for key in UNIQUE:
            if self.exact[key].get(getattr(activity, key)) is activity:
                del self.exact[key][getattr(activity, key)]

    def activity_row(self, row: ActivityRow) -> None:
        cells, activity = row.cells, self.find(row)
        if activity is not None and activity.role != ProcessingActivity.Role.CONTROLLER:
            key = "ref" if row.ref else "name"
            cells.error(key, f"{activity} is a processor activity, not imported here")
            return
        created = activity is None
        activity = activity or self.new_activity(row)
        self.forget(activity)
        changed = assign(activity, {"name": row.name, **self.values(row)})
        self.check(row, activity)
        if cells.failed:
            if not created:  # keep matching later rows against what is stored
                activity.refresh_from_db()
                self.remember(activity)
            return
        if created:  # inserted at the flush, with its sets: one version
            self.writes.create(activity)
        self.remember(activity)
        self.link(row, activity, created, changed)

    def values(self, row: ActivityRow) -> dict[str, Any]:
        """The row's field values; what has no field of its own goes to the
        notes, recipient kinds to the recipient categories (Art. 30(1)(d))."""
        values = dict(row.scalars)
        if row.recipients is not None:
            kinds = [r.name for r in row.recipients if r.kind]
            values["recipient_categories"] = "\n".join(kinds)
        return values

    def new_activity(self, row: ActivityRow) -> ProcessingActivity:
        return ProcessingActivity(
            ref=row.ref or self.next_ref(),
            name=row.name,
            role=ProcessingActivity.Role.CONTROLLER,
        )

    def next_ref(self) -> str:
        number = len(self.by_ref) + self.written + 1
        while self.ref_taken(norm(f"PA-{number}")):
            number += 1
        return f"PA-{number}"

    def ref_taken(self, folded: str) -> bool:
        return folded in self.by_ref or hash(folded) in self.written_refs

    def check(self, row: ActivityRow, activity: ProcessingActivity) -> None:
        """Everything that could fail, before anything of the row is written."""
        cells = row.cells
        named = dict(row.names)
        named["recipients"] = [r.name for r in row.recipients or [] if not r.kind]
        for key, texts in named.items():
            for text in texts:
                problem = self.related.problem(RELATED[key], text)
                if problem:
                    cells.error(key, problem, text)
        for text, _ in row.specials:
            problem = self.related.problem(DataCategory, text)
            if problem:
                cells.error("special_categories", problem, text)
        if row.transfers() and self.transfers.exporter is None:
            cells.error(
                "transfer_safeguards"
                if cells.has("transfer_safeguards")
                else "third_countries",
                "cannot tell who exports the data: add an Organisation sheet "
                "(Name, Country) or keep exactly one legal entity",
            )
        if row.bases:
            listed = [basis for basis, _ in row.bases]
            values = model_values(activity)
            for message in lawful_bases_errors(values, listed, []).values():
                cells.error("lawful_basis", message)
        if not cells.failed:
            report(cells, self.activity_errors(activity), activity, "name")

    def activity_errors(self, activity: ProcessingActivity) -> dict[str, list[str]]:
        """What ``full_clean`` says, with the reference and the name checked
        against the import's index of activities instead of a query each."""
        errors: dict[str, list[str]] = {}
        try:
            activity.full_clean(
                exclude=NOT_VALIDATED, validate_unique=False, validate_constraints=False
            )
        except ValidationError as exc:
            errors = dict(exc.message_dict)
        for key in UNIQUE:
            if key not in errors and self.taken(key, getattr(activity, key)):
                error = activity.unique_error_message(ProcessingActivity, (key,))
                errors[key] = error.messages
        return errors

    def link(
        self,
        row: ActivityRow,
        activity: ProcessingActivity,
        created: bool,
        changed: list[str],
    ) -> None:
        notes: list[str] = []
        linked, recipients = self.link_related(row, activity, notes, created)
        lines, unresolved = row.transfers(), list[TransferLine]()
        if lines is not None:
            moved, unresolved = self.transfers.sync(
                row.cells, activity, lines, recipients, notes
            )
            changed += ["transfer_safeguards"] if moved else []
        linked += self.keep_notes(row, activity, unresolved if lines else [])
        fields = [n for n in changed + linked if n not in RELATED]
        self.writes.change(activity, [n for n in fields if n != "transfer_safeguards"])
        changed = list(dict.fromkeys(changed + linked))
        if row.bases is not None and self.sync_bases(activity, row.bases):
            changed.append("lawful_basis")
        outcome = outcome_of(created, changed)
        shown = [] if created else changed
        labels = [column_label(row.cells, name) for name in shown]
        self.record(row.cells, str(activity), outcome, labels, notes)

    def keep_notes(
        self, row: ActivityRow, activity: ProcessingActivity, lines: list[TransferLine]
    ) -> list[str]:
        """What has no field of its own goes to the notes: the text of the
        columns no field takes, and transfers (Art. 30(1)(e)) whose importer
        is not known, which the run's warnings also name: an importer is never
        invented. A row with nothing of the kind leaves the notes as they are."""
        texts = [f"Transfer without a known importer: {line.text()}" for line in lines]
        for text in texts:
            self.result.warnings.append(
                f"{row.cells.table.sheet} row {row.cells.number} ({activity.name}): "
                f"{text}; name the recipient with its country, e.g. "
                "'Stripe (processor, US)'"
            )
        notes = "\n".join(row.notes + texts)
        if not notes or notes == activity.notes:
            return []
        activity.notes = notes
        return ["notes"]

    def sync_bases(
        self, activity: ProcessingActivity, bases: list[tuple[str, str]]
    ) -> bool:
        """Make the activity's lawful bases the cell's, one version per row
        added, changed or removed; True when any changed."""
        wanted = dict(bases)
        changed = False
        for row in self.bases.get(activity.pk, []) if activity.pk else []:
            purposes = wanted.pop(row.basis, None)
            if purposes is None:
                self.writes.delete(row)
                changed = True
            elif purposes != row.purposes:
                row.purposes = purposes
                self.writes.change(row, ["purposes"])
                changed = True
        for basis, purposes in wanted.items():
            new = ActivityLawfulBasis(activity=activity, basis=basis, purposes=purposes)
            self.writes.create(new)
            changed = True
        return changed

    def link_related(
        self,
        row: ActivityRow,
        activity: ProcessingActivity,
        notes: list[str],
        created: bool,
    ) -> tuple[list[str], list[Vendor]]:
        """The sets the row names, planned; the sets changed and the
        activity's recipients (as the row gives them, else as stored)."""
        kinds = {norm(text): kind for text, kind in row.specials}
        get = self.related.get
        chosen = {
            key: [get(RELATED[key], text, kinds, notes) for text in texts]
            for key, texts in row.names.items()
        }
        if row.recipients is not None:
            chosen["recipients"] = [
                get(Vendor, r.name, kinds, notes, r)
                for r in row.recipients
                if not r.kind
            ]
        specials = [get(DataCategory, text, kinds, notes) for text, _ in row.specials]
        if "data_categories" in chosen:  # a special category is a data category
            chosen["data_categories"] += specials
        stored = self.sets.get(activity.pk, {}) if not created else {}
        changed = [
            key
            for key, targets in chosen.items()
            if self.set_m2m(activity, key, distinct(targets), stored)
        ]
        for category, (_, kind) in zip(specials, row.specials, strict=True):
            self.related.mark_special(category, kind, notes)
        if row.cells.has("retention_per_category"):
            lines = row.cells.items("retention_per_category")
            self.related.note_retention(chosen.get("data_categories", []), lines, notes)
        if "recipients" in chosen:
            recipients = distinct(chosen["recipients"])
        else:
            pks = stored.get("recipients", set())
            vendors = self.related.by_pk(Vendor)
            recipients = [vendors[pk] for pk in sorted(pks) if pk in vendors]
        differs = self.related.note_contracts(recipients, row.contracts, notes)
        differs += self.related.note_contacts(recipients, row.contacts, notes)
        categories = chosen.get("data_categories", [])
        differs += self.related.note_ccpa(categories, row.ccpa, notes)
        where = f"{row.cells.table.sheet} row {row.cells.number} ({activity.name})"
        self.result.warnings += [f"{where}: {text}" for text in differs]
        return changed, recipients

    def set_m2m(
        self,
        activity: ProcessingActivity,
        key: str,
        targets: list[Any],
        stored: dict[str, set[int]],
    ) -> bool:
        """Plan the set ``key`` to be ``targets``; True when it changes."""
        current = stored.get(key, set())
        wanted = {t.pk for t in targets if t.pk is not None}
        add = [t for t in targets if t.pk is None or t.pk not in current]
        remove = sorted(current - wanted)
        self.writes.link(activity, key, add, remove)
        return bool(add or remove)
