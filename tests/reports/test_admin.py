"""Report runs in the admin, per role (docs/api.md, roles): request, list, download."""

import hashlib
import io
from datetime import timedelta

import openpyxl
import pytest
from django.test import Client
from django.utils import timezone

from reports.models import XLSX_CONTENT_TYPE, ReportRun
from reports.tasks import generate_report
from tests.factories import make_activity, make_customer, make_transfer, make_user

pytestmark = pytest.mark.django_db
ADD = "/admin/reports/reportrun/add/"
LIST = "/admin/reports/reportrun/"


def download_url(run):
    return f"/admin/reports/reportrun/{run.pk}/download/"


def request_report(client, capture, **data):
    with capture(execute=True):
        return client.post(ADD, data)


def form_errors(response):
    return response.context["adminform"].form.errors


def done_run(kind="ropa-controller", **parameters):
    run = ReportRun.objects.create(kind=kind, parameters=parameters)
    generate_report(run.pk)
    run.refresh_from_db()
    assert run.status == "done", run.error
    return run


@pytest.fixture
def sales_client(sales):
    client = Client()
    client.force_login(sales)
    return client


def test_request_form_offers_every_kind_to_the_dpo(dpo_client):
    page = dpo_client.get(ADD)
    assert page.status_code == 200
    assert b"Request a report" in page.content
    choices = dict(page.context["adminform"].form.fields["kind"].choices)
    assert set(choices) >= set(ReportRun.Kind.values)


def test_dpo_requests_a_report_and_downloads_the_workbook(
    builders, media, dpo, dpo_client, django_capture_on_commit_callbacks
):
    make_activity(ref="PA-7", name="Newsletter")
    response = request_report(
        dpo_client, django_capture_on_commit_callbacks, kind="ropa-controller"
    )
    assert response.status_code == 302 and response["Location"] == LIST
    run = ReportRun.objects.get()
    assert (run.status, run.requested_by, run.parameters) == ("done", dpo, {})
    page = dpo_client.get(LIST).content.decode()
    assert run.sha256 in page and download_url(run) in page
    assert f'href="{ADD}" class="addlink">Request a report</a>' in page
    download = dpo_client.get(download_url(run))
    assert download.status_code == 200
    assert download["Content-Type"] == XLSX_CONTENT_TYPE
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert "ropa-controller-" in download["Content-Disposition"]
    data = b"".join(download.streaming_content)
    assert hashlib.sha256(data).hexdigest() == run.sha256
    sheet = openpyxl.load_workbook(io.BytesIO(data))["Controller record"]
    assert sheet["B2"].value == "Newsletter"


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_requester_is_told_the_outcome(builders, media, dpo_client):
    response = dpo_client.post(ADD, {"kind": "ropa-controller"}, follow=True)
    run = ReportRun.objects.get()
    shown = [str(m) for m in response.context["messages"]]
    assert shown == [
        f"Report #{run.pk} (ropa-controller) is ready, SHA-256 {run.sha256}."
    ]
    response = dpo_client.post(ADD, {"kind": "tia"}, follow=True)
    shown = [str(m) for m in response.context["messages"]]
    assert shown[-1].endswith("failed: RuntimeError: disk on fire")


def test_parameters_are_stored_json_safe(
    builders, media, dpo_client, django_capture_on_commit_callbacks
):
    acme = make_customer(name="Acme")
    transfer = make_transfer()
    capture = django_capture_on_commit_callbacks
    request_report(dpo_client, capture, kind="dpa-annex", customer="Acme")
    request_report(dpo_client, capture, kind="changes", since="2026-01-31")
    request_report(dpo_client, capture, kind="tia", transfer=transfer.pk)
    params = [r.parameters for r in ReportRun.objects.order_by("id")]
    assert params == [
        {"customer": acme.pk},
        {"since": "2026-01-31T23:59:59.999999+00:00"},
        {"transfer": transfer.pk},
    ]


