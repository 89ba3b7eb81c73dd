from django import template
from django.utils.translation import gettext_lazy as _

from grid.models.incidents import State

register = template.Library()

ACTIONS = {
    "report": _("上报"),
    "verify": _("核实"),
    "accept": _("受理"),
    "void": _("作废"),
    "merge": _("合并为重复事件"),
    "merged_in": _("合并了重复事件"),
    "start_handling": _("网格内处置"),
    "reassign": _("改派处置人"),
    "report_result": _("反馈处置结果"),
    "close": _("核查结案"),
    "send_back": _("核查未通过，退回"),
    "reopen": _("重新打开"),
    "hold": _("挂账"),
    "resume": _("恢复办理"),
    "dispatch": _("分流交办"),
    "dispatch_done": _("部门办结"),
    "dispatch_recall": _("撤回派遣"),
    "dispatch_grid": _("交网格自行处置"),
    "dispatch_request": _("申请中心派遣"),
    "lead_handed": _("移交执法线索"),
    "lead_outcome": _("执法结果"),
    "whistle": _("吹哨"),
    "join": _("加入关注"),
    "relocate": _("更正位置"),
    "extension_request": _("申请延期"),
    "extension_approve": _("批准延期"),
    "extension_reject": _("不批准延期"),
}


@register.filter
def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


@register.filter
def state_label(state: str) -> str:
    try:
        return str(State(state).label)
    except ValueError:
        return state
