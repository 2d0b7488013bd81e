import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from inventory.models import DataCategory, ProcessingActivity, System, Vendor
from tests.factories import make_activity, make_data_category

MODELS = [
    "legalentity",
    "datasubjectcategory",
    "datacategory",
    "securitymeasure",
    "vendor",
    "system",
    "processingactivity",
    "productfeature",
    "customer",
]


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_dpo_sees_every_changelist_and_add_form(dpo_client, demo, model):
    assert dpo_client.get(f"/admin/inventory/{model}/").status_code == 200
    assert dpo_client.get(f"/admin/inventory/{model}/add/").status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize("model", MODELS)
def test_auditor_reads_but_cannot_add(auditor_client, demo, model):
    assert auditor_client.get(f"/admin/inventory/{model}/").status_code == 200
    assert auditor_client.get(f"/admin/inventory/{model}/add/").status_code == 403


@pytest.mark.django_db
def test_auditor_change_page_is_read_only_and_post_is_refused(auditor_client):
    activity = make_activity()
    url = f"/admin/inventory/processingactivity/{activity.pk}/change/"
    page = auditor_client.get(url)
    assert page.status_code == 200
    assert b'name="_save"' not in page.content
    response = auditor_client.post(
        url, {"name": "Hacked", "ref": "X", "role": "controller"}
    )
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.name != "Hacked"


@pytest.mark.django_db
def test_history_page_renders(dpo_client):
    activity = make_activity(name="Payroll")
    activity.purposes = "Pay staff"
    activity.save()
    url = f"/admin/inventory/processingactivity/{activity.pk}/history/"
    page = dpo_client.get(url)
    assert page.status_code == 200
    assert b"Payroll" in page.content


def changelist_queries(client, url):
    client.get(url)  # the first read after writes refreshes the stored findings
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_changelist_queries_do_not_grow_with_rows(dpo_client):
    # The findings column reads the stored findings once per page.
    url = "/admin/inventory/processingactivity/"
    for _ in range(5):
        make_activity(lawful_basis=None)
    few = changelist_queries(dpo_client, url)
    for _ in range(30):
        make_activity(lawful_basis=None)
    assert changelist_queries(dpo_client, url) == few


@pytest.mark.django_db
def test_processor_activity_with_lawful_basis_is_refused_naming_the_field(dpo_client):
    response = dpo_client.post(
        "/admin/inventory/processingactivity/add/",
        {
            "ref": "PA-X",
            "name": "Chat",
            "role": "processor",
            "lawful_basis": "contract",
            "status": "active",
        },
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "lawful_basis" in errors
    assert not ProcessingActivity.objects.filter(ref="PA-X").exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    "data, field",
    [
        ({"special_category": "on"}, "art9_kind"),
        ({"retention_period": "-3", "retention_unit": "months"}, "retention_period"),
        ({"retention_period": "12"}, "retention_unit"),
        ({"ccpa_category": "Z"}, "ccpa_category"),
    ],
)
def test_bad_data_category_is_refused_naming_the_field(dpo_client, data, field):
    post = {"code": "DCX", "name": "Bad", **data}
    response = dpo_client.post("/admin/inventory/datacategory/add/", post)
    assert response.status_code == 200
    assert field in response.context["adminform"].form.errors
    assert not DataCategory.objects.filter(code="DCX").exists()


@pytest.mark.django_db
def test_unknown_country_is_refused(dpo_client):
    response = dpo_client.post(
        "/admin/inventory/vendor/add/",
        {"name": "Acme", "role": "processor", "country": "XX"},
    )
    assert response.status_code == 200
    assert "country" in response.context["adminform"].form.errors


@pytest.mark.django_db
def test_valid_data_category_is_saved(dpo_client):
    response = dpo_client.post(
        "/admin/inventory/datacategory/add/",
        {
            "code": "DCY",
            "name": "Health",
            "special_category": "on",
            "art9_kind": "health",
            "retention_period": "12",
            "retention_unit": "months",
            "retention_from": "collected",
            "end_action": "delete",
            "deletion_interval_days": "1",
        },
    )
    assert response.status_code == 302
    assert make_data_category is not None
    assert DataCategory.objects.get(code="DCY").history.count() == 1


@pytest.mark.django_db
def test_admin_delete_of_a_vendor_records_a_version_of_the_system_it_left(
    dpo_client, dpo
):
    """A delete in the admin detaches the record the same way as the API: the
    system that named the vendor gets a version without it, by the DPO."""
    vendor = Vendor.objects.create(name="Acme Hosting", processing_countries=["US"])
    system = System.objects.create(name="Helpdesk", vendor=vendor)
    before = system.history.count()
    url = f"/admin/inventory/vendor/{vendor.pk}/delete/"
    response = dpo_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    system.refresh_from_db()
    assert system.vendor is None
    assert system.history.count() == before + 1
    latest = system.history.order_by("-history_date", "-history_id").first()
    assert latest.vendor_id is None
    assert latest.history_user == dpo


@pytest.mark.django_db
def test_admin_bulk_delete_of_vendors_records_versions_of_their_systems(
    dpo_client, dpo
):
    vendor = Vendor.objects.create(name="Acme Mail", processing_countries=["US"])
    system = System.objects.create(name="Mailer", vendor=vendor)
    before = system.history.count()
    response = dpo_client.post(
        "/admin/inventory/vendor/",
        {"action": "delete_selected", "_selected_action": [vendor.pk], "post": "yes"},
    )
    assert response.status_code == 302
    assert not Vendor.objects.filter(pk=vendor.pk).exists()
    assert system.history.count() == before + 1
    latest = system.history.order_by("-history_date", "-history_id").first()
    assert latest.vendor_id is None
    assert latest.history_user == dpo


@pytest.mark.django_db
@pytest.mark.parametrize("model", ["processingactivity", "customer", "plan"])
def test_an_inlines_blank_row_is_built_once_and_the_page_is_djangos(
    dpo_client, demo, model, monkeypatch
):
    from django.apps import apps
    from django.forms.formsets import BaseFormSet

    from inventory.admin import InlineFormSet
    from tests.admin_pages import without_varying

    record = apps.get_model("inventory", model).objects.order_by("pk").first()
    path = f"/admin/inventory/{model}/{record.pk}/change/"
    ours = dpo_client.get(path)
    assert ours.context["inline_admin_formsets"]
    for inline in ours.context["inline_admin_formsets"]:
        formset = inline.formset
        assert isinstance(formset, InlineFormSet)
        assert formset.empty_form is formset.empty_form
    monkeypatch.setattr(InlineFormSet, "empty_form", BaseFormSet.empty_form)
    djangos = dpo_client.get(path)
    assert without_varying(ours.content) == without_varying(djangos.content)
