"""The changelists' rows (inventory/templatetags/changelist_rows.py) are the
characters Django's own ``items_for_result`` writes: every changelist on
admin.site, as the DPO and as the Auditor, with filters and search kept in
each row's link, at no more queries."""

import re
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.admin.templatetags.admin_list import items_for_result
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import Vendor
from inventory.templatetags import changelist_rows
from tests.factories import make_system, make_vendor

# Filters, search and sorting: kept in every row's link to its change page.
QUERIES = {
    "/admin/inventory/processingactivity/": [
        "?status__exact=active&dpia_required__exact=0&q=a&o=-7.2",
        "?q=nothing-matches-this",
    ],
    "/admin/inventory/vendor/": ["?dpf_certified__exact=1&q=e", "?q=Bob"],
    "/admin/inventory/system/": ["?q=Unowned"],
}
# Per response, not per page: the CSRF token is masked anew each time.
VARYING = re.compile(rb'(name="csrfmiddlewaretoken" value|nonce)="[^"]*"')


def changelists() -> list[str]:
    paths = []
    for model, model_admin in admin.site._registry.items():
        path = f"/admin/{model._meta.app_label}/{model._meta.model_name}/"
        paths.append(path)
        if model_admin.search_fields:
            paths.append(f"{path}?q=a")
        paths += [path + query for query in QUERIES.get(path, [])]
    return paths


@pytest.fixture
def unusual_rows(demo: None) -> None:
    """Markup in a name, a blank service, no date, a system with no vendor."""
    make_vendor(name='<b>"Ann" & Bob\'s</b>', service="   ", dpf_certified=True)
    make_system(name="Unowned <system>", vendor=None)


def get(client: Client, path: str) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path)
    return response, len(queries)


def with_djangos_rows(client: Client, path: str) -> tuple[Any, int]:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(changelist_rows, "page_rows", lambda cl: None)
        return get(client, path)


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["dpo", "auditor"])
def test_every_changelist_is_the_page_django_writes(request, role, unusual_rows):
    client = request.getfixturevalue(f"{role}_client")
    compared = []
    for path in changelists():
        if client.get(path).status_code != 200:  # warm-up; the role may not read it
            continue
        ours, our_queries = get(client, path)
        djangos, django_queries = with_djangos_rows(client, path)
        assert VARYING.sub(b"", ours.content) == VARYING.sub(b"", djangos.content)
        assert our_queries <= django_queries, path
        cl = ours.context["cl"]
        rows = changelist_rows.page_rows(cl)
        assert rows is not None, path  # written by our code, not Django's
        assert rows == [
            "".join(items_for_result(cl, obj, None)) for obj in cl.result_list
        ]
        compared.append(path)
    assert "/admin/inventory/processingactivity/" in compared
    assert "/admin/inventory/vendor/?q=Bob" in compared


@pytest.mark.django_db
def test_the_cells_kinds_are_covered(dpo_client, unusual_rows):
    """The comparison above meets each kind of cell at least once."""
    vendors = dpo_client.get("/admin/inventory/vendor/?q=Bob").content.decode()
    assert "&lt;b&gt;&quot;Ann&quot; &amp; Bob&#x27;s&lt;/b&gt;" in vendors  # escaped
    assert 'href="/admin/inventory/vendor/' in vendors
    assert "?_changelist_filters=q%3DBob" in vendors  # the search, kept
    assert '<td class="field-dpa_signed_on nowrap">-</td>' in vendors  # no date
    assert '<td class="field-service">-</td>' in vendors  # blank text
    assert 'class="field-dpf_certified"><img src="' in vendors  # boolean
    assert '<td class="field-country_name">' in vendors  # callable
    assert '<td class="field-findings_count">' in vendors  # ModelAdmin method
    assert 'class="action-checkbox"><input type="checkbox"' in vendors
    systems = dpo_client.get("/admin/inventory/system/?q=Unowned").content.decode()
    assert '<td class="field-vendor nowrap">-</td>' in systems  # null foreign key
    activities = dpo_client.get("/admin/inventory/processingactivity/").content
    assert b'<td class="field-next_review_on nowrap">' in activities  # date
    assert b'<td class="field-status">Active</td>' in activities  # choices


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query", ["?_popup=1", "?_to_field=id&_popup=1"], ids=["popup", "to_field"]
)
def test_popups_are_left_to_django(dpo_client, unusual_rows, query):
    path = f"/admin/inventory/vendor/{query}"
    ours, _ = get(dpo_client, path)
    assert changelist_rows.page_rows(ours.context["cl"]) is None
    djangos, _ = with_djangos_rows(dpo_client, path)
    assert VARYING.sub(b"", ours.content) == VARYING.sub(b"", djangos.content)


@pytest.mark.django_db
def test_an_editable_list_is_left_to_django(dpo_client, unusual_rows, monkeypatch):
    model_admin = admin.site.get_model_admin(Vendor)
    monkeypatch.setattr(model_admin, "list_editable", ["service"])
    page = dpo_client.get("/admin/inventory/vendor/?q=Bob")
    assert changelist_rows.page_rows(page.context["cl"]) is None
    assert b'name="form-0-service"' in page.content
