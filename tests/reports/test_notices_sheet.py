"""The Sub-processor notices sheet of the dpa-annex workbook, as of a date."""

import io
from datetime import UTC, date, datetime

import pytest
import time_machine
from openpyxl import load_workbook

from inventory.models import SubprocessorNotice
from reports.notices import HEADERS, notices_sheet
from reports.snapshot import Snapshot
from reports.xlsx import build_workbook, unneutralise
from tests.factories import make_customer, make_entity, make_feature, make_vendor

pytestmark = pytest.mark.django_db


def at(day):
    return datetime.fromisoformat(day).replace(hour=12, tzinfo=UTC)


def sheet_rows(as_of, customer):
    sheet = notices_sheet(Snapshot(as_of), customer.pk)
    data = build_workbook([sheet], [], as_of)
    ws = load_workbook(io.BytesIO(data))[sheet.title]
    return [tuple(c.value for c in row) for row in ws.iter_rows()]


@pytest.fixture
def history():
    """Notices to Lumière on 2025-03-01 and 2026-02-01; one to another customer;
    the 2026 one is sent on 2026-02-03."""
    feature = make_feature()
    with time_machine.travel(at("2025-01-01"), tick=False):
        lumiere = make_customer(name="Lumière", privacy_email="p@lumiere.example")
        other = make_customer(name="Other")
        lumiere.features.add(feature)
    with time_machine.travel(at("2025-03-01"), tick=False):
        feature.vendors.add(make_vendor(name="Old Mail"))
    with time_machine.travel(at("2025-06-01"), tick=False):
        other.features.add(make_feature())
        other.features.first().vendors.add(make_vendor(name="Other's"))
    with time_machine.travel(at("2026-02-01"), tick=False):
        feature.vendors.add(make_vendor(name="=LLM Co", processing_countries=["US"]))
    with time_machine.travel(at("2026-02-03"), tick=False):
        SubprocessorNotice.objects.get(vendor_name="=LLM Co").send()
    return lumiere


def test_sheet_lists_the_last_twelve_months_as_they_stood(history):
    rows = sheet_rows(at("2026-02-02"), history)
    assert rows[0] == HEADERS
    old, llm = (dict(zip(HEADERS, r, strict=True)) for r in rows[1:])
    assert old["Sub-processor"] == "Old Mail"
    assert unneutralise(llm["Sub-processor"]) == "=LLM Co"  # text, never a formula
    assert llm["Drafted on"].date() == date(2026, 2, 1)
    assert llm["Change"] == "Sub-processor added"
    assert "processing in United States of America (US)" in llm["What changed"]
    assert llm["Sent on"] is None
    assert llm["Effective date"] == llm["Objection deadline"] == "Set when sent"
    assert llm["Status"] == "Pending"
    later = sheet_rows(at("2026-03-05"), history)
    (sent,) = (dict(zip(HEADERS, r, strict=True)) for r in later[1:])
    assert sent["Status"] == "Sent"
    # The dates the customer was given: a full 30 days from the sending.
    assert sent["Sent on"].date() == date(2026, 2, 3)
    assert sent["Sent to"] == "p@lumiere.example"
    assert sent["Effective date"].date() == date(2026, 3, 5)
    assert sent["Objection deadline"].date() == date(2026, 3, 4)


def test_an_older_date_shows_older_notices_and_not_later_ones(history):
    rows = sheet_rows(at("2025-12-31"), history)
    assert [r[1] for r in rows[1:]] == ["Old Mail"]
    assert sheet_rows(at("2025-02-01"), history)[1:] == []


def test_snapshot_tracks_notices_for_the_fingerprint(history):
    snap = Snapshot(at("2026-02-04"))
    notices_sheet(snap, history.pk)
    assert "inventory.SubprocessorNotice" in snap.used()


def test_dpa_annex_workbook_carries_the_customers_notices_sheet(history):
    from reports.build import build

    with time_machine.travel(at("2025-01-02"), tick=False):
        make_entity(name="KonnectBot")  # the importer of Annex I.A
    with time_machine.travel(at("2026-02-04"), tick=False):
        data = build("dpa-annex", as_of=at("2026-02-04"), customer=history.name)
    wb = load_workbook(io.BytesIO(data))
    assert wb.sheetnames[-2:] == ["Sub-processor notices", "Manifest"]
    rows = [tuple(c.value for c in r) for r in wb["Sub-processor notices"].iter_rows()]
    assert rows[0] == HEADERS
    assert [unneutralise(r[1]) for r in rows[1:]] == ["Old Mail", "=LLM Co"]
