"""Menu entries of the command centre."""

from django.utils.translation import gettext_lazy as _

from portal import roles as r
from portal.menu import MenuItem, register

ITEMS = [
    MenuItem(
        "centre-board",
        _("指挥中心"),
        "centre:board",
        (r.DISPATCHER, r.SUPERVISOR),
        _("实时看板、超期清单、地图、出动、值班"),
        5,
    ),
    MenuItem(
        "centre-figures",
        _("指挥中心报表"),
        "centre:figures",
        (r.DISPATCHER, r.SUPERVISOR),
        _("1-2-3-45达标率、网格内解决率、按期率、部门签收与办理、满意度、热点"),
        6,
    ),
]


def register_all() -> None:
    for item in ITEMS:
        register(item)
