"""Work orders on the town's one clock (read by the command centre, centre/selectors/sources):
those late or about to be — to sign for while sent, to finish while signed — with the
department that holds them, and each department's workload for the forecast. Town-wide reads:
the caller (the centre's pages) checks that the person may see everything."""

from __future__ import annotations

from datetime import date, datetime

from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models.dispatch import OPEN_ORDER_STATES, WorkOrder, WorkOrderState
from grid.selectors import dispatch_scope as who
from portal.clock import (
    ClockItem,
    ClockStatus,
    Unit,
    Workload,
    WorkloadKeys,
    end_of_day,
    labels,
)
from portal.models import Department

KIND = "work_order"


def _unit(order: WorkOrder) -> str:
    """The unit lateness counts in: hours for an urgent order's sign-for (minutes) and for
    hour limits, working days otherwise."""
    if order.state == WorkOrderState.SENT:
        return Unit.HOURS if order.urgency == "urgent" else Unit.WORKING_DAYS
    return order.limit_unit or Unit.WORKING_DAYS


def _status(order: WorkOrder, now: datetime) -> str:
    if order.step_due_at is not None and now > order.step_due_at:
        return ClockStatus.OVERDUE
    if order.step_warn_at is not None and now >= order.step_warn_at:
        return ClockStatus.WARNING
    return ClockStatus.NORMAL


def _rows(qs) -> list[WorkOrder]:
    return list(
        qs.select_related("department", "incident", "incident__category").only(
            "id",
            "number",
            "state",
            "role",
            "is_district",
            "urgency",
            "limit_unit",
            "step_due_at",
            "step_warn_at",
            "department__name",
            "department__short_name",
            "incident__number",
            "incident__state",  # the FSM field: deferred, each row would fetch it on its own
            "incident__grid_id",
            "incident__village_id",
            "incident__category__name",
        )
    )


def _title(category: str, signing: bool) -> str:
    step = _("签收") if signing else _("办理")
    return f"{category}（{step}）"


def _items(orders: list[WorkOrder], now: datetime, *, lazy_labels=False) -> list[ClockItem]:
    from grid.services.dispatch import work_order_url

    people = who.department_people_ids({o.department_id for o in orders if not o.is_district})
    label = labels(lazy_labels)
    centre = None
    items = []
    for order in orders:
        if order.is_district:
            if centre is None:
                centre = tuple(u.pk for u in who.dispatchers())
            ids = centre
        else:
            ids = people[order.department_id]
        items.append(
            ClockItem(
                kind=KIND,
                number=order.number,
                title=label(
                    _title, order.incident.category.name, order.state == WorkOrderState.SENT
                ),
                holder=order.department.short_name or order.department.name,
                due_at=order.step_due_at,
                unit=_unit(order),
                status=_status(order, now),
                url=work_order_url(order),
                holder_ids=ids,
                area_id=order.incident.grid_id or order.incident.village_id,
            )
        )
    return items


