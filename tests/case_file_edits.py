"""Shared by the tests of the case file's edit pages: a second caseworker of IJM Romania, the version an
edit form carries, a page's text as a reader sees it, and the audit of an item's changes."""

from __future__ import annotations

import html
import re
from typing import Any

from django.db.models import Model

from nextsteps.accounts.models import Membership, User
from nextsteps.audit.models import AuditEntry
from nextsteps.programmes.models import Organisation


def second_caseworker() -> User:
    """Ana, a caseworker of IJM Romania beside the demo's caseworker.ijm."""
    user = User.objects.create_user("ana.ijm", first_name="Ana", last_name="Pop", language="en")
    Membership.objects.create(
        user=user, organisation=Organisation.objects.get(slug="ijm-ro"), role="caseworker"
    )
    return user


def shown_version(page: str) -> str:
    found = re.search(r'name="version" value="(\d+)"', page)
    assert found, "the edit form carries the version it was opened at"
    return found.group(1)


def text_of(response: Any) -> str:
    return html.unescape(response.content.decode())


def changes_of(item: Model) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(model=item._meta.label, object_pk=str(item.pk), action="change").order_by(
            "pk"
        )
    )


def refusal(item: Any, expected: int, language: str = "ro") -> str:
    """The message a page shows, in the editor's language, for an edit of `item` from version `expected`."""
    from django.utils import translation

    from nextsteps.records import versions

    with translation.override(language):
        return versions.stale_edit(type(item)._default_manager.get(pk=item.pk), expected).page_message()
