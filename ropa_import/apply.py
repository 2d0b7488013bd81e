"""Import a controller record of processing activities (GDPR Art. 30(1)) from a
spreadsheet the DPO already keeps: this service's own ``ropa-controller`` export
(docs/import.md) or a sheet with the UK ICO controller template's columns
(ICO documentation guidance). The management command ``import_ropa`` and the
admin upload page are thin over ``import_ropa()``.

Reading (limits that protect the server):
- at most ``settings.IMPORT_MAX_BYTES`` (10 MB by default); an OLE compound file
  (``D0 CF 11 E0``: an encrypted workbook or a legacy .xls) and anything that is
  not a zip are refused with one line; the zip's declared sizes are checked
  before openpyxl opens it (at most ``MAX_UNCOMPRESSED`` bytes in all, at most
  ``MAX_RATIO`` times its compressed size per entry: a zip bomb never inflates;
  Python's zipfile never inflates past a declared size). openpyxl reads in
  ``read_only`` and ``data_only`` mode (defusedxml refuses XML entity bombs);
- at most ``MAX_ROWS`` non-empty data rows and ``MAX_CELL_CHARS`` per cell.

Which sheet, which columns: the sheet ``Controller record`` if there is one, else
the ICO ``Template`` sheet, else the first sheet with a recognisable header row.
The header row is the first of the sheet's first ``HEADER_SCAN_ROWS`` rows that
names at least two known columns (this service's ``CONTROLLER_HEADERS``, the ICO
labels and a few aliases, compared case- and space-insensitively, with
"(if applicable)"-style notes ignored). It needs the activity name or, for ICO
sheets, the purpose (whose first line then names the activity). A column that is
absent leaves that field as it is; a column that is present is the truth for
that field, an empty cell included. Cells are read back through
``reports.xlsx.unneutralise``; lists are one item per line (and also split on
``;`` outside the ``Controller record`` sheet).

Matching (case- and space-insensitive): activities by Reference when the cell
has one, else by name; imported activities are controller activities. Data
categories by ``<code> <name>``, name or code; data-subject categories, vendors,
systems and security measures by name; countries by English name or ISO code.
What is not found is created: a data category takes the first word of its text
as its code when that word looks like one (``DC07``), else ``IMP<n>``; a vendor
is a processor with its country left empty (unknown) until a transfer says it;
a security measure is filed under Annex II "governance" for the DPO to refine.
The ``Special categories of data`` column marks the named data categories as
special with their Art. 9 kind (it never unmarks one).

Transfers (Art. 30(1)(e)). The export derives ``Third countries`` and ``Transfer
safeguards`` from the transfers that include the activity; the import makes the
transfers the two columns describe, as simply as the round trip allows:
- each safeguard line ``<country>: <mechanism label>[ (SCC Module n)]`` is one
  transfer; a line with no country applies to every listed third country that no
  other line names; a third country with no line is a transfer with mechanism
  ``none`` (the checks then report the missing safeguard);
- the activity's existing transfers outside the EEA are matched to the lines by
  country, mechanism and module (a line without a module matches any); matched
  ones are left alone, unmatched ones lose this activity, unmatched lines are
  linked to a transfer with the same parties, country, mechanism and roles, or
  to a new one;
- exporter: the first legal entity of the ``Organisation`` sheet (created or
  updated from that sheet); without that sheet, the only legal entity there is;
- importer: the one recipient of the activity located (or processing) in that
  country; else the one recipient whose country is unknown (its country becomes
  the destination); else none is invented: the line is kept in the activity's
  notes and named in the result's warnings;
- roles: from the SCC module when the line gives one (Decision 2021/914: 1 C-C,
  2 C-P, 3 P-P, 4 P-C); else the exporter is controller and the importer is
  processor, or controller when the vendor is an independent or joint one.

All rows or none: everything runs in one transaction; every row is checked and
applied and every error (sheet, spreadsheet row, column header, value) collected;
with any error, or in a dry run, the transaction is rolled back. Every record
created or changed carries the history reason ``imported from <file name>`` and
the importing user (none from the command).
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone

from inventory.history_records import record_creation
from inventory.models import (
    ActivityLawfulBasis,
    DataCategory,
    DataSubjectCategory,
    LegalEntity,
    ProcessingActivity,
    SecurityMeasure,
    System,
    Vendor,
    lawful_bases_errors,
    model_values,
)
from reports.xlsx import country_name
from ropa_import.cells import (
    MODULE_ROLES,
    Recipient,
    RowError,
    TransferLine,
    maybe_country,
)
from ropa_import.headings import norm
from ropa_import.models import SavedMapping
from ropa_import.read import Book, Table, read_book, read_limited
from ropa_import.rows import ActivityRow, RowCells, activity_rows, shorten
from transfers import rules
from transfers.models import CountryProfile, Transfer

REASON_MAX = 100  # simple-history's change-reason column


# -- the result --------------------------------------------------------------


@dataclass
class RowOutcome:
    """What the import did (or would do) with one row."""

    sheet: str
    row: int
    record: str
    outcome: str  # created / updated / unchanged
    fields: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def __str__(self) -> str:
        changed = f" ({', '.join(self.fields)})" if self.fields else ""
        return f"{self.sheet} row {self.row}: {self.outcome} {self.record}{changed}"


@dataclass
class MappedColumn:
    """A source column, the field it fills (None: kept in the notes;
    "ignored": left out by the DPO's mapping) and a few of its values."""

    header: str
    field: str | None
    samples: list[str]

    def target(self) -> str:
        if self.field is None:
            return "ignored (kept in notes)" if self.samples else "ignored (empty)"
        return self.field

    def __str__(self) -> str:
        samples = "; ".join(self.samples)
        return f"{self.header} -> {self.target()}" + (
            f"  [{samples}]" if samples else ""
        )


def mapping_of(table: Table) -> list[MappedColumn]:
    return [
        MappedColumn(c.header, c.field, [shorten(str(v)) for v in table.values(c)[:3]])
        for c in table.all_columns
    ]


@dataclass
class ImportResult:
    """Every row's outcome, or the errors (and then nothing was written)."""

    file_name: str
    dry_run: bool
    rows: list[RowOutcome] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    mapping: list[MappedColumn] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    sheet: str = ""

    def unmapped(self) -> list[MappedColumn]:
        return [c for c in self.mapping if c.field is None and c.samples]

    def count(self, outcome: str) -> int:
        return sum(1 for r in self.rows if r.outcome == outcome)

    def new_records(self) -> list[str]:
        return [note for r in self.rows for note in r.notes if note.startswith("new ")]

    def summary(self) -> str:
        if self.errors:
            errors = len(self.errors)
            return f"{errors} error(s) in {self.file_name}; nothing was imported."
        verbs = ("would be " if self.dry_run else "") + "{}"
        counts = ", ".join(
            f"{self.count(o)} {verbs.format(o)}" for o in ("created", "updated")
        )
        prefix = "Dry run, nothing written: " if self.dry_run else "Imported: "
        return (
            f"{prefix}{counts}, {self.count('unchanged')} unchanged rows; "
            f"{len(self.new_records())} new related records ({self.file_name})."
        )


# -- related records: found by name, else created ----------------------------

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


class History:
    """Saves with the import's change reason and user (django-simple-history).

    Many-to-many sets are changed quietly and recorded by one save afterwards:
    simple-history otherwise writes a record, with a copy of every set, per
    add/remove/clear, which made big imports quadratic.
    """

    def __init__(self, reason: str, user: Any | None) -> None:
        self.reason, self.user = reason, user

    def stamp(self, obj: models.Model) -> None:
        obj._change_reason = self.reason  # type: ignore[attr-defined]
        obj._history_user = self.user  # type: ignore[attr-defined]

    def save(self, obj: models.Model) -> None:
        self.stamp(obj)
        obj.save()

    def set_m2m(
        self, obj: models.Model, name: str, targets: list[Any], new: bool = False
    ) -> bool:
        """Replace a many-to-many set without a history record (save() after);
        True when it changed. A ``new`` record has no set yet: its rows are
        written in one query (no signal but simple-history's, which is off)."""
        if new:
            field = obj._meta.get_field(name)
            through = field.remote_field.through  # type: ignore[union-attr]
            source = field.m2m_field_name()  # type: ignore[union-attr]
            target = field.m2m_reverse_field_name()  # type: ignore[union-attr]
            through._default_manager.bulk_create(
                [through(**{source: obj, target: t}) for t in targets]
            )
            return bool(targets)
        manager = getattr(obj, name)
        if {t.pk for t in targets} == set(manager.values_list("pk", flat=True)):
            return False
        with quietly(obj):
            manager.set(targets)
        return True

    def change_links(
        self, obj: models.Model, name: str, add: list[Any], remove: list[Any]
    ) -> None:
        """Add and remove members of a many-to-many set, one history record."""
        manager = getattr(obj, name)
        with quietly(obj):
            manager.add(*add)
            manager.remove(*remove)
        self.save(obj)


@contextmanager
def quietly(obj: models.Model) -> Iterator[None]:
    """simple-history's own switch: no history record while it is set."""
    obj.skip_history_when_saving = True  # type: ignore[attr-defined]
    try:
        yield
    finally:
        del obj.skip_history_when_saving  # type: ignore[attr-defined]


class Related:
    """Lookup of existing related records by their normalised names; creates
    what is missing (and says so in the row's notes)."""

    def __init__(self, history: History) -> None:
        self.history = history
        self.indexes: dict[type[models.Model], dict[str, Any]] = {}

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

    def add(self, obj: models.Model) -> None:
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
        self.history.save(obj)
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
            self.history.save(category)
            notes.append(f"data category {category} retention: {category.retention}")

    def mark_special(self, category: DataCategory, kind: str, notes: list[str]) -> None:
        """Art. 9(1): the record says this data category is a special category."""
        if category.special_category and category.art9_kind == kind:
            return
        category.special_category, category.art9_kind = True, kind
        self.history.save(category)
        label = DataCategory.Art9Kind(kind).label
        notes.append(f"data category {category} marked special category ({label})")


# -- transfers (Art. 30(1)(e)) ----------------------------------------------


def match_lines(
    wanted: list[TransferLine], current: list[tuple[Transfer, TransferLine]]
) -> tuple[list[TransferLine], list[Transfer]]:
    """(lines with no transfer yet, transfers no line wants); lines naming a
    module are matched first, so that a line without one takes what is left."""
    remaining = list(current)
    missing = []
    for line in sorted(wanted, key=lambda w: w.module is None):
        hit = next((c for c in remaining if line.matches(c[1])), None)
        if hit is None:
            missing.append(line)
        else:
            remaining.remove(hit)
    return missing, [t for t, _ in remaining]


class Transfers:
    """Makes the activity's transfers outside the EEA the ones the row lists
    (the rule is in the module docstring)."""

    def __init__(self, history: History, related: Related, warnings: list[str]) -> None:
        self.history, self.related, self.warnings = history, related, warnings
        self.profiles = {p.code.code: p for p in CountryProfile.objects.all()}
        self.today = timezone.now().date()
        self.exporter: LegalEntity | None = None
        # Links are changed once per transfer at the end (see History).
        self.transfers: dict[int, Transfer] = {}
        self.adds: dict[int, list[ProcessingActivity]] = defaultdict(list)
        self.removes: dict[int, list[ProcessingActivity]] = defaultdict(list)

    def current(
        self, activity: ProcessingActivity
    ) -> list[tuple[Transfer, TransferLine]]:
        found = []
        linked = Transfer.objects.filter(activities=activity).select_related("importer")
        for transfer in linked.order_by("name"):
            profile = self.profiles.get(transfer.destination.code)
            if profile is not None and profile.eea:
                continue  # not a Chapter V transfer (Art. 44): the record omits it
            module = transfer.assess(profile, self.today).scc_module
            scc = transfer.mechanism == Transfer.Mechanism.SCC
            line = TransferLine(
                transfer.destination.code, transfer.mechanism, module if scc else None
            )
            found.append((transfer, line))
        return found

    def sync(
        self,
        cells: RowCells,
        activity: ProcessingActivity,
        lines: list[TransferLine],
        created: bool,
        notes: list[str],
    ) -> tuple[bool, list[TransferLine]]:
        """Whether the activity's transfers changed, and the lines for which no
        recipient of the activity can be the importer."""
        unresolved: list[TransferLine] = []
        current = [] if created else self.current(activity)
        missing, stale = match_lines(lines, current)
        for transfer in stale:
            self.plan(transfer, self.removes, activity)
            notes.append(f"no longer in transfer {transfer}")
        recipients = list(activity.recipients.all())
        taken: set[int] = set()
        for line in missing:
            ours = MODULE_ROLES[line.module][0] if line.module else "controller"
            problem = rules.activity_roles_error(rules.Role(ours), [activity.role])
            if problem:
                cells.error("transfer_safeguards", problem, line.text())
                continue
            found = self.transfer_for(activity, line, recipients, notes, taken)
            if found is None:
                unresolved.append(line)
                continue
            self.plan(found, self.adds, activity)
            taken.add(found.pk)
        return bool(stale or len(missing) > len(unresolved)), unresolved

    def plan(
        self,
        transfer: Transfer,
        changes: dict[int, list[ProcessingActivity]],
        activity: ProcessingActivity,
    ) -> None:
        self.transfers[transfer.pk] = transfer
        changes[transfer.pk].append(activity)

    def flush(self) -> None:
        """Apply the planned links: one history record per transfer."""
        for pk, transfer in self.transfers.items():
            adds, removes = self.adds[pk], self.removes[pk]
            self.history.change_links(transfer, "activities", adds, removes)

    def transfer_for(
        self,
        activity: ProcessingActivity,
        line: TransferLine,
        recipients: list[Vendor],
        notes: list[str],
        taken: set[int],
    ) -> Transfer | None:
        """A transfer with these parties and terms that the activity is not yet
        in (two equal lines are two transfers), else a new one; None when no
        recipient of the activity can be the importer."""
        assert self.exporter is not None
        importer = self.importer_for(line, recipients, notes)
        if importer is None:
            return None
        exporter_role, importer_role = roles(line, importer)
        values = {
            "exporter": self.exporter,
            "importer": importer,
            "destination": line.country,
            "mechanism": line.mechanism,
            "exporter_role": exporter_role,
            "importer_role": importer_role,
        }
        similar = Transfer.objects.filter(**values).exclude(activities=activity)
        similar = similar.exclude(pk__in=taken)
        existing = similar.order_by("pk").first()
        if existing is not None:
            return existing
        transfer = Transfer(name=self.transfer_name(importer, line.country), **values)
        self.history.save(transfer)
        notes.append(f"new transfer {transfer}")
        return transfer

    def transfer_name(self, importer: Vendor, code: str) -> str:
        assert self.exporter is not None
        base = f"{self.exporter.name} to {importer.name} ({country_name(code)})"
        base = base[: max_length(Transfer) - 5]
        name, number = base, 1
        while Transfer.objects.filter(name=name).exists():
            number += 1
            name = f"{base} #{number}"
        return name

    def importer_for(
        self, line: TransferLine, recipients: list[Vendor], notes: list[str]
    ) -> Vendor | None:
        """The one recipient located or processing there; else the one whose
        country is unknown (it is then located there); else None: an importer
        is never invented, the line is kept in the activity's notes."""
        located = [
            v
            for v in recipients
            if line.country in (v.country.code, *v.processing_country_codes())
        ]
        if len(located) == 1:
            return located[0]
        unknown = [v for v in recipients if not v.country.code]
        if not located and len(unknown) == 1:
            return self.locate(unknown[0], line, notes)
        return None

    def locate(self, vendor: Vendor, line: TransferLine, notes: list[str]) -> Vendor:
        """Give a vendor of unknown country the destination; a claim of
        adequacy where only DPF-certified importers are covered (the US,
        Decision (EU) 2023/1795) says the importer is certified."""
        vendor.country = line.country
        vendor.dpf_certified = vendor.dpf_certified or self.implies_dpf(line)
        if vendor.pk is not None:
            notes.append(f"vendor {vendor} located in {country_name(line.country)}")
        self.history.save(vendor)
        return vendor

    def implies_dpf(self, line: TransferLine) -> bool:
        profile = self.profiles.get(line.country)
        dpf_only = profile is not None and profile.scope == CountryProfile.Scope.DPF
        return dpf_only and line.mechanism == Transfer.Mechanism.ADEQUACY


def roles(line: TransferLine, importer: Vendor) -> tuple[str, str]:
    """From the SCC module when the line names one, else controller to
    processor (or to controller, for an independent or joint controller)."""
    if line.module is not None:
        return MODULE_ROLES[line.module]
    controllers = (Vendor.Role.INDEPENDENT_CONTROLLER, Vendor.Role.JOINT_CONTROLLER)
    importer_role = rules.Role.CONTROLLER if importer.role in controllers else None
    return rules.Role.CONTROLLER, importer_role or rules.Role.PROCESSOR


# -- applying the sheets -----------------------------------------------------


def assign(obj: models.Model, values: dict[str, Any]) -> list[str]:
    """Set the values that differ; returns the names of the fields changed."""
    changed = []
    for name, value in values.items():
        current = getattr(obj, name)
        if getattr(current, "code", current) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def validate(cells: RowCells, obj: models.Model, fallback: str) -> bool:
    """Model validation (lengths, uniqueness, clean()), errors put on columns."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            key = name if cells.has(name) else fallback
            cells.error(key, " ".join(messages), getattr(obj, name, None))
        return False
    return True


def outcome_of(created: bool, changed: Sequence[str]) -> str:
    return "created" if created else "updated" if changed else "unchanged"


class Importer:
    """Applies the parsed rows inside the caller's transaction and notes every
    outcome and error in the ImportResult; never commits or rolls back."""

    def __init__(self, result: ImportResult, user: Any | None) -> None:
        self.result = result
        self.history = History(f"imported from {result.file_name}"[:REASON_MAX], user)
        self.related = Related(self.history)
        self.transfers = Transfers(self.history, self.related, result.warnings)
        self.by_name: dict[str, ProcessingActivity] = {}
        self.by_ref: dict[str, ProcessingActivity] = {}
        for activity in ProcessingActivity.objects.all():
            self.remember(activity)

    def run(self, book: Book) -> None:
        if book.organisation is not None:
            for number, values in book.organisation.rows:
                self.entity_row(self.cells(book.organisation, number, values))
        elif book.controller.contact:
            self.contact_block(book.controller)
        if self.transfers.exporter is None:
            entities = list(LegalEntity.objects.all()[:2])
            self.transfers.exporter = entities[0] if len(entities) == 1 else None
        self.controller_rows(book.controller)
        if not self.result.errors:  # with errors everything is rolled back
            self.transfers.flush()

    def cells(self, table: Table, number: int, values: tuple[Any, ...]) -> RowCells:
        return RowCells(table, number, values, self.result.errors)

    def record(
        self, cells: RowCells, label: str, outcome: str, fields: list[str]
    ) -> RowOutcome:
        row = RowOutcome(cells.table.sheet, cells.number, label, outcome, fields)
        self.result.rows.append(row)
        return row

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
            self.history.save(entity)
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
        changed = assign(entity, {k: v for k, v in values.items() if v})
        if created or changed:
            self.history.save(entity)
        label = f"{table.sheet} contact block: {entity}"
        self.result.rows.append(
            RowOutcome(table.sheet, 1, label, outcome_of(created, changed), changed)
        )
        self.transfers.exporter = entity

    # -- Controller record (Art. 30(1)(b)-(g))
    def controller_rows(self, table: Table) -> None:
        rows = activity_rows(table, self.result.errors)
        names: dict[str, int] = {}
        for row in rows:
            check_duplicate(row.cells, "name", row.name, names)
        for row in rows:
            if not row.cells.failed:
                self.activity_row(row)

    def find(self, row: ActivityRow) -> ProcessingActivity | None:
        if row.ref:
            return self.by_ref.get(norm(row.ref))
        return self.by_name.get(norm(row.name))

    def remember(self, activity: ProcessingActivity) -> None:
        self.by_name[norm(activity.name)] = activity
        self.by_ref[norm(activity.ref)] = activity

    def forget(self, activity: ProcessingActivity) -> None:
        self.by_name.pop(norm(activity.name), None)
        self.by_ref.pop(norm(activity.ref), None)

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
        if created:  # the links below need its id; one version after them
            activity.save_without_historical_record()  # type: ignore[attr-defined]
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
        number = len(self.by_ref) + 1
        while norm(f"PA-{number}") in self.by_ref:
            number += 1
        return f"PA-{number}"

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
            validate(cells, activity, "name")

    def link(
        self,
        row: ActivityRow,
        activity: ProcessingActivity,
        created: bool,
        changed: list[str],
    ) -> None:
        notes: list[str] = []
        linked = self.link_related(row, activity, notes, created)
        lines, unresolved = row.transfers(), list[TransferLine]()
        if lines is not None:
            moved, unresolved = self.transfers.sync(
                row.cells, activity, lines, created, notes
            )
            changed += ["transfer_safeguards"] if moved else []
        linked += self.keep_notes(row, activity, unresolved if lines else [])
        if created:  # the notes and transfer fields set since the first save
            activity.save_without_historical_record()  # type: ignore[attr-defined]
            self.history.stamp(activity)
            record_creation(activity)  # one version: values and sets
        elif linked or changed:
            self.history.save(activity)  # one version: values and sets
        changed = list(dict.fromkeys(changed + linked))
        if row.bases is not None and self.sync_bases(activity, row.bases):
            changed.append("lawful_basis")
        outcome = outcome_of(created, changed)
        shown = [] if created else changed
        labels = [column_label(row.cells, name) for name in shown]
        self.record(row.cells, str(activity), outcome, labels).notes.extend(notes)

    def keep_notes(
        self, row: ActivityRow, activity: ProcessingActivity, lines: list[TransferLine]
    ) -> list[str]:
        """What has no field of its own goes to the notes: the text of the
        columns no field takes, and transfers (Art.
        30(1)(e)) whose importer is not known, which the run's warnings also
        name: an importer is never invented. A row with nothing of the kind
        leaves the notes as they are."""
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
        for row in activity.lawful_bases.all():
            purposes = wanted.pop(row.basis, None)
            if purposes is None:
                self.history.stamp(row)
                row.delete()
                changed = True
            elif purposes != row.purposes:
                row.purposes = purposes
                self.history.save(row)
                changed = True
        for basis, purposes in wanted.items():
            new = ActivityLawfulBasis(activity=activity, basis=basis, purposes=purposes)
            self.history.save(new)
            changed = True
        return changed

    def link_related(
        self,
        row: ActivityRow,
        activity: ProcessingActivity,
        notes: list[str],
        created: bool,
    ) -> list[str]:
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
        changed = [
            key
            for key, targets in chosen.items()
            if self.history.set_m2m(
                activity, key, list(dict.fromkeys(targets)), new=created
            )
        ]
        for category, (_, kind) in zip(specials, row.specials, strict=True):
            self.related.mark_special(category, kind, notes)
        if row.cells.has("retention_per_category"):
            lines = row.cells.items("retention_per_category")
            self.related.note_retention(chosen.get("data_categories", []), lines, notes)
        return changed


def contact_text(info: dict[str, str], with_name: bool = False) -> str:
    keys = ("name", "email", "phone", "address") if with_name else ("email", "phone")
    return ", ".join(info[k] for k in keys if info.get(k))[:300]


def check_duplicate(
    cells: RowCells, key: str, value: str, seen: dict[str, int]
) -> None:
    """A name or reference may appear once in the file."""
    if not value:
        return
    first = seen.setdefault(norm(value), cells.number)
    if first != cells.number:
        key = key if cells.has(key) else "purposes"
        cells.error(key, f"duplicate: also on row {first} of this file", value)


def column_label(cells: RowCells, name: str) -> str:
    return cells.header(name) or name


# -- the entry point ---------------------------------------------------------


def import_ropa(
    source: str | Path | IO[bytes],
    file_name: str | None = None,
    *,
    user: Any | None = None,
    dry_run: bool = False,
    mapping: dict[str, str] | None = None,
) -> ImportResult:
    """Import a controller ROPA workbook: all rows or none (module docstring).
    ``mapping`` (heading -> field or "ignored") overrides the recognised
    columns and is saved for the next file with the same headings.

    Raises ImportFileError when the file as a whole cannot be read; errors in
    rows are returned in the result, and then nothing is written.
    """
    name = file_name or Path(str(source)).name
    book = read_book(read_limited(source), mapping)
    result = ImportResult(name, dry_run, sheet=book.controller.sheet)
    result.mapping = mapping_of(book.controller)
    with transaction.atomic():
        Importer(result, user).run(book)
        if dry_run or result.errors:
            transaction.set_rollback(True)
    if mapping:
        SavedMapping.remember(book.controller.headings(), mapping, user)
    return result
