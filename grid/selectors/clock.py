"""Incidents on the town's one clock (read by the command centre): those late or about to be,
with who holds them, and each holder's workload for the forecast. Town-wide reads: the caller
(the centre's pages) checks that the person may see everything."""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models import Category, Incident
from grid.models.incidents import CLOCK_RUNNING, State
from grid.selectors.people import teams
from portal.clock import (
    ClockItem,
    ClockStatus,
    Unit,
    Workload,
    WorkloadKeys,
    end_of_day,
    labels,
)
from portal.models import Area, User

KIND = "incident"
COLUMNS = (
    "id",
    "number",
    "state",
    "category_id",
    "category_code",
    "description",
    "village_id",
    "grid_id",
    "handler_id",
    "due_at",
    "warn_at",
    "reported_at",
)
# Who holds the step: verify/accept/check sit with the grid (its head answers for them),
# handling with the handler; a dispatched incident with the departments' work orders.
STEP_HELD_BY_GRID = (State.REPORTED, State.VERIFIED, State.ACCEPTED, State.FEEDBACK)


def _url(number: str) -> str:
    return reverse("grid:incident-detail", args=[number])


def _status(incident: Incident, now: datetime) -> str:
    if incident.due_at is not None and now > incident.due_at:
        return ClockStatus.OVERDUE
    if incident.warn_at is not None and now >= incident.warn_at:
        return ClockStatus.WARNING
    return ClockStatus.NORMAL


def _rows(qs) -> list[Incident]:
    return list(
        qs.select_related("category", "handler", "grid").only(
            *COLUMNS,
            "category__name",
            "category__limit_unit",
            "handler__real_name",
            "handler__username",
            "handler__mobile",
            "grid__name",
        )
    )


def _dispatched() -> str:
    return _("派遣处置中")


def _grid_head(grid: str, name: str) -> str:
    return _("%(grid)s 网格长 %(name)s") % {"grid": grid, "name": name}


def _centre() -> str:
    return _("指挥中心")


def _items(incidents: list[Incident], now: datetime, *, lazy_labels=False) -> list[ClockItem]:
    heads = teams({i.grid_id for i in incidents if i.grid_id})
    label = labels(lazy_labels)
    items = []
    for incident in incidents:
        head = None
        team = heads.get(incident.grid_id) if incident.grid_id else None
        if team is not None and team.head is not None:
            head = team.head.user
        if incident.state == State.DISPATCHED:
            holder, ids, phone = label(_dispatched), (), ""
        elif incident.handler_id and incident.state not in STEP_HELD_BY_GRID:
            holder = str(incident.handler.display_name)
            ids, phone = (incident.handler_id,), incident.handler.mobile or ""
        elif head is not None:
            holder = label(
                _grid_head, incident.grid.name if incident.grid_id else "", head.display_name
            )
            ids, phone = (head.pk,), head.mobile or ""
        else:
            holder = str(incident.grid.name) if incident.grid_id else label(_centre)
            ids, phone = (), ""
        items.append(
            ClockItem(
                kind=KIND,
                number=incident.number,
                title=incident.category.name,
                holder=holder,
                due_at=incident.due_at,
                unit=incident.category.limit_unit or Unit.WORKING_DAYS,
                status=_status(incident, now),
                url=_url(incident.number),
                holder_ids=ids,
                phone=phone,
                area_id=incident.grid_id or incident.village_id,
            )
        )
    return items


