"""The ``dsr-log`` workbook: requests of a period as of a date, pseudonymised,
with the CCPA metrics per right and the on-time rate per regime."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.management import call_command

from reports.build import build
from reports.params import ReportError
from tests.factories import make_request
from tests.reports.helpers import by, headers, load, records

pytestmark = pytest.mark.django_db


def at(text: str):
    return time_machine.travel(text, tick=False)


@pytest.fixture
def register(dpo):
    """Four CCPA requests and two GDPR ones through 2026."""
    made = {}
    with at("2026-01-05 10:00Z"):
        made["know"] = make_request(
            regime="ccpa", rights=["know"], requester_name="Kim"
        )
        made["delete"] = make_request(regime="ccpa", rights=["delete"])
        made["both"] = make_request(regime="ccpa", rights=["know", "delete"])
        made["opt"] = make_request(regime="ccpa", rights=["opt_out_sale_sharing"])
        made["eu"] = make_request(regime="eu", rights=["access"])
    with at("2026-01-15 10:00Z"):
        made["know"].close(dpo, "fulfilled")  # 10 days
        made["opt"].close(dpo, "fulfilled")  # 10 days, due 27 Jan
    with at("2026-01-25 10:00Z"):
        made["delete"].close(dpo, "refused", "Cannot verify (sec. 7062)")  # 20
        made["both"].close(dpo, "partly", "Deletion exempt (1798.105(d))")  # 20
    with at("2026-03-01 10:00Z"):
        made["late"] = make_request(regime="eu", rights=["erasure"])
    with at("2026-03-10 10:00Z"):
        made["eu"].close(dpo, "fulfilled")  # due 5 Feb: late, 64 days
    return made


def test_sheets_and_rows_as_of_a_date(register):
    data = build("dsr-log", as_of=datetime(2026, 2, 1, tzinfo=UTC))
    wb = load(data)

    assert wb.sheetnames == ["Requests", "Metrics", "Manifest"]
    rows = by(wb["Requests"], "Reference")
    assert set(rows) == {r.reference for k, r in register.items() if k != "late"}
    eu = rows[register["eu"].reference]
    assert (eu["Status"], eu["On time"], eu["Due on"], eu["Days left"]) == (
        "Received",
        "Open",
        datetime(2026, 2, 5),
        4,
    )
    know = rows[register["know"].reference]
    assert (know["Outcome"], know["Days to respond"], know["On time"]) == (
        "Fulfilled",
        10,
        "Yes",
    )
    assert know["Requester (pseudonym)"] == register["know"].pseudonym()
    text = str(list(wb["Requests"].values))
    assert "Kim" not in text and "@example.org" not in text
    manifest = dict(wb["Manifest"].values)
    assert manifest["Report kind"] == "dsr-log"
    assert manifest["Rows in Requests"] == 5


def test_ccpa_metrics_per_right_and_on_time_rate(register):
    wb = load(build("dsr-log", as_of=datetime(2026, 3, 31, tzinfo=UTC)))
    metrics = {(r["Regime"], r["Right"]): r for r in records(wb["Metrics"])}
    assert headers(wb["Metrics"])[:4] == [
        "Regime",
        "Right",
        "Received",
        "Complied with in whole or in part",
    ]

    know = metrics["CCPA/CPRA", "Know (CCPA 1798.110)"]
    assert (know["Received"], know["Complied with in whole or in part"]) == (2, 2)
    assert (know["Complied with in whole"], know["Complied with in part"]) == (1, 1)
    assert know["Median days to respond"] == 15
    delete = metrics["CCPA/CPRA", "Delete (CCPA 1798.105)"]
    assert (delete["Received"], delete["Denied"], delete["Open"]) == (2, 1, 0)
    assert delete["Median days to respond"] == 20
    ccpa = metrics["CCPA/CPRA", "All rights"]
    assert ccpa["Received"] == 4
    assert ccpa["Answered on time (%)"] == 100
    eu = metrics["EU GDPR", "All rights"]
    # one answered late; the erasure of 1 March is still within its month
    assert (eu["Received"], eu["Open"], eu["Answered on time (%)"]) == (2, 1, 0)
    assert ("UK GDPR", "All rights") not in metrics


def test_period_since_and_the_command(register, tmp_path):
    data = build(
        "dsr-log",
        as_of=datetime(2026, 3, 31, tzinfo=UTC),
        since="2026-02-01",
    )
    refs = set(by(load(data)["Requests"], "Reference"))
    assert refs == {register["late"].reference}
    out = tmp_path / "dsr.xlsx"
    call_command("report", "dsr-log", "--out", str(out), "--as-of", "2026-03-31")
    assert out.read_bytes() == build(
        "dsr-log", as_of=datetime(2026, 3, 31, 23, 59, 59, 999999, tzinfo=UTC)
    )
    with pytest.raises(ReportError):
        build("dsr-log", as_of=datetime(2026, 3, 1, tzinfo=UTC), since="2026-04-01")


def test_requested_through_the_api(
    register, auditor_api, sales_api, django_capture_on_commit_callbacks
):
    client = auditor_api
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/reports/",
            {"kind": "dsr-log", "since": "2025-12-31", "as_of": "2026-03-31"},
            format="json",
        )
    assert response.status_code == 202, response.content
    run = client.get(f"/api/v1/reports/{response.json()['id']}/").json()
    assert run["status"] == "done", run
    download = client.get(f"/api/v1/reports/{run['id']}/download/")
    wb = load(b"".join(download.streaming_content))
    assert len(records(wb["Requests"])) == 6
    refused = sales_api.post("/api/v1/reports/", {"kind": "dsr-log"}, format="json")
    assert refused.status_code == 403
