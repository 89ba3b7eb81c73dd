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
    MenuItem(
        "resident-report",
        _("随手拍"),
        "grid:resident-report",
        (r.CITIZEN,),
        _("拍照反映身边的问题"),
        22,
    ),
    MenuItem(
        "my-reports", _("我的反映"), "grid:my-reports", (r.CITIZEN,), _("进度、结果与评价"), 23
    ),
    MenuItem(
        "my-grid",
        _("网格事件"),
        "grid:my-grid",
        (r.GRID_MEMBER, r.GRID_HEAD),
        _("本网格事件：核实、处置、结案"),
        40,
    ),
    MenuItem(
        "incident-report",
        _("事件上报"),
        "grid:incident-report",
        (r.GRID_MEMBER, r.GRID_HEAD),
        _("拍照上报，无信号时先存在手机上"),
        41,
    ),
    MenuItem(
        "incident-board",
        _("网格看板"),
        "grid:incident-board",
        (r.GRID_HEAD, r.DISPATCHER, r.SUPERVISOR),
        _("各网格在办事件与超期情况"),
        42,
    ),
    MenuItem(
        "incident-supervise",
        _("事件督办"),
        "grid:incident-supervise",
        (r.DISPATCHER, r.SUPERVISOR, r.GRID_HEAD),
        _("按分类、村、网格、状态、时限、结果筛选，导出"),
        43,
    ),
    MenuItem(
        "categories",
        _("事件分类"),
        "grid:categories",
        (r.REGISTER_ADMIN, r.SUPERVISOR),
        _("两级分类、时限与导入导出"),
        70,
    ),
    # Dispatch (issue 13)
    MenuItem(
        "dispatch-desk",
        _("调度台"),
        "grid:dispatch-home",
        (r.DISPATCHER, r.SUPERVISOR),
        _("待分拨事件、退单、超时未签收、延期申请、吹哨"),
        44,
    ),
    MenuItem(
        "work-orders",
        _("工单"),
        "grid:work-orders",
        (r.DEPARTMENT_STAFF, r.DISPATCHER, r.SUPERVISOR),
        _("签收、办理、退单、延期、反馈"),
        45,
    ),
    MenuItem(
        "whistles",
        _("吹哨报到"),
        "grid:whistles",
        (r.DEPARTMENT_STAFF, r.GRID_HEAD),
        _("召集部门按时到场报到"),
        46,
    ),
    MenuItem(
        "department-on-call",
        _("部门值班"),
        "grid:on-call",
        (r.DEPARTMENT_STAFF, r.DISPATCHER, r.SUPERVISOR),
        _("部门值班表；指挥中心出动时呼叫当天值班人员"),
        46,
    ),
    MenuItem(
        "dispatch-figures",
        _("分流交办统计"),
        "grid:dispatch-figures",
        (r.DISPATCHER, r.SUPERVISOR),
        _("各部门签收、退单、按期办结；各规则；网格内解决"),
        47,
    ),
    MenuItem(
        "routing-rules",
        _("分拨规则"),
        "grid:routing-rules",
        (r.REGISTER_ADMIN, r.SUPERVISOR, r.DISPATCHER),
        _("事件派往何处：顺序、条件、测试与导入导出"),
        71,
    ),
]


def register_all() -> None:
    for item in ITEMS:
        register(item)
