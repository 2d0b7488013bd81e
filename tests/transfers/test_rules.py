from datetime import date

import pytest

from transfers.countries import ADEQUACY, EEA
from transfers.rules import (
    ART49_LABELS,
    Adequacy,
    Art49Ground,
    Destination,
    Mechanism,
    Role,
    Scope,
    adequacy_claim_error,
    adequacy_covers,
    derogation_ground_error,
    is_transfer,
    safeguard_required,
    scc_module,
    scc_module_for,
    tia_required,
)

C, P = Role.CONTROLLER, Role.PROCESSOR

EEA_DEST = Destination(eea=True, adequacy=Adequacy.NONE)
NO_ADEQUACY = Destination(eea=False, adequacy=Adequacy.NONE)  # e.g. India
FULL = Destination(eea=False, adequacy=Adequacy.FULL)  # e.g. Korea
JAPAN = Destination(
    eea=False,
    adequacy=Adequacy.PARTIAL,
    scope=Scope.PRIVATE_SECTOR,
    importer_in_scope=True,
)
US_DPF = Destination(
    eea=False, adequacy=Adequacy.PARTIAL, scope=Scope.DPF, importer_dpf_certified=True
)
US_NOT_DPF = Destination(eea=False, adequacy=Adequacy.PARTIAL, scope=Scope.DPF)
CANADA_IN = Destination(
    eea=False,
    adequacy=Adequacy.PARTIAL,
    scope=Scope.COMMERCIAL,
    importer_in_scope=True,
)
# Not in scope unless recorded (Art. 45(1) "specified sectors").
CANADA_OUT = Destination(eea=False, adequacy=Adequacy.PARTIAL, scope=Scope.COMMERCIAL)
EXPIRED = Destination(eea=False, adequacy=Adequacy.FULL, decision_valid=False)
PARTIAL_NO_SCOPE = Destination(eea=False, adequacy=Adequacy.PARTIAL)


@pytest.mark.parametrize(
    ("exporter", "importer", "module"),
    [
        pytest.param(C, C, 1, id="SCC 2021/914 Module 1: C->C"),
        pytest.param(C, P, 2, id="SCC 2021/914 Module 2: C->P"),
        pytest.param(P, P, 3, id="SCC 2021/914 Module 3: P->P (sub-processor)"),
        pytest.param(P, C, 4, id="SCC 2021/914 Module 4: P->C"),
        pytest.param("processor", "controller", 4, id="SCC Module 4 from DB values"),
    ],
)
def test_scc_module_follows_the_two_roles(exporter, importer, module):
    assert scc_module(exporter, importer) == module


@pytest.mark.parametrize(
    ("dest", "transfer", "covered", "safeguard"),
    [
        pytest.param(EEA_DEST, False, False, False, id="Art. 44 - EEA is no transfer"),
        pytest.param(
            NO_ADEQUACY, True, False, True, id="Art. 46(1) - no adequacy (India)"
        ),
        pytest.param(FULL, True, True, False, id="Art. 45 - full adequacy (Korea)"),
        pytest.param(
            JAPAN, True, True, False, id="Art. 45 - partial adequacy (Japan APPI)"
        ),
        pytest.param(
            US_DPF, True, True, False, id="Art. 45 / 2023/1795 - US DPF-certified"
        ),
        pytest.param(
            US_NOT_DPF, True, False, True, id="Art. 46 - US importer not on DPF List"
        ),
        pytest.param(
            CANADA_IN, True, True, False, id="Art. 45 - Canada, commercial org"
        ),
        pytest.param(
            CANADA_OUT, True, False, True, id="Art. 46 - Canada, outside PIPEDA"
        ),
        pytest.param(
            EXPIRED, True, False, True, id="Art. 45(3) - decision not in force"
        ),
        pytest.param(
            PARTIAL_NO_SCOPE, True, False, True, id="Art. 45 - partial, scope unknown"
        ),
    ],
)
def test_whether_a_safeguard_is_needed(dest, transfer, covered, safeguard):
    assert is_transfer(dest) is transfer
    assert adequacy_covers(dest) is covered
    assert safeguard_required(dest) is safeguard


