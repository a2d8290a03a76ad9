"""Form fields written in Python (nextsteps/rendering.py, the `form_field` tag): the same HTML as Django's
widget templates and as the field template they replace, at a fraction of the CPU."""

from __future__ import annotations

import datetime
import re
from collections.abc import Callable
from typing import Any

import pytest
from django import forms
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy

from nextsteps.accounts.templatetags.form_layout import form_field
from nextsteps.records.kinds import KINDS
from nextsteps.rendering import WRITTEN, FormRenderer
from nextsteps.widgets import DateInput

TEMPLATES = DjangoTemplates()
WRITTEN_OUT = FormRenderer()

NASTY = "<b>\"Ana\" & 'Ion'</b>"
CHOICES = [
    ("", "---------"),
    (1, NASTY),
    ("2", gettext_lazy("high")),
    (3, 12345),
    ("Group", [("g1", "in a group"), ("g2", mark_safe("<i>safe</i>"))]),
    ("", [("e1", "a group without a name")]),
]

WIDGETS: list[tuple[str, forms.Widget, Any]] = [
    ("text", forms.TextInput(attrs={"placeholder": NASTY, "required": True, "disabled": False}), NASTY),
    ("text without value", forms.TextInput(), None),
    ("empty text", forms.TextInput(), ""),
    ("zero", forms.NumberInput(attrs={"min": 0, "step": 0.5}), 0),
    ("decimal", forms.NumberInput(), 1234.5),
    ("safe value", forms.TextInput(), mark_safe("<i>kept</i>")),
    ("lazy attribute", forms.TextInput(attrs={"title": gettext_lazy("high")}), "x"),
    ("email", forms.EmailInput(), "a@example.org"),
    ("password", forms.PasswordInput(render_value=True), "secret&"),
    ("hidden", forms.HiddenInput(), 42),
    ("date", DateInput(), datetime.date(2021, 8, 1)),
    ("Django date", forms.DateInput(), datetime.date(2021, 8, 1)),
    ("time", forms.TimeInput(), datetime.time(9, 30)),
    ("checked", forms.CheckboxInput(), True),
    ("unchecked", forms.CheckboxInput(attrs={"class": "x"}), False),
    ("checkbox with a value", forms.CheckboxInput(), "on"),
    ("select", forms.Select(choices=CHOICES), 1),
    ("select, nothing chosen", forms.Select(choices=CHOICES), None),
    ("select in a group", forms.Select(choices=CHOICES, attrs={"aria-describedby": "x_helptext"}), "g2"),
    ("select several", forms.SelectMultiple(choices=CHOICES), ["2", "g1", 3]),
    ("yes or no", forms.NullBooleanSelect(), True),
    ("textarea", forms.Textarea(attrs={"rows": 3}), "two\n<lines> & more"),
    ("empty textarea", forms.Textarea(), ""),
    ("radio buttons (left to the templates)", forms.RadioSelect(choices=CHOICES[:3]), "2"),
    ("checkboxes (left to the templates)", forms.CheckboxSelectMultiple(choices=CHOICES[:3]), ["2"]),
]


@pytest.mark.parametrize("language", ["en", "nl", "ro"])
@pytest.mark.parametrize(("label", "widget", "value"), WIDGETS, ids=[label for label, *_ in WIDGETS])
def test_each_widget_is_written_as_djangos_template_writes_it(
    label: str, widget: forms.Widget, value: Any, language: str
) -> None:
    with translation.override(language):
        expected = widget.render("field", value, {"id": "id_field"}, renderer=TEMPLATES)
        written = widget.render("field", value, {"id": "id_field"}, renderer=WRITTEN_OUT)
    assert written == expected


def test_an_option_with_a_template_of_its_own_goes_to_the_templates() -> None:
    class Marked(forms.Select):
        option_template_name = "django/forms/widgets/input.html"  # any other template than select_option

    widget = Marked(choices=[("a", "A")])
    assert widget.render("f", "a", renderer=WRITTEN_OUT) == widget.render("f", "a", renderer=TEMPLATES)
    assert "<option" not in widget.render("f", "a", renderer=WRITTEN_OUT)


def test_every_written_template_is_one_of_djangos() -> None:
    for name in WRITTEN:
        assert TEMPLATES.get_template(name).origin.name.endswith(name)


