"""The form renderer: Django's, with every ``<select>`` and ``<input>``
written in Python.

A country field offers 250 options, and Django's template renderer draws each
one through two included templates (``select_option.html`` and
``attrs.html``): a vendor's change page (country and processing countries)
spent most of its time there, a changelist a fifth of its time on the action
checkbox of each row. ``render_select``, ``render_input`` and ``render_label`` write
the same characters as ``django/forms/widgets/select.html``, ``input.html``
and ``django/forms/label.html`` do (a change page has a label a field); a
select whose options use another template or carry labels the template would
localise (numbers, dates) is left to the templates. A change page also draws
each field's error list (empty, most of the time, yet a template each), its
text areas and, around each related field, the admin's links to change, add,
delete and view the related record (``related_widget_wrapper.html``): written
here too. tests/test_renderers.py compares both outputs, widget by widget and
for every registered admin's change page."""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.template.base import render_value_in_context
from django.template.context import Context
from django.templatetags.static import static
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape, strip_spaces_between_tags
from django.utils.safestring import SafeData
from django.utils.translation import gettext

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
LABEL = "django/forms/label.html"
LABEL_CONTEXT = {"field", "label", "attrs", "use_tag", "tag"}
TEXTAREA = "django/forms/widgets/textarea.html"
# An error list: ``default.html`` only includes ``ul.html``.
ERRORS = {"django/forms/errors/list/default.html", "django/forms/errors/list/ul.html"}
RELATED = "admin/widgets/related_widget_wrapper.html"
RELATED_CONTEXT = {
    "add_related_url",
    "can_add_related",
    "can_change_related",
    "can_delete_related",
    "can_view_related",
    "change_related_template_url",
    "delete_related_template_url",
    "is_hidden",
    "model",
    "model_has_limit_choices_to",
    "model_name",
    "name",
    "rendered_widget",
    "url_params",
    "view_related_url_params",
}
# What a template's context adds to its variables: nothing here (no request,
# no time zone or localisation switched on or off).
PLAIN = Context()
# The templates that are ``{% include "django/forms/widgets/input.html" %}``.
INPUTS = {
    f"django/forms/widgets/{name}.html"
    for name in (
        "input checkbox color date datetime email file hidden number password "
        "search tel text time url"
    ).split()
}


class FormRenderer(DjangoTemplates):
    """settings.FORM_RENDERER."""

    def render(
        self,
        template_name: str,
        context: dict[str, Any],
        request: HttpRequest | None = None,
    ) -> str:
        if template_name == SELECT and drawable(context):
            return render_select(context["widget"])
        if template_name in INPUTS and set(context) == {"widget"}:
            return render_input(context["widget"])
        if template_name == LABEL and set(context) == LABEL_CONTEXT:
            if isinstance(context["label"], str | Promise):
                return render_label(context)
        if template_name == TEXTAREA and set(context) == {"widget"}:
            if isinstance(context["widget"]["value"], str | None):
                return render_textarea(context["widget"])
        if template_name in ERRORS and set(context) == {"errors", "error_class"}:
            if all(isinstance(error, str | Promise) for error in context["errors"]):
                return render_errors(context)
        if template_name == RELATED and set(context) <= RELATED_CONTEXT:
            return render_related(context)
        return str(super().render(template_name, context, request))


def drawable(context: dict[str, Any]) -> bool:
    """A plain select: only its widget in the context, every option drawn
    by ``select_option.html`` with a text label."""
    if set(context) != {"widget"}:
        return False
    groups = context["widget"]["optgroups"]
    return all(isinstance(name, str | Promise | None) for name, _, _ in groups) and all(
        option["template_name"] == OPTION and isinstance(option["label"], str | Promise)
        for _name, options, _index in groups
        for option in options
    )


def as_text(value: Any) -> str:
    """``{{ value|stringformat:'s' }}`` with autoescaping: the filter's own
    formatting, its output escaped unless its input was marked safe."""
    try:
        text = "%s" % value  # noqa: UP031 - exactly as the filter formats
    except (TypeError, ValueError):
        text = ""
    return text if isinstance(value, SafeData) else str(escape(text))


def render_attrs(attrs: dict[str, Any]) -> str:
    """``django/forms/widgets/attrs.html``."""
    return "".join(
        f" {conditional_escape(name)}"
        + ("" if value is True else f'="{as_text(value)}"')
        for name, value in attrs.items()
        if value is not False
    )


def render_label(context: dict[str, Any]) -> str:
    """``django/forms/label.html`` (a field's label, in a tag when the field
    has an id)."""
    label = conditional_escape(context["label"])
    if not context["use_tag"]:
        return str(label).strip()
    tag = conditional_escape(context["tag"])
    attrs = render_attrs(context["attrs"] or {})
    return f"<{tag}{attrs}>{label}</{tag}>"


