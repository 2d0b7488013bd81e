"""The transfer law of the exporter: EU, UK and Swiss regimes and none.

One table: exporter (EEA, UK, Switzerland, US) x importer (adequate, partially
adequate in or out of scope, not adequate) x role pair -> regime, instrument,
module, authority and whether a TIA (TRA in the UK) is due."""

import pytest

from transfers.rules import (
    DATA_SUBJECTS_AUTHORITY,
    EEA_AUTHORITIES,
    FDPIC,
    ICO,
    Adequacy,
    Destination,
    Mechanism,
    Regime,
    Role,
    Scope,
    authority,
    leg_regime,
    outcome,
    regime,
    regime_destination,
    regime_tool_error,
)

C, P = Role.CONTROLLER, Role.PROCESSOR
CNIL = EEA_AUTHORITIES["FR"]

# What the EU country register says about each destination (Art. 45).
EU_REGISTER = {
    "JP": Destination(eea=False, adequacy=Adequacy.PARTIAL, scope=Scope.PRIVATE_SECTOR),
    "US": Destination(eea=False, adequacy=Adequacy.PARTIAL, scope=Scope.DPF),
    "CA": Destination(eea=False, adequacy=Adequacy.PARTIAL, scope=Scope.COMMERCIAL),
    "NZ": Destination(eea=False, adequacy=Adequacy.FULL),
    "IN": Destination(eea=False, adequacy=Adequacy.NONE),
}

# importer: (country, the importer's recorded scopes)
ADEQUATE = ("NZ", ())
US_IN_SCOPE = ("US", (Scope.DPF, Scope.UK_EXTENSION, Scope.SWISS_DPF))
US_OUT_OF_SCOPE = ("US", ())
# Certified under the EU-US DPF only: EU adequacy is not UK or Swiss adequacy.
US_EU_DPF_ONLY = ("US", (Scope.DPF,))
CANADA_IN_SCOPE = ("CA", (Scope.COMMERCIAL,))
CANADA_OUT_OF_SCOPE = ("CA", ())
NOT_ADEQUATE = ("IN", ())

EU_SCC = "EU SCCs (Decision (EU) 2021/914) Module {}"
UK_SCC = "IDTA or UK Addendum to the EU SCCs (Module {})"
CH_SCC = "EU SCCs Module {} with the Swiss adaptations"
NO_TRANSFER = (False, None, "", "")


def case(exporter, importer, roles, needed, law, auth, instrument="", tia=""):
    module = {(C, C): 1, (C, P): 2, (P, P): 3, (P, C): 4}[roles] if needed else None
    scoped = "+" * len(importer[1])
    label = f"{exporter}->{importer[0]}{scoped} {roles[0][0]}{roles[1][0]}"
    return pytest.param(
        exporter,
        importer,
        roles,
        (law, needed, module, instrument.format(module), auth, tia),
        id=label,
    )


