"""The home page is made of panels: the core shows the hall and its notices, each app registers
its own (in AppConfig.ready), so the core never imports a domain app."""

from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.urls import NoReverseMatch, reverse
from django.utils.translation import get_language


@dataclass(frozen=True)
class HomePanel:
    key: str
    template: str
    # request -> the panel's context, or None to leave the panel out for this visitor
    context: Callable
    order: int = 100


_panels: dict[str, HomePanel] = {}


def register(panel: HomePanel) -> None:
    _panels[panel.key] = panel


def panels_for(request) -> list[dict]:
    result = []
    for panel in sorted(_panels.values(), key=lambda p: (p.order, p.key)):
        context = panel.context(request)
        if context is not None:
            result.append({"key": panel.key, "template": panel.template, "context": context})
    return result


def is_public_visitor(user) -> bool:
    """Someone who comes to get things done: not signed in, or a citizen or proxy agent
    without a staff profile. Staff get their work, not the service finder."""
    if not getattr(user, "is_authenticated", False):
        return True
    return not getattr(user, "is_staff_member", False) and not user.is_superuser


def localized(key: str) -> str:
    """A setting of ONEWINDOW with an optional English twin (KEY_EN) for English pages."""
    values = settings.ONEWINDOW
    if (get_language() or "").startswith("en") and values.get(f"{key}_EN"):
        return values[f"{key}_EN"]
    return values.get(key, "")


def hall_context(request):
    if not is_public_visitor(request.user):
        return None
    try:
        appointments_url = reverse("approvals:appointments")
    except NoReverseMatch:
        appointments_url = ""
    return {
        "appointments_url": appointments_url,
        "address": localized("HALL_ADDRESS"),
        "hours": localized("HALL_HOURS"),
        "phone": settings.ONEWINDOW.get("HALL_PHONE", ""),
        "complaint_phone": settings.ONEWINDOW.get("COMPLAINT_PHONE", ""),
    }


def announcements_context(request):
    from portal.models import Announcement

    if not is_public_visitor(request.user):
        return None
    english = (get_language() or "").startswith("en")
    items = [
        {
            "title": (a.title_en if english and a.title_en else a.title),
            "body": (a.body_en if english and a.body_en else a.body),
            "published_on": a.published_on,
            "pinned": a.pinned,
        }
        for a in Announcement.objects.current()[:4]
    ]
    return {"items": items} if items else None


register(HomePanel("hall", "portal/home/_hall.html", hall_context, order=60))
register(HomePanel("announcements", "portal/home/_announcements.html", announcements_context, 70))
