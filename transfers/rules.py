"""Legal decisions about international transfers (GDPR Chapter V), as pure functions.

No ORM here: enum values in, enum values (or messages) out, so each rule can be read
next to the article or clause it implements and tested with a parametrize table.
Models call these from ``clean()``, serializers from ``validate()``, reports directly.

Sources: GDPR Arts. 44-49; Commission Implementing Decision (EU) 2021/914 (the 2021
SCCs); EDPB Recommendations 01/2020 v2.0 on supplementary measures (the TIA steps).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any


class Role(StrEnum):
    """Party role under GDPR Art. 4(7)/(8), as used by the SCC modules."""

    CONTROLLER = "controller"
    PROCESSOR = "processor"


class Adequacy(StrEnum):
    """Status of a destination under a Commission adequacy decision (Art. 45)."""

    NONE = "none"
    FULL = "full"
    PARTIAL = "partial"


class Mechanism(StrEnum):
    """The Chapter V tool a transfer relies on (Art. 45, Art. 46(2), Art. 49)."""

    ADEQUACY = "adequacy"
    SCC = "scc"
    BCR = "bcr"
    CODE_OF_CONDUCT = "code_of_conduct"
    CERTIFICATION = "certification"
    DEROGATION = "derogation"
    NONE = "none"


class Scope(StrEnum):
    """What a partial adequacy decision covers (Art. 45(1): "specified sectors")."""

    DPF = "dpf"  # US: only importers certified under the EU-US Data Privacy Framework
    COMMERCIAL = "commercial"  # Canada: commercial organisations subject to PIPEDA
    PRIVATE_SECTOR = "private_sector"  # Japan: APPI private sector
    OTHER = "other"


class Art49Ground(StrEnum):
    """Derogations for specific situations, GDPR Art. 49(1)."""

    EXPLICIT_CONSENT = "49_1_a"
    CONTRACT_WITH_DATA_SUBJECT = "49_1_b"
    CONTRACT_IN_DATA_SUBJECT_INTEREST = "49_1_c"
    PUBLIC_INTEREST = "49_1_d"
    LEGAL_CLAIMS = "49_1_e"
    VITAL_INTERESTS = "49_1_f"
    PUBLIC_REGISTER = "49_1_g"
    COMPELLING_LEGITIMATE_INTERESTS = "49_1_second"


ART49_LABELS: dict[Art49Ground, str] = {
    Art49Ground.EXPLICIT_CONSENT: (
        "Art. 49(1)(a): explicit consent after being informed of the risks"
    ),
    Art49Ground.CONTRACT_WITH_DATA_SUBJECT: (
        "Art. 49(1)(b): necessary for a contract with the data subject "
        "or pre-contractual steps at their request"
    ),
    Art49Ground.CONTRACT_IN_DATA_SUBJECT_INTEREST: (
        "Art. 49(1)(c): necessary for a contract concluded in the data subject's "
        "interest with another person"
    ),
    Art49Ground.PUBLIC_INTEREST: (
        "Art. 49(1)(d): important reasons of public interest recognised in "
        "EU or Member State law"
    ),
    Art49Ground.LEGAL_CLAIMS: (
        "Art. 49(1)(e): establishment, exercise or defence of legal claims"
    ),
    Art49Ground.VITAL_INTERESTS: (
        "Art. 49(1)(f): vital interests where the data subject cannot give consent"
    ),
    Art49Ground.PUBLIC_REGISTER: (
        "Art. 49(1)(g): transfer from a public register (within the limits of "
        "Art. 49(2))"
    ),
    Art49Ground.COMPELLING_LEGITIMATE_INTERESTS: (
        "Art. 49(1) second subparagraph: compelling legitimate interests, "
        "not repetitive, limited number of data subjects (inform the SA)"
    ),
}

SCOPE_LABELS: dict[Scope, str] = {
    Scope.DPF: "organisations certified under the EU-US Data Privacy Framework",
    Scope.COMMERCIAL: "commercial organisations subject to PIPEDA",
    Scope.PRIVATE_SECTOR: "the private sector under the APPI",
    Scope.OTHER: "the sectors named in the decision",
}

# The Art. 46(2) tools the contracting parties choose themselves; Clause 14 SCC and
# EDPB Recs 01/2020 step 3 require their effectiveness to be assessed (the TIA).
ART46_TOOLS: frozenset[Mechanism] = frozenset(
    {
        Mechanism.SCC,
        Mechanism.BCR,
        Mechanism.CODE_OF_CONDUCT,
        Mechanism.CERTIFICATION,
    }
)

_SCC_MODULES: dict[tuple[Role, Role], int] = {
    (Role.CONTROLLER, Role.CONTROLLER): 1,
    (Role.CONTROLLER, Role.PROCESSOR): 2,
    (Role.PROCESSOR, Role.PROCESSOR): 3,
    (Role.PROCESSOR, Role.CONTROLLER): 4,
}


@dataclass(frozen=True)
class Destination:
    """What the transfer rules need to know about the country and the importer."""

    eea: bool
    adequacy: Adequacy
    scope: Scope | None = None
    importer_dpf_certified: bool = False
    # e.g. the importer is a commercial organisation (Canada) / private sector (Japan)
    importer_in_scope: bool = True
    # False when the day being judged is outside the decision's valid_from/valid_to
    decision_valid: bool = True


def scc_module(exporter_role: Role, importer_role: Role) -> int:
    """SCC module for the two roles: 1 C2C, 2 C2P, 3 P2P, 4 P2C.

    Decision (EU) 2021/914, Annex, Section I, Clause 1 and the module headings
    (Module One controller to controller ... Module Four processor to controller).
    """
    return _SCC_MODULES[(Role(exporter_role), Role(importer_role))]


def is_transfer(dest: Destination) -> bool:
    """Whether sending data to this destination is a Chapter V transfer.

    GDPR Art. 44: Chapter V governs transfers to third countries and international
    organisations; flows inside the EEA (EU27 + IS, LI, NO via the EEA Agreement)
    are not transfers.
    """
    return not dest.eea


def adequacy_covers(dest: Destination) -> bool:
    """Whether an adequacy decision in force covers this importer (GDPR Art. 45(1)).

    A full decision covers the whole jurisdiction. A partial one covers only its
    scope: for the US (Decision (EU) 2023/1795) the importer must be on the DPF
    List; for Canada, Japan and others the importer must fall in the named sector.
    A decision outside its validity dates covers nothing (Art. 45(3), 45(5)).
    A partial decision with no recorded scope covers nothing: the condition cannot
    be checked, so we fail towards asking for a safeguard.
    """
    if not dest.decision_valid:
        return False
    if dest.adequacy == Adequacy.FULL:
        return True
    if dest.adequacy != Adequacy.PARTIAL or dest.scope is None:
        return False
    if dest.scope == Scope.DPF:
        return dest.importer_dpf_certified
    return dest.importer_in_scope


def safeguard_required(dest: Destination) -> bool:
    """Whether the transfer needs an Art. 46 safeguard (or, exceptionally, Art. 49).

    GDPR Art. 44 and Art. 46(1): a transfer not covered by an adequacy decision
    may take place only with appropriate safeguards.
    """
    return is_transfer(dest) and not adequacy_covers(dest)


def scc_module_for(
    exporter_role: Role, importer_role: Role, dest: Destination
) -> int | None:
    """The SCC module this transfer needs, or None when it needs no SCCs.

    Domain algorithm after Decision (EU) 2021/914 (module selection): no transfer
    inside the EEA (Art. 44); no SCCs where adequacy covers the importer (Art. 45);
    otherwise the module follows from the two roles (Clause 1 / Section I).
    """
    if not safeguard_required(dest):
        return None
    return scc_module(exporter_role, importer_role)


def tia_required(
    dest: Destination,
    mechanism: Mechanism,
    module: int | None,
    *,
    module4_combines_eu_data: bool = False,
) -> bool:
    """Whether a transfer impact assessment is due for this transfer.

    SCC 2021/914 Clause 14(a)-(b) and EDPB Recommendations 01/2020 step 3: the
    parties must assess whether an Art. 46 tool is effective in the destination.
    - Not for EEA destinations (Art. 44) or adequacy-covered importers (Art. 45:
      the Commission has made that assessment). A DPF importer therefore needs
      no TIA even where SCCs are kept as a fallback.
    - Not for an Art. 49 derogation, which is not an Art. 46 tool (EDPB step 2).
    - Module 4: Clauses 14 and 15 apply only where the EU processor combines the
      controller's data with personal data it collected in the EU; a pure return
      of data needs no TIA. This reading of `module` applies to SCCs only.
    - No tool at all (NONE), or an adequacy claim that does not hold: True. The
      TIA question stays open; the missing safeguard is the bigger finding.
    """
    if not safeguard_required(dest) or mechanism == Mechanism.DEROGATION:
        return False
    if mechanism == Mechanism.SCC and module == 4:
        return module4_combines_eu_data
    return True


def adequacy_claim_error(dest: Destination, mechanism: Mechanism) -> str | None:
    """Why a transfer may not rely on adequacy here, or None if the claim is fine.

    GDPR Art. 45(1): adequacy covers only the destination (and sector) the
    Commission decided on, while the decision is in force; for the US only
    DPF-certified importers (Decision (EU) 2023/1795). Only checks transfers that
    claim ``Mechanism.ADEQUACY``; an EEA destination is no transfer (Art. 44), so
    the claim is moot there rather than wrong.
    """
    if mechanism != Mechanism.ADEQUACY or not is_transfer(dest):
        return None
    if adequacy_covers(dest):
        return None
    if dest.adequacy == Adequacy.NONE:
        return (
            "This country has no adequacy decision (GDPR Art. 45): use an Art. 46 "
            "safeguard such as SCCs, or an Art. 49 derogation."
        )
    if not dest.decision_valid:
        return (
            "The adequacy decision for this country is not in force on this date "
            "(GDPR Art. 45): use an Art. 46 safeguard such as SCCs."
        )
    if dest.scope is None:
        return (
            "This country has only partial adequacy and no scope is recorded: "
            "record what the decision covers before relying on it (GDPR Art. 45)."
        )
    if dest.scope == Scope.DPF:
        return (
            "Adequacy for the United States covers only importers certified under "
            "the EU-US Data Privacy Framework (Decision (EU) 2023/1795); this "
            "importer is not DPF-certified: use SCCs (GDPR Art. 46(2)(c))."
        )
    return (
        f"The adequacy decision for this country covers only {SCOPE_LABELS[dest.scope]}"
        "; this importer is outside that scope: use an Art. 46 safeguard such as "
        "SCCs (GDPR Art. 45(1))."
    )


def derogation_ground_error(mechanism: Mechanism, ground: str | None) -> str | None:
    """Why the Art. 49 ground does not fit the mechanism, or None if it does.

    GDPR Art. 49(1): a derogation is lawful only on one of the listed grounds, and
    Art. 49(6) requires the assessment to be documented; a ground recorded on a
    transfer that does not rely on a derogation is contradictory data.
    """
    valid = {g.value for g in Art49Ground}
    if mechanism == Mechanism.DEROGATION:
        if not ground:
            return "A derogation needs an Art. 49(1) ground (GDPR Art. 49)."
        if ground not in valid:
            return f"Unknown Art. 49 ground {ground!r}."
        return None
    if ground:
        return (
            "An Art. 49 ground is recorded only for a transfer that relies on a "
            "derogation; set the mechanism to derogation or clear the ground."
        )
    return None


def destination(
    country: Mapping[str, Any] | None, vendor: Mapping[str, Any] | None, day: date
) -> Destination:
    """What the rules need to know of a transfer's destination on ``day``:
    the country's register entry (EEA, adequacy decision and the dates it is in
    force, inclusive) and whether the importing vendor is certified under the
    EU-US Data Privacy Framework (Decision (EU) 2023/1795). Takes plain
    mappings: a model's field values or a snapshot record."""
    if country is None:
        return Destination(eea=False, adequacy=Adequacy.NONE)
    started = country["valid_from"] is None or country["valid_from"] <= day
    ended = country["valid_to"] is not None and country["valid_to"] < day
    return Destination(
        eea=country["eea"],
        adequacy=Adequacy(country["adequacy"]),
        scope=Scope(country["scope"]) if country["scope"] else None,
        importer_dpf_certified=bool(vendor and vendor["dpf_certified"]),
        decision_valid=started and not ended,
    )