TABLE = []
for roles in [(C, C), (C, P), (P, P), (P, C)]:
    tia = "" if roles == (P, C) else "TIA"  # Module 4: Clause 14 only if combined
    tra = "" if roles == (P, C) else "TRA"
    TABLE += [
        # EEA exporter (France): EU GDPR Chapter V, the CNIL (Clause 13(a)).
        case("FR", ADEQUATE, roles, False, Regime.EU, CNIL),
        case("FR", US_IN_SCOPE, roles, False, Regime.EU, CNIL),
        case("FR", US_OUT_OF_SCOPE, roles, True, Regime.EU, CNIL, EU_SCC, tia),
        case("FR", US_EU_DPF_ONLY, roles, False, Regime.EU, CNIL),
        case("FR", CANADA_IN_SCOPE, roles, False, Regime.EU, CNIL),
        case("FR", CANADA_OUT_OF_SCOPE, roles, True, Regime.EU, CNIL, EU_SCC, tia),
        case("FR", NOT_ADEQUATE, roles, True, Regime.EU, CNIL, EU_SCC, tia),
        # UK exporter: UK GDPR, IDTA or Addendum, the ICO, a TRA.
        case("GB", ADEQUATE, roles, False, Regime.UK, ICO),
        case("GB", US_IN_SCOPE, roles, False, Regime.UK, ICO),
        case("GB", US_OUT_OF_SCOPE, roles, True, Regime.UK, ICO, UK_SCC, tra),
        case("GB", US_EU_DPF_ONLY, roles, True, Regime.UK, ICO, UK_SCC, tra),
        case("GB", CANADA_IN_SCOPE, roles, False, Regime.UK, ICO),
        case("GB", CANADA_OUT_OF_SCOPE, roles, True, Regime.UK, ICO, UK_SCC, tra),
        case("GB", NOT_ADEQUATE, roles, True, Regime.UK, ICO, UK_SCC, tra),
        # Swiss exporter: FADP, EU SCCs with Swiss adaptations, the FDPIC.
        case("CH", ADEQUATE, roles, False, Regime.CH, FDPIC),
        case("CH", US_IN_SCOPE, roles, False, Regime.CH, FDPIC),
        case("CH", US_OUT_OF_SCOPE, roles, True, Regime.CH, FDPIC, CH_SCC, tia),
        case("CH", US_EU_DPF_ONLY, roles, True, Regime.CH, FDPIC, CH_SCC, tia),
        case("CH", CANADA_IN_SCOPE, roles, False, Regime.CH, FDPIC),
        case("CH", CANADA_OUT_OF_SCOPE, roles, True, Regime.CH, FDPIC, CH_SCC, tia),
        case("CH", NOT_ADEQUATE, roles, True, Regime.CH, FDPIC, CH_SCC, tia),
        # US exporter without an EU representative: no Chapter V transfer.
        case("US", ADEQUATE, roles, False, Regime.NONE, ""),
        case("US", US_IN_SCOPE, roles, False, Regime.NONE, ""),
        case("US", US_OUT_OF_SCOPE, roles, False, Regime.NONE, ""),
        case("US", US_EU_DPF_ONLY, roles, False, Regime.NONE, ""),
        case("US", CANADA_IN_SCOPE, roles, False, Regime.NONE, ""),
        case("US", CANADA_OUT_OF_SCOPE, roles, False, Regime.NONE, ""),
        case("US", NOT_ADEQUATE, roles, False, Regime.NONE, ""),
    ]


@pytest.mark.parametrize(("exporter", "importer", "roles", "expected"), TABLE)
def test_the_exporters_law_decides_the_transfer(exporter, importer, roles, expected):
    country, scopes = importer
    law = regime(exporter)
    dest = regime_destination(law, country, EU_REGISTER[country], scopes)
    got = outcome(law, dest, *roles, Mechanism.SCC, authority(law, exporter))
    assert (
        got.regime,
        got.safeguard_required,
        got.module,
        got.instrument,
        got.authority,
        got.assessment,
    ) == expected


# -- onward legs: our entity (US, Art. 27 representative in Ireland) sends a
# customer's data on to a sub-processor. The leg is judged under the law of
# the customer whose data it is (UK GDPR Art. 44 "onward transfers"; FADP
# Art. 16; SCC Clause 8.7 / 8.8); our own data under our own law.
OUR_ENTITY = ("US", "IE")
DPC = EEA_AUTHORITIES["IE"]

ONWARD = []
for roles in [(P, P), (P, C)]:
    tia = "" if roles == (P, C) else "TIA"
    tra = "" if roles == (P, C) else "TRA"
    for customer, law, auth, scc, assessment in [
        ("FR", Regime.EU, DPC, EU_SCC, tia),
        (None, Regime.EU, DPC, EU_SCC, tia),  # our own data
        ("GB", Regime.UK, ICO, UK_SCC, tra),
        ("CH", Regime.CH, FDPIC, CH_SCC, tia),
    ]:
        ONWARD += [
            case(customer, ADEQUATE, roles, False, law, auth),
            case(customer, US_IN_SCOPE, roles, False, law, auth),
            case(customer, US_OUT_OF_SCOPE, roles, True, law, auth, scc, assessment),
            case(customer, CANADA_IN_SCOPE, roles, False, law, auth),
            case(
                customer, CANADA_OUT_OF_SCOPE, roles, True, law, auth, scc, assessment
            ),
            case(customer, NOT_ADEQUATE, roles, True, law, auth, scc, assessment),
        ]
    # the EU DPF alone: enough for EU data, not for UK or Swiss data
    ONWARD += [
        case("FR", US_EU_DPF_ONLY, roles, False, Regime.EU, DPC),
        case("GB", US_EU_DPF_ONLY, roles, True, Regime.UK, ICO, UK_SCC, tra),
        case("CH", US_EU_DPF_ONLY, roles, True, Regime.CH, FDPIC, CH_SCC, tia),
    ]
    # a US customer's data: no Chapter V on any leg
    ONWARD += [
        case("US", importer, roles, False, Regime.NONE, "")
        for importer in (ADEQUATE, US_OUT_OF_SCOPE, CANADA_OUT_OF_SCOPE, NOT_ADEQUATE)
    ]


