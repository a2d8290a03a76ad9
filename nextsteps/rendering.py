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

import datetime as dt
import functools
import html as html_module
from collections.abc import Callable
from typing import Any

from django import forms
from django.forms.models import ModelChoiceIterator
from django.forms.renderers import DjangoTemplates
from django.template.defaultfilters import capfirst
from django.utils import timezone
from django.utils.formats import localize
from django.utils.html import conditional_escape
from django.utils.safestring import SafeData, SafeString, mark_safe
from django.utils.timezone import get_current_timezone_name
from django.utils.translation import get_language, gettext


def text(value: Any) -> str:
    """`{{ value }}` in an autoescaped template: localised, then escaped unless already safe."""
    if type(value) is str:
        # What Django's escape does to a plain text, without its checks for lazy and safe texts.
        return html_module.escape(value)
    if type(value) is int or isinstance(value, dt.date):
        # Django takes 10–30 µs to write a count (its thousands separator), a day or a moment (the format
        # parsed, the month translated); a list of 25 cases shows 50 days, and the same values recur all day.
        return _localized(value.__class__.__name__, value, get_language(), get_current_timezone_name())
    value = localize(timezone.template_localtime(value))  # type: ignore[attr-defined]  # not in the stubs
    if not isinstance(value, str):
        value = str(value)
    return str(conditional_escape(value))


@functools.lru_cache(maxsize=4096)
def _localized(_kind: str, value: int | dt.date, _language: str | None, _zone: str) -> str:
    """A count, date or datetime as the current language and time zone write it. The kind is part of the
    key: a date and a datetime of the same day are not equal, but one could be an instance of a subclass."""
    local = timezone.template_localtime(value)  # type: ignore[attr-defined]  # not in the stubs
    return str(conditional_escape(localize(local)))


def shown(value: Any) -> str:
    """`{{ value|default_if_none:"–" }}`: what a list's cell shows, a missing value as a dash."""
    return "–" if value is None else text(value)


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


class ChoiceIterator(ModelChoiceIterator):
    """The options of a drop-down of records (every ModelChoiceField: nextsteps/accounts/apps.py), read with
    one ordinary statement. Django's own reads them through queryset.iterator(), to spare memory on long
    lists; on PostgreSQL that is a server-side cursor, four statements (DECLARE … WITH HOLD, two FETCH,
    CLOSE) for the ten site types of a list's filter, on every request. Our drop-downs list set-up (types,
    organisations, team members); records that can number thousands are typed into a picker instead
    (nextsteps/widgets.py). The rows read stay on the field's queryset, so a form rendered again after
    validation reads them once."""

    def __iter__(self) -> Any:
        if self.field.empty_label is not None:
            yield ("", self.field.empty_label)
        for obj in self.queryset:
            yield self.choice(obj)

    def __len__(self) -> int:
        # The rows themselves rather than Django's COUNT: they are read next anyway.
        return len(self.queryset) + (1 if self.field.empty_label is not None else 0)


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
