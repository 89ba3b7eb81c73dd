"""The grid app's sections of an area's card (portal.areas.cards): its people, and this week's
patrols for those who may see them."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.selectors import patrols as patrol_sel
from grid.selectors import people as people_sel
from grid.selectors.scope import scope_for
from portal import roles
from portal.models import AreaKind


def people_section(area, user):
    if area.kind == AreaKind.TOWN:
        return None
    team = people_sel.responsible_on(area)
    rows = []
    if team.head:
        rows.append((_("网格长"), team.head.person_label))
    if team.members:
        rows.append((_("网格员"), "、".join(m.person_label for m in team.members)))
    if team.instructor:
        rows.append((_("网格指导员"), team.instructor.person_label))
    for contact in team.contacts:
        rows.append((_("微网格联络员"), f"{contact.person_label} {contact.phone}".strip()))
    for staff in team.village_staff:
        rows.append((_("村（社区）工作人员"), staff.person_label))
    links = []
    if area.kind != AreaKind.VILLAGE and area.kind != AreaKind.COMMUNITY:
        links.append((_("人员与任职记录"), reverse("grid:people-area", args=[area.code])))
    return {
        "title": _("网格人员"),
        "rows": rows,
        "links": links,
        "note": "" if rows else _("暂无在任人员。"),
    }


def patrols_section(area, user):
    if area.kind not in (AreaKind.GRID, AreaKind.SPECIAL_GRID):
        return None
    if not (scope_for(user).covers(area) or user.has_role(roles.SUPERVISOR)):
        return None
    result = patrol_sel.compliance(day=timezone.localdate(), areas=[area])
    rows = [
        (
            r.member.display_name,
            _("本周巡查 %(p)s/%(pn)s 次，本月走访 %(h)s/%(hn)s 户")
            % {
                "p": r.patrols,
                "pn": r.standard.patrols_per_week,
                "h": r.households,
                "hn": r.standard.visits_per_month,
            },
        )
        for r in result.rows
    ]
    return {
        "title": _("本周巡查"),
        "rows": rows,
        "links": [(_("巡查考核"), reverse("grid:compliance"))]
        if user.has_role(roles.GRID_HEAD, roles.SUPERVISOR)
        else [],
        "note": "" if rows else _("暂无网格员。"),
    }


def incidents_section(area, user):
    """The area's open work: open incidents by clock, and where to see them."""
    from grid.selectors import incident_scope
    from grid.selectors import incidents as incident_sel

    if area.kind in (AreaKind.TOWN, AreaKind.SPECIAL_GRID):
        return None  # incidents carry their village, grid and micro-grid, not special grids
    scope = scope_for(user)
    if not (scope.covers(area) or incident_scope.is_centre(user)):
        return None
    counts = incident_sel.open_work(area)
    rows = [(_("在办事件"), str(counts["open"]))]
    if counts["overdue"]:
        rows.append((_("其中超期"), str(counts["overdue"])))
    if counts["warning"]:
        rows.append((_("其中预警"), str(counts["warning"])))
    links = []
    if user.has_role(roles.SUPERVISOR, roles.DISPATCHER, roles.GRID_HEAD) or user.is_superuser:
        field = "grid" if area.kind == AreaKind.GRID else "village"
        if area.kind in (AreaKind.GRID, AreaKind.VILLAGE, AreaKind.COMMUNITY):
            links.append(
                (
                    _("查看事件"),
                    f"{reverse('grid:incident-supervise')}?{field}={area.pk}&state=open",
                )
            )
    elif user.has_role(roles.GRID_MEMBER):
        links.append((_("网格事件"), reverse("grid:my-grid")))
    return {"title": _("事件"), "rows": rows, "links": links, "note": ""}
