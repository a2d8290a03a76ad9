"""Forms (templates/form_fields.html and the form_field tag): an error summary at the top that links to each
field with an error, required fields marked, inputs as wide as their values, and sections on long forms."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from nextsteps.records import models as m
from tests.referrals import sent_referral

pytestmark = pytest.mark.django_db

SUMMARY = re.compile(r"<div class=\"error-summary\".*?</div>", re.S)


def summary_of(html: str) -> str:
    match = SUMMARY.search(html)
    assert match, "the page has no error summary"
    return match.group(0)


def test_a_refused_form_opens_with_a_summary_linking_to_each_field_with_an_error(
    login: Callable[[str], Client],
) -> None:
    before = m.Person.objects.count()
    response = login("caseworker.ijm").post(
        reverse("records:person-create"), {"code": "", "sex": "female", "nationality": "XX"}
    )
    assert response.status_code == 200 and m.Person.objects.count() == before
    html = response.content.decode()
    summary = summary_of(html)
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary and "data-error-summary" in summary
    with translation.override("ro"):  # caseworker.ijm reads Romanian
        assert f"<h2>{translation.gettext('There is a problem')}</h2>" in summary
    # The summary comes before the form's first field.
    assert html.index("error-summary") < html.index('name="code"')
    assert '<a href="#id_code">' in summary and '<a href="#id_nationality">' in summary
    assert 'id="id_code"' in html and 'id="id_nationality"' in html


def test_a_form_without_errors_has_no_summary(login: Callable[[str], Client]) -> None:
    html = login("caseworker.ijm").get(reverse("records:person-create")).content.decode()
    assert "error-summary" not in html


def test_the_forms_own_errors_are_in_the_summary(login: Callable[[str], Client]) -> None:
    referral = sent_referral()
    coordinator = login("coordinator")
    coordinator.post(reverse("referrals:withdraw", args=[referral.pk]))
    # Withdrawing twice is refused by the form as a whole, not by one of its fields.
    response = coordinator.post(reverse("referrals:withdraw", args=[referral.pk]))
    assert response.status_code == 200
    summary = summary_of(response.content.decode())
    assert "<li><a href" not in summary and re.search(r"<li>[^<]+</li>", summary)


def test_required_fields_are_marked_in_their_label_and_on_the_input(login: Callable[[str], Client]) -> None:
    html = login("caseworker.ijm").get(reverse("records:person-create")).content.decode()
    with translation.override("ro"):
        marker = f'<span class="required">{translation.gettext("(required)")}</span>'
    code_label = re.search(r'<label for="id_code">.*?</label>', html, re.S)
    phone_label = re.search(r'<label for="id_phone">.*?</label>', html, re.S)
    assert code_label and marker in code_label.group(0)
    assert phone_label and marker not in phone_label.group(0)
    assert re.search(r'<input[^>]*name="code"[^>]*required', html)


def test_inputs_are_as_wide_as_their_values(login: Callable[[str], Client]) -> None:
    html = login("caseworker.ijm").get(reverse("records:person-create")).content.decode()

    def wrapper(name: str) -> str:
        match = re.search(rf'<div class="field ([^"]*)">\s*<label for="id_{name}">', html)
        assert match, name
        return match.group(1).strip()

    assert wrapper("nationality") == "width-code"
    assert wrapper("birth_date") == "width-narrow"
    assert wrapper("birth_year") == "width-narrow"
    assert wrapper("sex") == "width-medium"


def test_a_long_form_is_laid_out_in_sections_with_legends(login: Callable[[str], Client]) -> None:
    html = login("caseworker.ijm").get(reverse("records:person-create")).content.decode()
    with translation.override("ro"):
        person, contact = translation.gettext("Person"), translation.gettext("Name and contact details")
    legends = re.findall(r'<fieldset class="section"><legend>([^<]+)</legend>', html)
    assert legends == [person, contact]
    # Each field in its own section: the name after the person's code and sex.
    assert html.index(f"<legend>{contact}</legend>") < html.index('name="given_name"')
    assert html.index('name="sex"') < html.index(f"<legend>{contact}</legend>")
