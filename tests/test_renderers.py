"""The form renderer writes every <select> exactly as Django's templates do."""

import datetime
import re

import pytest
from django import forms
from django.contrib import admin
from django.contrib.admin.widgets import (
    FilteredSelectMultiple,
    RelatedFieldWidgetWrapper,
)
from django.forms.renderers import DjangoTemplates
from django.forms.utils import ErrorList
from django.test import override_settings
from django.utils.safestring import mark_safe

from inventory.models import Customer, ProcessingActivity, System, Vendor
from kbinventory.renderers import FormRenderer, drawable
from tests.admin_pages import change_pages, still_clock, without_varying

DJANGO_RENDERER = "django.forms.renderers.DjangoTemplates"

CHOICES = [
    ("", "---------"),
    ("a&b", 'Tom & "Jerry" <x>'),
    (3, "three"),
    ("Group <1>", [("g1", "one"), ("g2", mark_safe("<b>two</b>"))]),
    (mark_safe("s&afe"), "safe value"),
]


def both(widget, name, value, attrs=None):
    ours = widget.render(name, value, attrs, renderer=FormRenderer())
    django = widget.render(name, value, attrs, renderer=DjangoTemplates())
    return ours, django


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.Select(choices=CHOICES), "a&b"),
        (forms.Select(choices=CHOICES, attrs={"required": True}), 3),
        (forms.Select(choices=CHOICES, attrs={"data-x": "<q>", "hidden": False}), ""),
        (forms.SelectMultiple(choices=CHOICES), ["g2", "s&afe"]),
        (FilteredSelectMultiple("regions", False, choices=CHOICES), ["a&b"]),
        (forms.NullBooleanSelect(), None),
        (forms.Select(choices=[]), None),
    ],
)
def test_a_select_is_written_as_the_templates_write_it(widget, value):
    ours, django = both(widget, "field<1>", value, {"id": "id_field"})
    assert ours == django


@pytest.mark.parametrize(
    ("widget", "value"),
    [
        (forms.TextInput(attrs={"maxlength": 20, "required": True}), 'a "b" & <c>'),
        (forms.TextInput(), None),
        (forms.CheckboxInput(attrs={"class": "action-select"}), "17"),
        (forms.CheckboxInput(), True),
        (forms.HiddenInput(), mark_safe("<safe>")),
        (forms.NumberInput(attrs={"step": 0.5}), 12),
        (forms.DateInput(), datetime.date(2026, 12, 2)),
        (forms.PasswordInput(render_value=True), "secret"),
        (forms.EmailInput(attrs={"disabled": False}), "a@b.example"),
        (forms.Textarea(), 'a "b" & <c>\nline'),
        (forms.Textarea(attrs={"rows": 3, "required": True}), ""),
        (forms.Textarea(), None),
        (forms.Textarea(), mark_safe("<b>safe</b>")),
    ],
)
def test_an_input_is_written_as_the_templates_write_it(widget, value):
    ours, django = both(widget, "field<1>", value, {"id": "id_field"})
    assert ours == django


@pytest.mark.parametrize(
    "errors",
    [
        ErrorList(),
        ErrorList(["One & <two>", mark_safe("<b>safe</b>")]),
        ErrorList(["Only"], error_class="nonfield", field_id="id_name"),
        ErrorList([forms.ValidationError("From <a> ValidationError")]),
    ],
)
def test_an_error_list_is_written_as_the_templates_write_it(errors):
    written = []
    for renderer in (FormRenderer(), DjangoTemplates()):
        errors.renderer = renderer
        written.append([str(errors), errors.as_ul()])
    assert written[0] == written[1]


@pytest.mark.django_db
@pytest.mark.parametrize("limited", [False, True])
@pytest.mark.parametrize("hidden", [False, True])
@pytest.mark.parametrize(
    "can", [(False,) * 4, (True,) * 4, (True, False, True, False), (False, True) * 2]
)
@pytest.mark.parametrize(
    ("model", "name"), [(System, "vendor"), (ProcessingActivity, "systems")]
)
def test_a_related_widget_is_written_as_the_template_writes_it(
    monkeypatch, model, name, can, hidden, limited
):
    """Each link the user may follow; a limited choice has no model reference."""
    rel = model._meta.get_field(name).remote_field
    if limited:
        monkeypatch.setattr(rel, "limit_choices_to", {"name__startswith": "A"})
    inner = forms.HiddenInput() if hidden else forms.Select(choices=CHOICES)
    widget = RelatedFieldWidgetWrapper(inner, rel, admin.site, *can)
    ours, django = both(widget, "field<1>", "a&b", {"id": "id_field"})
    assert ours == django


