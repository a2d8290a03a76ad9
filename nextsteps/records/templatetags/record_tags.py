from typing import Any

from django import template

from nextsteps.records.views import record_url as _record_url

register = template.Library()


@register.simple_tag
def record_url(kind: str, action: str, pk: Any = None) -> str:
    return _record_url(kind, action, pk)
