"""Each language is named in itself everywhere (Nederlands, English, Română): in the language switch, the
Team page's language of a new user, a member's language, the report's and the period introduction's."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import reverse

from nextsteps.accounts.models import User

pytestmark = pytest.mark.django_db

NAMES = ["Nederlands", "English", "Română"]


def options(html: str, name: str) -> list[str]:
    select = re.search(rf'<select name="{name}"[^>]*>(.*?)</select>', html, re.S) or re.search(
        rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', html, re.S
    )
    assert select, name
    return [label.strip() for label in re.findall(r"<option[^>]*>([^<]*)</option>", select.group(1)) if label]


def test_the_language_switch_names_each_language_in_itself(login: Callable[[str], Client]) -> None:
    html = login("caseworker.sa").get(reverse("home")).content.decode()  # a Romanian page
    assert options(html, "language") == NAMES


def test_a_new_users_language_on_the_team_page_is_named_in_itself(login: Callable[[str], Client]) -> None:
    html = login("admin").get(reverse("team:user-add", args=["next-steps-nl"])).content.decode()  # English
    assert options(html, "language") == NAMES
    assert "Dutch" not in options(html, "language")


def test_a_members_language_is_named_in_itself(login: Callable[[str], Client]) -> None:
    member = User.objects.get(username="viewer")  # reads Dutch
    html = login("admin").get(reverse("team:member", args=["next-steps-nl", member.pk])).content.decode()
    assert "<dd>Nederlands</dd>" in html
    assert [label for _code, label in User._meta.get_field("language").choices or []] == NAMES


def test_the_report_and_the_period_introduction_name_their_languages_in_themselves(
    login: Callable[[str], Client],
) -> None:
    client = login("coordinator")  # a Dutch page
    assert options(client.get(reverse("reports")).content.decode(), "lang") == NAMES
    html = client.get(reverse("programmes:narrative-create", args=["next-steps"])).content.decode()
    assert [label for label in options(html, "language") if label != "---------"] == NAMES
