"""How form_fields.html lays a form out: sections, fields, their widths and the error summary.

A form names its sections as data (`sections = [(_("Person"), ("code", "sex", ...)), ...]`), not as HTML of
its own page; the fields it does not name follow in a last section without a legend.
"""

from __future__ import annotations

from typing import Any

from django import forms, template
from django.utils.safestring import SafeString
from django.utils.text import capfirst

from nextsteps.rendering import field_html

register = template.Library()

# Widgets whose values are short whatever the field: dates, numbers, and (below) short texts and codes.
NARROW_WIDGETS = (forms.DateInput, forms.DateTimeInput, forms.TimeInput, forms.NumberInput)


@register.filter
def field_width(bound: forms.BoundField) -> str:
    """A CSS class for an input as wide as the values it takes: a two-letter code or a date is not a note."""
    widget, field = bound.field.widget, bound.field
    if isinstance(widget, forms.Textarea):
        return "width-wide"
    if isinstance(widget, NARROW_WIDGETS):
        return "width-narrow"
    max_length = getattr(field, "max_length", None)
    if isinstance(widget, forms.TextInput) and max_length is not None:
        if max_length <= 3:
            return "width-code"
        if max_length <= 40:
            return "width-short"
    if isinstance(widget, forms.Select) and not isinstance(widget, forms.SelectMultiple):
        return "width-medium"
    return ""


@register.simple_tag
def form_field(bound: forms.BoundField) -> SafeString:
    """One field: its label (with "(required)"), input, help text and errors, written in Python
    (nextsteps/rendering.py) because a template per field cost every list page about a millisecond."""
    return field_html(bound, field_width(bound))


@register.filter
def sections(form: forms.BaseForm) -> list[tuple[Any, list[forms.BoundField]]]:
    """The form's visible fields in its sections, in the order the sections name them; a form without
    sections is one section without a legend."""
    visible = form.visible_fields()
    named = getattr(form, "sections", None)
    if not named:
        return [(None, visible)]
    by_name = {bound.name: bound for bound in visible}
    placed: set[str] = set()
    laid_out: list[tuple[Any, list[forms.BoundField]]] = []
    for legend, names in named:
        fields = [by_name[name] for name in names if name in by_name]
        placed.update(bound.name for bound in fields)
        if fields:
            laid_out.append((legend, fields))
    rest = [bound for bound in visible if bound.name not in placed]
    if rest:
        laid_out.append((None, rest))
    return laid_out


@register.filter
def error_items(form: forms.BaseForm) -> list[tuple[str, str, Any]]:
    """The form's errors for its summary, each as (the id of the field's input or "", the field's label or
    "", the message): the form's own errors first, then each field's in the form's order. A message stays
    as it is (one may hold a safe link, to a possible duplicate say)."""
    items: list[tuple[str, str, Any]] = [("", "", error) for error in form.non_field_errors()]
    for bound in form:
        shown = not bound.is_hidden
        label = str(bound.label or "") if shown else ""
        # A group of checkboxes or radio buttons has no one input: the link goes to its first.
        target = (bound.id_for_label or f"{bound.auto_id}_0") if shown and bound.auto_id else ""
        for error in bound.errors:
            items.append((target, capfirst(label), error))
    return items
