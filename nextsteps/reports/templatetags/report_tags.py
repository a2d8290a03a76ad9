from decimal import Decimal

from django import template

from nextsteps.reports.builder import fmt_number

register = template.Library()


@register.filter
def num(value: int | Decimal | None) -> str:
    """A figure in the active language's notation; a dash when there is none.

    Not for a report's figures: those come from its Figures (line.actual_text, …), which decide what an
    audience may see.
    """
    return fmt_number(value)