class LabelForm(forms.Form):
    required = forms.CharField(label='Name & "title"')
    optional = forms.CharField(required=False, label="Done?")
    lazy = forms.BooleanField(required=False)
    required_css_class = "required"


@pytest.mark.parametrize("auto_id", ["id_%s", False])
@pytest.mark.parametrize("name", ["required", "optional", "lazy"])
def test_a_label_is_written_as_the_template_writes_it(auto_id, name):
    written = []
    for renderer in (FormRenderer(), DjangoTemplates()):
        field = LabelForm(auto_id=auto_id, renderer=renderer)[name]
        written.append(
            [
                field.label_tag(),
                field.label_tag(attrs={"class": "x<y"}, label_suffix=" :"),
                field.label_tag(contents=mark_safe("<b>safe</b>"), tag="span"),
            ]
        )
    assert written[0] == written[1]


def test_labels_the_templates_would_localise_are_left_to_them():
    widget = forms.Select(choices=[(1, 1000), (2, datetime.date(2026, 1, 2))])
    context = widget.get_context("n", 1, None)
    assert not drawable(context)
    ours, django = both(widget, "n", 1)
    assert ours == django


@pytest.mark.django_db
@pytest.mark.parametrize("model", [Vendor, Customer, ProcessingActivity])
def test_the_inventory_forms_are_written_as_the_templates_write_them(model):
    """Country selects (250 options, one and many), choices, booleans."""
    form_class = forms.modelform_factory(model, fields="__all__")
    for renderer in (FormRenderer(), DjangoTemplates()):
        form_class.default_renderer = renderer
        if isinstance(renderer, FormRenderer):
            ours = str(form_class())
        else:
            django = str(form_class())
    assert "<select" in ours
    assert ours == django


def without_csrf(html):
    return re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", html)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "page",
    [
        "/admin/inventory/processingactivity/",
        "/admin/inventory/processingactivity/{activity}/change/",
        "/admin/inventory/vendor/",
    ],
)
def test_admin_pages_are_the_same_with_either_renderer(demo, dpo_client, page):
    """Autocomplete widgets, inlines, filters and action checkboxes included."""
    path = page.format(
        activity=ProcessingActivity.objects.order_by("pk").last().pk,
        vendor=Vendor.objects.order_by("pk").first().pk,
        customer=Customer.objects.order_by("pk").first().pk,
    )
    pages = []
    for renderer in ("kbinventory.renderers.FormRenderer", DJANGO_RENDERER):
        with override_settings(FORM_RENDERER=renderer):
            response = dpo_client.get(path)
        assert response.status_code == 200
        pages.append(without_csrf(response.content))
    assert b"<select" in pages[0] or b"<input" in pages[0]
    assert pages[0] == pages[1]


@pytest.mark.django_db
@pytest.mark.parametrize("role", ["dpo", "auditor"])
def test_every_change_page_is_the_same_with_either_renderer(request, demo, role):
    """Every registered admin's add page and a record's change page, as the
    DPO and as the Auditor (who sees read-only pages)."""
    client = request.getfixturevalue(f"{role}_client")
    compared = []
    for path in change_pages():
        pages = []
        for renderer in ("kbinventory.renderers.FormRenderer", DJANGO_RENDERER):
            # The clock stands still: an add page shows "now" as a default.
            with override_settings(FORM_RENDERER=renderer), still_clock():
                response = client.get(path)
            pages.append((response.status_code, without_varying(response.content)))
        assert pages[0] == pages[1], path
        if pages[0][0] == 200:
            compared.append(path)
    assert any("/processingactivity/" in path for path in compared)
    assert any("/customer/" in path for path in compared)
