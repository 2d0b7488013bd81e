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
    PIPA = "pipa"  # Korea: PIPA, without credit information (Decision (EU) 2022/254)
    UK_EXTENSION = "uk_extension"  # UK: the UK Extension to the EU-US DPF
    SWISS_DPF = "swiss_dpf"  # Switzerland: the Swiss-US Data Privacy Framework
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
    Scope.PIPA: "processing subject to PIPA (not credit information)",
    Scope.UK_EXTENSION: "organisations certified under the UK Extension to the DPF",
    Scope.SWISS_DPF: "organisations certified under the Swiss-US DPF",
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
    # e.g. the importer is a commercial organisation (Canada) / private sector
    # (Japan): only where recorded, so by default a partial decision covers nothing
    importer_in_scope: bool = False
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


# -- Which law governs the exporter's transfer (the regime) and who supervises it


class Regime(StrEnum):
    """The transfer law the exporter is subject to: Chapter V of the EU GDPR,
    Chapter V of the UK GDPR, Art. 16-17 of the Swiss FADP, or none of them."""

    EU = "eu"
    UK = "uk"
    CH = "ch"
    NONE = "none"


UK, SWITZERLAND = "GB", "CH"

# How the workbooks and pages name each regime.
REGIME_NAMES: dict[Regime, str] = {
    Regime.EU: "EU GDPR",
    Regime.UK: "UK GDPR",
    Regime.CH: "Swiss FADP",
    Regime.NONE: "None (no Chapter V)",
}

# The supervisory authority of each EEA state (GDPR Art. 51; EEA Agreement for
# IS, LI, NO). Germany has a federal and sixteen Land authorities (Art. 51(3)).
EEA_AUTHORITIES: dict[str, str] = {
    "AT": "Österreichische Datenschutzbehörde (DSB), Austria",
    "BE": "Autorité de protection des données (APD/GBA), Belgium",
    "BG": "Commission for Personal Data Protection (CPDP), Bulgaria",
    "HR": "Personal Data Protection Agency (AZOP), Croatia",
    "CY": "Commissioner for Personal Data Protection, Cyprus",
    "CZ": "Office for Personal Data Protection (ÚOOÚ), Czechia",
    "DK": "Datatilsynet, Denmark",
    "EE": "Andmekaitse Inspektsioon (AKI), Estonia",
    "FI": "Office of the Data Protection Ombudsman, Finland",
    "FR": "Commission nationale de l'informatique et des libertés (CNIL), France",
    "DE": "BfDI or the competent Land data protection authority, Germany",
    "GR": "Hellenic Data Protection Authority (HDPA), Greece",
    "HU": "Nemzeti Adatvédelmi és Információszabadság Hatóság (NAIH), Hungary",
    "IE": "Data Protection Commission (DPC), Ireland",
    "IT": "Garante per la protezione dei dati personali, Italy",
    "LV": "Datu valsts inspekcija (DVI), Latvia",
    "LT": "State Data Protection Inspectorate (VDAI), Lithuania",
    "LU": "Commission nationale pour la protection des données (CNPD), Luxembourg",
    "MT": "Information and Data Protection Commissioner (IDPC), Malta",
    "NL": "Autoriteit Persoonsgegevens (AP), Netherlands",
    "PL": "Urząd Ochrony Danych Osobowych (UODO), Poland",
    "PT": "Comissão Nacional de Proteção de Dados (CNPD), Portugal",
    "RO": "Autoritatea Națională de Supraveghere (ANSPDCP), Romania",
    "SK": "Úrad na ochranu osobných údajov, Slovakia",
    "SI": "Informacijski pooblaščenec, Slovenia",
    "ES": "Agencia Española de Protección de Datos (AEPD), Spain",
    "SE": "Integritetsskyddsmyndigheten (IMY), Sweden",
    "IS": "Persónuvernd, Iceland",
    "LI": "Datenschutzstelle (DSS), Liechtenstein",
    "NO": "Datatilsynet, Norway",
}
ICO = "Information Commissioner's Office (ICO), United Kingdom"
FDPIC = "Federal Data Protection and Information Commissioner (FDPIC), Switzerland"
DATA_SUBJECTS_AUTHORITY = (
    "The supervisory authority of the Member State where the data subjects "
    "whose personal data is transferred are located (Clause 13(a))"
)


