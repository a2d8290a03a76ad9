"""For attachments/_case_section.html, so that a page including it needs to pass only `case` and
`attachments`: whether the signed-in user may upload and delete, and an empty upload form."""

from __future__ import annotations

from typing import Any

from django import template

from nextsteps.accounts import access
from nextsteps.attachments import rules
from nextsteps.attachments.forms import UploadForm

register = template.Library()


@register.simple_tag(takes_context=True)
def attachment_upload_form(context: Any, case: Any) -> UploadForm | None:
    """The form the page passed (with its errors), a new one, or None for who may not change the case."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not access.can(user, "case", access.CHANGE, case.organisation_id):
        return None
    form = context.get("upload_form")
    return form if isinstance(form, UploadForm) else UploadForm(limit_mb=rules.max_size() // (1024 * 1024))