@pytest.mark.parametrize(
    "data, field, message",
    [
        ({"kind": "ropa-controller", "as_of": "2999-01-01"}, "as_of", "in the future"),
        ({"kind": "ropa-controller", "as_of": "31/03/2026"}, "as_of", "not an ISO"),
        (
            {"kind": "changes", "since": "2026-03-01", "as_of": "2026-02-01"},
            "since",
            "after as_of",
        ),
        ({"kind": "changes", "since": "2999-01-01"}, "since", "after as_of"),
        ({"kind": "dpa-annex", "customer": "Nobody Ltd"}, "customer", "valid choice"),
        ({"kind": "dpa-annex"}, "customer", "one customer"),
        ({"kind": "ropa-controller", "customer": "Acme"}, "customer", "dpa-annex"),
        ({"kind": "tia", "since": "2026-01-01"}, "since", "changes"),
        ({"kind": "no-such-kind"}, "kind", "valid choice"),
    ],
)
def test_bad_input_is_a_form_error_naming_the_field(dpo_client, data, field, message):
    make_customer(name="Acme")
    response = dpo_client.post(ADD, data)
    assert response.status_code == 200
    errors = form_errors(response)
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not ReportRun.objects.exists()


def test_sales_may_request_only_dpa_annexes(
    builders, media, sales, sales_client, django_capture_on_commit_callbacks
):
    make_customer(name="Acme")
    page = sales_client.get(ADD)
    assert list(dict(page.context["adminform"].form.fields["kind"].choices)) == [
        "dpa-annex"
    ]
    refused = sales_client.post(ADD, {"kind": "ropa-controller"})
    assert refused.status_code == 200 and "kind" in form_errors(refused)
    assert not ReportRun.objects.exists()
    capture = django_capture_on_commit_callbacks
    request_report(sales_client, capture, kind="dpa-annex", customer="Acme")
    run = ReportRun.objects.get()
    assert (run.kind, run.status, run.requested_by) == ("dpa-annex", "done", sales)
    assert sales_client.get(download_url(run)).status_code == 200


def test_sales_sees_and_downloads_only_dpa_annex_runs(builders, media, sales_client):
    make_customer(name="Acme")
    annex = done_run("dpa-annex", customer="Acme")
    ropa = done_run()
    page = sales_client.get(LIST)
    assert page.status_code == 200
    assert list(page.context["cl"].queryset) == [annex]
    assert sales_client.get(download_url(ropa)).status_code == 403
    assert sales_client.get(f"{LIST}{ropa.pk}/change/").status_code == 302  # gone
    assert sales_client.get(download_url(annex)).status_code == 200


def test_a_user_without_a_role_may_not_download(builders, media):
    run = done_run()
    client = Client()
    client.force_login(make_user())
    assert client.get(download_url(run)).status_code == 403


def test_auditor_requests_and_downloads_but_cannot_edit_or_delete(
    builders, media, auditor_client, django_capture_on_commit_callbacks
):
    response = request_report(
        auditor_client, django_capture_on_commit_callbacks, kind="ropa-controller"
    )
    assert response.status_code == 302
    run = ReportRun.objects.get()
    assert auditor_client.get(download_url(run)).status_code == 200
    view = auditor_client.get(f"{LIST}{run.pk}/change/")
    assert view.status_code == 200 and b'name="_save"' not in view.content
    assert auditor_client.post(f"{LIST}{run.pk}/change/", {}).status_code == 403
    assert (
        auditor_client.post(f"{LIST}{run.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    assert ReportRun.objects.filter(pk=run.pk).exists()


def test_dpo_may_delete_a_run_but_not_edit_it(builders, media, dpo_client):
    run = done_run()
    assert dpo_client.post(f"{LIST}{run.pk}/change/", {}).status_code == 403
    response = dpo_client.post(f"{LIST}{run.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not ReportRun.objects.exists()
    assert not (media / run.file_name()).exists()


def test_download_of_a_run_that_is_not_ready_is_404(dpo_client):
    run = ReportRun.objects.create(kind="ropa-controller")
    assert dpo_client.get(download_url(run)).status_code == 404


def test_download_needs_a_login(builders, media):
    run = done_run()
    response = Client().get(download_url(run))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]


def test_list_queries_do_not_grow_with_runs(
    builders, media, dpo_client, django_assert_max_num_queries
):
    for _ in range(20):
        done_run()
    with django_assert_max_num_queries(12):
        assert dpo_client.get(LIST).status_code == 200


def test_looking_at_the_list_settles_a_stale_run(builders, media, dpo_client):
    stale = timezone.now() - timedelta(days=1)
    run = ReportRun.objects.create(
        kind="ropa-controller", status="running", started_at=stale, attempts=1
    )
    assert dpo_client.get(LIST).status_code == 200
    run.refresh_from_db()
    assert (run.status, run.attempts) == ("done", 2)
