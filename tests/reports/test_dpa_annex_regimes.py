"""The demo's three annexes, each under its exporter's own transfer law
(cells reloaded with openpyxl)."""

import pytest

from tests.reports.test_dpa_annex import annex, rows

pytestmark = pytest.mark.once  # the SQLite pass only (.ci/run)


def parties_and_authority(customer):
    wb = annex(customer)
    exporter, importer = rows(wb, "Annex I.A Parties")
    (authority,) = rows(wb, "Annex I.C Authority")
    return exporter, importer, authority


def test_maison_lumiere_french_exporter_module_2_and_the_cnil(demo):
    exporter, importer, authority = parties_and_authority("Maison Lumière SAS")
    assert exporter["SCC module"] == "Module 2: controller to processor"
    assert importer["SCC module"] == exporter["SCC module"]
    assert authority["Competent supervisory authority"] == (
        "Commission nationale de l'informatique et des libertés (CNIL), France"
    )
    assert authority["Clause 13"].startswith("Clause 13(a): the data exporter is")


def test_thistle_and_pine_uk_exporter_uk_addendum_and_the_ico(demo):
    exporter, _, authority = parties_and_authority("Thistle & Pine Ltd")
    assert exporter["SCC module"].startswith(
        "UK Addendum to the EU SCCs (UK GDPR Art. 46(2)(d))"
    )
    assert "Module 2" in exporter["SCC module"]
    assert authority["Competent supervisory authority"] == (
        "Information Commissioner's Office (ICO), United Kingdom"
    )
    assert authority["Clause 13"].startswith("UK GDPR")


def test_bayview_us_exporter_gets_no_scc_annex_and_the_baa_is_named(demo):
    exporter, importer, authority = parties_and_authority("Bayview Telehealth Inc.")
    for row in (exporter, importer):
        assert row["SCC module"].startswith("Not applicable: the SCCs do not apply")
        assert "HIPAA Business Associate Agreement" in row["SCC module"]
        assert "DPA v4 + BAA v2" in row["SCC module"]
        assert "Module" not in row["SCC module"]
        assert "established in the United States of America," in row["SCC module"]
        assert row["SCC options"].startswith("Not applicable")
    text = authority["Competent supervisory authority"]
    assert text == "Not applicable: the SCCs do not apply"
    assert "representative" not in authority["Clause 13"]
    assert "established in the United States of America;" in authority["Clause 13"]
    assert "Business Associate Agreement" in authority["Clause 13"]


# -- the wording each cell must carry


def test_the_dpa_and_the_baa_govern_in_the_plural(demo):
    exporter, _, authority = parties_and_authority("Bayview Telehealth Inc.")
    for text in (exporter["SCC module"], authority["Clause 13"]):
        assert "(45 CFR 164.504(e)) govern." in text
        assert "governs" not in text


def test_the_dpa_alone_governs_in_the_singular(demo):
    from inventory.models import Customer

    bayview = Customer.objects.get(name="Bayview Telehealth Inc.")
    bayview.baa_signed = False
    bayview.save()

    exporter, _, authority = parties_and_authority("Bayview Telehealth Inc.")
    assert exporter["SCC module"].endswith("(DPA v4 + BAA v2) governs.")
    assert "Business Associate" not in authority["Clause 13"]


ICO_PART_2 = (
    "Part 2: Mandatory Clauses of the Approved Addendum, being the template "
    "Addendum B.1.0 issued by the ICO and laid before Parliament in accordance "
    "with s119A of the Data Protection Act 2018 on 2 February 2022, as it is "
    "revised under Section 18 of those Mandatory Clauses."
)


def test_the_uk_addendum_tables_carry_the_icos_wording(demo):
    exporter, _, _ = parties_and_authority("Thistle & Pine Ltd")
    options = exporter["SCC options"].split("\n")

    assert options[0].startswith("UK Addendum Table 1: Parties")
    assert options[1].startswith(
        "UK Addendum Table 2: Selected SCCs, Modules and Selected Clauses"
    )
    assert options[2].startswith("UK Addendum Table 3: Appendix Information")
    (table_4,) = [o for o in options if o.startswith("UK Addendum Table 4")]
    assert table_4.startswith(
        "UK Addendum Table 4: Ending this Addendum when the Approved Addendum "
        "Changes: which Parties may end this Addendum as set out in Section 19: "
    )
    assert all(p in table_4 for p in ("Importer", "Exporter", "neither Party"))
    assert f"Mandatory Clauses: {ICO_PART_2}" in options


# -- Annex III: each sub-processor leg under the law of the customer's data

LEG = "Onward transfer safeguard"


def legs(customer):
    found = rows(annex(customer), "Annex III Sub-processors")
    return {r["Name"]: r[LEG] for r in found}


def test_thistles_subprocessor_legs_are_judged_under_uk_law(demo):
    thistle = legs("Thistle & Pine Ltd")
    assert thistle["Cortex AI Inc."] == (
        "United States of America: UK Addendum to the EU SCCs "
        "(KonnectBot to Cortex AI (US), UK data)"
    )
    nimbus = thistle["Nimbus Cloud Inc."].split("\n")
    assert nimbus == [
        "Canada: UK Addendum to the EU SCCs "
        "(KonnectBot backups to Nimbus Cloud (Canada), UK data)",
        "Germany: no safeguard needed (UK GDPR: adequacy)",
        "United States of America: no safeguard needed (UK GDPR: adequacy for "
        "organisations certified under the UK Extension to the DPF)",
    ]
    assert thistle["Textwire Messaging Inc."] == (
        "United States of America: no safeguard recorded (UK GDPR)"
    )


def test_maisons_subprocessor_legs_are_judged_under_eu_law(demo):
    maison = legs("Maison Lumière SAS")
    assert maison["Cortex AI Inc."] == (
        "United States of America: EU SCCs Module 3 (KonnectBot to Cortex AI (US))"
    )
    assert (
        "Germany: no safeguard needed (EU GDPR: no transfer)"
        in (maison["Nimbus Cloud Inc."])
    )


def test_bayviews_subprocessor_legs_are_no_chapter_v_transfers(demo):
    assert set(legs("Bayview Telehealth Inc.").values()) == {
        "Not applicable: no Chapter V transfer (the DPA and the BAA govern)"
    }