def render_input(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/input.html``."""
    value = widget["value"]
    shown = "" if value is None else f' value="{as_text(value)}"'
    return (
        f'<input type="{conditional_escape(widget["type"])}" '
        f'name="{conditional_escape(widget["name"])}"{shown}'
        f"{render_attrs(widget['attrs'])}>"
    )


def render_select(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/select.html`` with ``select_option.html``
    (both files end with a newline, which the page keeps)."""
    parts = [f'<select name="{conditional_escape(widget["name"])}"']
    parts.append(f"{render_attrs(widget['attrs'])}>")
    for group_name, options, _index in widget["optgroups"]:
        if group_name:
            parts.append(f'\n  <optgroup label="{conditional_escape(group_name)}">')
        for option in options:
            parts.append(
                f'\n  <option value="{as_text(option["value"])}"'
                f"{render_attrs(option['attrs'])}>"
                f"{conditional_escape(option['label'])}</option>\n"
            )
        if group_name:
            parts.append("\n  </optgroup>")
    parts.append("\n</select>")  # the renderer strips the last newline
    return "".join(parts)


def show(value: Any) -> str:
    """``{{ value }}``: as a template shows a variable."""
    return str(render_value_in_context(value, PLAIN))


def render_textarea(widget: dict[str, Any]) -> str:
    """``django/forms/widgets/textarea.html``."""
    value = widget["value"]
    return (
        f'<textarea name="{show(widget["name"])}"{render_attrs(widget["attrs"])}>'
        f"\n{show(value) if value else ''}</textarea>"
    )


def render_errors(context: dict[str, Any]) -> str:
    """``django/forms/errors/list/ul.html``: nothing for no errors."""
    errors = context["errors"]
    if not errors:
        return ""
    field_id = getattr(errors, "field_id", None)
    shown_id = f' id="{show(field_id)}_error"' if field_id else ""
    items = "".join(f"<li>{show(error)}</li>" for error in errors)
    return f'<ul class="{show(context["error_class"])}"{shown_id}>{items}</ul>'


def render_related(context: dict[str, Any]) -> str:
    """``admin/widgets/related_widget_wrapper.html``: the widget, and the
    links to change, add, delete and view the related record the user may
    follow."""

    def value(name: str) -> str:
        return show(context.get(name, ""))

    name, model = value("name"), value("model")
    links = []
    if not context.get("is_hidden"):
        if context.get("can_change_related"):
            links.append(
                related_link(
                    "change",
                    name,
                    f'data-href-template="{value("change_related_template_url")}'
                    f'?{value("url_params")}"\n            data-popup="yes"',
                    gettext("Change selected %(model)s") % {"model": model},
                )
            )
        if context.get("can_add_related"):
            links.append(
                related_link(
                    "add",
                    name,
                    'data-popup="yes"\n            '
                    f'href="{value("add_related_url")}?{value("url_params")}"',
                    gettext("Add another %(model)s") % {"model": model},
                )
            )
        if context.get("can_delete_related"):
            links.append(
                related_link(
                    "delete",
                    name,
                    f'data-href-template="{value("delete_related_template_url")}'
                    f'?{value("url_params")}"\n            data-popup="yes"',
                    gettext("Delete selected %(model)s") % {"model": model},
                )
            )
        if context.get("can_view_related"):
            links.append(
                f'<a class="related-widget-wrapper-link view-related" '
                f'id="view_id_{name}"\n             data-href-template='
                f'"{value("change_related_template_url")}'
                f'?{value("view_related_url_params")}"\n             title="'
                f'{gettext("View selected %(model)s") % {"model": model}}">'
                f"\n            {icon('view')}\n          </a>"
            )
    reference = ""
    if not context.get("model_has_limit_choices_to"):
        reference = f'data-model-ref="{value("model_name")}"'
    return (
        f'<div class="related-widget-wrapper" {reference}>\n'
        f"    {value('rendered_widget')}\n    \n"
        f"        {strip_spaces_between_tags(''.join(links))}\n    \n</div>"
    )


def related_link(kind: str, name: str, attrs: str, title: str) -> str:
    """One link of ``related_widget_wrapper.html`` after ``{% spaceless %}``."""
    return (
        f'<a class="related-widget-wrapper-link {kind}-related" id="{kind}_id_{name}"'
        f'\n            {attrs}\n            title="{title}">'
        f"\n            {icon(kind)}\n        </a>"
    )


def icon(kind: str) -> str:
    url = conditional_escape(static(f"admin/img/icon-{kind}link.svg"))
    return f'<img src="{url}" alt="" width="24" height="24">'
