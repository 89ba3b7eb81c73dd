from django import template
from django.utils.translation import gettext_lazy as _

from portal.clock import ClockStatus

register = template.Library()


@register.filter
def clock_label(value) -> str:
    """The label of a clock status computed in SQL (an annotation, not a model field)."""
    try:
        return str(ClockStatus(value).label)
    except ValueError:
        return ""


ACTIONS = {
    "file": _("立案"),
    "assign": _("指派"),
    "propose": _("提出拟处理意见"),
    "submit_review": _("提交法制审核"),
    "review_returned": _("法制审核退回"),
    "review_passed": _("法制审核通过"),
    "submit_discussion": _("提交集体讨论"),
    "discussion": _("集体讨论"),
    "return_to_investigation": _("退回补充调查"),
    "notify": _("告知"),
    "statement": _("陈述申辩"),
    "request_hearing": _("申请听证"),
    "hearing_scheduled": _("安排听证"),
    "hearing_held": _("举行听证"),
    "decide": _("作出决定"),
    "serve": _("送达"),
    "payment": _("缴款"),
    "cash_handed_in": _("现金上缴"),
    "payment_plan": _("暂缓或分期缴纳"),
    "court_application": _("申请法院强制执行"),
    "close": _("结案"),
    "revoke": _("撤销决定"),
    "publish": _("公示"),
    "take_down": _("撤下公示"),
    "suspend": _("中止期限"),
    "resume": _("恢复期限"),
    "extend": _("延长期限"),
    "inquiry_record": _("询问笔录"),
    "inspection_record": _("现场检查笔录"),
    "evidence": _("证据"),
    "preserve": _("先行登记保存"),
    "preservation_dealt": _("处理保存物品"),
    "preservation_released": _("保存期满解除"),
    "correction_order": _("责令改正"),
    "correction_recheck": _("改正复查"),
    "joint_action": _("联合执法"),
    "simplified": _("当场处罚"),
    "receive": _("接收线索"),
    "propose_filing": _("立案呈批"),
    "reject_filing": _("退回呈批"),
    "approve_filing": _("批准立案"),
    "not_file": _("不予立案"),
    "transfer": _("移送"),
    "request_extension": _("申请延期"),
    "approve_extension": _("批准延期"),
    "reject_extension": _("不批准延期"),
    "transfer_receipt": _("移送回执"),
}


@register.filter
def action_label(value) -> str:
    return str(ACTIONS.get(value, value))


@register.filter
def state_label(value) -> str:
    from enforcement.models import CaseState, LeadState

    for choices in (CaseState, LeadState):
        if value in choices.values:
            return str(choices(value).label)
    return value or "—"
