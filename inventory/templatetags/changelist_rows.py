"""The rows of an admin changelist, with what they share worked out once a page.

Django's ``result_list`` tag writes each cell through ``items_for_result``,
which per cell looks the column up again (``lookup_field``), rebuilds a
choices field's choices twice, reads the empty value display and formats with
``format_html``, and per row reverses the change URL and parses the preserved
filters again: half of the CPU time of a changelist of 100 rows.

``changelist_results`` (used by templates/admin/change_list.html) works out
per column the field, the css classes, the link, the empty value display and
the escaped choice labels, per page the change URL with the filters kept, then
writes each cell with string formatting, escaping where Django escapes. It
reproduces ``items_for_result`` for field columns (choices, foreign keys,
others through Django's ``display_for_field``, once per distinct plain value),
callables, ModelAdmin methods, model attributes and the action checkbox. An
editable list, a popup or ``to_field`` is left to Django's own tag.
tests/inventory/test_changelist_rows.py renders every registered changelist
both ways and compares the bytes.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

from django import template
from django.contrib.admin import ModelAdmin
from django.contrib.admin.templatetags import admin_list
from django.contrib.admin.templatetags.admin_list import (  # type: ignore[attr-defined]
    ResultList,
    _coerce_field_name,
)
from django.contrib.admin.templatetags.admin_urls import add_preserved_filters
from django.contrib.admin.templatetags.base import InclusionAdminNode
from django.contrib.admin.utils import (  # type: ignore[attr-defined]
    FieldIsAForeignKeyColumnName,
    _get_non_gfk_field,
    display_for_field,
    display_for_value,
    lookup_field,
)
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import FieldDoesNotExist, ObjectDoesNotExist
from django.db import models
from django.template.base import Parser, Token
from django.urls import NoReverseMatch
from django.utils.html import conditional_escape, escape
from django.utils.safestring import SafeString, mark_safe

register = template.Library()

# Stands for a row's pk or name in what is written once a page.
PK_MARK = "0rowpk0"
NAME_MARK = "0rowname0"
# Values shown the same whenever they are equal and of the same type: a
# column's display of each is worked out once a page.
PLAIN = {str, int, bool, type(None), datetime.date, datetime.datetime}
TEXT = {models.CharField, models.TextField, models.SlugField, models.EmailField}

Cell = Callable[[Any], tuple[str, str]]  # an object's (escaped content, classes)


@register.tag(name="changelist_results")
def changelist_results_tag(parser: Parser, token: Token) -> InclusionAdminNode:
    return InclusionAdminNode(  # type: ignore[call-arg]  # the stubs add a name
        parser=parser,
        token=token,
        func=changelist_results,
        template_name="change_list_results.html",
        takes_context=False,
    )


def changelist_results(cl: ChangeList) -> dict[str, Any]:
    """Django's ``result_list`` context, each row one safe string."""
    rows = page_rows(cl)
    if rows is None:
        return admin_list.result_list(cl)
    headers = list(admin_list.result_headers(cl))
    return {
        "cl": cl,
        "result_hidden_fields": [],
        "result_headers": headers,
        "num_sorted_fields": sum(1 for h in headers if h["sortable"] and h["sorted"]),
        "results": [ResultList(None, [row]) for row in rows],
    }