@pytest.mark.parametrize(
    ("exporter", "importer", "dest", "module"),
    [
        pytest.param(C, P, EEA_DEST, None, id="Art. 44 - EEA processor, no SCC"),
        pytest.param(C, P, FULL, None, id="Art. 45 - adequacy, no SCC"),
        pytest.param(C, P, US_DPF, None, id="Art. 45 - DPF importer, no SCC"),
        pytest.param(C, P, US_NOT_DPF, 2, id="SCC Module 2 - US, not DPF"),
        pytest.param(C, C, NO_ADEQUACY, 1, id="SCC Module 1 - no adequacy"),
        pytest.param(P, P, CANADA_OUT, 3, id="SCC Module 3 - Canada out of scope"),
        pytest.param(P, C, EXPIRED, 4, id="SCC Module 4 - expired decision"),
    ],
)
def test_scc_module_only_where_a_safeguard_is_needed(exporter, importer, dest, module):
    assert scc_module_for(exporter, importer, dest) == module


@pytest.mark.parametrize(
    ("dest", "mechanism", "module", "combines", "expected"),
    [
        pytest.param(
            NO_ADEQUACY, Mechanism.SCC, 2, False, True, id="Clause 14 SCC - Module 2"
        ),
        pytest.param(
            US_NOT_DPF, Mechanism.SCC, 3, False, True, id="Clause 14 SCC - US not DPF"
        ),
        pytest.param(
            NO_ADEQUACY, Mechanism.BCR, None, False, True, id="EDPB step 3 - BCR"
        ),
        pytest.param(
            NO_ADEQUACY,
            Mechanism.CODE_OF_CONDUCT,
            None,
            False,
            True,
            id="EDPB step 3 - code of conduct, Art. 46(2)(e)",
        ),
        pytest.param(
            NO_ADEQUACY,
            Mechanism.CERTIFICATION,
            None,
            False,
            True,
            id="EDPB step 3 - certification, Art. 46(2)(f)",
        ),
        pytest.param(
            EEA_DEST, Mechanism.SCC, 2, False, False, id="Art. 44 - EEA, no TIA"
        ),
        pytest.param(
            FULL, Mechanism.ADEQUACY, None, False, False, id="Art. 45 - full adequacy"
        ),
        pytest.param(
            US_DPF,
            Mechanism.SCC,
            2,
            False,
            False,
            id="Art. 45 - DPF importer, fallback SCC needs no TIA",
        ),
        pytest.param(
            NO_ADEQUACY,
            Mechanism.SCC,
            4,
            False,
            False,
            id="SCC Module 4 Clause 14 - return only, no TIA",
        ),
        pytest.param(
            NO_ADEQUACY,
            Mechanism.SCC,
            4,
            True,
            True,
            id="SCC Module 4 Clause 14 - combined with EU-collected data",
        ),
        pytest.param(
            NO_ADEQUACY,
            Mechanism.DEROGATION,
            None,
            False,
            False,
            id="Art. 49 - derogation is not an Art. 46 tool",
        ),
        pytest.param(
            NO_ADEQUACY,
            Mechanism.NONE,
            2,
            False,
            True,
            id="Art. 46(1) - no mechanism, TIA question open",
        ),
        pytest.param(
            US_NOT_DPF,
            Mechanism.ADEQUACY,
            2,
            False,
            True,
            id="Art. 45 - wrong adequacy claim, TIA question open",
        ),
        pytest.param(
            EXPIRED, Mechanism.SCC, 2, False, True, id="Art. 45(3) - expired decision"
        ),
    ],
)
def test_whether_a_tia_is_due(dest, mechanism, module, combines, expected):
    got = tia_required(dest, mechanism, module, module4_combines_eu_data=combines)
    assert got is expected


@pytest.mark.parametrize(
    ("dest", "mechanism", "fragment"),
    [
        pytest.param(FULL, Mechanism.ADEQUACY, None, id="Art. 45 - full adequacy"),
        pytest.param(US_DPF, Mechanism.ADEQUACY, None, id="2023/1795 - DPF-certified"),
        pytest.param(CANADA_IN, Mechanism.ADEQUACY, None, id="Art. 45 - Canada in"),
        pytest.param(EEA_DEST, Mechanism.ADEQUACY, None, id="Art. 44 - EEA, moot"),
        pytest.param(
            NO_ADEQUACY, Mechanism.SCC, None, id="Art. 46 - no adequacy claimed"
        ),
        pytest.param(
            US_NOT_DPF,
            Mechanism.ADEQUACY,
            "Data Privacy Framework",
            id="2023/1795 - US importer not DPF-certified",
        ),
        pytest.param(
            CANADA_OUT,
            Mechanism.ADEQUACY,
            "PIPEDA",
            id="Art. 45(1) - Canada importer outside commercial scope",
        ),
        pytest.param(
            NO_ADEQUACY,
            Mechanism.ADEQUACY,
            "no adequacy decision",
            id="Art. 45 - country without a decision",
        ),
        pytest.param(
            EXPIRED, Mechanism.ADEQUACY, "not in force", id="Art. 45(3) - expired"
        ),
        pytest.param(
            PARTIAL_NO_SCOPE,
            Mechanism.ADEQUACY,
            "no scope is recorded",
            id="Art. 45 - partial with unknown scope",
        ),
    ],
)
def test_adequacy_claim_error(dest, mechanism, fragment):
    error = adequacy_claim_error(dest, mechanism)
    if fragment is None:
        assert error is None
    else:
        assert error is not None
        assert fragment in error


