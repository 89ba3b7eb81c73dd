from django import template

from portal.clock import ClockStatus

register = template.Library()


@register.filter
def clock_label(value) -> str:
    """The label of a clock status computed in SQL (an annotation, not a model field)."""
    try:
        return str(ClockStatus(value).label)
    except ValueError:
        return ""
