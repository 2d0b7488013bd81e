"""The fieldsets of an admin change page, written in Python.

Django's change form includes ``admin/includes/fieldset.html`` once per
fieldset; the template walks every line and field through some forty tags and
variable lookups (lengths, conditions, each field's name, errors, label,
widget and help text): the largest single cost of an activity's change page
(about thirty fields). ``written_fieldset`` (used by
templates/admin/kbinventory/change_form.html in place of that include) writes
the same characters with string formatting. Each value still goes through
Django: the widget (``str`` of the bound field), the label, the errors and a
read-only field's contents are the helpers' own, shown with the template
engine's ``render_value_in_context``; only the template's own text and logic
are written here.

A fieldset is left to the template when the template is not Django's own
(overridden by a project or an app) or when its fieldset, lines or fields are
not Django's admin helpers. tests/inventory/test_change_form_fields.py
compares every registered admin's change page both ways.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import django.contrib.admin
from django import template
from django.contrib.admin.helpers import AdminReadonlyField, Fieldline, Fieldset
from django.template.base import render_value_in_context
from django.template.context import Context
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

FIELDSET = "admin/includes/fieldset.html"
DJANGOS = Path(django.contrib.admin.__file__).parent / "templates" / FIELDSET


@register.simple_tag(takes_context=True)
def written_fieldset(
    context: Context,
    heading_level: Any,
    prefix: Any,
    id_prefix: Any,
    id_suffix: Any,
) -> SafeString:
    """``{% include "admin/includes/fieldset.html" with heading_level=...
    prefix=... id_prefix=... id_suffix=... %}`` for ``fieldset`` in the
    context."""
    fieldset = context["fieldset"]
    included = context.template.engine.get_template(FIELDSET)  # type: ignore[union-attr]
    if not writable(fieldset, included):
        values = {
            "heading_level": heading_level,
            "prefix": prefix,
            "id_prefix": id_prefix,
            "id_suffix": id_suffix,
        }
        with context.push(**values):
            return mark_safe(included.render(context))
    return mark_safe(
        write_fieldset(context, fieldset, heading_level, prefix, id_prefix, id_suffix)
    )


def writable(fieldset: Any, included: Any) -> bool:
    """Django's own template, and Django's own helpers in the fieldset."""
    return Path(included.origin.name) == DJANGOS and type(fieldset) is Fieldset


def write_fieldset(
    context: Context,
    fieldset: Any,
    heading_level: Any,
    prefix: Any,
    id_prefix: Any,
    id_suffix: Any,
) -> str:
    """``admin/includes/fieldset.html``, line by line (its indentation and
    newlines kept, as the template leaves them)."""

    def show(value: Any) -> str:
        return str(render_value_in_context(value, context))

    heading_id = f"{show(prefix)}-{show(id_prefix)}-{show(id_suffix)}-heading"
    out = [f'<fieldset class="module aligned {show(fieldset.classes)}"']
    if fieldset.name:
        out.append(f' aria-labelledby="{heading_id}"')
    out.append(">\n    ")
    if fieldset.name:
        collapsible = fieldset.is_collapsible
        level = show(heading_level or 2)
        out.append("\n        ")
        out.append("<details><summary>" if collapsible else "")
        out.append(
            f'\n        <h{level} id="{heading_id}" class="fieldset-heading">'
            f"{show(fieldset.name)}</h{level}>\n        "
        )
        out.append("</summary>" if collapsible else "")
        out.append("\n    ")
    out.append("\n    ")
    if fieldset.description:
        description = show(mark_safe(str(fieldset.description)))
        out.append(f'\n        <div class="description">{description}</div>\n    ')
    out.append("\n    ")
    for line in fieldset:
        out.append(write_line(line, show))
    out.append("\n    ")
    if fieldset.name and fieldset.is_collapsible:
        out.append("</details>")
    out.append("\n</fieldset>\n")
    return "".join(out)


def write_line(line: Fieldline, show: Any) -> str:
    """One ``{% for line in fieldset %}`` turn."""
    single = len(line.fields) == 1
    fields = list(line)
    errors = line.errors() if single else ""
    classes = " errors" if single and errors else ""
    if not line.has_visible_field:
        classes += " hidden"
    for field in fields:
        name = field_value(field, "name")
        if name:
            classes += f" field-{show(name)}"
    out = [f'\n        <div class="form-row{classes}">\n            ']
    out.append(
        show(errors) if single else '<div class="flex-container form-multiline">'
    )
    out.append("\n            ")
    for field in fields:
        out.append(write_field(field, single, show))
    out.append("\n            ")
    if not single:
        out.append("</div>")
    out.append("\n        </div>\n    ")
    return "".join(out)


def write_field(field: Any, single: bool, show: Any) -> str:
    """One ``{% for field in line %}`` turn."""
    out = ["\n                <div>\n                    "]
    if not single and not field.is_readonly:
        out.append(show(field.errors()))
    out.append('\n                        <div class="flex-container')
    hidden = field_value(field, "is_hidden")
    if not single:
        out.append(" fieldBox")
        name = field_value(field, "name")
        if name:
            out.append(f" field-{show(name)}")
        if not field.is_readonly and field.errors():
            out.append(" errors")
        if hidden:
            out.append(" hidden")
    if field.is_checkbox:
        out.append(" checkbox-row")
    out.append('">\n                            ')
    if field.is_checkbox:
        out.append(f"\n                                {show(field.field)}")
        out.append(f"{show(field.label_tag())}\n                            ")
    else:
        out.append(f"\n                                {show(field.label_tag())}")
        out.append("\n                                ")
        if field.is_readonly:
            contents = show(field.contents())
            out.append(
                f'\n                                    <div class="readonly">'
                f"{contents}</div>\n                                "
            )
        else:
            out.append(
                f"\n                                    {show(field.field)}"
                "\n                                "
            )
        out.append("\n                            ")
    out.append("\n                        </div>\n                    ")
    help_text = field_value(field, "help_text")
    if help_text:
        out.append(
            f'\n                        <div class="help{" hidden" if hidden else ""}"'
        )
        id_for_label = field_value(field, "id_for_label")
        if id_for_label:
            out.append(f' id="{show(id_for_label)}_helptext"')
        help_html = show(mark_safe(str(help_text)))
        out.append(
            f">\n                            <div>{help_html}</div>"
            "\n                        </div>\n                    "
        )
    out.append("\n                </div>\n            ")
    return "".join(out)


def field_value(field: Any, name: str) -> Any:
    """``field.field.<name>``: an attribute of a bound field, a key of a
    read-only field's dictionary (None where the template finds nothing)."""
    if isinstance(field, AdminReadonlyField):
        return field.field.get(name)
    return getattr(field.field, name)