def late_items(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[ClockItem]:
    """Incidents whose running clock is red or yellow, the earliest deadline first."""
    keys = late_keys(now=now, limit=limit, overdue_only=overdue_only)
    return items_for([pk for _due, _number, pk in keys], now=now)


def late_keys(
    *, now: datetime | None = None, limit: int = 20, overdue_only=False
) -> list[tuple[datetime, str, int]]:
    """(deadline, number, id) of the first ``limit`` red or yellow running clocks, read in
    deadline order off the clock index (incident_clock_idx); no row is built."""
    now = now or timezone.now()
    qs = Incident.objects.filter(state__in=CLOCK_RUNNING, due_at__isnull=False)
    qs = qs.filter(due_at__lt=now) if overdue_only else qs.filter(warn_at__lte=now)
    return list(qs.order_by("due_at", "id").values_list("due_at", "number", "id")[:limit])


def items_for(
    ids: list[int], *, now: datetime | None = None, lazy_labels: bool = False
) -> list[ClockItem]:
    """The clock items of these incidents, in this order. ``lazy_labels``: the translated
    labels are lazy strings (portal.clock.later)."""
    now = now or timezone.now()
    if not ids:
        return []
    found = {i.pk: i for i in _rows(Incident.objects.filter(pk__in=ids))}
    return _items([found[pk] for pk in ids if pk in found], now, lazy_labels=lazy_labels)


def counts(*, now: datetime | None = None) -> dict:
    """Red and yellow running clocks, town-wide (one query)."""
    now = now or timezone.now()
    return Incident.objects.filter(state__in=CLOCK_RUNNING).aggregate(
        red=Count("id", filter=Q(due_at__lt=now)),
        yellow=Count("id", filter=Q(due_at__gte=now, warn_at__lte=now)),
    )


def workload(
    *, since: date, now: datetime | None = None, lazy_labels: bool = False
) -> list[Workload]:
    """Each holder's running incidents whose limits are in working days (hour limits are urgent
    work the clock watches live), earliest due first, and how many they finished after
    ``since``: a handler the incidents they handle (finished = result reported), a grid the
    steps its people hold (finished = incidents of the grid closed). ``lazy_labels``: the
    translated labels are lazy strings (portal.clock.later)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    qs = (
        Incident.objects.filter(state__in=CLOCK_RUNNING, due_at__isnull=False)
        .exclude(state=State.DISPATCHED)
        .filter(category__limit_unit=Unit.WORKING_DAYS)
        .order_by("due_at", "id")
    )
    incidents = _rows(qs)
    loads: dict[str, Workload] = {}
    for incident, item in zip(
        incidents, _items(incidents, now, lazy_labels=lazy_labels), strict=True
    ):
        if incident.handler_id and incident.state not in STEP_HELD_BY_GRID:
            key, label = f"user:{incident.handler_id}", incident.handler.display_name
        elif incident.grid_id:
            key, label = f"grid:{incident.grid_id}", incident.grid.name
        else:
            key, label = f"village:{incident.village_id}", item.holder
        loads.setdefault(key, Workload(key=key, holder=label)).items.append(item)
    start, end = end_of_day(since), end_of_day(today)
    by_handler = (
        Incident.objects.filter(feedback_at__gt=start, feedback_at__lte=end, handler__isnull=False)
        .order_by()
        .values_list("handler_id")
        .annotate(n=Count("id"))
    )
    for handler_id, n in by_handler:
        if f"user:{handler_id}" in loads:
            loads[f"user:{handler_id}"].completed = n
    by_grid = (
        Incident.objects.filter(closed_at__gt=start, closed_at__lte=end, grid__isnull=False)
        .order_by()
        .values_list("grid_id")
        .annotate(n=Count("id"))
    )
    for grid_id, n in by_grid:
        if f"grid:{grid_id}" in loads:
            loads[f"grid:{grid_id}"].completed = n
    return list(loads.values())


def workload_keys(*, since: date, now: datetime | None = None) -> list[WorkloadKeys]:
    """``workload`` for the forecast: the same holders and items, each item only as its key
    (portal.clock.WorkloadKeys; ``ref`` the incident's id, for ``items_for``), read as plain
    values (no row, item or label is made); the handlers' and the grids' paces in one query
    (one pass over the incidents: neither moment is indexed)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    tz = timezone.get_current_timezone()
    # the categories first: joined, the planner read the open incidents once per category
    days = Category.objects.filter(limit_unit=Unit.WORKING_DAYS).values_list("id", flat=True)
    rows = (
        Incident.objects.filter(state__in=CLOCK_RUNNING, due_at__isnull=False)
        .exclude(state=State.DISPATCHED)
        .filter(category_id__in=list(days))
        .order_by("due_at", "id")
        .values_list(
            "id", "number", "state", "handler_id", "grid_id", "village_id", "due_at", "warn_at"
        )
    )
    loads: dict[str, WorkloadKeys] = {}
    centre = labels(True)(_centre)
    for pk, number, state, handler_id, grid_id, village_id, due_at, warn_at in rows:
        if handler_id and state not in STEP_HELD_BY_GRID:
            key = f"user:{handler_id}"
        elif grid_id:
            key = f"grid:{grid_id}"
        else:
            key = f"village:{village_id}"
        if now > due_at:
            status = ClockStatus.OVERDUE
        elif warn_at is not None and now >= warn_at:
            status = ClockStatus.WARNING
        else:
            status = ClockStatus.NORMAL
        load = loads.get(key)
        if load is None:
            load = loads[key] = WorkloadKeys(key=key, holder=centre)
        load.items.append((due_at, number, status, due_at.astimezone(tz).date(), pk))
    users = [int(k[5:]) for k in loads if k.startswith("user:")]
    grids = [int(k[5:]) for k in loads if k.startswith("grid:")]
    people = {
        u.pk: u.display_name
        for u in User.objects.filter(pk__in=users).only(
            "id", "real_name", "first_name", "last_name", "username"
        )
    }
    places = dict(Area.objects.filter(pk__in=grids).values_list("id", "name"))
    for key, load in loads.items():
        if key.startswith("user:"):
            load.holder = people[int(key[5:])]
        elif key.startswith("grid:"):
            load.holder = places[int(key[5:])]
    start, end = end_of_day(since), end_of_day(today)
    fed_back = Q(feedback_at__gt=start, feedback_at__lte=end)
    closed = Q(closed_at__gt=start, closed_at__lte=end)
    done: dict[str, int] = defaultdict(int)
    for handler_id, grid_id, by_handler, by_grid in (
        Incident.objects.filter(
            (fed_back & Q(handler__isnull=False)) | (closed & Q(grid__isnull=False))
        )
        .order_by()
        .values_list("handler_id", "grid_id")
        .annotate(by_handler=Count("id", filter=fed_back), by_grid=Count("id", filter=closed))
    ):
        if handler_id is not None:
            done[f"user:{handler_id}"] += by_handler
        if grid_id is not None:
            done[f"grid:{grid_id}"] += by_grid
    for key, load in loads.items():
        load.completed = done.get(key, 0)
    return list(loads.values())


def item(number: str, *, now: datetime | None = None) -> ClockItem | None:
    """One incident with a running clock by its number (None otherwise)."""
    now = now or timezone.now()
    found = _rows(
        Incident.objects.filter(number=number, state__in=CLOCK_RUNNING, due_at__isnull=False)
    )
    return _items(found, now)[0] if found else None