def late_items(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[ClockItem]:
    """Open work orders whose running clock is red or yellow, the earliest deadline first."""
    keys = late_keys(now=now, limit=limit, overdue_only=overdue_only)
    return items_for([pk for _due, _number, pk in keys], now=now)


def late_keys(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[tuple[datetime, str, int]]:
    """(deadline, number, id) of the first ``limit`` open orders whose running clock is red or
    yellow, in deadline order off the clock index (work_order_clock_idx); no row is built."""
    now = now or timezone.now()
    qs = WorkOrder.objects.filter(state__in=OPEN_ORDER_STATES, step_due_at__isnull=False)
    qs = qs.filter(step_due_at__lt=now) if overdue_only else qs.filter(step_warn_at__lte=now)
    return list(qs.order_by("step_due_at", "id").values_list("step_due_at", "number", "id")[:limit])


def items_for(
    ids: list[int], *, now: datetime | None = None, lazy_labels: bool = False
) -> list[ClockItem]:
    """The clock items of these work orders (with their department and incident), in order.
    ``lazy_labels``: the translated labels are lazy strings (portal.clock.later)."""
    now = now or timezone.now()
    if not ids:
        return []
    found = {o.pk: o for o in _rows(WorkOrder.objects.filter(pk__in=ids).order_by())}
    return _items([found[pk] for pk in ids if pk in found], now, lazy_labels=lazy_labels)


def counts(*, now: datetime | None = None) -> dict:
    """Red and yellow running clocks of open work orders, town-wide (one query)."""
    now = now or timezone.now()
    return WorkOrder.objects.filter(state__in=OPEN_ORDER_STATES).aggregate(
        red=Count("id", filter=Q(step_due_at__lt=now)),
        yellow=Count("id", filter=Q(step_due_at__gte=now, step_warn_at__lte=now)),
    )


def workload(
    *, since: date, now: datetime | None = None, lazy_labels: bool = False
) -> list[Workload]:
    """Each department's open orders whose handling limit is in working days (hour limits are
    urgent work the clock watches live), earliest due first, and how many it finished
    (reported back) after ``since``. ``lazy_labels``: the translated labels are lazy strings
    (portal.clock.later)."""
    now = now or timezone.now()
    orders = _rows(
        WorkOrder.objects.filter(
            state__in=OPEN_ORDER_STATES,
            step_due_at__isnull=False,
            limit_unit=Unit.WORKING_DAYS,
        ).order_by("step_due_at", "id")
    )
    loads: dict[str, Workload] = {}
    for order, found in zip(orders, _items(orders, now, lazy_labels=lazy_labels), strict=True):
        key = f"department:{order.department_id}"
        loads.setdefault(key, Workload(key=key, holder=found.holder)).items.append(found)
    done = (
        WorkOrder.objects.filter(
            done_at__gt=end_of_day(since), done_at__lte=end_of_day(timezone.localdate(now))
        )
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("id"))
    )
    for department_id, n in done:
        if f"department:{department_id}" in loads:
            loads[f"department:{department_id}"].completed = n
    return list(loads.values())


def workload_keys(*, since: date, now: datetime | None = None) -> list[WorkloadKeys]:
    """``workload`` for the forecast: the same departments and orders, each order only as its
    key (portal.clock.WorkloadKeys; ``ref`` the order's id, for ``items_for``), read as plain
    values (no row, item or label is made)."""
    now = now or timezone.now()
    tz = timezone.get_current_timezone()
    rows = (
        WorkOrder.objects.filter(
            state__in=OPEN_ORDER_STATES,
            step_due_at__isnull=False,
            limit_unit=Unit.WORKING_DAYS,
        )
        .order_by("step_due_at", "id")
        .values_list("id", "number", "department_id", "step_due_at", "step_warn_at")
    )
    loads: dict[str, WorkloadKeys] = {}
    for pk, number, department_id, due_at, warn_at in rows:
        if now > due_at:
            status = ClockStatus.OVERDUE
        elif warn_at is not None and now >= warn_at:
            status = ClockStatus.WARNING
        else:
            status = ClockStatus.NORMAL
        key = f"department:{department_id}"
        load = loads.get(key)
        if load is None:
            load = loads[key] = WorkloadKeys(key=key, holder="")
        load.items.append((due_at, number, status, due_at.astimezone(tz).date(), pk))
    departments = {
        pk: short or name
        for pk, short, name in Department.objects.filter(
            pk__in=[int(k.split(":")[1]) for k in loads]
        ).values_list("id", "short_name", "name")
    }
    done = dict(
        WorkOrder.objects.filter(
            done_at__gt=end_of_day(since), done_at__lte=end_of_day(timezone.localdate(now))
        )
        .order_by()
        .values_list("department_id")
        .annotate(n=Count("id"))
    )
    for key, load in loads.items():
        department_id = int(key.split(":")[1])
        load.holder = departments[department_id]
        load.completed = done.get(department_id, 0)
    return list(loads.values())


def item(number: str, *, now: datetime | None = None) -> ClockItem | None:
    """One work order with a running clock by its number (None otherwise)."""
    now = now or timezone.now()
    found = _rows(
        WorkOrder.objects.filter(
            number=number, state__in=OPEN_ORDER_STATES, step_due_at__isnull=False
        )
    )
    return _items(found, now)[0] if found else None