# The field template that `form_field` replaced, kept here as the reference for its layout.
FIELD_TEMPLATE = Template(
    """{% load i18n form_layout %}
<div class="field {{ field|field_width }}{% if field.errors %} has-error{% endif %}">
  {% if field.field.widget.input_type == "checkbox" and not field.field.widget.allow_multiple_selected %}
  <label class="check">{{ field }} <span>{{ field.label|capfirst }}{% if field.field.required %} <span class="required">{% translate "(required)" %}</span>{% endif %}</span></label>
  {% elif field.field.widget.input_type == "radio" or field.field.widget.allow_multiple_selected and field.field.widget.input_type == "checkbox" %}
  <fieldset><legend>{{ field.label|capfirst }}{% if field.field.required %} <span class="required">{% translate "(required)" %}</span>{% endif %}</legend>{{ field }}</fieldset>
  {% else %}
  <label for="{{ field.id_for_label }}">{{ field.label|capfirst }}{% if field.field.required %} <span class="required">{% translate "(required)" %}</span>{% endif %}</label>{{ field }}
  {% endif %}
  {% if field.help_text %}<small id="{{ field.auto_id }}_helptext">{{ field.help_text }}</small>{% endif %}
  {% if field.errors %}<div class="errors" id="{{ field.auto_id }}_errors">{{ field.errors }}</div>{% endif %}
</div>
"""
)


def squeezed(html: str) -> str:
    return re.sub(r">\s+<", "><", html).strip()


class Everything(forms.Form):
    name = forms.CharField(label="name <of> the person", max_length=40, help_text="As on the <ID>.")
    code = forms.CharField(max_length=3, required=False)
    born = forms.DateField(widget=DateInput(), required=False)
    note = forms.CharField(widget=forms.Textarea, required=False)
    consent = forms.BooleanField(label=gettext_lazy("high"))
    risk = forms.ChoiceField(choices=CHOICES[:3], widget=forms.RadioSelect)
    needs = forms.MultipleChoiceField(choices=CHOICES[:3], widget=forms.CheckboxSelectMultiple)
    kind = forms.ChoiceField(choices=CHOICES, help_text=gettext_lazy("high"))
    several = forms.MultipleChoiceField(choices=CHOICES[:3], required=False)


@pytest.mark.parametrize("language", ["en", "nl", "ro"])
@pytest.mark.parametrize("bound", [False, True], ids=["unbound", "with errors"])
def test_a_field_is_laid_out_as_the_field_template_did(language: str, bound: bool) -> None:
    data = {"name": "<x>", "code": "toolong", "born": "1-8-2021", "kind": "nope", "several": ["1"]}
    form = Everything(data if bound else None)
    with translation.override(language):
        assert not bound or not form.is_valid()
        for field in form:
            expected = FIELD_TEMPLATE.render(Context({"field": field}))
            assert squeezed(form_field(field)) == squeezed(expected), field.name
            assert "has-error" in form_field(field) if field.errors else "has-error" not in form_field(field)


def test_a_required_field_says_so_in_the_users_language() -> None:
    field = Everything()["name"]
    with translation.override("ro"):
        html = form_field(field)
        assert f'<span class="required">{translation.gettext("(required)")}</span>' in html
    assert "(required)" not in form_field(Everything()["code"])
    assert "&lt;of&gt;" in form_field(field) and "As on the &lt;ID&gt;." in form_field(field)


# Whole pages: the HTML is the same with Django's own renderer ------------------------------------------

CSRF = re.compile(r'(name="csrfmiddlewaretoken" value="|"X-CSRFToken": ")[^"]+')


def page(client: Client, address: str) -> str:
    response = client.get(address)
    assert response.status_code == 200, address
    return CSRF.sub(r"\1…", response.content.decode())


PAGES = [
    ("caseworker.sa", reverse("casework:mine") + "?risk=high&overdue=on"),
    ("caseworker.sa", reverse("records:visit-list") + "?q=x&date_from=2021-08-01"),
    ("coordinator", "/quality/"),
    ("coordinator", "/"),
    *[("coordinator", reverse(f"records:{key}-create")) for key in KINDS],
]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "address"), PAGES, ids=[address for _persona, address in PAGES])
def test_pages_are_the_same_as_with_djangos_own_renderer(
    login: Callable[[str], Client], persona: str, address: str
) -> None:
    client = login(persona)
    written = page(client, address)
    with override_settings(FORM_RENDERER="django.forms.renderers.DjangoTemplates"):
        assert page(client, address) == written


@pytest.mark.django_db
def test_a_drop_down_of_records_reads_its_choices_once_with_one_statement() -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from nextsteps.records.models import SiteType

    field = forms.ModelChoiceField(queryset=SiteType.objects.order_by("code"))
    with CaptureQueriesContext(connection) as read:
        # Each choice in turn, as a widget reads them (list() would ask for their number first).
        first: list[Any] = [choice for choice in field.choices]  # type: ignore[union-attr]
        again: list[Any] = [choice for choice in field.choices]  # type: ignore[union-attr]
    # Django's own iterator reads them again each time, on PostgreSQL through a server-side cursor.
    assert len(read.captured_queries) == 1
    assert [value for value, _label in first[1:]] == list(
        SiteType.objects.order_by("code").values_list("pk", flat=True)
    )
    assert [str(label) for _value, label in again] == [str(label) for _value, label in first]
