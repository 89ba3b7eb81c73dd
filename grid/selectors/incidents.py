"""Reads of incidents: queues, lists, the duplicate suggestion, one incident, figures.

Every read starts from :func:`visible` (the person's scope): a foreign incident is simply not
there, so pages and the API answer 404 for it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db.models import (
    Case,
    Count,
    IntegerField,
    Prefetch,
    Q,
    Value,
    When,
    prefetch_related_objects,
)
from django.utils import timezone

from grid.models import Incident, IncidentFollower, IncidentStep
from grid.models.incidents import (
    OPEN_STATES,
    URGENCY_RANK,
    Outcome,
    Source,
    State,
)
from grid.selectors import categories as category_sel
from grid.selectors import incident_scope as scope
from portal.clock import ClockStatus
from portal.models import User

LIST_COLUMNS = (
    "id",
    "number",
    "state",
    "outcome",
    "source",
    "category_id",
    "category_code",
    "urgency",
    "description",
    "address",
    "lat",
    "lng",
    "grid_id",
    "village_id",
    "reported_at",
    "due_at",
    "warn_at",
    "handle_due_at",
    "step",
    "handler_id",
    "reporter_id",
    "closed_at",
    "anonymous",
)


# What list rows show of their category and grid (an area's boundary is big GeoJSON).
RELATED_COLUMNS = ("category__name", "category__code", "grid__name", "grid__code")


def visible(user):
    q = scope.visibility_q(user)
    qs = Incident.objects.all()
    return qs if q is None else qs.filter(q)


def _if_visible(user, incident: Incident | None) -> Incident | None:
    """One row read by its number, then the scope decided on it in Python
    (incident_scope.may_see): no list of the person's followed incidents read for the query
    (it is asked about only when nothing else lets them see it)."""
    return incident if incident is not None and scope.may_see(user, incident) else None


def one_visible(user, number: str) -> Incident | None:
    """One incident the person may see, with its category (what a transition starts from)."""
    return _if_visible(
        user, _one(Incident.objects.filter(number=number).select_related("category"))
    )


def detail_prefetch() -> tuple:
    """What an incident's page and the API's detail show beyond its row."""
    return (
        Prefetch("history", queryset=IncidentStep.objects.order_by("at", "id")),
        "photos__photo",
        Prefetch("followers", queryset=IncidentFollower.objects.select_related("user")),
        "extensions__requested_by",
    )


# The people an incident's page names, read in one query of their own after the row: joined
# into it, eleven tables cost PostgreSQL 8.5 ms to plan (the row 0.2 ms to read) at full size.
DETAIL_PEOPLE = ("reporter", "handler", "verified_by", "accepted_by", "closed_by")


def get_visible(user, number: str) -> Incident | None:
    """One incident the person may see, with what its page shows; None when foreign (its
    history and the rest are read only once it is known to be visible). A duplicate's original
    is read when shown (a voided duplicate's page only)."""
    qs = (
        Incident.objects.filter(number=number)
        .select_related("category", "category__branch", "grid", "village", "micro_grid")
        # the areas' boundaries are big GeoJSON: the page needs their names
        .defer("grid__boundary", "village__boundary", "micro_grid__boundary")
    )
    incident = _if_visible(user, _one(qs))
    if incident is None:
        return None
    fields = [Incident._meta.get_field(name) for name in DETAIL_PEOPLE]
    ids = {getattr(incident, f.attname) for f in fields} - {None}
    people = User.objects.in_bulk(ids) if ids else {}
    for f in fields:
        f.set_cached_value(incident, people.get(getattr(incident, f.attname)))
    prefetch_related_objects([incident], *detail_prefetch())
    return incident


def _one(qs):
    """The single row of a query by a unique key, or None — without the ORDER BY that
    ``.first()`` adds: ordering a select of many joined tables costs the compiler a hash of
    every column (several milliseconds for an incident's page), for one row it never needs."""
    rows = list(qs[:1])
    return rows[0] if rows else None


def urgency_rank():
    return Case(
        *[When(urgency=k, then=Value(v)) for k, v in URGENCY_RANK.items()],
        default=Value(9),
        output_field=IntegerField(),
    )


def grid_queue(user, *, now: datetime | None = None, only: str = "open"):
    """A grid member's or head's incidents, most urgent first: urgency, then the clock (red,
    yellow, normal, paused), then the nearest deadline."""
    now = now or timezone.now()
    grids = scope.grid_ids(user)
    qs = Incident.objects.filter(grid_id__in=grids)
    if only == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif only == "mine":
        qs = qs.filter(state__in=OPEN_STATES).filter(Q(handler=user) | Q(reporter=user))
    elif only == "closed":
        qs = Incident.objects.filter(grid_id__in=grids, state__in=[State.CLOSED, State.VOIDED])
        return (
            qs.select_related("category", "grid")
            .only(*LIST_COLUMNS, *RELATED_COLUMNS)
            .with_clock_status(now)
            .order_by("-closed_at", "-id")
        )
    return (
        qs.select_related("category", "grid")
        .only(*LIST_COLUMNS, *RELATED_COLUMNS)
        .with_clock_status(now)
        .annotate(urgency_rank=urgency_rank())
        .order_by("urgency_rank", "clock_rank", "due_at", "id")
    )


def my_reports(user):
    """A resident's (or member's) reports and the incidents they follow, newest first."""
    follows = IncidentFollower.objects.filter(user=user).values("incident_id")
    return (
        Incident.objects.filter(Q(reporter=user) | Q(pk__in=follows))
        .select_related("category", "duplicate_of")
        .order_by("-reported_at", "-id")
    )


# --- the supervisors' list -------------------------------------------------------------------


@dataclass
class Filters:
    category: str = ""  # leaf code or branch code
    village: int | None = None
    grid: int | None = None
    state: str = ""
    clock: str = ""
    outcome: str = ""
    source: str = ""
    date_from: datetime | None = None
    date_to: datetime | None = None
    q: str = ""


def search(user, filters: Filters, *, now: datetime | None = None):
    now = now or timezone.now()
    qs = visible(user).with_clock_status(now)
    if filters.category:
        code = filters.category.upper()
        qs = qs.filter(Q(category_code=code) | Q(category__branch__code=code))
    if filters.village:
        qs = qs.filter(village_id=filters.village)
    if filters.grid:
        qs = qs.filter(grid_id=filters.grid)
    if filters.state == "open":
        qs = qs.filter(state__in=OPEN_STATES)
    elif filters.state:
        qs = qs.filter(state=filters.state)
    if filters.clock:
        qs = qs.filter(clock_status=filters.clock)
    if filters.outcome:
        qs = qs.filter(outcome=filters.outcome)
    if filters.source:
        qs = qs.filter(source=filters.source)
    if filters.date_from:
        qs = qs.filter(reported_at__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(reported_at__lt=filters.date_to)
    if filters.q:
        qs = qs.filter(Q(number__iexact=filters.q.strip()) | Q(external_number=filters.q.strip()))
    return qs.select_related("category", "category__branch", "grid", "village", "handler").defer(
        "grid__boundary", "village__boundary"
    )


def page(qs, *, after: str = "", size: int = 50):
    """Keyset pages, newest first: (rows, cursor of the next page or "")."""
    qs = qs.order_by("-reported_at", "-id")
    if after:
        try:
            stamp, pk = after.rsplit("_", 1)
            moment = datetime.fromisoformat(stamp)
            qs = qs.filter(Q(reported_at__lt=moment) | Q(reported_at=moment, id__lt=int(pk)))
        except ValueError:
            pass
    rows = list(qs[: size + 1])
    cursor = ""
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        cursor = f"{last.reported_at.isoformat()}_{last.pk}"
    return rows, cursor


def figures(qs) -> dict:
    """Counts by state and by outcome: figures count outcomes, never bare closes."""
    by_state = dict(qs.order_by().values_list("state").annotate(n=Count("id")))
    by_outcome = dict(
        qs.filter(state=State.CLOSED).order_by().values_list("outcome").annotate(n=Count("id"))
    )
    closed = sum(by_outcome.values())
    solved = by_outcome.get(Outcome.SOLVED, 0)
    in_grid = qs.filter(state=State.CLOSED, outcome=Outcome.SOLVED, handler__isnull=False).count()
    return {
        "by_state": by_state,
        "by_outcome": by_outcome,
        "open": sum(by_state.get(s, 0) for s in OPEN_STATES),
        "closed": closed,
        "solved": solved,
        "solved_rate": round(100 * solved / closed, 1) if closed else None,
        "solved_in_grid": in_grid,
    }


# --- duplicates ------------------------------------------------------------------------------

EARTH_M_PER_DEG = 111_320.0


def distance_m(lat1: float, lng1: float, lat2: float, lng2: float) -> float:
    """Great-circle distance (haversine), metres."""
    r = 6_371_008.8
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lng2 - lng1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * r * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class Candidate:
    number: str
    distance_m: int
    description: str
    address: str
    state: str
    state_label: str
    reported_at: datetime
    followers: int


def duplicates(
    *,
    category_code: str,
    lat: float,
    lng: float,
    now: datetime | None = None,
    radius_m: int | None = None,
    days: int | None = None,
    limit: int = 10,
) -> list[Candidate]:
    """Open incidents of the same category within the category's radius (default 200 m) and
    the last N days (default 14), nearest first: "is it one of these?"."""
    now = now or timezone.now()
    category = category_sel.leaf_in_force(category_code, now)
    code = category.code if category else (category_code or "").upper()
    radius = radius_m or (category.duplicate_radius_m if category else 200)
    window = days or (category.duplicate_days if category else 14)
    dlat = radius / EARTH_M_PER_DEG
    dlng = radius / (EARTH_M_PER_DEG * max(math.cos(math.radians(lat)), 0.01))
    rows = (
        Incident.objects.filter(
            category_code=code,
            state__in=OPEN_STATES,
            reported_at__gte=now - timedelta(days=window),
            lat__range=(lat - dlat, lat + dlat),
            lng__range=(lng - dlng, lng + dlng),
        )
        .annotate(n_followers=Count("followers"))
        .values_list(
            "number",
            "lat",
            "lng",
            "description",
            "address",
            "state",
            "reported_at",
            "n_followers",
        )[:200]
    )
    labels = dict(State.choices)
    found = []
    for number, ilat, ilng, description, address, state, reported_at, n in rows:
        d = distance_m(lat, lng, ilat, ilng)
        if d <= radius:
            found.append(
                Candidate(
                    number=number,
                    distance_m=round(d),
                    description=description[:120],
                    address=address,
                    state=state,
                    state_label=str(labels.get(state, state)),
                    reported_at=reported_at,
                    followers=n,
                )
            )
    found.sort(key=lambda c: (c.distance_m, c.number))
    return found[:limit]


# --- plain words for residents ----------------------------------------------------------------


def plain_status(incident: Incident) -> str:
    """What a resident reads about their report."""
    from django.utils.translation import gettext as _

    state = incident.state
    if state == State.REPORTED:
        return _("已收到，等待网格员到现场核实")
    if state == State.VERIFIED:
        return _("已核实，等待受理")
    if state in (State.ACCEPTED, State.HANDLING, State.DISPATCHED):
        return _("已受理，正在处理")
    if state == State.ON_HOLD:
        return _("暂时挂起，将定期复查")
    if state == State.FEEDBACK:
        return _("已处理，正在核查结果")
    if state == State.CLOSED:
        return _("已办结：%(outcome)s") % {"outcome": incident.get_outcome_display()}
    if incident.duplicate_of_id:
        return _("与已上报的事件重复，已合并跟踪")
    return _("未受理：%(reason)s") % {"reason": incident.get_void_reason_display()}


def can_reopen(incident: Incident, now: datetime | None = None) -> bool:
    from grid.services.incidents import reopen_days

    now = now or timezone.now()
    return (
        incident.state == State.CLOSED
        and incident.outcome != Outcome.DUPLICATE
        and incident.closed_at is not None
        and now <= incident.closed_at + timedelta(days=reopen_days())
    )


def clock_label(status: str) -> str:
    return str(ClockStatus(status).label) if status in ClockStatus.values else ""


__all__ = [
    "Candidate",
    "Filters",
    "Source",
    "duplicates",
    "figures",
    "get_visible",
    "grid_queue",
    "my_reports",
    "page",
    "plain_status",
    "search",
    "visible",
]


def available_actions(user, incident: Incident) -> set[str]:
    """The actions a page should offer ``user`` on ``incident`` (the services decide)."""
    from grid.services.incidents import may_close

    state = incident.state
    actions: set[str] = set()
    in_grid = scope.is_in_grid(user, incident.grid_id)
    head_or_centre = scope.is_centre(user) or scope.is_head_of(user, incident.grid_id)
    handler_side = incident.handler_id == user.pk or head_or_centre
    if state == State.REPORTED and in_grid:
        actions.add("verify")
    if state == State.VERIFIED and head_or_centre:
        actions.add("accept")
    if state in (State.REPORTED, State.VERIFIED) and head_or_centre:
        actions |= {"void", "relocate"}
    if state == State.ACCEPTED and incident.category.grid_may_handle:
        if head_or_centre:
            actions.add("assign")
        elif in_grid:
            actions.add("take")
    if state == State.HANDLING and head_or_centre:
        actions.add("reassign")
    if state == State.HANDLING and handler_side:
        actions.add("report_result")
    if state == State.FEEDBACK and may_close(user, incident):
        actions |= {"close", "send_back"}
    if state in (State.ACCEPTED, State.HANDLING) and head_or_centre:
        actions.add("hold")
    if state == State.ON_HOLD and head_or_centre:
        actions.add("resume")
    if (
        state in (State.ACCEPTED, State.HANDLING, State.DISPATCHED)
        and handler_side
        and incident.category.max_extension > 0
        and not any(e.status in ("pending", "approved") for e in incident.extensions.all())
    ):
        actions.add("request_extension")
    pending = [e for e in incident.extensions.all() if e.status == "pending"]
    if pending and head_or_centre and pending[0].requested_by_id != user.pk:
        actions.add("decide_extension")
    if incident.is_open and head_or_centre:
        actions.add("merge")
    if state == State.CLOSED and can_reopen(incident):
        if incident.reporter_id == user.pk or any(
            f.user_id == user.pk for f in incident.followers.all()
        ):
            actions.add("reopen")
    return actions


def board(grid_ids_, *, now: datetime | None = None) -> list[dict]:
    """The grid board: per grid, open incidents by state and by clock (one grouped query)."""
    from portal.models import Area

    now = now or timezone.now()
    qs = Incident.objects.filter(state__in=OPEN_STATES)
    if grid_ids_ is not None:
        qs = qs.filter(grid_id__in=grid_ids_)
    rows = (
        qs.with_clock_status(now)
        .order_by()
        .values_list("grid_id", "state", "clock_status")
        .annotate(n=Count("id"))
    )
    grids: dict = {}
    for grid_id, state, status, n in rows:
        entry = grids.setdefault(
            grid_id, {"grid_id": grid_id, "states": {}, "clock": {}, "open": 0}
        )
        entry["states"][state] = entry["states"].get(state, 0) + n
        entry["clock"][status] = entry["clock"].get(status, 0) + n
        entry["open"] += n
    ids = set(grids) | (set(grid_ids_) if grid_ids_ is not None else set())
    names = dict(Area.objects.filter(pk__in=[i for i in ids if i]).values_list("pk", "name"))
    result = []
    for grid_id in ids:
        entry = grids.get(grid_id, {"grid_id": grid_id, "states": {}, "clock": {}, "open": 0})
        entry["name"] = names.get(grid_id, "") if grid_id else ""
        result.append(entry)
    result.sort(key=lambda e: (-e["clock"].get("overdue", 0), -e["open"], e["name"]))
    return result


def page_url(user, incident: Incident) -> str:
    """Where a person reads an incident: staff the detail page, residents their report."""
    from django.urls import reverse

    from portal import roles

    staff = (roles.GRID_MEMBER, roles.GRID_HEAD, roles.DISPATCHER, roles.SUPERVISOR)
    if getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_role(*staff)):
        return reverse("grid:incident-detail", args=[incident.number])
    return reverse("grid:my-report", args=[incident.number])


def open_work(area, *, now: datetime | None = None) -> dict:
    """Open incidents in ``area`` (a village, a grid or a micro-grid) by clock."""
    from portal.models import AreaKind

    now = now or timezone.now()
    qs = Incident.objects.filter(state__in=OPEN_STATES)
    if area.kind in (AreaKind.VILLAGE, AreaKind.COMMUNITY):
        qs = qs.filter(village=area)
    elif area.kind == AreaKind.MICRO_GRID:
        qs = qs.filter(micro_grid=area)
    else:
        qs = qs.filter(grid=area)
    by_clock = dict(
        qs.with_clock_status(now).order_by().values_list("clock_status").annotate(n=Count("id"))
    )
    return {
        "open": sum(by_clock.values()),
        "overdue": by_clock.get("overdue", 0),
        "warning": by_clock.get("warning", 0),
    }
