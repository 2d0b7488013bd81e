"""The admin upload page: preview (dry run), then Import, each run as a task
with a status page; DPO only."""

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.models import ProcessingActivity
from ropa_import.models import ImportRun
from ropa_import.views import PENDING
from tests.ropa_import.test_import import GOOD, history_counts, own_workbook

URL = "/admin/import-ropa/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "register.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def post(django_capture_on_commit_callbacks):
    """POST to the import page, run the task it queues (in-process, as
    without a broker), then show the page it redirects to."""

    def send(client, data):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(URL, data)
        if response.status_code == 302:
            return client.get(response["Location"])
        return response

    return send


@pytest.mark.django_db
def test_preview_writes_nothing_then_import_writes_with_the_dpo_as_user(
    dpo_client, dpo, post
):
    before = history_counts()
    page = post(dpo_client, {"workbook": upload(own_workbook([GOOD]))})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview of register.xlsx (dry run)" in html
    assert "PA-1 Good" in html and "created" in html
    assert 'value="Import"' in html
    assert history_counts() == before

    token = dpo_client.session[PENDING]["token"]
    done = post(dpo_client, {"confirm": token})

    assert done.status_code == 200
    html = done.content.decode()
    assert "Imported: 2 created, 0 updated" in html  # the entity too
    assert "1 of 1 activities" in html
    preview, run = ImportRun.objects.order_by("pk")
    assert (preview.dry_run, run.dry_run) == (True, False)
    assert run.status == "done" and run.requested_by == dpo
    assert not default_storage.exists(preview.file.name)  # imported: deleted
    activity = ProcessingActivity.objects.get(ref="PA-1")
    latest = activity.history.first()
    assert latest.history_user == dpo
    assert latest.history_change_reason == "imported from register.xlsx"
    assert PENDING not in dpo_client.session


@pytest.mark.django_db
def test_preview_with_errors_lists_them_and_offers_no_import(dpo_client, post):
    bad = {"Processing activity": "Bad", "Lawful basis": "vibes"}
    page = post(dpo_client, {"workbook": upload(own_workbook([GOOD, bad]))})
    html = page.content.decode()
    assert page.status_code == 200
    assert "1 error in register.xlsx: nothing will be imported" in html
    assert "<td>Controller record</td><td>3</td><td>Lawful basis</td>" in html
    assert "<td>vibes</td>" in html
    assert 'value="Import"' not in html
    # The file waits for a changed mapping; it cannot be imported as it is.
    assert 'name="confirm"' not in html
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_a_file_that_is_not_a_workbook_is_a_form_error(dpo_client):
    page = dpo_client.post(URL, {"workbook": upload(b"hello", "notes.txt")})
    assert page.status_code == 200
    assert "the file is not an Excel workbook (.xlsx)" in page.content.decode()


@pytest.mark.django_db
def test_too_big_an_upload_is_a_form_error(dpo_client, settings):
    settings.IMPORT_MAX_BYTES = 100
    page = dpo_client.post(URL, {"workbook": upload(own_workbook([GOOD]))})
    assert "the file is too big" in page.content.decode()


@pytest.mark.django_db
def test_confirming_without_a_matching_preview_imports_nothing(dpo_client, post):
    post(dpo_client, {"workbook": upload(own_workbook([GOOD]))})
    response = dpo_client.post(URL, {"confirm": "0" * 64}, follow=True)
    assert "That preview has expired" in response.content.decode()
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_only_the_dpo_may_import(client, auditor_client, sales):
    assert auditor_client.get(URL).status_code == 403
    response = auditor_client.post(URL, {"workbook": upload(own_workbook([GOOD]))})
    assert response.status_code == 403
    client.force_login(sales)
    assert client.get(URL).status_code == 403
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_is_sent_to_the_login_page(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


@pytest.mark.django_db
def test_upload_page_and_its_link_on_the_activity_list(dpo_client, auditor_client):
    page = dpo_client.get(URL)
    assert page.status_code == 200
    assert 'type="file"' in page.content.decode()
    changelist = "/admin/inventory/processingactivity/"
    assert URL in dpo_client.get(changelist).content.decode()
    assert URL not in auditor_client.get(changelist).content.decode()


@pytest.mark.django_db
def test_preview_shows_the_mapping_and_the_dpo_can_change_it(dpo_client, post):
    from ropa_import.models import SavedMapping
    from tests.ropa_import.test_layouts import inhouse_book

    page = post(dpo_client, {"workbook": upload(inhouse_book())})
    html = page.content.decode()
    assert 'id="import-mapping"' in html
    assert "Budget code" in html and "MKT-7" in html
    assert 'id="import-unmapped"' in html

    token = dpo_client.session[PENDING]["token"]
    headers = [
        "Activity", "Purpose", "Legal Basis", "Data Subjects", "Personal Data",
        "External Recipients", "Third Country Transfers", "Retention Period",
        "Source of Data", "Encryption", "Access Controls", "Budget code",
    ]  # fmt: skip
    choice = {f"map-{n}": "" for n in range(len(headers))}
    choice[f"map-{headers.index('Budget code')}"] = "ignored"
    again = post(dpo_client, {"remap": token, **choice})

    assert 'id="import-unmapped"' not in again.content.decode()
    (saved,) = SavedMapping.objects.all()
    assert saved.mapping == {"Budget code": "ignored"}
    assert ProcessingActivity.objects.count() == 0


@pytest.mark.django_db
def test_the_status_page_shows_a_queued_run_and_refreshes_itself(dpo_client):
    response = dpo_client.post(URL, {"workbook": upload(own_workbook([GOOD]))})
    (run,) = ImportRun.objects.all()  # the task runs once the request commits
    assert response.status_code == 302
    assert response["Location"] == f"/admin/import-ropa/runs/{run.pk}/"
    page = dpo_client.get(response["Location"]).content.decode()
    assert "register.xlsx</strong>: queued" in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert 'value="Import"' not in page


@pytest.mark.django_db
def test_the_task_records_progress_and_the_result(dpo, tmp_path, monkeypatch):
    from ropa_import.apply import importer
    from ropa_import.tasks import run_import

    monkeypatch.setattr(importer, "BATCH", 2)
    records = [GOOD | {"Reference": f"PA-{i}", "Processing activity": f"A{i}"}
               for i in range(5)]  # fmt: skip
    path = default_storage.save("imports/x.xlsx", ContentFile(own_workbook(records)))
    run = ImportRun.objects.create(
        file=path, file_name="x.xlsx", sha256="0", dry_run=False, requested_by=dpo
    )
    seen = []
    monkeypatch.setattr(
        "ropa_import.tasks.cache.set", lambda key, value, timeout: seen.append(value)
    )
    assert run_import(run.pk) == "done"
    assert seen == [(2, 5), (4, 5), (5, 5)]
    run.refresh_from_db()
    assert run.summary.startswith("Imported: 6 created")  # and the entity
    assert (run.rows_done, run.rows_total) == (5, 5)
    assert run.result["row_count"] == 6  # the Organisation row too
    assert ProcessingActivity.objects.count() == 5
    assert run_import(run.pk) == "not queued"  # a task delivered twice runs once


@pytest.mark.django_db
def test_only_the_dpo_sees_a_run(dpo, client, auditor_client, sales):
    run = ImportRun.objects.create(file_name="x.xlsx", sha256="0", requested_by=dpo)
    url = f"/admin/import-ropa/runs/{run.pk}/"
    assert auditor_client.get(url).status_code == 403
    client.force_login(sales)
    assert client.get(url).status_code == 403
