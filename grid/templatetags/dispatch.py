"""Dispatch on other pages: history labels of work orders, and the incident page's panel —
where it was sent, by which rule and why, the work orders, whistles and what the person may do."""

from django import template
from django.utils.translation import gettext_lazy as _

register = template.Library()

ORDER_ACTIONS = {
    "send": _("派单"),
    "sign_for": _("签收"),
    "feed_back": _("反馈办理结果"),
    "give_back": _("退单"),
    "cancel": _("撤销"),
    "extend": _("批准延期"),
    "request_extension": _("申请延期"),
    "reject_extension": _("不批准延期"),
    "press": _("督办"),
    "press_auto": _("超时未签收，自动提请督办"),
    "redispatch": _("改派协办部门"),
    "drop": _("不再协办"),
}


@register.filter
def order_action_label(action: str) -> str:
    return str(ORDER_ACTIONS.get(action, action))


@register.inclusion_tag("grid/dispatch/_incident_panel.html", takes_context=True)
def dispatch_panel(context, incident):
    from grid.models.incidents import State
    from grid.selectors import dispatch as sel
    from grid.selectors import dispatch_scope as who
    from grid.selectors import incident_scope

    user = context["request"].user
    centre = who.is_centre(user)
    head = incident_scope.is_head_of(user, incident.grid_id)
    dispatches = sel.dispatches_of(incident)
    open_request = incident.dispatch_requests.filter(resolved_at__isnull=True).first()
    routable = incident.state in (State.ACCEPTED, State.HANDLING)
    active = any(d.state == "active" for d in dispatches)
    return {
        "incident": incident,
        "dispatches": dispatches,
        "whistles": list(sel.whistles_for(user).filter(incident=incident)),
        "centre": centre,
        "may_route": centre and routable and not active,
        "may_request": head and routable and not active and open_request is None,
        "may_report_violation": (head or centre) and routable and not active,
        "may_whistle": (head or centre) and incident.is_open,
        "open_request": open_request,
    }
