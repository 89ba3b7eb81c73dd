"""Small filters of the centre's pages: ages, step times, lateness, clock labels."""

from django import template
from django.utils.translation import gettext as _

from portal.clock import ClockStatus

register = template.Library()


@register.filter
def age(minutes) -> str:
    """Minutes as "刚刚", "12分钟", "3小时5分", "2天3小时"."""
    if minutes in (None, ""):
        return "—"
    minutes = int(minutes)
    if minutes < 1:
        return _("刚刚")
    if minutes < 60:
        return _("%(m)s分钟") % {"m": minutes}
    hours, rest = divmod(minutes, 60)
    if hours < 24:
        return _("%(h)s小时%(m)s分") % {"h": hours, "m": rest}
    days, hours = divmod(hours, 24)
    return _("%(d)s天%(h)s小时") % {"d": days, "h": hours}


@register.filter
def mmss(seconds) -> str:
    """Seconds from the call as m:ss (a step's time)."""
    if seconds in (None, ""):
        return "—"
    seconds = int(seconds)
    return f"{seconds // 60}:{seconds % 60:02d}"


@register.filter
def clock_label(status) -> str:
    return str(ClockStatus(status).label) if status in ClockStatus.values else ""


@register.filter
def step_status_label(status) -> str:
    labels = {
        "on_time": _("按时"),
        "late": _("超时"),
        "missed": _("超时未完成"),
        "running": _("计时中"),
        "none": "—",
    }
    return str(labels.get(status, status))


@register.filter
def get(mapping, key):
    if mapping is None:
        return None
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def upto(items, limit):
    """The first LIMIT items (the wall's rows per panel); all of them when there is no limit."""
    if isinstance(limit, int) and not isinstance(limit, bool) and items is not None:
        return list(items)[:limit]
    return items


@register.filter
def beyond(items, limit) -> int:
    """How many items upto:LIMIT left out (the wall's "+N more")."""
    if isinstance(limit, int) and not isinstance(limit, bool) and items is not None:
        return max(len(items) - limit, 0)
    return 0