def regime(established_in: str, representative_in: str = "") -> Regime:
    """The transfer law that governs an exporter, from where it is established.

    - EEA: EU GDPR Chapter V (Art. 44).
    - United Kingdom: UK GDPR Chapter V; Switzerland: FADP Art. 16-17.
    - Elsewhere, with an Art. 27 representative in the EEA: the exporter is
      subject to the GDPR under Art. 3(2), so its transfers fall under Chapter V
      too (Clause 13(a), second option, names this case).
    - Elsewhere: no Chapter V instrument applies; the contract that governs the
      processing (DPA, BAA) is the agreement.
    """
    if established_in in EEA_AUTHORITIES:
        return Regime.EU
    if established_in == UK:
        return Regime.UK
    if established_in == SWITZERLAND:
        return Regime.CH
    if representative_in in EEA_AUTHORITIES:
        return Regime.EU
    return Regime.NONE


def authority(
    law: Regime,
    established_in: str,
    representative_in: str = "",
    data_subjects_in: str = "",
) -> str:
    """The competent supervisory authority for the exporter's transfer.

    EU: Decision (EU) 2021/914, Clause 13(a): the authority of the Member State
    where the exporter is established; failing that, of the Member State where
    its Art. 27(1) representative is established; failing that, of the Member
    State where the data subjects are. UK: the Information Commissioner (UK GDPR
    Art. 51, DPA 2018 s. 115). Switzerland: the FDPIC (FADP Art. 4, 16). None:
    no supervisory authority is named.
    """
    if law == Regime.UK:
        return ICO
    if law == Regime.CH:
        return FDPIC
    if law == Regime.NONE:
        return ""
    for place in (established_in, representative_in, data_subjects_in):
        if place in EEA_AUTHORITIES:
            return EEA_AUTHORITIES[place]
    return DATA_SUBJECTS_AUTHORITY


def governing_law_country(
    law: Regime, established_in: str, representative_in: str
) -> str:
    """Whose law governs the clauses and whose courts hear disputes (SCC
    Clauses 17 and 18): EU, the Member State where the exporter is established,
    else that of its Art. 27 representative (a law that allows third-party
    beneficiary rights); UK, the United Kingdom (UK Addendum, Part 2: England
    and Wales unless the parties choose Scotland or Northern Ireland);
    Switzerland, Switzerland (FDPIC: Swiss law, Swiss data subjects may sue at
    home). "" where no SCCs apply."""
    if law == Regime.UK:
        return UK
    if law == Regime.CH:
        return SWITZERLAND
    if law == Regime.NONE:
        return ""
    return established_in if established_in in EEA_AUTHORITIES else representative_in


# The importing jurisdictions the UK and Switzerland find adequate. EU-side
# adequacy lives in the country register the DPO edits; these two lists are the
# UK's adequacy regulations (Data Protection Act 2018 s. 17A, Sch. 21 para. 5,
# and the data bridges) and the Federal Council's list (Data Protection
# Ordinance, Annex 1; FADP Art. 16(1)), as in force in 2026. Partial entries
# name the decision the importer must fall under.
_UK_FULL = frozenset(
    {*EEA_AUTHORITIES, "GI", "AD", "AR", "FO", "GG", "IM", "IL", "JE", "NZ"}
    | {"CH", "UY", "KR"}
)
_CH_FULL = frozenset(
    {*EEA_AUTHORITIES, "GB", "GI", "AD", "AR", "FO", "GG", "IM", "IL", "JE"}
    | {"MC", "NZ", "UY"}
)

_UK_PARTIAL: dict[str, Scope] = {
    "US": Scope.UK_EXTENSION,  # Data Protection (Adequacy) (US) Regulations 2023
    "CA": Scope.COMMERCIAL,
    "JP": Scope.PRIVATE_SECTOR,
}
_CH_PARTIAL: dict[str, Scope] = {
    "US": Scope.SWISS_DPF,  # Federal Council, in force 15 September 2024
    "CA": Scope.COMMERCIAL,
}


