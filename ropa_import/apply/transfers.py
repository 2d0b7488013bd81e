"""Transfers (Art. 30(1)(e)): the activity's transfers outside the EEA made
the ones its row lists (the rule is in ``ropa_import.apply``'s docstring).

Every stored transfer, with its parties and its activities, is read once per
import; new transfers are planned in the batch's writes, and the links of
every transfer are changed once, at the end: one version per transfer."""

from __future__ import annotations

from array import array
from collections import defaultdict
from typing import Any, NamedTuple

from inventory.models import LegalEntity, ProcessingActivity, Vendor
from reports.xlsx import country_name
from ropa_import.apply.related import Related, max_length
from ropa_import.apply.writes import Writes
from ropa_import.cells import MODULE_ROLES, TransferLine
from ropa_import.headings import norm
from ropa_import.rows import RowCells
from transfers import rules
from transfers.models import CountryProfile, Transfer


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


def same(one: Any, other: Any) -> bool:
    """The same record, stored or planned."""
    return one is other or (
        one is not None
        and other is not None
        and one.pk is not None
        and one.pk == other.pk
    )


class Written(NamedTuple):
    """A written activity in a transfer's planned links: its key is enough."""

    pk: int


Member = ProcessingActivity | Written


class Transfers:
    """Makes the activity's transfers outside the EEA the ones the row lists."""

    def __init__(self, writes: Writes, warnings: list[str], related: Related) -> None:
        self.writes, self.warnings, self.related = writes, warnings, related
        self._entities: dict[str, LegalEntity] | None = None
        self.own = False  # the sheet is our own export's Controller record
        self.profiles = {p.code.code: p for p in CountryProfile.objects.all()}
        self.exporter: LegalEntity | None = None
        parties = ("importer", "importer_entity", "exporter", "exporter_customer")
        self.all = list(Transfer.objects.select_related(*parties).order_by("pk"))
        self.names = {t.name for t in self.all}
        self.members: dict[int, set[int]] = defaultdict(set)  # transfer -> activities
        self.of_activity: dict[int, list[Transfer]] = defaultdict(list)
        by_pk = {t.pk: t for t in self.all}
        links = Transfer.activities.through._default_manager.values_list(
            "transfer_id", "processingactivity_id"
        )
        for transfer_id, activity_id in links:
            self.members[transfer_id].add(activity_id)
            self.of_activity[activity_id].append(by_pk[transfer_id])
        # Links are changed once per transfer at the end (see flush).
        self.planned: dict[int, Transfer] = {}
        self.adds: dict[int, list[ProcessingActivity]] = defaultdict(list)
        self.removes: dict[int, list[ProcessingActivity]] = defaultdict(list)
        # and those of the batches written, by their keys only (8 bytes each)
        self.added: dict[int, array[int]] = defaultdict(lambda: array("q"))
        self.removed: dict[int, array[int]] = defaultdict(lambda: array("q"))

    def current(
        self, activity: ProcessingActivity
    ) -> list[tuple[Transfer, TransferLine]]:
        found = []
        linked = sorted(self.of_activity.get(activity.pk, []), key=lambda t: t.name)
        for transfer in linked:
            profile = self.profiles.get(transfer.destination.code)
            if profile is not None and profile.eea:
                continue  # not a Chapter V transfer (Art. 44): the record omits it
            found.append((transfer, stored_line(transfer)))
        return found

    def sync(
        self,
        cells: RowCells,
        activity: ProcessingActivity,
        lines: list[TransferLine],
        recipients: list[Vendor],
        notes: list[str],
    ) -> tuple[bool, list[TransferLine]]:
        """Whether the activity's transfers changed, and the lines for which no
        recipient of the activity can be the importer."""
        unresolved: list[TransferLine] = []
        current = self.current(activity) if activity.pk is not None else []
        missing, stale = match_lines(lines, current)
        for transfer in stale:
            self.plan(transfer, self.removes, activity)
            notes.append(f"no longer in transfer {transfer}")
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
            taken.add(id(found))
        return bool(stale or len(missing) > len(unresolved)), unresolved

    def plan(
        self,
        transfer: Transfer,
        changes: dict[int, list[ProcessingActivity]],
        activity: ProcessingActivity,
    ) -> None:
        self.planned[id(transfer)] = transfer
        changes[id(transfer)].append(activity)

    def release(self) -> None:
        """The batch is written: its activities stay in the planned links by
        their keys only (memory bounded by the batch, not the file)."""
        for changes, kept in ((self.adds, self.added), (self.removes, self.removed)):
            for key, members in changes.items():
                kept[key].extend(activity.pk for activity in members)
            changes.clear()

    def flush(self) -> None:
        """Plan the links' changes: one version per transfer (at the flush)."""
        for key, transfer in self.planned.items():
            adds: list[Member] = [Written(pk) for pk in self.added.get(key, ())]
            adds += self.adds.get(key, [])
            removes = list(self.removed.get(key, ()))
            removes += [activity.pk for activity in self.removes.get(key, [])]
            self.writes.link(transfer, "activities", adds, removes)

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
        entity = isinstance(importer, LegalEntity)
        values = {
            "exporter": self.exporter,
            "importer": None if entity else importer,
            "importer_entity": importer if entity else None,
            "destination": line.country,
            "mechanism": line.mechanism,
            "exporter_role": exporter_role,
            "importer_role": importer_role,
            "derogation_ground": line.ground,
            "derogation_safeguards": line.ground_safeguards,
        }
        for transfer in self.all:
            if id(transfer) in taken or activity.pk in self.members.get(
                transfer.pk, ()
            ):
                continue
            if self.matches(transfer, values):
                return transfer
        transfer = Transfer(name=self.transfer_name(importer, line.country), **values)
        self.writes.create(transfer)
        self.all.append(transfer)
        self.names.add(transfer.name)
        notes.append(f"new transfer {transfer}")
        return transfer

    @staticmethod
    def matches(transfer: Transfer, values: dict[str, Any]) -> bool:
        return (
            same(transfer.exporter, values["exporter"])
            and same(transfer.importer, values["importer"])
            and same(transfer.importer_entity, values["importer_entity"])
            and transfer.destination.code == values["destination"]
            and transfer.mechanism == values["mechanism"]
            and transfer.exporter_role == values["exporter_role"]
            and transfer.importer_role == values["importer_role"]
            and transfer.derogation_ground == values["derogation_ground"]
            and transfer.derogation_safeguards == values["derogation_safeguards"]
        )

    def transfer_name(self, importer: Vendor | LegalEntity, code: str) -> str:
        assert self.exporter is not None
        base = f"{self.exporter.name} to {importer.name} ({country_name(code)})"
        base = base[: max_length(Transfer) - 5]
        name, number = base, 1
        while name in self.names:
            number += 1
            name = f"{base} #{number}"
        return name

    def importer_for(
        self, line: TransferLine, recipients: list[Vendor], notes: list[str]
    ) -> Vendor | LegalEntity | None:
        """The importer the line names (as the controller record prints it);
        else the one recipient located or processing there; else the one
        whose country is unknown (it is then located there); else None: an
        importer is never invented, the line is kept in the activity's notes."""
        if line.importer:
            found = self.known_importer(line.importer, recipients)
            if found is not None or self.own:
                return self.named_importer(line, found, notes)
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

    def known_importer(
        self, name: str, recipients: list[Vendor]
    ) -> Vendor | LegalEntity | None:
        """The recipient, else the vendor, else our legal entity of that name."""
        key = norm(name)
        found = next((v for v in recipients if norm(v.name) == key), None)
        found = found or self.related.find(Vendor, name)
        return found or self.entities().get(key)

    def named_importer(
        self, line: TransferLine, found: Vendor | LegalEntity | None, notes: list[str]
    ) -> Vendor | LegalEntity:
        """The importer the line names, found; else, in our own export's
        layout, a new vendor of that name (the line names it: nothing
        invented); given the line's country if it has none and the partial
        adequacy decisions the line says it falls under. Elsewhere a bracket
        after the country may say anything ("USA (California)"): a name no
        record has is not taken for a vendor."""
        if isinstance(found, LegalEntity):
            return found
        vendor: Vendor = found or self.related.get(Vendor, line.importer, {}, notes)
        if not vendor.country.code:
            self.locate(vendor, line, notes)
        self.in_scope(vendor, line, notes)
        return vendor

    def entities(self) -> dict[str, LegalEntity]:
        """Our legal entities by name (read once, after the Organisation sheet)."""
        if self._entities is None:
            found = LegalEntity.objects.all()
            self._entities = {norm(e.name): e for e in found}
        return self._entities

    def in_scope(self, vendor: Vendor, line: TransferLine, notes: list[str]) -> None:
        """Record that the vendor falls under the partial adequacy decisions
        the line names (Art. 45(1)); a record never unmarks one."""
        fields = [f for f in line.scopes if not getattr(vendor, f)]
        for field_name in fields:
            setattr(vendor, field_name, True)
            verbose = getattr(Vendor._meta.get_field(field_name), "verbose_name", "")
            notes.append(f"vendor {vendor}: {verbose}")
        self.writes.change(vendor, fields)

    def locate(self, vendor: Vendor, line: TransferLine, notes: list[str]) -> Vendor:
        """Give a vendor of unknown country the destination; a claim of
        adequacy where only DPF-certified importers are covered (the US,
        Decision (EU) 2023/1795) says the importer is certified."""
        vendor.country = line.country
        vendor.dpf_certified = vendor.dpf_certified or self.implies_dpf(line)
        notes.append(f"vendor {vendor} located in {country_name(line.country)}")
        self.writes.change(vendor, ["country", "dpf_certified"])
        return vendor

    def implies_dpf(self, line: TransferLine) -> bool:
        profile = self.profiles.get(line.country)
        dpf_only = profile is not None and profile.scope == CountryProfile.Scope.DPF
        return dpf_only and line.mechanism == Transfer.Mechanism.ADEQUACY


def roles(line: TransferLine, importer: Vendor | LegalEntity) -> tuple[str, str]:
    """From the SCC module when the line names one, else controller to
    processor (or to controller, for an independent or joint controller)."""
    if line.module is not None:
        return MODULE_ROLES[line.module]
    controllers = (Vendor.Role.INDEPENDENT_CONTROLLER, Vendor.Role.JOINT_CONTROLLER)
    role = getattr(importer, "role", "")
    importer_role = rules.Role.CONTROLLER if role in controllers else None
    return rules.Role.CONTROLLER, importer_role or rules.Role.PROCESSOR


def stored_line(transfer: Transfer) -> TransferLine:
    """A stored transfer as the record's line gives it: the SCC module from
    its roles (Decision (EU) 2021/914 Clause 1), the importer by name."""
    module = None
    if transfer.mechanism == Transfer.Mechanism.SCC:
        module = rules.scc_module(
            rules.Role(transfer.exporter_role), rules.Role(transfer.importer_role)
        )
    importer = transfer.importer or transfer.importer_entity
    return TransferLine(
        transfer.destination.code,
        transfer.mechanism,
        module,
        importer.name if importer else "",
        ground=transfer.derogation_ground,
    )
