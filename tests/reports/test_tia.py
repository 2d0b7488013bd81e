import datetime
import json

import pytest
import time_machine

from reports.build import build
from reports.params import ReportError
from reports.tia import TRANSFER_HEADERS
from tests.factories import make_tia
from tests.reports.helpers import by, cells, headers, load, records
from transfers.models import Transfer

TEXTWIRE = "KonnectBot to Textwire Messaging (US)"
CORTEX = "KonnectBot to Cortex AI (US)"
LUMIERE = "Maison Lumière to KonnectBot (US)"

pytestmark = pytest.mark.once  # the SQLite pass only (.ci/run)


@pytest.fixture
def tia(demo):
    return load(build("tia"))


def transfer_rows(wb):
    return by(wb["Transfers"], "Transfer")


def test_tia_workbook_has_the_contract_sheets_in_order(tia):
    assert tia.sheetnames == ["Transfers", "Assessments", "Manifest"]
    assert headers(tia["Transfers"]) == list(TRANSFER_HEADERS)


def test_assessment_headers_are_the_six_edpb_steps_then_the_conclusion(tia):
    assert headers(tia["Assessments"]) == [
        "Transfer",
        "Assessment",
        "Assessed on",
        "Assessor",
        "1. Transfer mapped from the inventory",
        "1. Transfer description",
        "2. Transfer tool under the exporter's law",
        "2. Transfer tool",
        "3. Destination law and practice (country register)",
        "3. Law and practice last reviewed on",
        "3. Destination laws considered",
        "3. Problematic legislation",
        "3. Practical experience",
        "4. Supplementary measures (security measures)",
        "4. Technical measures",
        "4. Contractual measures",
        "4. Organisational measures",
        "5. Procedural steps",
        "6. Next review",
        "Risk rating",
        "Outcome",
        "Conclusion: rationale",
        "Approved by",
        "Approved on",
    ]


def test_one_row_per_transfer_by_name(tia):
    names = [r["Transfer"] for r in records(tia["Transfers"])]
    assert names == sorted(Transfer.objects.values_list("name", flat=True))
    # two split by role (our own and customers' data), two for UK data
    assert len(names) == 12


def test_textwire_transfer_has_no_safeguard_and_needs_one(tia):
    row = transfer_rows(tia)[TEXTWIRE]
    assert row["Mechanism"] == "None"
    assert row["Safeguard required"] == "Yes"
    assert row["TIA required"] == "Yes"
    assert row["SCC module"] == 3  # processor to processor (SCC 2021/914)
    assert row["Destination"] == "United States of America"
    assert row["EEA"] == "No"
    assert row["Adequacy"] == "Partial adequacy"
    assert "Data Privacy Framework" in row["Adequacy scope"]
    assert row["Adequacy decision"].startswith(
        "Commission Implementing Decision (EU) 2023/1795"
    )
    assert row["Latest TIA"] is None
    assert row["Exporter"] == "KonnectBot, Inc."
    assert row["Importer"] == "Textwire Messaging Inc."


def test_dpf_importer_needs_neither_safeguard_nor_tia(tia):
    row = transfer_rows(tia)["KonnectBot to Nimbus Cloud (US)"]
    assert row["Mechanism"] == "Adequacy decision (Art. 45)"
    assert row["Safeguard required"] == "No"
    assert row["TIA required"] == "No"
    assert row["SCC module"] is None
    assert row["Onward transfer of"] == LUMIERE


def test_customer_transfer_names_the_customer_as_exporter(tia):
    row = transfer_rows(tia)[LUMIERE]
    assert row["Exporter"] == "Maison Lumière SAS"
    assert row["Exporter role"] == "Controller"
    assert row["Importer"] == "KonnectBot, Inc."
    assert row["Importer role"] == "Processor"
    assert row["SCC module"] == 2
    assert row["Latest TIA outcome"] == "Proceed with measures"


def test_scc_module_and_dates_stay_typed(tia):
    ws = tia["Transfers"]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == CORTEX)
    cell = dict(zip(TRANSFER_HEADERS, row, strict=True))
    assert cell["SCC module"].data_type == "n"
    assert cell["Latest TIA"].is_date
    assert cell["Latest TIA"].value.date() == datetime.date(2026, 1, 20)
    assert cell["Next review"].value.date() == datetime.date(2027, 1, 20)


