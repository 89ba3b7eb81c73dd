"""Dispatch on other pages: history labels of work orders, and the incident page's panel —
where it was sent, by which rule and why, the work orders, whistles and what the person may do."""

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import conditional_escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import Truncator
from django.utils.translation import gettext, gettext_noop
from django.utils.translation import gettext_lazy as _

from grid.templatetags.incidents import _clock, _clock_labels

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


# The department's list of work orders (grid/dispatch/work_orders.html): 50 cards written in
# Python, as the member's incident cards are (grid.templatetags.incidents): an include per card
# with the clock's include in it cost ~0.45 ms a card (22 of the page's 38 ms). The markup is
# that of the former grid/dispatch/_order_card.html: the same bytes.

ORDER_CARD = """<li class="incident-card order-card urgency-{urgency}">
  <a class="card-link" href="{url}">
    <h2>{category} <span class="state order-state-{state}">{state_label}</span>{tags}</h2>
    <p class="desc">{description}</p>
    <p class="meta">
      {urgent}
      <span>{number}</span>
      {department}
      {grid}
      {step}
      {clock}
    </p>
  </a>
</li>
"""


@register.simple_tag
def work_order_cards(rows, show_department=False) -> SafeString:
    """The cards of the work-order list: rows from grid.selectors.dispatch (with their
    incident's category and grid, the department and clock_status)."""
    esc = conditional_escape
    pattern = reverse("grid:work-order", args=[987654321])
    labels = _clock_labels()
    tz = timezone.get_current_timezone()
    text = {
        word: esc(gettext(word))
        for word in (
            gettext_noop("紧急"),
            gettext_noop("协办"),
            gettext_noop("区级转办"),
            gettext_noop("签收期限"),
            gettext_noop("办理期限"),
            gettext_noop("按期办结"),
            gettext_noop("超期办结"),
        )
    }
    urgent = f'<span class="urgency urgency-urgent-text">{text["紧急"]}</span>'
    co = f' <span class="tag">{text["协办"]}</span>'
    district = f' <span class="tag">{text["区级转办"]}</span>'
    hotline = ' <span class="tag">12345</span>'
    steps = {
        "sent": f"<span>{text['签收期限']}</span>",
        "signed": f"<span>{text['办理期限']}</span>",
    }
    on_time = f"<span>{text['按期办结']}</span>"
    late = f"<span>{text['超期办结']}</span>"
    cards = []
    for o in rows:
        incident = o.incident
        tags = (co if o.role == "co" else "") + (district if o.is_district else "")
        tags += hotline if o.is_hotline else ""
        if o.state in ("sent", "signed"):
            clock = _clock(o.clock_status, o.step_due_at, labels, tz)
        elif o.state == "done":
            clock = on_time if o.done_on_time else late
        else:
            clock = ""
        department = ""
        if show_department:
            department = f"<span>{esc(o.department.short_name or o.department.name)}</span>"
        cards.append(
            ORDER_CARD.format(
                urgency=esc(o.urgency),
                url=esc(pattern.replace("987654321", str(o.pk))),
                category=esc(incident.category.name),
                state=esc(o.state),
                state_label=esc(o.get_state_display()),
                tags=tags,
                description=esc(Truncator(incident.description).chars(80)),
                urgent=urgent if o.urgency == "urgent" else "",
                number=esc(o.number),
                department=department,
                grid=f"<span>{esc(incident.grid.name)}</span>" if incident.grid else "",
                step=steps.get(o.state, ""),
                clock=clock,
            )
        )
    return mark_safe("".join(cards))