def mechanism_covers(
    dest: Destination, mechanism: Mechanism, ground: str | None = None
) -> bool:
    """Whether a transfer's recorded mechanism is a safeguard that holds for
    this destination and importer.

    GDPR Art. 44: a transfer needs a Chapter V ground. An adequacy claim holds
    only where the decision covers the importer (Art. 45(1)); an Art. 46(2)
    tool (SCCs, BCRs, codes, certification) holds as recorded; a derogation
    only with an Art. 49(1) ground; "none" never.
    """
    if mechanism == Mechanism.NONE:
        return False
    if mechanism == Mechanism.ADEQUACY:
        return adequacy_covers(dest) or not is_transfer(dest)
    return derogation_ground_error(mechanism, ground) is None


def activity_roles_error(our_role: Role, activity_roles: Iterable[str]) -> str | None:
    """Why a transfer's activities do not fit it, or None if they do.

    One transfer is one pair of roles, and the SCC module follows from that
    pair (Decision (EU) 2021/914, Clause 1 and the module headings): our
    controller activities (Art. 30(1)) and the processing we do for customers
    (Art. 30(2)) travel under different modules, so they need separate
    transfers. ``our_role`` is the role our side of the transfer plays.
    """
    roles = set(activity_roles)
    if len(roles) > 1:
        return (
            "These activities mix controller and processor roles; one transfer "
            "has one pair of roles (its SCC module follows from them): record a "
            "separate transfer for each role."
        )
    if roles and roles != {Role(our_role).value}:
        (role,) = roles
        return (
            f"These are {role} activities, but our side of this transfer acts as "
            f"{Role(our_role).value}: record them on a transfer with that role."
        )
    return None