@pytest.mark.parametrize(("customer", "importer", "roles", "expected"), ONWARD)
def test_an_onward_leg_is_judged_under_the_customers_law(
    customer, importer, roles, expected
):
    country, scopes = importer
    ours = regime(*OUR_ENTITY)
    law = leg_regime(ours, regime(customer) if customer else None)
    dest = regime_destination(law, country, EU_REGISTER[country], scopes)
    competent = authority(law, *OUR_ENTITY)
    got = outcome(law, dest, *roles, Mechanism.SCC, competent)
    assert (
        got.regime,
        got.safeguard_required,
        got.module,
        got.instrument,
        got.authority,
        got.assessment,
    ) == expected


# -- what the recorded SCCs must include under each law


@pytest.mark.parametrize(
    ("law", "mechanism", "tools", "holds"),
    [
        (Regime.EU, Mechanism.SCC, {}, True),
        (Regime.EU, Mechanism.SCC, {"uk_addendum": True}, True),
        (Regime.UK, Mechanism.SCC, {}, False),  # EU SCCs alone: no UK safeguard
        (Regime.UK, Mechanism.SCC, {"uk_addendum": True}, True),
        (Regime.UK, Mechanism.SCC, {"idta": True}, True),
        (Regime.UK, Mechanism.SCC, {"swiss_adaptations": True}, False),
        (Regime.CH, Mechanism.SCC, {}, False),
        (Regime.CH, Mechanism.SCC, {"swiss_adaptations": True}, True),
        (Regime.CH, Mechanism.SCC, {"uk_addendum": True}, False),
        (Regime.UK, Mechanism.BCR, {}, True),  # not a contract the ICO issued
        (Regime.UK, Mechanism.ADEQUACY, {}, True),
        (Regime.NONE, Mechanism.SCC, {}, True),
    ],
)
def test_the_sccs_hold_under_the_exporters_law_only_with_its_instrument(
    law, mechanism, tools, holds
):
    assert (regime_tool_error(law, mechanism, **tools) is None) is holds


def test_module_4_needs_an_assessment_only_when_combined_with_eu_data():
    # Clause 14 applies to Module 4 only where the EU processor combines the
    # controller's data with data it collected in the EU: not by default.
    law = regime("FR")
    dest = regime_destination(law, "IN", EU_REGISTER["IN"], ())
    assert outcome(law, dest, P, C, Mechanism.SCC, "").assessment == ""


@pytest.mark.parametrize(
    ("established", "representative", "subjects", "law", "expected"),
    [
        pytest.param("FR", "", "", Regime.EU, CNIL, id="13(a) exporter's own SA"),
        pytest.param("FR", "IE", "DE", Regime.EU, CNIL, id="13(a) establishment wins"),
        pytest.param(
            "US",
            "IE",
            "",
            Regime.EU,
            EEA_AUTHORITIES["IE"],
            id="13(a) Art. 27 representative's Member State",
        ),
        pytest.param(
            "US",
            "",
            "DE",
            Regime.EU,
            EEA_AUTHORITIES["DE"],
            id="13(a) where the data subjects are",
        ),
        pytest.param(
            "US", "GB", "", Regime.EU, DATA_SUBJECTS_AUTHORITY, id="UK is no MS"
        ),
        pytest.param("GB", "", "", Regime.UK, ICO, id="UK: ICO"),
        pytest.param("CH", "", "", Regime.CH, FDPIC, id="CH: FDPIC"),
        pytest.param("US", "", "", Regime.NONE, "", id="none: no authority"),
    ],
)
def test_clause_13_competent_authority(
    established, representative, subjects, law, expected
):
    assert authority(law, established, representative, subjects) == expected


@pytest.mark.parametrize(
    ("established", "representative", "law"),
    [
        ("DE", "", Regime.EU),
        ("NO", "", Regime.EU),
        ("GB", "IE", Regime.UK),
        ("CH", "", Regime.CH),
        ("US", "IE", Regime.EU),  # Art. 3(2) with an Art. 27 representative
        ("US", "GB", Regime.NONE),  # a UK representative is not an EU one
        ("US", "", Regime.NONE),
        ("IN", "", Regime.NONE),
    ],
)
def test_regime_follows_the_exporters_establishment(established, representative, law):
    assert regime(established, representative) == law
