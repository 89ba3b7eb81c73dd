from django.conf import settings

from portal.home import localized
from portal.menu import menu_for
from portal.notifications import unread_count


def shell(request):
    user = getattr(request, "user", None)
    return {
        "town_name": localized("TOWN_NAME"),
        "hall_phone": settings.ONEWINDOW.get("HALL_PHONE", ""),
        "menu": menu_for(user) if user is not None else [],
        "unread_notifications": unread_count(user) if user is not None else 0,
    }
