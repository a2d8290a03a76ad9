"""Asks the access module, for the identification section of a case page, whether its reader may edit it."""

from __future__ import annotations

from typing import Any

from django import template

from nextsteps.accounts import access

register = template.Library()


@register.simple_tag(takes_context=True)
def may_change_identification(context: dict[str, Any], case: Any) -> bool:
    request = context.get("request")
    user = getattr(request, "user", None)
    return user is not None and access.can(user, "case", access.CHANGE, case.organisation_id)