def regime_destination(
    law: Regime, country: str, eu: Destination, importer_scopes: Iterable[Scope]
) -> Destination:
    """The destination as the exporter's own law sees it.

    ``eu`` is what the EU country register says (Art. 45 decisions);
    ``importer_scopes`` are the partial decisions the importer is recorded as
    falling under (DPF certification, UK Extension, PIPEDA ...): a partial
    decision covers an importer only when recorded (default: not in scope).
    No regime: nothing is a Chapter V transfer. UK and Switzerland: sending
    inside the country is no transfer; elsewhere their own adequacy lists.
    """
    scopes = frozenset(importer_scopes)
    if law == Regime.NONE:
        return Destination(eea=True, adequacy=Adequacy.NONE)
    if law == Regime.EU:
        return Destination(
            eea=eu.eea,
            adequacy=eu.adequacy,
            scope=eu.scope,
            importer_dpf_certified=Scope.DPF in scopes,
            importer_in_scope=eu.scope in scopes,
            decision_valid=eu.decision_valid,
        )
    home, full, partial = (
        (UK, _UK_FULL, _UK_PARTIAL)
        if law == Regime.UK
        else (SWITZERLAND, _CH_FULL, _CH_PARTIAL)
    )
    if country == home:
        return Destination(eea=True, adequacy=Adequacy.NONE)
    if country in full:
        return Destination(eea=False, adequacy=Adequacy.FULL)
    if country in partial:
        scope = partial[country]
        return Destination(
            eea=False,
            adequacy=Adequacy.PARTIAL,
            scope=scope,
            importer_in_scope=scope in scopes,
        )
    return Destination(eea=False, adequacy=Adequacy.NONE)


def instrument(law: Regime, mechanism: Mechanism, module: int | None) -> str:
    """The contract a transfer on SCCs needs under the exporter's law.

    EU: the 2021 SCCs with the module of the roles (Decision (EU) 2021/914).
    UK: the IDTA or the UK Addendum to the EU SCCs, issued by the ICO under
    DPA 2018 s. 119A (UK GDPR Art. 46(2)(d)). Switzerland: the EU SCCs with the
    adaptations the FDPIC recognised (FADP Art. 16(2)(d)). No regime: no
    Chapter V instrument; the processing agreement governs.
    """
    if law == Regime.NONE:
        return "None: no Chapter V transfer (the DPA governs)"
    if mechanism != Mechanism.SCC or module is None:
        return ""
    if law == Regime.UK:
        return f"IDTA or UK Addendum to the EU SCCs (Module {module})"
    if law == Regime.CH:
        return f"EU SCCs Module {module} with the Swiss adaptations"
    return f"EU SCCs (Decision (EU) 2021/914) Module {module}"


def leg_regime(exporter: Regime, origin: Regime | None) -> Regime:
    """The law a leg of a data flow is judged under.

    A processor sending a customer's data on to a sub-processor makes an
    onward transfer of that customer's data: the law that governed the data
    when the customer exported it keeps governing it (GDPR and UK GDPR Art. 44,
    "including for onward transfers"; FADP Art. 16; SCC 2021/914 Clause 8.7,
    8.8). ``origin`` is the customer's regime for its data (None for our own
    data, judged under ``exporter``'s law): a UK customer's data goes on under
    UK GDPR, a Swiss customer's under the FADP, a US customer's under no
    Chapter V at all, whatever our own entity's law is."""
    return exporter if origin is None else origin


def regime_tool_error(
    law: Regime,
    mechanism: Mechanism,
    *,
    uk_addendum: bool = False,
    idta: bool = False,
    swiss_adaptations: bool = False,
) -> str | None:
    """Why recorded SCCs are not a safeguard under the exporter's law, or None.

    - UK GDPR: the EU SCCs are not standard data protection clauses of the UK;
      only the ICO's IDTA or the EU SCCs with its UK Addendum are (UK GDPR
      Art. 46(2)(d); Data Protection Act 2018 s. 119A; in force 21 March 2022,
      the old EU SCCs ended 21 March 2024).
    - FADP: the EU SCCs serve only with the adaptations the FDPIC recognised
      (27 August 2021: the FDPIC as authority, Swiss law for Swiss transfers,
      "Member State" read to include Switzerland; FADP Art. 16(2)(d)).
    - EU, or no regime: the EU SCCs are the EU's own (Decision (EU) 2021/914).
    """
    if mechanism != Mechanism.SCC:
        return None
    if law == Regime.UK and not (uk_addendum or idta):
        return (
            "Under UK GDPR the EU SCCs alone are no safeguard: add the ICO's UK "
            "Addendum or sign the IDTA (UK GDPR Art. 46(2)(d), DPA 2018 s. 119A)."
        )
    if law == Regime.CH and not swiss_adaptations:
        return (
            "Under the Swiss FADP the EU SCCs need the adaptations the FDPIC "
            "recognised (FADP Art. 16(2)(d)): record them."
        )
    return None


