"""Menu entries of the approvals app. An entry whose URL name does not exist yet is simply not
shown (portal.menu skips it), so each area adds its URLs and the menu follows."""

from django.utils.translation import gettext_lazy as _

from portal import roles as r
from portal.menu import MenuItem, register

ITEMS = [
    # public
    MenuItem(
        "guide", _("办事指南"), "approvals:guide", ("*",), _("查找事项、所需材料、办理时限"), 10
    ),
    MenuItem(
        "status",
        _("办件查询"),
        "approvals:status-lookup",
        ("*",),
        _("凭办件编号和手机号后四位查询进度"),
        11,
    ),
    MenuItem(
        "kiosk",
        _("自助取号"),
        "approvals:kiosk",
        (r.WINDOW_CLERK, r.SUPERVISOR),
        _("大厅取号机页面"),
        80,
    ),
    MenuItem(
        "hall-screen",
        _("叫号大屏"),
        "approvals:hall-screen",
        (r.WINDOW_CLERK, r.SUPERVISOR),
        _("大厅电视叫号显示"),
        81,
    ),
    # citizens and proxy agents
    MenuItem(
        "my-applications",
        _("我的办件"),
        "approvals:my-applications",
        (r.CITIZEN,),
        _("进度、通知书、补正与评价"),
        20,
    ),
    MenuItem(
        "appointments",
        _("预约取号"),
        "approvals:appointments",
        (r.CITIZEN,),
        _("预约到大厅办理的时段"),
        21,
    ),
    MenuItem(
        "proxy",
        _("帮代办"),
        "approvals:proxy-home",
        (r.PROXY_AGENT,),
        _("为村民代办、跟踪办件"),
        22,
    ),
    # staff
    MenuItem(
        "intake",
        _("受理队列"),
        "approvals:intake-queue",
        (r.WINDOW_CLERK,),
        _("网上申请待受理，含5个工作日视为受理倒计时"),
        30,
    ),
    MenuItem(
        "walk-in",
        _("窗口登记"),
        "approvals:walk-in",
        (r.WINDOW_CLERK,),
        _("为现场群众登记申请"),
        31,
    ),
    MenuItem(
        "calling",
        _("窗口叫号"),
        "approvals:calling",
        (r.WINDOW_CLERK,),
        _("叫号、重呼、过号、办结"),
        32,
    ),
    MenuItem(
        "release",
        _("出件队列"),
        "approvals:release-queue",
        (r.WINDOW_CLERK,),
        _("准予决定待发证、邮寄"),
        33,
    ),
    MenuItem(
        "review",
        _("审查队列"),
        "approvals:review-queue",
        (r.REVIEWER,),
        _("本部门办件，红黄牌优先"),
        40,
    ),
    MenuItem(
        "district",
        _("转报审查"),
        "approvals:district-queue",
        (r.DISTRICT_REVIEWER,),
        _("镇里转报的办件"),
        41,
    ),
    MenuItem(
        "supervision",
        _("督办"),
        "approvals:supervision",
        (r.SUPERVISOR,),
        _("延期审批、超期与预警、改派"),
        50,
    ),
    MenuItem(
        "dashboard",
        _("限时办结看板"),
        "approvals:dashboard",
        (r.SUPERVISOR,),
        _("办件时效、好差评、大厅等候"),
        51,
    ),
    MenuItem(
        "rectifications",
        _("差评整改"),
        "approvals:rectifications",
        (r.SUPERVISOR,),
        _("回访、整改、办结"),
        52,
    ),
    MenuItem(
        "evaluations",
        _("好差评"),
        "approvals:evaluations",
        (r.SUPERVISOR,),
        _("评价统计与明细"),
        52,
    ),
    MenuItem(
        "hall-settings",
        _("大厅设置"),
        "approvals:hall-devices",
        (r.SUPERVISOR,),
        _("叫号大屏与取号机、预约容量、等候与办理时长"),
        53,
    ),
    MenuItem(
        "register-admin",
        _("事项清单"),
        "approvals:register-admin",
        (r.REGISTER_ADMIN,),
        _("事项版本、赋权书、导入导出"),
        60,
    ),
]


def register_all() -> None:
    for item in ITEMS:
        register(item)
