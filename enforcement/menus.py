"""Menu entries of the enforcement app (an entry whose URL does not exist yet is not shown)."""

from django.utils.translation import gettext_lazy as _

from portal import roles as r
from portal.menu import MenuItem, register

ITEMS = [
    MenuItem(
        "enforcement-field",
        _("执法终端"),
        "enforcement:field",
        (r.ENFORCEMENT_OFFICER, r.SQUAD_LEADER),
        _("线索、我的案件、简易程序、现场记录"),
        60,
    ),
    MenuItem(
        "enforcement-desk",
        _("执法办案"),
        "enforcement:desk",
        (r.SQUAD_LEADER, r.BUREAU_HEAD, r.LEGAL_REVIEWER, r.SUPERVISOR),
        _("线索审批、法制审核、集体讨论、期限看板"),
        61,
    ),
    MenuItem(
        "enforcement-publicity",
        _("执法公示"),
        "enforcement:publicity",
        ("*",),
        _("行政处罚决定公示"),
        15,
    ),
]


def register_all() -> None:
    for item in ITEMS:
        register(item)
