"""Annex I.A left for signing with every clause option the SCCs leave open
(Clauses 7, 9, 11, 17, 18; the UK Addendum's Tables 1-4), and Annex II with
every heading of the template (cells reloaded with openpyxl)."""

import pytest

from reports import findings
from tests.factories import make_measure
from tests.reports.test_dpa_annex import annex, make_processor_setup, rows
from transfers.rules import Regime, governing_law_country

# SCC 2021/914 Annex II: the 17 example headings, in order, then the measures
# to assist the controller (transfers to (sub-)processors).
ANNEX_II = [
    "Pseudonymisation and encryption",
    "Ongoing confidentiality, integrity, availability and resilience",
    "Timely restoration after incidents",
    "Regular testing and evaluation",
    "User identification and authorisation",
    "Protection of data in transit",
    "Protection of data at rest",
    "Physical security of locations",
    "Event logging",
    "System configuration, including defaults",
    "Internal IT and security governance",
    "Certification and assurance",
    "Data minimisation",
    "Data quality",
    "Limited data retention",
    "Accountability",
    "Data portability and erasure",
    "Assistance to the controller",
]


@pytest.mark.parametrize(
    ("law", "home", "rep", "place"),
    [
        (Regime.EU, "FR", "", "FR"),  # Clause 17: exporter's Member State
        (Regime.EU, "US", "IE", "IE"),  # Art. 3(2) exporter: representative's
        (Regime.UK, "GB", "", "GB"),  # UK Addendum Part 2
        (Regime.CH, "CH", "", "CH"),  # FDPIC: Swiss law and forum
        (Regime.NONE, "US", "", ""),  # no SCCs
    ],
)
def test_governing_law_and_forum_follow_the_exporter(law, home, rep, place):
    assert governing_law_country(law, home, rep) == place


def test_maison_annex_names_clause_11_17_and_18(demo):
    exporter, importer = rows(annex("Maison Lumière SAS"), "Annex I.A Parties")

    options = exporter["SCC options"].splitlines()
    assert "Clause 11(a) optional independent dispute resolution body: not offered" in (
        options
    )
    assert "Clause 17 governing law: the law of France" in options
    assert "Clause 18 forum and jurisdiction: the courts of France" in options
    assert importer["Date"] is None and importer["Signature"] is None


def test_uk_exporter_gets_the_addendum_tables_one_to_four(demo):
    exporter, _ = rows(annex("Thistle & Pine Ltd"), "Annex I.A Parties")

    options = exporter["SCC options"]
    for table in range(1, 5):
        assert f"UK Addendum Table {table}: " in options
    assert (
        "Table 2: Selected SCCs, Modules and Selected Clauses: EU SCCs Module 2"
        in options
    )
    assert "Option 1: specific prior authorisation" in options
    assert "England and Wales" in options
    assert "Clause 17 governing law: the law of" not in options


def test_annex_ii_lists_every_heading_in_order_with_not_applicable_reasons(db):
    make_processor_setup()
    make_measure(
        name="No physical sites",
        annex_ii_heading="physical",
        not_applicable=True,
        description="We run no premises where the data is processed.",
    )

    measures = rows(annex("Client GmbH"), "Annex II Measures")

    assert [r["Annex II heading"] for r in measures] == ANNEX_II
    by_heading = {r["Annex II heading"]: r["Measure"] for r in measures}
    assert by_heading["Protection of data at rest"] == "Disk encryption"
    assert by_heading["Physical security of locations"] == (
        "Not applicable: We run no premises where the data is processed."
    )
    assert by_heading["Event logging"] == (
        "Not applicable: no measure and no reason recorded"
    )


def test_module_two_annex_without_assistance_measures_is_an_error(db):
    _, customer, _, activity = make_processor_setup()

    def codes():
        return {
            f.code
            for f in findings.current(None)
            if (f.object_type, f.object_id) == ("customer", customer.pk)
        }

    assert "CUS_ANNEX_II_NO_ASSISTANCE" in codes()
    activity.security_measures.add(
        make_measure(name="DSR tooling", annex_ii_heading="assistance")
    )
    assert "CUS_ANNEX_II_NO_ASSISTANCE" not in codes()


def test_demo_annexes_answer_every_heading_and_need_no_assistance_finding(demo):
    measures = rows(annex("Maison Lumière SAS"), "Annex II Measures")

    assert list(dict.fromkeys(r["Annex II heading"] for r in measures)) == ANNEX_II
    quality = [r for r in measures if r["Annex II heading"] == "Data quality"]
    assert quality[0]["Measure"].startswith("Not applicable: KonnectBot stores")
    found = {f.code for f in findings.current(None)}
    assert "CUS_ANNEX_II_NO_ASSISTANCE" not in found