def page_rows(cl: ChangeList) -> list[SafeString] | None:
    """Each row's cells, as ``items_for_result`` writes them; None for a page
    left to Django."""
    if cl.formset or cl.is_popup or cl.to_field:
        return None
    if type(cl).url_for_result is not ChangeList.url_for_result:
        return None
    if any(type(obj) is not cl.model for obj in cl.result_list):
        return None
    empty = conditional_escape(cl.model_admin.get_empty_value_display())
    link = link_writer(cl)
    columns = []
    first = True
    for index, name in enumerate(cl.list_display):
        linked = link_in_col(first, name, cl)
        tag = ("th" if first else "td") if linked else ""
        first = first and not linked
        base = f"field-{_coerce_field_name(name, index)}"
        columns.append((cell_writer(cl, name, base, linked), base, tag))
    rows = []
    for obj in cl.result_list:
        cells = []
        for write, base, tag in columns:
            try:
                content, classes = write(obj)
            except ObjectDoesNotExist:
                content, classes = empty, base
            if not tag:
                cells.append(f'<td class="{classes}">{content}</td>')
                continue
            href = link(obj)
            if href is not None:
                content = f'<a href="{href}">{content}</a>'
            cells.append(f'<{tag} class="{classes}">{content}</{tag}>')
        rows.append(mark_safe("".join(cells)))
    return rows


def link_in_col(is_first: bool, name: Any, cl: ChangeList) -> bool:
    """``items_for_result``'s own rule."""
    if cl.list_display_links is None:
        return False
    if is_first and not cl.list_display_links:
        return True
    return name in cl.list_display_links


def link_writer(cl: ChangeList) -> Callable[[Any], str | None]:
    """An object's escaped change URL with the page's filters kept (None if it
    has none): reversed and merged once a page for integer keys."""
    context: dict[str, Any] = {
        "preserved_filters": cl.preserved_filters,
        "opts": cl.opts,
    }

    def djangos(obj: Any) -> str | None:
        try:
            url = cl.url_for_result(obj)
        except NoReverseMatch:
            return None
        return escape(add_preserved_filters(context, url))

    stand_in: Any = SimpleNamespace(**{cl.pk_attname: PK_MARK})
    try:
        url = escape(add_preserved_filters(context, cl.url_for_result(stand_in)))
    except NoReverseMatch:
        return djangos
    head, _, tail = url.partition(PK_MARK)
    if not tail or PK_MARK in tail.partition("?")[0]:
        return djangos

    def link(obj: Any) -> str | None:
        pk = getattr(obj, cl.pk_attname)
        return f"{head}{pk}{tail}" if type(pk) is int else djangos(obj)

    return link


def cell_writer(cl: ChangeList, name: Any, base: str, linked: bool) -> Cell:
    """The column's cell for one object; ObjectDoesNotExist as from
    ``lookup_field``."""
    model_admin = cl.model_admin
    field = None
    if isinstance(name, str):
        try:
            field = _get_non_gfk_field(cl.lookup_opts, name)
        except (FieldDoesNotExist, FieldIsAForeignKeyColumnName):
            pass
    if field is not None and not field.auto_created:
        return field_cell(model_admin, field, base, linked)
    classes = "action-checkbox" if name == "action_checkbox" else base
    if (
        name == "action_checkbox"
        and type(model_admin).action_checkbox is ModelAdmin.action_checkbox
    ):
        return checkbox_cell(model_admin, classes)
    if field is not None:
        return value_cell(lambda obj: getattr(obj, name), None, model_admin, classes)
    if callable(name):
        return value_cell(name, name, model_admin, classes)
    if hasattr(model_admin, name) and name != "__str__":
        method = getattr(model_admin, name)
        return value_cell(method, method, model_admin, classes)
    return attribute_cell(name, model_admin, classes)


def field_cell(model_admin: Any, field: Any, base: str, linked: bool) -> Cell:
    """A model field's cell, as ``display_for_field`` shows it."""
    nowrap = (models.DateField, models.TimeField, models.ForeignKey)
    classes = f"{base} nowrap" if isinstance(field, nowrap) else base
    empty = model_admin.get_empty_value_display()
    if isinstance(field.remote_field, models.ManyToOneRel):
        none = conditional_escape(empty)

        def related(obj: Any) -> tuple[str, str]:
            value = getattr(obj, field.name)
            return none if value is None else conditional_escape(value), classes

        return related
    labels = choice_labels(field)
    shown = once_per_value(lambda v: display_for_field(v, field, empty, linked))
    missing = conditional_escape(empty)
    # Django's own text fields show a string as it is, or empty.
    text = type(field) in TEXT and not field.flatchoices
    empties = field.empty_values

    def cell(obj: Any) -> tuple[str, str]:
        value = blank_as_empty(getattr(obj, field.name))
        if labels is not None:
            try:
                return labels.get(value, missing), classes
            except TypeError:
                pass
        if text and type(value) is str:
            return (missing if value in empties else escape(value)), classes
        return shown(value), classes

    return cell