@pytest.mark.parametrize(
    ("mechanism", "ground", "fragment"),
    [
        pytest.param(
            Mechanism.DEROGATION, "49_1_a", None, id="Art. 49(1)(a) - explicit consent"
        ),
        pytest.param(
            Mechanism.DEROGATION,
            Art49Ground.COMPELLING_LEGITIMATE_INTERESTS,
            None,
            id="Art. 49(1) second subparagraph",
        ),
        pytest.param(Mechanism.SCC, "", None, id="Art. 46 - SCC without a ground"),
        pytest.param(Mechanism.SCC, None, None, id="Art. 46 - SCC, ground is NULL"),
        pytest.param(
            Mechanism.DEROGATION, "", "needs an Art. 49(1) ground", id="Art. 49 - none"
        ),
        pytest.param(
            Mechanism.DEROGATION, "49_1_h", "Unknown", id="Art. 49 - no such ground"
        ),
        pytest.param(
            Mechanism.SCC,
            "49_1_b",
            "only for a transfer that relies on a derogation",
            id="Art. 49 - ground without derogation",
        ),
    ],
)
def test_derogation_ground_error(mechanism, ground, fragment):
    error = derogation_ground_error(mechanism, ground)
    if fragment is None:
        assert error is None
    else:
        assert error is not None
        assert fragment in error


def test_every_art49_ground_has_a_label():
    assert set(ART49_LABELS) == set(Art49Ground)
    assert [g.value for g in Art49Ground] == [
        "49_1_a",
        "49_1_b",
        "49_1_c",
        "49_1_d",
        "49_1_e",
        "49_1_f",
        "49_1_g",
        "49_1_second",
    ]


def test_eea_has_thirty_unique_iso_codes():
    assert len(EEA) == 30
    assert len(set(EEA)) == 30
    assert all(len(c) == 2 and c.isalpha() and c.isupper() for c in EEA)
    assert {"IS", "LI", "NO", "GR"} <= set(EEA)
    assert "EL" not in EEA  # the EU's code for Greece is not ISO 3166


def test_adequacy_list_covers_domain_section_4_1():
    codes = [d.code for d in ADEQUACY]
    assert len(codes) == len(set(codes))
    assert set(codes) == {
        *("AD", "AR", "FO", "GG", "IM", "IL", "JE", "NZ", "CH", "UY"),
        *("CA", "JP", "KR", "GB", "US", "BR"),
    }
    assert all(len(c) == 2 and c.isalpha() and c.isupper() for c in codes)
    assert not set(codes) & set(EEA)


def test_adequacy_rows_are_consistent():
    for d in ADEQUACY:
        assert d.adequacy in (Adequacy.FULL, Adequacy.PARTIAL), d.code
        # A partial decision must say what it covers; a full one must not.
        assert (d.scope is not None) is (d.adequacy == Adequacy.PARTIAL), d.code
        assert d.adequacy_scope and d.decision_reference, d.code
        if d.valid_from and d.valid_to:
            assert d.valid_from < d.valid_to, d.code


@pytest.mark.parametrize(
    ("code", "adequacy", "scope", "valid_from", "valid_to"),
    [
        pytest.param("US", "partial", "dpf", date(2023, 7, 10), None, id="2023/1795"),
        pytest.param("CA", "partial", "commercial", None, None, id="2002/2/EC"),
        pytest.param(
            "JP", "partial", "private_sector", date(2019, 1, 23), None, id="2019/419"
        ),
        pytest.param("KR", "full", None, date(2021, 12, 17), None, id="2022/254"),
        pytest.param(
            "GB", "full", None, date(2021, 6, 28), date(2031, 12, 27), id="UK renewal"
        ),
        pytest.param("BR", "full", None, date(2026, 1, 26), None, id="2026/179"),
        pytest.param("CH", "full", None, None, None, id="2000/518/EC Art. 45(9)"),
    ],
)
def test_adequacy_decision_values(code, adequacy, scope, valid_from, valid_to):
    (d,) = [d for d in ADEQUACY if d.code == code]
    assert (d.adequacy, d.scope) == (adequacy, scope)
    assert (d.valid_from, d.valid_to) == (valid_from, valid_to)
