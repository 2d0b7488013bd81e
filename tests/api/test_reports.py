"""Reports over the API: request (202) -> status -> download; who may ask."""

import io

import openpyxl
import pytest
from django.utils import timezone

from reports import build
from reports.models import ReportRun
from reports.xlsx import Sheet
from tests.factories import make_customer, make_transfer

REPORTS = "/api/v1/reports/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@pytest.fixture
def tiny_builders(monkeypatch):
    """A real builder for every kind: one sheet with the parameters, so the
    run lifecycle is tested end to end while the real builders are written."""

    def sheets(snap, params):
        rows = [(k, str(v)) for k, v in sorted(params.items())]
        return [Sheet("Params", ("Name", "Value"), rows, widths=(20, 40))]

    monkeypatch.setattr(
        build, "registry", lambda: dict.fromkeys(ReportRun.Kind.values, sheets)
    )


def request_report(client, body, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return client.post(REPORTS, body, format="json")


@pytest.mark.django_db
def test_request_status_download(
    api, tiny_builders, django_capture_on_commit_callbacks
):
    customer = make_customer(name="Maison Lumière SAS")
    as_of = timezone.now()
    response = request_report(
        api,
        {"kind": "dpa-annex", "customer": "Maison Lumière SAS", "as_of": as_of},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202, response.json()
    run_id = response.json()["id"]
    assert response["Location"].endswith(f"{REPORTS}{run_id}/")

    status = api.get(f"{REPORTS}{run_id}/").json()
    assert status["status"] == "done", status
    assert len(status["sha256"]) == 64
    assert status["error"] == ""
    assert status["parameters"] == {"customer": customer.pk}  # by id: renames
    assert status["as_of"] == as_of.isoformat().replace("+00:00", "Z")
    assert status["requested_by"] == "dpo"
    assert status["download_url"].endswith(f"{REPORTS}{run_id}/download/")

    download = api.get(status["download_url"])
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX
    assert download["Content-Disposition"].startswith("attachment;")
    assert f"dpa-annex-{run_id}.xlsx" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    import hashlib

    assert hashlib.sha256(data).hexdigest() == status["sha256"]
    book = openpyxl.load_workbook(io.BytesIO(data))
    assert book.sheetnames[0] == "Params"
    assert book["Params"]["A2"].value == "customer"
    assert book["Params"]["B2"].value == str(customer.pk)


@pytest.mark.django_db
def test_failing_build_is_reported_with_its_error_and_has_no_download(
    api, django_capture_on_commit_callbacks, monkeypatch
):
    def broken(snap, params):
        raise RuntimeError("the builder broke")

    monkeypatch.setattr("reports.ropa.controller_sheets", broken)
    response = request_report(
        api, {"kind": "ropa-controller"}, django_capture_on_commit_callbacks
    )
    assert response.status_code == 202
    run = api.get(f"{REPORTS}{response.json()['id']}/").json()
    assert run["status"] == "failed"
    assert "the builder broke" in run["error"]
    assert run["download_url"] is None
    missing = api.get(f"{REPORTS}{run['id']}/download/")
    assert missing.status_code == 404
    assert "not ready" in missing.json()["detail"]


@pytest.mark.django_db
def test_queued_run_is_not_downloadable(api):
    run = ReportRun.objects.create(kind="tia")
    response = api.get(f"{REPORTS}{run.pk}/download/", HTTP_ACCEPT=XLSX)
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert api.get(f"{REPORTS}{run.pk}/").json()["status"] == "queued"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "kind", ["ropa-controller", "ropa-processor", "tia", "changes"]
)
def test_sales_is_refused_every_kind_but_dpa_annex(sales_api, kind):
    response = sales_api.post(REPORTS, {"kind": kind}, format="json")
    assert response.status_code == 403
    assert kind in response.json()["detail"]
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_sales_may_request_dpa_annex_and_sees_only_those_runs(
    sales_api, tiny_builders, django_capture_on_commit_callbacks
):
    make_customer(name="Acme GmbH", country="DE")
    other = ReportRun.objects.create(kind="ropa-controller")
    response = request_report(
        sales_api,
        {"kind": "dpa-annex", "customer": "Acme GmbH"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202
    listed = sales_api.get(REPORTS).json()["results"]
    assert [r["kind"] for r in listed] == ["dpa-annex"]
    assert sales_api.get(f"{REPORTS}{other.pk}/").status_code == 404
    assert sales_api.get(f"{REPORTS}{other.pk}/download/").status_code == 404
    done = sales_api.get(f"{REPORTS}{response.json()['id']}/download/")
    assert done.status_code == 200


@pytest.mark.django_db
def test_auditor_may_request_any_kind(auditor_api, django_capture_on_commit_callbacks):
    response = request_report(
        auditor_api,
        {"kind": "changes", "since": "2026-01-01"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202
    assert response.json()["parameters"] == {
        "since": "2026-01-01T23:59:59.999999+00:00"
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "annual-report"}, "kind"),
        ({}, "kind"),
        ({"kind": "tia", "as_of": "yesterday"}, "as_of"),
        ({"kind": "tia", "as_of": "2999-01-01"}, "as_of"),
        ({"kind": "changes", "since": "2026-02-01", "as_of": "2026-01-01"}, "since"),
        ({"kind": "dpa-annex"}, "customer"),
        ({"kind": "dpa-annex", "customer": "Nobody Ltd"}, "customer"),
        ({"kind": "tia", "transfer": 999999}, "transfer"),
        ({"kind": "tia", "transfer": "first"}, "transfer"),
        ({"kind": "tia", "format": "pdf"}, "format"),
        ({"kind": "tia", "status": "done"}, "status"),
    ],
)
def test_bad_report_requests_are_400_naming_the_option(api, body, field):
    response = api.post(REPORTS, body, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_as_of_before_the_first_record_is_400(api):
    make_customer(name="Acme")
    response = api.post(
        REPORTS, {"kind": "ropa-controller", "as_of": "2020-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "before the inventory's first recorded change" in response.json()["as_of"][0]
    assert not ReportRun.objects.exists()


@pytest.mark.django_db
def test_tia_for_one_transfer_stores_its_id(api):
    transfer = make_transfer()
    response = api.post(
        REPORTS, {"kind": "tia", "transfer": transfer.pk}, format="json"
    )
    assert response.status_code == 202
    run = ReportRun.objects.get()
    assert run.parameters == {"transfer": transfer.pk}
    assert run.requested_by.username == "dpo"
    assert run.as_of is None


@pytest.mark.django_db
def test_findings_list_filters_and_pages(api):
    make_transfer(mechanism="none", name="Unsafe")
    make_transfer(mechanism="scc", name="No TIA")
    everything = api.get("/api/v1/findings/").json()
    codes = {f["code"] for f in everything["results"]}
    assert {"TRF_NO_SAFEGUARD", "TRF_NO_TIA"} <= codes
    only = api.get("/api/v1/findings/?code=TRF_NO_TIA").json()
    assert [f["object_name"] for f in only["results"]] == ["No TIA"]
    assert only["results"][0]["severity"] == "error"
    paged = api.get("/api/v1/findings/?page_size=1").json()
    assert paged["count"] == everything["count"]
    assert len(paged["results"]) == 1
    bad = api.get("/api/v1/findings/?severity=fatal")
    assert bad.status_code == 400
    assert "severity" in bad.json()
    # Before the inventory's first recorded change: refused, not an empty list.
    assert api.get("/api/v1/findings/?as_of=2000-01-01").status_code == 400
    future = api.get(f"/api/v1/findings/?as_of={timezone.now().year + 1}-01-01")
    assert future.status_code == 400


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body,field",
    [
        ({"kind": "ropa-controller", "transfer": 1}, "transfer"),
        ({"kind": "tia", "customer": "Acme"}, "customer"),
        ({"kind": "ropa-processor", "since": "2026-01-01"}, "since"),
    ],
)
def test_an_option_of_another_kind_is_refused_as_in_the_admin(api, body, field):
    """One request rule: the API refuses what the admin refuses."""
    make_customer(name="Acme")
    make_transfer()
    response = api.post(REPORTS, body, format="json")
    assert response.status_code == 400, response.json()
    assert field in response.json()
    assert not ReportRun.objects.exists()


def cell_texts(data: bytes) -> set[str]:
    book = openpyxl.load_workbook(io.BytesIO(data))
    return {
        str(value)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for value in row
        if value is not None
    }


@pytest.mark.django_db
def test_annex_by_customer_id_before_a_rename_shows_the_name_it_had(
    api, demo, django_capture_on_commit_callbacks
):
    """The request keeps the customer's id; the annex finds it as of as_of."""
    from inventory.models import Customer

    customer = Customer.objects.get(name="Maison Lumière SAS")
    before_rename = timezone.now()
    customer.name = "Maison Soleil SAS"
    customer.save()
    response = request_report(
        api,
        {
            "kind": "dpa-annex",
            "customer": customer.pk,
            "as_of": before_rename.isoformat(),
        },
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202, response.json()
    run = ReportRun.objects.get()
    assert run.parameters == {"customer": customer.pk}
    status = api.get(f"{REPORTS}{run.pk}/").json()
    assert status["status"] == "done", status
    download = api.get(status["download_url"])
    texts = cell_texts(b"".join(download.streaming_content))
    assert any("Maison Lumière SAS" in t for t in texts)
    assert not any("Maison Soleil SAS" in t for t in texts)


@pytest.mark.django_db
def test_annex_by_todays_name_stores_the_customer_id(
    api, demo, django_capture_on_commit_callbacks
):
    from inventory.models import Customer

    customer = Customer.objects.get(name="Maison Lumière SAS")
    response = request_report(
        api,
        {"kind": "dpa-annex", "customer": "maison lumière sas"},
        django_capture_on_commit_callbacks,
    )
    assert response.status_code == 202, response.json()
    assert ReportRun.objects.get().parameters == {"customer": customer.pk}


@pytest.mark.django_db
def test_download_as_octet_stream_when_asked(
    api, tiny_builders, django_capture_on_commit_callbacks
):
    response = request_report(
        api, {"kind": "ropa-controller"}, django_capture_on_commit_callbacks
    )
    url = f"{REPORTS}{response.json()['id']}/download/"

    binary = api.get(url, HTTP_ACCEPT="application/octet-stream")
    default = api.get(url)

    assert binary.status_code == default.status_code == 200
    assert binary["Content-Type"] == "application/octet-stream"
    assert default["Content-Type"] == XLSX
    data = b"".join(binary.streaming_content)
    assert data == b"".join(default.streaming_content)
    assert openpyxl.load_workbook(io.BytesIO(data)).sheetnames[0] == "Params"
