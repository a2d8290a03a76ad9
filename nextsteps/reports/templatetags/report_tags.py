from decimal import Decimal

from django import template

from nextsteps.reports.builder import fmt_number

register = template.Library()


@register.filter
def num(value: int | Decimal | None) -> str:
    """A figure in the active language's notation; a dash when there is none."""
    return fmt_number(value)
