"""The sections other apps add to the case page: identification, attachments, referrals.

The case page shows, after its own sections, each section listed here whose app is installed. An app
fills its entry with a template (a whole `<section>` with its heading, rendered with `case`, the request and
whatever its context function returns) and a function `context(case, user) -> dict`, named by its dotted
path so that this module imports nothing of those apps. The function decides what the user may see there;
it may return None to leave the section out for this user. An app that is absent simply has no section.
A context may also hold "timeline": dated items ({"date", "text", "url"}) that the case's timeline shows
among its own (the referrals' steps, on the sending and on the receiving organisation's case).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.http import HttpRequest
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class CaseSection:
    key: str
    app: str  # the installed app's name, e.g. "nextsteps.identification"
    title: str | Promise
    template: str
    context: str  # dotted path of a function (case, user) -> dict | None


CASE_SECTIONS: dict[str, CaseSection] = {
    s.key: s
    for s in [
        CaseSection(
            "identification",
            "nextsteps.identification",
            _("Identification"),
            "identification/_case_section.html",
            "nextsteps.identification.sections.case_context",
        ),
        CaseSection(
            "attachments",
            "nextsteps.attachments",
            _("Attachments"),
            "attachments/_case_section.html",
            "nextsteps.attachments.sections.case_context",
        ),
        CaseSection(
            "referrals",
            "nextsteps.referrals",
            _("Referrals"),
            "referrals/_case_section.html",
            "nextsteps.referrals.sections.case_context",
        ),
    ]
}


def sections_for(case: Any, request: HttpRequest) -> list[dict[str, Any]]:
    """The extension sections to show on this case's page, each rendered for the request's user."""
    shown = []
    for section in CASE_SECTIONS.values():
        if not apps.is_installed(section.app):
            continue
        try:
            template = get_template(section.template)
            context_of = import_string(section.context)
        except (TemplateDoesNotExist, ImportError):
            continue
        context = context_of(case, request.user)
        if context is None:
            continue
        # The timeline items are the case page's, not the section template's.
        timeline = context.pop("timeline", [])
        shown.append(
            {
                "section": section,
                "html": template.render({**context, "case": case}, request),
                "timeline": timeline,
            }
        )
    return shown
