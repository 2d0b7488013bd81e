"""The change pages' fieldsets (inventory/templatetags/change_form_fields.py)
are the characters Django's ``admin/includes/fieldset.html`` writes: every
registered admin's change and add page, as the DPO and as the Auditor (who
reads every field read-only), a page with errors, and fieldsets with what the
registered admins do not use (descriptions, collapsed sets, several fields on
a line, checkboxes, hidden fields)."""

from typing import Any

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.helpers import AdminForm
from django.db import connection
from django.template import Context, Template
from django.test import Client
from django.test.utils import CaptureQueriesContext

from inventory.models import ProcessingActivity
from inventory.templatetags import change_form_fields
from tests.admin_pages import change_pages, still_clock, without_varying
from tests.factories import make_activity


def get(client: Client, path: str, data: Any = None) -> tuple[Any, int]:
    with CaptureQueriesContext(connection) as queries:
        if data is None:
            response = client.get(path)
        else:
            response = client.post(path, data)
    return response, len(queries)


def with_djangos_fieldsets(client: Client, path: str, data: Any = None) -> Any:
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(change_form_fields, "writable", lambda *args: False)
        return get(client, path, data)


@pytest.fixture
def written(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The fieldsets written in Python rather than by the template."""
    names: list[str] = []
    write = change_form_fields.write_fieldset

    def spy(context: Any, fieldset: Any, *args: Any) -> str:
        names.append(str(fieldset.name))
        return write(context, fieldset, *args)

    monkeypatch.setattr(change_form_fields, "write_fieldset", spy)
    return names


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["dpo", "auditor"])
def test_every_change_page_is_the_page_django_writes(request, role, demo, written):
    client = request.getfixturevalue(f"{role}_client")
    compared = []
    for path in change_pages():
        if client.get(path).status_code != 200:  # warm-up; the role may not read it
            continue
        with still_clock():  # an add page shows "now" as a default
            ours, our_queries = get(client, path)
            djangos, django_queries = with_djangos_fieldsets(client, path)
        assert without_varying(ours.content) == without_varying(djangos.content)
        assert our_queries == django_queries, path
        compared.append(path)
    activity = ProcessingActivity.objects.order_by("pk").first()
    assert f"/admin/inventory/processingactivity/{activity.pk}/change/" in compared
    assert "Lawfulness (Art. 6, 9, 10)" in written  # by our code, not the template


@pytest.mark.django_db
def test_a_page_with_errors_is_the_page_django_writes(dpo_client, written):
    activity = make_activity()
    path = f"/admin/inventory/processingactivity/{activity.pk}/change/"
    data = {"ref": "", "name": "", "role": "nonsense", "version": "0"}
    ours, _ = get(dpo_client, path, data)
    djangos, _ = with_djangos_fieldsets(dpo_client, path, data)
    assert ours.status_code == 200
    assert b'class="errorlist' in ours.content
    assert without_varying(ours.content) == without_varying(djangos.content)
    assert written


class UnusualForm(forms.ModelForm):
    extra = forms.CharField(help_text="<b>safe</b> help", required=False)
    flag = forms.BooleanField(required=False, help_text="A checkbox")
    hidden = forms.CharField(widget=forms.HiddenInput, required=False)
    hidden_helped = forms.CharField(
        widget=forms.HiddenInput, required=False, help_text="Not shown"
    )

    class Meta:
        model = ProcessingActivity
        fields = ["ref", "name", "owner", "purposes", "dpia_required"]


FIELDSETS = [
    (None, {"fields": ["ref", ("name", "owner"), "hidden"]}),
    (
        "Collapsed <&>",
        {
            "fields": [("flag", "dpia_required"), "purposes"],
            "classes": ["collapse", "wide"],
            "description": "<em>Said</em> once",
        },
    ),
    ("Read & only", {"fields": [("reviewed_on", "name"), "reviewed_by", "extra"]}),
    ("Hidden", {"fields": ["hidden_helped", ("hidden", "flag")]}),
]
TEMPLATES = {
    "ours": "{% load change_form_fields %}{% for fieldset in adminform %}"
    "{% written_fieldset heading_level=level prefix=p id_prefix=3 "
    "id_suffix=forloop.counter0 %}{% endfor %}",
    "django": '{% for fieldset in adminform %}{% include "admin/includes/'
    'fieldset.html" with heading_level=level prefix=p id_prefix=3 '
    "id_suffix=forloop.counter0 %}{% endfor %}",
}


@pytest.mark.django_db
@pytest.mark.parametrize("data", [None, {"ref": "", "name": "x" * 300}])
@pytest.mark.parametrize("level", [None, 4])
def test_unusual_fieldsets_are_written_as_django_writes_them(data, level, written):
    activity = make_activity()
    form = UnusualForm(data, instance=activity)
    model_admin = admin.site.get_model_admin(ProcessingActivity)
    adminform = AdminForm(
        form, FIELDSETS, {}, ["reviewed_on", "reviewed_by"], model_admin
    )
    pages = {
        name: Template(text).render(
            Context({"adminform": adminform, "level": level, "p": "set<1>"})
        )
        for name, text in TEMPLATES.items()
    }
    assert pages["ours"] == pages["django"]
    assert len(written) == len(FIELDSETS)
    if data:
        assert "errorlist" in pages["ours"]
    else:
        assert "<details><summary>" in pages["ours"]


@pytest.mark.django_db
def test_a_fieldset_template_of_our_own_is_used(dpo_client, written, settings):
    """A project that overrides fieldset.html gets its own template."""
    engine = settings.TEMPLATES[0]
    loaders = [
        (
            "django.template.loaders.locmem.Loader",
            {"admin/includes/fieldset.html": "<p>our {{ fieldset.name }}</p>"},
        ),
        "django.template.loaders.filesystem.Loader",
        "django.template.loaders.app_directories.Loader",
    ]
    options = {**engine["OPTIONS"], "loaders": loaders}
    settings.TEMPLATES = [{**engine, "APP_DIRS": False, "OPTIONS": options}]
    activity = make_activity()
    page = dpo_client.get(f"/admin/inventory/processingactivity/{activity.pk}/change/")
    assert b"<p>our Lawfulness (Art. 6, 9, 10)</p>" in page.content
    assert not written