def choice_labels(field: Any) -> dict[Any, str] | None:
    """The field's escaped choice labels by value, or None without choices or
    with unhashable ones (then ``display_for_field`` shows each value)."""
    choices = getattr(field, "flatchoices", None)
    if not choices:
        return None
    try:
        return {
            value: conditional_escape(label) for value, label in dict(choices).items()
        }
    except TypeError:
        return None


def value_cell(
    get: Callable[[Any], Any], attr: Any, model_admin: Any, classes: str
) -> Cell:
    """A callable's, a ModelAdmin method's or an automatic field's cell, as
    ``display_for_value`` shows it."""
    empty = getattr(attr, "empty_value_display", model_admin.get_empty_value_display())
    boolean = getattr(attr, "boolean", False)
    shown = once_per_value(lambda v: display_for_value(v, empty, boolean))

    def cell(obj: Any) -> tuple[str, str]:
        value = blank_as_empty(get(obj))
        nowrap = isinstance(value, datetime.date | datetime.time)
        return shown(value), f"{classes} nowrap" if nowrap else classes

    return cell


def attribute_cell(name: str, model_admin: Any, classes: str) -> Cell:
    """A model attribute's cell: ``lookup_field`` per object, its attribute
    may differ from one to the next."""

    def cell(obj: Any) -> tuple[str, str]:
        _, attr, value = lookup_field(name, obj, model_admin)
        empty = getattr(
            attr, "empty_value_display", model_admin.get_empty_value_display()
        )
        boolean = getattr(attr, "boolean", False)
        if isinstance(attr, property) and hasattr(attr, "fget"):
            boolean = getattr(attr.fget, "boolean", False)
        value = blank_as_empty(value)
        text = conditional_escape(display_for_value(value, empty, boolean))
        nowrap = isinstance(value, datetime.date | datetime.time)
        return text, f"{classes} nowrap" if nowrap else classes

    return cell


def checkbox_cell(model_admin: Any, classes: str) -> Cell:
    """ModelAdmin.action_checkbox drawn once, for a stand-in whose pk and name
    are marks, then each object's pk and name put in their place."""
    drawn = model_admin.action_checkbox(StandIn())
    head, _, rest = drawn.partition(PK_MARK)
    middle, _, tail = rest.partition(NAME_MARK)
    if drawn != f"{head}{PK_MARK}{middle}{NAME_MARK}{tail}" or PK_MARK in tail:
        return lambda obj: (model_admin.action_checkbox(obj), classes)

    def cell(obj: Any) -> tuple[str, str]:
        return f"{head}{escape(obj.pk)}{middle}{escape(obj)}{tail}", classes

    return cell


class StandIn:
    """An object whose pk and name are the marks."""

    pk = PK_MARK

    def __str__(self) -> str:
        return NAME_MARK


def blank_as_empty(value: Any) -> Any:
    """``items_for_result`` shows a blank string as an empty one."""
    return "" if isinstance(value, str) and value.strip() == "" else value


def once_per_value(show: Callable[[Any], Any]) -> Callable[[Any], str]:
    """``show``, escaped, worked out once per distinct plain value."""
    seen: dict[tuple[type, Any], str] = {}

    def shown(value: Any) -> str:
        if type(value) not in PLAIN:
            return conditional_escape(show(value))
        key = (type(value), value)
        if key not in seen:
            seen[key] = conditional_escape(show(value))
        return seen[key]

    return shown