def assessment_name(law: Regime) -> str:
    """What the transfer's risk assessment is called: a transfer impact
    assessment (EU: Clause 14, EDPB Recommendations 01/2020; Switzerland:
    FDPIC guidance) or, in the UK, a transfer risk assessment (ICO TRA tool,
    UK GDPR Art. 46 and the IDTA/Addendum)."""
    return "TRA" if law == Regime.UK else "TIA"


@dataclass(frozen=True)
class Outcome:
    """What the exporter's law asks of one transfer."""

    regime: Regime
    safeguard_required: bool
    module: int | None
    instrument: str
    authority: str
    assessment: str  # "TIA", "TRA" or "" (none due)


def outcome(
    law: Regime,
    dest: Destination,
    exporter_role: Role,
    importer_role: Role,
    mechanism: Mechanism,
    competent: str,
) -> Outcome:
    """The regime's answer for a transfer to ``dest`` (already seen through
    ``regime_destination``): whether a safeguard is needed, the SCC module and
    instrument, the competent authority and the risk assessment due."""
    module = scc_module_for(exporter_role, importer_role, dest)
    needed = safeguard_required(dest)
    tia = tia_required(dest, mechanism, module)
    return Outcome(
        regime=law,
        safeguard_required=needed,
        module=module,
        instrument=instrument(law, mechanism, module) if needed else "",
        authority=competent,
        assessment=assessment_name(law) if tia else "",
    )


def derogation_documentation_error(ground: str | None, safeguards: str) -> str | None:
    """Art. 49(1) second subparagraph: a transfer on compelling legitimate
    interests is lawful only with suitable safeguards assessed and documented
    (Art. 49(6)); the record must name them (Art. 30(1)(e))."""
    if ground == Art49Ground.COMPELLING_LEGITIMATE_INTERESTS and not safeguards.strip():
        return (
            "A transfer under Art. 49(1) second subparagraph needs its assessment "
            "and suitable safeguards documented (GDPR Art. 49(6), 30(1)(e))."
        )
    return None


def derogation_structural_error(
    mechanism: Mechanism, exporter_role: Role, importer_role: Role
) -> str | None:
    """Derogations are for occasional, non-repetitive transfers (Art. 49(1),
    recital 111; EDPB Guidelines 2/2018): a processor or sub-processor flow is
    structural and continuous, so it cannot rest on one."""
    if mechanism != Mechanism.DEROGATION:
        return None
    if Role.PROCESSOR in (Role(exporter_role), Role(importer_role)):
        return (
            "A processor or sub-processor transfer is continuous and structural: "
            "it cannot rest on an Art. 49 derogation; use an Art. 46 safeguard "
            "such as SCCs."
        )
    return None


def art3_2_importer_warning(
    law: Regime, mechanism: Mechanism, importer_subject_to_gdpr: bool
) -> str | None:
    """The 2021 SCCs are for importers whose processing is not subject to the
    GDPR (Decision (EU) 2021/914, recital 7; Art. 1): an importer itself caught
    by Art. 3(2) is not covered by them, and the Commission's separate clauses
    for such importers are not adopted. A warning, not a block: the importer
    still owes its own GDPR duties, and the exporter should document why the
    clauses still serve (EDPB Guidelines 05/2021)."""
    if law != Regime.EU or mechanism != Mechanism.SCC or not importer_subject_to_gdpr:
        return None
    return (
        "The importer is itself subject to the GDPR under Art. 3(2): the 2021 "
        "SCCs do not cover its processing (Decision (EU) 2021/914, recital 7); "
        "record how the transfer is safeguarded for it."
    )


def derogation_text(ground: str | None, safeguards: str = "") -> str:
    """How the Art. 30(1)(e) record names a derogation: its ground and, for
    the second subparagraph, the documented safeguards."""
    try:
        text = ART49_LABELS[Art49Ground(ground or "")]
    except ValueError:
        return "Derogation (Art. 49): no ground recorded"
    if ground == Art49Ground.COMPELLING_LEGITIMATE_INTERESTS and safeguards.strip():
        text += f"; safeguards: {safeguards.strip()}"
    return text


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
