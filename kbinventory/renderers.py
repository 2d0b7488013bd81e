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
localise (numbers, dates) is left to the templates. tests/test_renderers.py
compares both outputs.
"""

from __future__ import annotations

from typing import Any

from django.forms.renderers import DjangoTemplates
from django.http import HttpRequest
from django.utils.functional import Promise
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeData

SELECT = "django/forms/widgets/select.html"
OPTION = "django/forms/widgets/select_option.html"
LABEL = "django/forms/label.html"
LABEL_CONTEXT = {"field", "label", "attrs", "use_tag", "tag"}
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
