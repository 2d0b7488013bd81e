"""The admin upload page: preview (dry run), then Import; DPO only."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from inventory.models import ProcessingActivity
from ropa_import.views import PENDING
from tests.ropa_import.test_import import GOOD, history_counts, own_workbook

URL = "/admin/import-ropa/"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def upload(data: bytes, name: str = "register.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=XLSX)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.mark.django_db
def test_preview_writes_nothing_then_import_writes_with_the_dpo_as_user(
    dpo_client, dpo
):
    before = history_counts()
    page = dpo_client.post(URL, {"workbook": upload(own_workbook([GOOD]))})
    assert page.status_code == 200
    html = page.content.decode()
    assert "Preview of register.xlsx (dry run)" in html
    assert "PA-1 Good" in html and "created" in html
    assert 'value="Import"' in html
    assert history_counts() == before

    token = dpo_client.session[PENDING]["token"]
    done = dpo_client.post(URL, {"confirm": token})

    assert done.status_code == 302
    assert done["Location"] == "/admin/inventory/processingactivity/"
    activity = ProcessingActivity.objects.get(ref="PA-1")
    latest = activity.history.first()
    assert latest.history_user == dpo
    assert latest.history_change_reason == "imported from register.xlsx"
    assert PENDING not in dpo_client.session


@pytest.mark.django_db
def test_preview_with_errors_lists_them_and_offers_no_import(dpo_client):
    bad = {"Processing activity": "Bad", "Lawful basis": "vibes"}
    page = dpo_client.post(URL, {"workbook": upload(own_workbook([GOOD, bad]))})
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
def test_confirming_without_a_matching_preview_imports_nothing(dpo_client):
    dpo_client.post(URL, {"workbook": upload(own_workbook([GOOD]))})
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
def test_preview_shows_the_mapping_and_the_dpo_can_change_it(dpo_client):
    from ropa_import.models import SavedMapping
    from tests.ropa_import.test_layouts import inhouse_book

    page = dpo_client.post(URL, {"workbook": upload(inhouse_book())})
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
    again = dpo_client.post(URL, {"remap": token, **choice})

    assert 'id="import-unmapped"' not in again.content.decode()
    (saved,) = SavedMapping.objects.all()
    assert saved.mapping == {"Budget code": "ignored"}
    assert ProcessingActivity.objects.count() == 0
