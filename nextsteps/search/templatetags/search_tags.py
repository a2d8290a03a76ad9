from typing import Any

from django import template

from nextsteps.search.views import searchable_kinds

register = template.Library()


@register.filter
def may_search(user: Any) -> bool:
    """Whether the header offers the search box: to who may read persons, households or cases."""
    return bool(getattr(user, "is_authenticated", False) and searchable_kinds(user))
