"""The TIA workbook in the six steps of EDPB Recommendations 01/2020, with
the conclusion, its rationale and approval; a TRA for UK exporters (cells
reloaded with openpyxl)."""

import datetime

import pytest

from reports.build import build
from tests.factories import make_customer, make_measure, make_tia, make_transfer
from tests.reports.helpers import by, load
from transfers.models import CountryProfile

MAISON = "Maison Lumière to KonnectBot (US)"


@pytest.fixture
def assessments(demo):
    return by(load(build("tia"))["Assessments"], "Transfer")


def test_demo_assessment_fills_each_step_from_the_inventory(assessments):
    row = assessments[MAISON]

    assert row["Assessment"].startswith("TIA (Clause 14 SCC")
    assert row["1. Transfer mapped from the inventory"].startswith(
        "Maison Lumière SAS (controller) to KonnectBot, Inc. (processor) in "
        "United States of America"
    )
    assert "DC07" in row["1. Transfer mapped from the inventory"]
    assert row["2. Transfer tool under the exporter's law"].startswith("EU GDPR: ")
    law = row["3. Destination law and practice (country register)"]
    for act in ("FISA s. 702", "EO 12333", "EO 14086", "Data Privacy Framework"):
        assert act in law
    assert row["3. Law and practice last reviewed on"].date() == datetime.date(
        2026, 11, 29
    )
    assert row["5. Procedural steps"].startswith("Measures written into DPA v4")
    assert row["Conclusion: rationale"]
    assert row["Approved by"] == "Marcus Lee (General Counsel)"
    assert row["Approved on"].date() == datetime.date(2026, 2, 12)


@pytest.mark.django_db
def test_supplementary_measures_are_the_transfers_security_measures():
    transfer = make_transfer(name="To Hosty", destination="IN")
    transfer.supplementary_measures.add(
        make_measure(name="Keys held in the EEA", description="HSM in Frankfurt")
    )
    make_tia(transfer=transfer)

    row = by(load(build("tia"))["Assessments"], "Transfer")["To Hosty"]

    assert row["4. Supplementary measures (security measures)"] == (
        "Keys held in the EEA: HSM in Frankfurt"
    )
    assert row["3. Destination law and practice (country register)"] == ("Not recorded")


@pytest.mark.django_db
def test_uk_exporter_gets_a_transfer_risk_assessment():
    transfer = make_transfer(
        name="UK to Hosty",
        exporter=None,
        exporter_customer=make_customer(country="GB"),
        destination="IN",
    )
    make_tia(transfer=transfer)
    india = CountryProfile.objects.get(code="IN")
    india.law_and_practice = "IT Act 2000 s. 69"
    india.save()

    row = by(load(build("tia"))["Assessments"], "Transfer")["UK to Hosty"]

    assert row["Assessment"].startswith("TRA (UK GDPR")
    assert row["2. Transfer tool under the exporter's law"].startswith("UK GDPR: ")
    assert "IDTA" in row["2. Transfer tool under the exporter's law"]
    assert row["3. Destination law and practice (country register)"] == (
        "IT Act 2000 s. 69"
    )
