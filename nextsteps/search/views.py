"""The pickers' endpoint (a fragment of options for a form's type-ahead field) and the staff's search page."""

from __future__ import annotations

import re
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from nextsteps.accounts import access
from nextsteps.search.matching import KINDS, LIMIT, picker_queryset, search

# What a picker may call its listbox: the id the form's field gave it (letters, digits, - and _).
_FIELD_ID = re.compile(r"^[A-Za-z][\w-]{0,80}$")


def _ids(values: list[str]) -> list[int]:
    """Organisation or programme keys as the picker sends them; anything else narrows to nothing."""
    try:
        return [int(v) for v in values]
    except ValueError:
        return [0]


def searchable_kinds(user: Any) -> list[str]:
    """The kinds the user may find: persons, households and cases they may read."""
    return [kind for kind in KINDS.values() if access.can(user, kind, access.VIEW)]


@login_required
def pick(request: HttpRequest, kind: str) -> HttpResponse:
    """Options for a picker: records of the user's own organisations (narrowed to the organisations and
    programme the form asks for) whose code starts with, or whose whole name is, what was typed."""
    access.require(kind in KINDS and access.can(request.user, KINDS[kind], access.VIEW))
    record_kind = KINDS[kind]
    organisations = _ids(request.GET.getlist("org"))
    programmes = _ids(request.GET.getlist("programme"))
    queryset = picker_queryset(request.user, record_kind, organisations=organisations)
    if programmes and record_kind == "case":
        queryset = queryset.filter(programme__in=programmes)
    # The picker's text input sends its text under the form field's name (`case__code`); `q` also works.
    names = [name for name in request.GET if name == "q" or name.endswith("__code")]
    text = (request.GET.get(names[0]) or "" if names else "")[:200]
    hits = search(request.user, record_kind, text, queryset)
    field = request.GET.get("field", "")
    # A fragment of the page, not a page: rendered without the context processors, whose menu (and its
    # count of waiting referrals) cost each keystroke about a millisecond for nothing.
    options = {"hits": hits, "typed": text.strip(), "field": field if _FIELD_ID.match(field) else "picker"}
    return HttpResponse(render_to_string("search/options.html", options))


@login_required
def results(request: HttpRequest) -> HttpResponse:
    """The search box of the header: persons, households and cases the user may see, by code or name."""
    kinds = searchable_kinds(request.user)
    access.require(bool(kinds))
    text = request.GET.get("q", "")[:200].strip()
    sections = []
    for kind in kinds:
        hits = search(request.user, kind, text, access.scoped(request.user, kind))
        sections.append(
            {
                "title": _("Persons")
                if kind == "person"
                else _("Households")
                if kind == "household"
                else _("Cases"),
                "hits": [(hit, reverse(f"records:{kind}-detail", args=[hit.pk])) for hit in hits],
                "more": len(hits) >= LIMIT,
            }
        )
    return render(request, "search/results.html", {"typed": text, "sections": sections, "limit": LIMIT})
