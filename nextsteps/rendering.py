"""Form fields and their widgets written out in Python, byte for byte as Django's templates write them.

Why: every list page carries a filter form, and Django renders each widget through three to fifteen small
templates (an input, its attributes, each option of a drop-down). At a million persons that was a fifth of
the CPU of My cases and of the visits list, and 20 clients on 2 cores leave about 15 ms a request
(docs/performance.md, "fourth stop"). The HTML is unchanged: tests/test_form_rendering.py compares this
output with Django's own templates, widget by widget and page by page.

Only Django's plain widget templates are written here. Any other template (the picker, radio buttons and
groups of checkboxes, a widget of a library) goes to Django's template renderer as before.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import capfirst
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import template_localtime  # type: ignore[attr-defined]  # not in the stubs
from django.utils.translation import gettext


def text(value: Any) -> str:
    """`{{ value }}` in an autoescaped template: localised, then escaped unless already safe."""
    value = localize(template_localtime(value))
    if not isinstance(value, str):
        value = str(value)
    return str(conditional_escape(value))


def formatted(value: Any) -> str:
    """`{{ value|stringformat:'s' }}`: the value's text, escaped unless it was safe."""
    shown = str(value)  # what "%s" % value gives, a tuple included
    return str(conditional_escape(mark_safe(shown) if isinstance(value, SafeData) else shown))


def attributes(attrs: dict[str, Any]) -> str:
    """django/forms/widgets/attrs.html: False leaves an attribute out, True writes its name alone."""
    parts = []
    for name, value in attrs.items():
        if value is False:
            continue
        parts.append(f" {text(name)}" if value is True else f' {text(name)}="{formatted(value)}"')
    return "".join(parts)


def input_tag(widget: dict[str, Any]) -> str:
    """django/forms/widgets/input.html and the templates that only include it (text.html, date.html…)."""
    value = widget.get("value")
    shown = f' value="{formatted(value)}"' if value != None else ""  # noqa: E711 (the template's test)
    return f'<input type="{text(widget.get("type"))}" name="{text(widget["name"])}"{shown}{attributes(widget["attrs"])}>'


def option_tag(option: dict[str, Any]) -> str:
    """django/forms/widgets/select_option.html."""
    return (
        f'<option value="{formatted(option["value"])}"{attributes(option["attrs"])}>'
        f"{text(option['label'])}</option>"
    )


def select_tag(widget: dict[str, Any]) -> str | None:
    """django/forms/widgets/select.html, or None when an option has a template of its own."""
    html = [f'<select name="{text(widget["name"])}"{attributes(widget["attrs"])}>']
    for group_name, group_choices, _index in widget["optgroups"]:
        if group_name:
            html.append(f'\n  <optgroup label="{text(group_name)}">')
        for option in group_choices:
            if option["template_name"] != OPTION:
                return None
            # The option's own template ends in a newline, which the include keeps.
            html.append(f"\n  {option_tag(option)}\n")
        if group_name:
            html.append("\n  </optgroup>")
    html.append("\n</select>")
    return "".join(html)


def textarea_tag(widget: dict[str, Any]) -> str:
    """django/forms/widgets/textarea.html."""
    value = widget.get("value")
    return (
        f'<textarea name="{text(widget["name"])}"{attributes(widget["attrs"])}>\n'
        f"{text(value) if value else ''}</textarea>"
    )


WIDGETS = "django/forms/widgets/"
OPTION = WIDGETS + "select_option.html"
INPUTS = ["input", "checkbox", "color", "date", "datetime", "email", "file", "hidden", "number", "password"]
INPUTS += ["search", "tel", "text", "time", "url"]
WRITTEN: dict[str, Callable[[dict[str, Any]], str | None]] = {
    **{f"{WIDGETS}{name}.html": input_tag for name in INPUTS},
    WIDGETS + "select.html": select_tag,
    OPTION: option_tag,
    WIDGETS + "textarea.html": textarea_tag,
}


class FormRenderer(DjangoTemplates):
    """Django's template renderer (settings.FORM_RENDERER), with the plain widgets written in Python."""

    def render(self, template_name: str, context: dict[str, Any], request: Any = None) -> str:
        write = WRITTEN.get(template_name)
        if write is not None:
            html = write(context["widget"])
            if html is not None:
                return html
        return str(super().render(template_name, context, request))


# A form's field: label, input, help text and errors (form_fields.html, indicators/rule.html) -----------


def field_html(bound: forms.BoundField, width: str) -> SafeString:
    """One field laid out for our forms. `width` is the field's CSS class (form_layout.field_width)."""
    widget = bound.field.widget
    input_type = getattr(widget, "input_type", None)
    multiple = getattr(widget, "allow_multiple_selected", False)
    required = f' <span class="required">{text(gettext("(required)"))}</span>' if bound.field.required else ""
    label = text(capfirst(str(bound.label)))
    errors = bound.errors
    html = [f'<div class="field {text(width)}{" has-error" if errors else ""}">\n  ']
    if input_type == "checkbox" and not multiple:
        html.append(f'<label class="check">{text(bound)} <span>{label}{required}</span></label>')
    elif input_type == "radio" or (multiple and input_type == "checkbox"):
        html.append(f"<fieldset><legend>{label}{required}</legend>{text(bound)}</fieldset>")
    else:
        html.append(f'<label for="{text(bound.id_for_label)}">{label}{required}</label>{text(bound)}')
    if bound.help_text:
        html.append(f'\n  <small id="{text(bound.auto_id)}_helptext">{text(bound.help_text)}</small>')
    if errors:
        html.append(f'\n  <div class="errors" id="{text(bound.auto_id)}_errors">{text(errors)}</div>')
    html.append("\n</div>\n")
    return mark_safe("".join(html))
