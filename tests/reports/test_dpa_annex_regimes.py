"""The demo's three annexes, each under its exporter's own transfer law
(cells reloaded with openpyxl)."""

from tests.reports.test_dpa_annex import annex, rows


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
        assert row["SCC options"].startswith("Not applicable")
    text = authority["Competent supervisory authority"]
    assert text == "Not applicable: the SCCs do not apply"
    assert "representative" not in authority["Clause 13"]
    assert "Business Associate Agreement" in authority["Clause 13"]
