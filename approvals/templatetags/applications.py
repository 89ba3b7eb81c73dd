"""Template helpers shared by every page that shows an application."""

from django import template
from django.utils import timezone

from approvals.selectors.applications import clock_for

register = template.Library()


@register.inclusion_tag("approvals/_clock.html")
def clock(application, today=None):
    """The clock, shown the same way everywhere: colour, working days left, paused."""
    return {
        "clock": clock_for(application, today or timezone.localdate()),
        "application": application,
    }


@register.inclusion_tag("approvals/_clock_status.html")
def clock_badge(status, due_date=None):
    """For list rows that carry the SQL-annotated ``clock_status`` (no per-row query)."""
    return {"status": status, "due_date": due_date}
