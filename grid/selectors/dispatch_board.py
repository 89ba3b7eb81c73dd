"""The command centre's dispatch panels (centre/selectors/board.dispatch_panels): work orders
late to sign for or to finish by department, returned orders waiting to be routed again,
whistles awaiting report. A handful of queries whatever the number of work orders; each panel
carries its links and an ``export`` table for the board's .xlsx."""

from __future__ import annotations

from datetime import datetime

from django.db.models import Count, Exists, Max, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models.dispatch import Dispatch, WorkOrder, WorkOrderRole, WorkOrderState
from grid.models.incidents import State
from grid.selectors import dispatch as sel
from portal.models import Department

ITEMS = 10


def work_orders_panel(now: datetime) -> dict:
    # An index-only scan of work_order_open_dept_idx: COUNT of ``state`` (never null), not of
    # the id, which the index does not hold.
    rows = (
        WorkOrder.objects.filter(state__in=[WorkOrderState.SENT, WorkOrderState.SIGNED])
        .order_by()
        .values("department_id")
        .annotate(
            open=Count("state"),
            late_sign_for=Count(
                "state", filter=Q(state=WorkOrderState.SENT, sign_for_due_at__lt=now)
            ),
            late_handling=Count("state", filter=Q(state=WorkOrderState.SIGNED, due_at__lt=now)),
        )
    )
    names = {d.pk: (d.code, d.short_name or d.name) for d in Department.objects.all()}
    base = reverse("grid:work-orders")
    departments = []
    for row in rows:
        code, name = names.get(row["department_id"], ("", ""))
        departments.append(
            {
                "code": code,
                "name": name,
                "open": row["open"],
                "late_sign_for": row["late_sign_for"],
                "late_handling": row["late_handling"],
                "late_sign_for_url": f"{base}?department={code}&clock=overdue",
                "late_handling_url": f"{base}?department={code}&clock=overdue",
            }
        )
    departments.sort(
        key=lambda d: (-(d["late_sign_for"] + d["late_handling"]), -d["open"], d["code"])
    )
    late_sign_for = sum(d["late_sign_for"] for d in departments)
    late_handling = sum(d["late_handling"] for d in departments)
    return {
        "url": f"{reverse('grid:dispatch-home')}?tab=unsigned",
        "late_total": late_sign_for + late_handling,
        "late_sign_for": late_sign_for,
        "late_handling": late_handling,
        "departments": [d for d in departments if d["late_sign_for"] or d["late_handling"]],
        "export": {
            "header": [_("部门编码"), _("部门"), _("在办"), _("超时未签收"), _("超时未办结")],
            "rows": [
                [d["code"], d["name"], d["open"], d["late_sign_for"], d["late_handling"]]
                for d in departments
            ],
        },
    }


def returned_waiting():
    """Returned orders still waiting for the centre: a co-handler's not yet sent elsewhere or
    dropped, and a lead's whose incident waits to be routed again (no later dispatch)."""
    later = Dispatch.objects.filter(
        incident=OuterRef("incident_id"), seq__gt=OuterRef("dispatch__seq")
    )
    return (
        WorkOrder.objects.filter(state=WorkOrderState.RETURNED)
        .filter(
            Q(role=WorkOrderRole.CO, resolved_at__isnull=True)
            | Q(role=WorkOrderRole.LEAD, incident__state=State.ACCEPTED)
        )
        .filter(~Exists(later))
        .select_related("department", "incident")
        .order_by("returned_at", "id")
    )


def returned_waiting_ids() -> list[int]:
    """The ids of ``returned_waiting()``, oldest return first, from small queries: the returned
    co-handlers' orders not yet resolved and the returned leads' orders whose incident is still
    accepted (each off its index), those orders' dispatches and their incidents' latest
    dispatch. The one query with the anti-join joined every dispatch of the town (0.5 s at
    200,000 work orders)."""
    returned = WorkOrder.objects.filter(state=WorkOrderState.RETURNED).order_by()
    columns = ("id", "incident_id", "dispatch_id", "returned_at")
    rows = list(
        returned.filter(role=WorkOrderRole.CO, resolved_at__isnull=True).values_list(*columns)
    )
    rows += returned.filter(role=WorkOrderRole.LEAD, incident__state=State.ACCEPTED).values_list(
        *columns
    )
    if not rows:
        return []
    seq = dict(Dispatch.objects.filter(pk__in={r[2] for r in rows}).values_list("id", "seq"))
    latest = dict(
        Dispatch.objects.filter(incident_id__in={r[1] for r in rows})
        .order_by()
        .values_list("incident_id")
        .annotate(m=Max("seq"))
    )
    waiting = [r for r in rows if seq.get(r[2], 0) >= latest.get(r[1], 0)]
    waiting.sort(key=lambda r: (r[3] is None, r[3], r[0]))
    return [r[0] for r in waiting]


def returned_panel(now: datetime) -> dict:
    from grid.services.dispatch import work_order_url

    ids = returned_waiting_ids()
    found = {
        o.pk: o
        for o in WorkOrder.objects.filter(pk__in=ids[:ITEMS]).select_related(
            "department", "incident"
        )
    }
    rows = [found[pk] for pk in ids[:ITEMS] if pk in found]
    items = [
        {
            "number": o.number,
            "incident": o.incident.number,
            "department": o.department.short_name or o.department.name,
            "reason": o.return_reason,
            "returned_at": o.returned_at,
            "url": reverse("grid:dispatch-incident", args=[o.incident.number])
            if o.role == WorkOrderRole.LEAD
            else work_order_url(o),
        }
        for o in rows
    ]
    return {
        "url": f"{reverse('grid:dispatch-home')}?tab=route",
        "count": len(ids),
        "items": items,
        "export": {
            "header": [_("工单"), _("事件"), _("部门"), _("退单理由"), _("退单时间")],
            "rows": [
                [i["number"], i["incident"], i["department"], i["reason"], i["returned_at"]]
                for i in items
            ],
        },
    }


def whistles_panel(now: datetime) -> dict:
    from grid.services.dispatch import whistle_url

    qs = sel.whistles_waiting(now=now)
    rows = list(qs[:ITEMS])
    items = []
    for w in rows:
        calls = list(w.calls.all())
        items.append(
            {
                "incident": w.incident.number,
                "place": w.place,
                "meet_at": w.meet_at,
                "called": len(calls),
                "reported": sum(1 for c in calls if c.reported_at is not None),
                "absent": [
                    c.department.short_name or c.department.name
                    for c in calls
                    if c.reported_at is None and now > w.meet_at
                ],
                "url": whistle_url(w),
            }
        )
    return {
        "url": f"{reverse('grid:dispatch-home')}?tab=whistles",
        "waiting": qs.count(),
        "items": items,
        "export": {
            "header": [_("事件"), _("地点"), _("报到时间"), _("召集"), _("已报到")],
            "rows": [
                [i["incident"], i["place"], i["meet_at"], i["called"], i["reported"]] for i in items
            ],
        },
    }


def centre_panels(*, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    return {
        "work_orders": work_orders_panel(now),
        "returned": returned_panel(now),
        "whistles": whistles_panel(now),
    }
