"""Menu entries of the grid app (portal.menu skips an entry whose URL does not exist yet)."""

from django.utils.translation import gettext_lazy as _

from portal import roles as r
from portal.menu import MenuItem, register

MAP_ROLES = (r.GRID_MEMBER, r.GRID_HEAD, r.SUPERVISOR, r.DISPATCHER, r.REGISTER_ADMIN)

ITEMS = [
    MenuItem(
        "grid-map",
        _("网格地图"),
        "grid:map",
        MAP_ROLES,
        _("村（社区）、网格、微网格与专属网格"),
        60,
    ),
    MenuItem(
        "grid-patrol",
        _("巡查"),
        "grid:patrol-home",
        (r.GRID_MEMBER, r.GRID_HEAD),
        _("开始巡查、记录发现、上传照片"),
        61,
    ),
    MenuItem(
        "grid-people",
        _("网格人员"),
        "grid:people",
        (r.GRID_HEAD, r.SUPERVISOR, r.REGISTER_ADMIN, r.DISPATCHER),
        _("网格长、网格员、指导员、联络员及其任职记录"),
        62,
    ),
    MenuItem(
        "grid-compliance",
        _("巡查考核"),
        "grid:compliance",
        (r.GRID_HEAD, r.SUPERVISOR),
        _("每周巡查次数与每月走访户数是否达标"),
        63,
    ),
]


def register_all() -> None:
    for item in ITEMS:
        register(item)
