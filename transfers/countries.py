"""Reference data for the country register, seeded by a data migration.

After seeding, the DPO edits adequacy on the country rows (with history); this
module is the starting point, not the live truth. Status as verifiable on
2026-11-29 (domain reference, section 4.1; Commission adequacy list).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from transfers.rules import Adequacy, Scope

# GDPR Chapter V does not apply inside the EEA: EU27 plus Iceland, Liechtenstein and
# Norway (EEA Agreement). ISO 3166-1 alpha-2, so Greece is "GR" (the EU writes "EL").
EEA: tuple[str, ...] = (
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR",
    "DE", "GR", "HU", "IE", "IT", "LV", "LT", "LU", "MT", "NL",
    "PL", "PT", "RO", "SK", "SI", "ES", "SE",
    "IS", "LI", "NO",
)  # fmt: skip


@dataclass(frozen=True)
class AdequacyDecision:
    """A Commission adequacy decision for one country (GDPR Art. 45(3), 45(9))."""

    code: str
    adequacy: Adequacy
    scope: Scope | None
    adequacy_scope: str
    decision_reference: str
    valid_from: date | None = None
    valid_to: date | None = None


_WHOLE = "Whole jurisdiction"
_REVIEWED = ", maintained by Art. 45(9) GDPR; first review concluded 15 January 2024"


def _pre_gdpr(code: str, decision: str, scope: str = _WHOLE) -> AdequacyDecision:
    # Decisions under Directive 95/46/EC stay in force until amended (Art. 45(9)).
    # valid_from is left empty: adoption and effect dates differ, and none of these
    # start dates matters for a register kept today.
    return AdequacyDecision(
        code=code,
        adequacy=Adequacy.FULL,
        scope=None,
        adequacy_scope=scope,
        decision_reference=decision + _REVIEWED,
    )


ADEQUACY: tuple[AdequacyDecision, ...] = (
    _pre_gdpr("AD", "Commission Decision 2010/625/EU of 19 October 2010"),
    _pre_gdpr("AR", "Commission Decision 2003/490/EC of 30 June 2003"),
    _pre_gdpr("FO", "Commission Decision 2010/146/EU of 5 March 2010"),
    _pre_gdpr("GG", "Commission Decision 2003/821/EC of 21 November 2003"),
    _pre_gdpr("IM", "Commission Decision 2004/411/EC of 28 April 2004"),
    _pre_gdpr(
        "IL",
        "Commission Decision 2011/61/EU of 31 January 2011",
        # Art. 1 of the decision is worded this way; a SaaS transfer is automated.
        "Automated transfers, and manual transfers further processed by automated "
        "means in Israel",
    ),
    _pre_gdpr("JE", "Commission Decision 2008/393/EC of 8 May 2008"),
    _pre_gdpr("NZ", "Commission Implementing Decision 2013/65/EU of 19 December 2012"),
    _pre_gdpr("CH", "Commission Decision 2000/518/EC of 26 July 2000"),
    _pre_gdpr("UY", "Commission Implementing Decision 2012/484/EU of 21 August 2012"),
    AdequacyDecision(
        code="CA",
        adequacy=Adequacy.PARTIAL,
        scope=Scope.COMMERCIAL,
        adequacy_scope="Only commercial organisations subject to PIPEDA",
        decision_reference="Commission Decision 2002/2/EC of 20 December 2001"
        + _REVIEWED,
    ),
    AdequacyDecision(
        code="JP",
        adequacy=Adequacy.PARTIAL,
        scope=Scope.PRIVATE_SECTOR,
        adequacy_scope=(
            "Only personal information handling business operators under the APPI "
            "(private sector), with the Supplementary Rules"
        ),
        decision_reference=(
            "Commission Implementing Decision (EU) 2019/419 of 23 January 2019"
        ),
        valid_from=date(2019, 1, 23),
    ),
    AdequacyDecision(
        code="KR",
        adequacy=Adequacy.FULL,
        scope=None,
        adequacy_scope=(
            "Processing subject to the Personal Information Protection Act (PIPA), "
            "commercial and public sector"
        ),
        decision_reference=(
            "Commission Implementing Decision (EU) 2022/254 of 17 December 2021"
        ),
        valid_from=date(2021, 12, 17),
    ),
    AdequacyDecision(
        code="GB",
        adequacy=Adequacy.FULL,
        scope=None,
        adequacy_scope="Processing subject to the UK GDPR",
        decision_reference=(
            "Commission Implementing Decision (EU) 2021/1772 of 28 June 2021, "
            "extended to 27 December 2025 and renewed on 19 December 2025"
        ),
        # Adequacy has run without a gap since the 2021 decision.
        valid_from=date(2021, 6, 28),
        # Sources say "renewed to December 2031"; six years on from the end of the
        # technical extension (27 Dec 2025) gives 27 Dec 2031. Check the OJ text.
        valid_to=date(2031, 12, 27),
    ),
    AdequacyDecision(
        code="US",
        adequacy=Adequacy.PARTIAL,
        scope=Scope.DPF,
        adequacy_scope=(
            "Only organisations certified under the EU-US Data Privacy Framework"
        ),
        decision_reference=(
            "Commission Implementing Decision (EU) 2023/1795 of 10 July 2023"
        ),
        valid_from=date(2023, 7, 10),
    ),
    AdequacyDecision(
        code="BR",
        adequacy=Adequacy.FULL,
        scope=None,
        adequacy_scope="Controllers and processors subject to the LGPD",
        decision_reference=(
            "Commission Implementing Decision (EU) 2026/179 of 26 January 2026"
        ),
        valid_from=date(2026, 1, 26),
    ),
    # The European Patent Organisation also has an adequacy decision (15 July 2025),
    # but it is an international organisation, not a country, so it has no row in
    # the country register.
)


# English puts "the" before these country names in running text ("established
# in the United States of America"), as the EU's Interinstitutional Style Guide
# does; every other name stands alone.
_WITH_ARTICLE = frozenset(
    {"Bahamas", "Comoros", "Gambia", "Holy See", "Maldives", "Netherlands",
     "Philippines", "Seychelles"}
)  # fmt: skip


def in_sentence(name: str) -> str:
    """A country's English name as it reads inside a sentence."""
    plural = name.endswith(("Islands", "Emirates"))
    if name in _WITH_ARTICLE or plural or name.startswith(("United ", "Republic")):
        return f"the {name}"
    return name
