"""Findings in the admin: the list page, the change page, the count column."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.utils import timezone

from inventory.roles import SALES
from tests.factories import make_activity, make_user, make_vendor

pytestmark = pytest.mark.django_db


def rows(page):
    return re.findall(r'<tr data-code="(\w+)">', page.content.decode())


def test_findings_list_shows_each_finding_linked_to_its_object(dpo_client):
    activity = make_activity(lawful_basis=None)
    page = dpo_client.get("/admin/findings/")
    assert page.status_code == 200
    assert "ACT_NO_LAWFUL_BASIS" in rows(page)
    url = f"/admin/inventory/processingactivity/{activity.pk}/change/"
    assert f'href="{url}"' in page.content.decode()


def test_findings_list_filters_by_severity_code_and_object_type(dpo_client):
    make_activity(lawful_basis=None, dpia_required=True)
    make_vendor(role="processor")
    errors = rows(dpo_client.get("/admin/findings/?severity=error"))
    assert set(errors) == {"ACT_NO_LAWFUL_BASIS", "VEN_NO_DPA"}
    by_code = rows(dpo_client.get("/admin/findings/?code=ACT_DPIA_NO_REFERENCE"))
    assert by_code == ["ACT_DPIA_NO_REFERENCE"]
    vendors = rows(dpo_client.get("/admin/findings/?object_type=vendor"))
    assert vendors == ["VEN_NO_DPA"]


def test_filter_counts_and_the_index_panel_read_the_stored_tallies(dpo_client):
    """The counts beside each filter and in the index's panel are those of the
    findings shown, counted when they were stored: no GROUP BY per page."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports import findings
    from reports.snapshot import Snapshot

    make_activity(lawful_basis=None, dpia_required=True)
    make_activity(lawful_basis=None)
    make_vendor(role="processor")
    found = findings.compute(Snapshot(timezone.now()))
    errors = sum(f.severity == "error" for f in found)
    no_basis = sum(f.code == "ACT_NO_LAWFUL_BASIS" for f in found)
    dpo_client.get("/admin/findings/")
    with CaptureQueriesContext(connection) as captured:
        page = dpo_client.get("/admin/findings/?severity=error").content.decode()
        index = dpo_client.get("/admin/").content.decode()
    assert not [q for q in captured if "GROUP BY" in q["sql"]]
    assert f"error ({errors})" in page
    assert f"ACT_NO_LAWFUL_BASIS ({no_basis})" in page
    vendors = sum(f.object_type == "vendor" for f in found)
    assert f"vendor ({vendors})" in page
    assert f'data-severity="error">{errors} error' in index


def test_findings_list_as_of_a_past_date(dpo_client):
    start = timezone.now() - timedelta(days=3)
    with time_machine.travel(start, tick=False):
        activity = make_activity(lawful_basis=None)
    activity.lawful_basis = "contract"
    activity.save()
    assert rows(dpo_client.get("/admin/findings/")) == []
    day = (start + timedelta(days=1)).date().isoformat()
    assert rows(dpo_client.get(f"/admin/findings/?as_of={day}")) == [
        "ACT_NO_LAWFUL_BASIS"
    ]
    bad = dpo_client.get("/admin/findings/?as_of=yesterday")
    assert bad.status_code == 200 and b"is not an ISO 8601 date" in bad.content


def test_auditor_reads_findings_sales_and_anonymous_do_not(auditor_client):
    assert auditor_client.get("/admin/findings/").status_code == 200
    sales = Client()
    sales.force_login(make_user(SALES))
    assert sales.get("/admin/findings/").status_code == 403
    anonymous = Client().get("/admin/findings/")
    assert anonymous.status_code == 302 and "/login/" in anonymous["Location"]


def test_admin_index_links_to_the_findings(dpo_client):
    assert b'href="/admin/findings/"' in dpo_client.get("/admin/").content


def test_change_page_lists_the_record_findings_at_the_top(dpo_client):
    bad = make_activity(lawful_basis=None)
    good = make_activity()
    page = dpo_client.get(f"/admin/inventory/processingactivity/{bad.pk}/change/")
    html = page.content.decode()
    assert 'data-code="ACT_NO_LAWFUL_BASIS"' in html
    assert html.index('id="findings"') < html.index('name="ref"')
    clean = dpo_client.get(f"/admin/inventory/processingactivity/{good.pk}/change/")
    assert b"No findings for this record." in clean.content


def test_changelist_has_a_findings_count_column(dpo_client):
    bad = make_activity(lawful_basis=None, dpia_required=True)
    make_activity()
    page = dpo_client.get("/admin/inventory/processingactivity/")
    html = page.content.decode()
    assert "column-findings_count" in html
    row = html[html.index(f"{bad.ref}</a>") :]
    count = re.search(r'<td class="field-findings_count">(\d+)</td>', row)
    assert count and count.group(1) == "2"


def test_transfer_and_vendor_pages_show_their_findings(dpo_client):
    vendor = make_vendor(role="processor")
    page = dpo_client.get(f"/admin/inventory/vendor/{vendor.pk}/change/")
    assert b'data-code="VEN_NO_DPA"' in page.content


def test_sales_sees_vendors_without_findings():
    vendor = make_vendor(role="processor")
    sales = Client()
    sales.force_login(make_user(SALES))
    listing = sales.get("/admin/inventory/vendor/")
    assert listing.status_code == 200 and b"findings_count" not in listing.content
    page = sales.get(f"/admin/inventory/vendor/{vendor.pk}/change/")
    assert page.status_code == 200 and b"VEN_NO_DPA" not in page.content