def test_assessments_are_ordered_by_transfer_then_date(demo):
    lumiere = Transfer.objects.get(name=LUMIERE)
    make_tia(
        transfer=lumiere,
        assessed_on=datetime.date(2025, 3, 1),
        outcome="proceed",
        risk_rating="low",
    )
    wb = load(build("tia"))
    order = [
        (r["Transfer"], r["Assessed on"].date()) for r in records(wb["Assessments"])
    ]
    assert order == [
        (CORTEX, datetime.date(2026, 1, 20)),
        (f"{CORTEX}, UK data", datetime.date(2026, 1, 20)),
        ("KonnectBot to Sahay Support (India)", datetime.date(2025, 6, 1)),
        (LUMIERE, datetime.date(2025, 3, 1)),
        (LUMIERE, datetime.date(2026, 2, 10)),
    ]
    first = records(wb["Assessments"])[3]
    assert first["Outcome"] == "Proceed"
    assert first["Risk rating"] == "Low"
    # The latest assessment is the one the Transfers sheet shows.
    assert transfer_rows(wb)[LUMIERE]["Latest TIA"].date() == datetime.date(2026, 2, 10)


def test_one_transfer_by_id(demo):
    cortex = Transfer.objects.get(name=CORTEX)
    wb = load(build("tia", transfer=cortex.pk))
    assert [r["Transfer"] for r in records(wb["Transfers"])] == [CORTEX]
    assert [r["Transfer"] for r in records(wb["Assessments"])] == [CORTEX]
    manifest = dict(wb["Manifest"].iter_rows(min_row=2, values_only=True))
    assert json.loads(manifest["Parameters"]) == {
        "transfer": {"id": cortex.pk, "name": CORTEX}
    }


@pytest.mark.parametrize("wanted", [999_999, "abc"])
def test_unknown_transfer_is_a_report_error(demo, wanted):
    with pytest.raises(ReportError, match="transfer"):
        build("tia", transfer=wanted)


def test_transfer_created_later_is_unknown_as_of_before(demo):
    earlier = datetime.datetime.now(datetime.UTC)
    with time_machine.travel(earlier + datetime.timedelta(minutes=1), tick=False):
        new = Transfer.objects.create(
            name="Late transfer",
            exporter=Transfer.objects.get(name=TEXTWIRE).exporter,
            exporter_role="controller",
            importer=Transfer.objects.get(name=TEXTWIRE).importer,
            importer_role="processor",
            destination="IN",
        )
    with pytest.raises(ReportError):
        build("tia", earlier, transfer=new.pk)
    names = [r["Transfer"] for r in records(load(build("tia", earlier))["Transfers"])]
    assert "Late transfer" not in names


def test_same_call_twice_gives_identical_bytes(demo):
    assert build("tia") == build("tia")


def test_injection_in_an_assessment_comes_back_as_text(demo):
    tia = Transfer.objects.get(name=CORTEX).assessments.get()
    tia.laws_considered = '=HYPERLINK("http://x","y")'
    tia.save()
    wb = load(build("tia"))
    row = by(wb["Assessments"], "Transfer")[CORTEX]
    assert row["3. Destination laws considered"] == '\'=HYPERLINK("http://x","y")'
    assert not [c.coordinate for c in cells(wb) if c.data_type == "f"]


def test_thistle_and_pine_is_assessed_under_uk_law_with_a_tra(demo):
    by_name = by(load(build("tia"))["Transfers"], "Transfer")
    thistle = by_name["Thistle & Pine to KonnectBot (US)"]
    assert thistle["Transfer law"] == "UK GDPR"
    assert thistle["Competent authority"] == (
        "Information Commissioner's Office (ICO), United Kingdom"
    )
    assert thistle["Assessment due"].startswith("TRA (UK GDPR")
    maison = by_name["Maison Lumière to KonnectBot (US)"]
    assert maison["Transfer law"] == "EU GDPR"
    assert maison["Assessment due"].startswith("TIA (Clause 14")
    assert "CNIL" in maison["Competent authority"]
