"""The town-wide overview of incidents for the command centre: new reports waiting to be
verified, accepted or routed; open incidents by state and clock per village and grid; the map
layer (grids coloured, pins by urgency); the period figures (solved inside the grid, on time,
satisfaction, top categories, hot spots). Town-wide reads: the caller (the centre's pages)
checks that the person may see everything. Each is a handful of grouped queries."""

from __future__ import annotations

from datetime import datetime

from django.db import connections
from django.db.models import Avg, Count, Min, Q
from django.utils import timezone

from grid.models import Incident, IncidentRating, Urgency
from grid.models.incidents import CLOCK_RUNNING, OPEN_STATES, URGENCY_RANK, Outcome, State
from grid.selectors.incidents import urgency_rank
from portal.clock import ClockStatus
from portal.models import Area

NEW_STATES = (State.REPORTED, State.VERIFIED)


def _to_route_q() -> Q:
    """Accepted incidents whose category the grid may not handle: they wait for the centre."""
    return Q(state=State.ACCEPTED, category__grid_may_handle=False)


def new_reports(*, now: datetime | None = None, limit: int = 10) -> dict:
    """Reports not yet verified, verified but not accepted, and accepted ones waiting to be
    routed by the centre: counts, the oldest, and the newest few (urgent first)."""
    now = now or timezone.now()
    # The states first (on the open incidents' index), the category's flag among those: an OR
    # across the join would read every incident of the town.
    waiting = Q(state__in=(*NEW_STATES, State.ACCEPTED)) & (
        Q(state__in=NEW_STATES) | Q(category__grid_may_handle=False)
    )
    totals = Incident.objects.filter(waiting).aggregate(
        unverified=Count("state", filter=Q(state=State.REPORTED)),
        unaccepted=Count("state", filter=Q(state=State.VERIFIED)),
        to_route=Count("state", filter=_to_route_q()),
        urgent=Count("state", filter=Q(urgency="urgent")),
        oldest=Min("reported_at"),
    )
    # Two steps: the newest few's keys off the open incidents' covering index (index-only, no
    # row read), then only those rows with their names.
    ids = list(
        Incident.objects.filter(waiting)
        .annotate(urgency_rank=urgency_rank())
        .order_by("urgency_rank", "-reported_at", "-id")
        .values_list("id", flat=True)[:limit]
    )
    found = {
        i.pk: i
        for i in Incident.objects.filter(pk__in=ids)
        .select_related("category", "village", "grid")
        .only(
            "number",
            "state",
            "urgency",
            "reported_at",
            "description",
            "lat",
            "lng",
            "source",
            "category__name",
            "village__name",
            "grid__name",
        )
        .order_by()
    }
    rows = [found[pk] for pk in ids if pk in found]
    items = [
        {
            "number": i.number,
            "state": i.state,
            "state_label": str(i.get_state_display()),
            "urgency": i.urgency,
            "urgency_label": str(i.get_urgency_display()),
            "category": i.category.name,
            "description": i.description[:80],
            "source": i.source,
            "source_label": str(i.get_source_display()),
            "village": i.village.name if i.village_id else "",
            "grid": i.grid.name if i.grid_id else "",
            "reported_at": i.reported_at,
            "age_minutes": int((now - i.reported_at).total_seconds() // 60),
            "lat": i.lat,
            "lng": i.lng,
        }
        for i in rows
    ]
    total = totals["unverified"] + totals["unaccepted"] + totals["to_route"]
    oldest = totals["oldest"]
    return {
        "total": total,
        "unverified": totals["unverified"],
        "unaccepted": totals["unaccepted"],
        "to_route": totals["to_route"],
        "urgent": totals["urgent"],
        "oldest_at": oldest,
        "oldest_minutes": int((now - oldest).total_seconds() // 60) if oldest else None,
        "items": items,
    }


CLOCK_KEYS = (ClockStatus.OVERDUE, ClockStatus.WARNING, ClockStatus.NORMAL, ClockStatus.PAUSED)


def by_area(*, now: datetime | None = None) -> dict:
    """Open incidents by state and clock, per village and, inside it, per grid: one grouped
    query by village, grid and state counting each clock status in the same pass (the one
    clock's conditions, portal.clock.status_filters) — an index-only scan of the open incidents'
    covering index (incident_open_cover_idx) — plus the areas' names. The grouped rows (a few
    thousand) are read as plain tuples (Django's per-value converters cost more than the
    query) and added up per grid, then the grids per village and the town."""
    now = now or timezone.now()
    clocks = Incident.objects.clock_filters(now)
    keys = [str(k) for k in CLOCK_KEYS]
    grouped = (
        Incident.objects.filter(state__in=OPEN_STATES)
        .order_by()
        .values_list("village_id", "grid_id", "state")
        # COUNT of ``state`` (never null): Django refuses ``Count("*", filter=...)``, and
        # COUNT(id) would read every row (the id is not needed to count).
        .annotate(n=Count("*"), **{k: Count("state", filter=clocks[k]) for k in keys})
    )
    sql, params = grouped.query.sql_with_params()
    with connections[grouped.db].cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    # per (village, grid): open, {state: n}, [overdue, warning, normal, paused]
    per_grid: dict[tuple, list] = {}
    for village_id, grid_id, state, n, *counts in rows:
        g = per_grid.get((village_id, grid_id))
        if g is None:
            per_grid[(village_id, grid_id)] = [n, {state: n}, counts]
        else:
            g[0] += n
            g[1][state] = n
            g[2] = [a + b for a, b in zip(g[2], counts, strict=True)]
    villages: dict = {}
    totals = _blank()
    for (village_id, grid_id), (n, states, counts) in per_grid.items():
        v = villages.get(village_id)
        if v is None:
            v = villages[village_id] = {**_blank(), "grids": {}}
        v["grids"][grid_id] = {
            "open": n,
            "states": states,
            "clock": dict(zip(keys, counts, strict=True)),
        }
        for whole in (v, totals):
            whole["open"] += n
            whole_states = whole["states"]
            for state, m in states.items():
                whole_states[state] = whole_states.get(state, 0) + m
            clock = whole["clock"]
            for key, m in zip(keys, counts, strict=True):
                clock[key] += m
    ids = set(villages) | {g for v in villages.values() for g in v["grids"]}
    areas = {
        pk: (code, name)
        for pk, code, name in Area.objects.filter(pk__in=[i for i in ids if i]).values_list(
            "id", "code", "name"
        )
    }
    out = []
    for village_id, v in villages.items():
        code, name = areas.get(village_id, ("", ""))
        grids = []
        for grid_id, g in v["grids"].items():
            gcode, gname = areas.get(grid_id, ("", ""))
            grids.append({"id": grid_id, "code": gcode, "name": gname, **g})
        grids.sort(key=_order)
        out.append(
            {
                "id": village_id,
                "code": code,
                "name": name,
                **{k: v[k] for k in ("open", "states", "clock")},
                "grids": grids,
            }
        )
    out.sort(key=_order)
    return {
        "states": [{"state": s.value, "label": str(s.label)} for s in OPEN_STATES],
        "totals": totals,
        "villages": out,
    }


def _blank() -> dict:
    return {"open": 0, "states": {}, "clock": {str(k): 0 for k in CLOCK_KEYS}}


def _order(entry: dict):
    return (-entry["clock"][ClockStatus.OVERDUE], -entry["open"], entry["code"] or "~")


def _clock(state, due_at, warn_at, now) -> str:
    if state not in CLOCK_RUNNING:
        return "paused"
    if due_at is not None and due_at < now:
        return "overdue"
    if warn_at is not None and warn_at <= now:
        return "warning"
    return "normal"


def map_layer(*, now: datetime | None = None, pins: int = 3000) -> dict:
    """What the centre's map draws over the areas: per grid its open and late incidents (to
    colour it), and every open incident with a place — as a pin (number, place, urgency, clock)
    while there are at most ``pins`` of them; beyond that the urgent ones stay pins (while they
    alone are at most ``pins``) and the others are gathered per grid into clusters (grid, mean
    place, how many, how many late, yellow and urgent), so nothing is left out and the layer
    stays small whatever the town. Two or three grouped queries on the open incidents."""
    now = now or timezone.now()
    running = Q(state__in=CLOCK_RUNNING)
    late_q = running & Q(due_at__lt=now)
    warning_q = running & Q(due_at__gte=now, warn_at__lte=now)
    placed = Q(lat__isnull=False, lng__isnull=False)
    open_ = Incident.objects.filter(state__in=OPEN_STATES)
    grids = {}
    placed_total = urgent_total = 0
    urgent_q = placed & Q(urgency=Urgency.URGENT)
    for grid_id, n, late, warning, with_place, urgent in (
        open_.order_by()
        .values_list("grid_id")
        .annotate(
            n=Count("id"),
            late=Count("id", filter=late_q),
            warning=Count("id", filter=warning_q),
            with_place=Count("id", filter=placed),
            urgent=Count("id", filter=urgent_q),
        )
    ):
        placed_total += with_place
        urgent_total += urgent
        if grid_id is not None:
            grids[grid_id] = (n, late, warning)
    codes = dict(Area.objects.filter(pk__in=list(grids)).values_list("pk", "code"))
    columns = ("number", "lat", "lng", "urgency", "state", "due_at", "warn_at")
    clustered = placed_total > pins
    all_clustered = clustered and urgent_total > pins
    pin_rows = open_.filter(placed)
    if clustered:
        pin_rows = pin_rows.filter(urgency=Urgency.URGENT)
    out_pins = (
        []
        if all_clustered
        else [
            [number, round(lat, 6), round(lng, 6), urgency, _clock(state, due_at, warn_at, now)]
            for number, lat, lng, urgency, state, due_at, warn_at in pin_rows.order_by().values_list(
                *columns
            )
        ]
    )
    out_pins.sort(key=lambda p: URGENCY_RANK.get(p[3], 9))
    clusters = []
    if clustered:
        gathered = open_.filter(placed)
        if not all_clustered:
            gathered = gathered.exclude(urgency=Urgency.URGENT)
        for grid_id, n, late, warning, urgent, lat, lng in (
            gathered.order_by()
            .values_list("grid_id")
            .annotate(
                n=Count("id"),
                late=Count("id", filter=late_q),
                warning=Count("id", filter=warning_q),
                urgent=Count("id", filter=Q(urgency=Urgency.URGENT)),
                lat=Avg("lat"),
                lng=Avg("lng"),
            )
        ):
            clusters.append(
                [codes.get(grid_id, ""), round(lat, 6), round(lng, 6), n, late, warning, urgent]
            )
        clusters.sort(key=lambda c: (-c[4], -c[3], c[0]))
    return {
        "grids": [
            {"id": grid_id, "code": codes.get(grid_id, ""), "open": o, "late": late, "warning": w}
            for grid_id, (o, late, w) in grids.items()
            if grid_id in codes
        ],
        "pins": out_pins,
        "clusters": clusters,
        "placed": placed_total,
    }


# --- the period figures ----------------------------------------------------------------------


def period_figures(start: datetime, end: datetime) -> dict:
    """Incidents of [start, end): closed (by outcome), solved inside the grid (solved by a grid
    handler, never sent to a department) per village and grid, on time, the reporters'
    satisfaction, the top categories and the hot spots (grids) of what was reported."""
    closed = Incident.objects.filter(state=State.CLOSED, closed_at__gte=start, closed_at__lt=end)
    in_grid = Q(outcome=Outcome.SOLVED, handler__isnull=False)
    totals = closed.aggregate(
        closed=Count("id"),
        solved=Count("id", filter=Q(outcome=Outcome.SOLVED)),
        solved_in_grid=Count("id", filter=in_grid),
        n_on_time=Count("id", filter=Q(on_time=True)),
        n_timed=Count("id", filter=Q(on_time__isnull=False)),
    )
    per_area = (
        closed.order_by()
        .values_list("village_id", "grid_id")
        .annotate(n=Count("id"), in_grid=Count("id", filter=in_grid))
    )
    villages: dict = {}
    for village_id, grid_id, n, in_grid_n in per_area:
        v = villages.setdefault(village_id, {"closed": 0, "in_grid": 0, "grids": {}})
        v["closed"] += n
        v["in_grid"] += in_grid_n
        g = v["grids"].setdefault(grid_id, {"closed": 0, "in_grid": 0})
        g["closed"] += n
        g["in_grid"] += in_grid_n
    reported = Incident.objects.filter(reported_at__gte=start, reported_at__lt=end)
    categories = list(
        reported.order_by()
        .values_list("category_code", "category__name")
        .annotate(n=Count("id"))
        .order_by("-n", "category_code")[:10]
    )
    hot = list(
        reported.filter(grid__isnull=False)
        .order_by()
        .values_list("grid_id")
        .annotate(n=Count("id"))
        .order_by("-n", "grid_id")[:10]
    )
    ratings = IncidentRating.objects.filter(at__gte=start, at__lt=end).aggregate(
        n=Count("id"),
        avg=Avg("score"),
        satisfied=Count("id", filter=Q(score__gte=4)),
    )
    ids = set(villages) | {g for v in villages.values() for g in v["grids"]} | {g for g, _n in hot}
    areas = {
        a.pk: a
        for a in Area.objects.filter(pk__in=[i for i in ids if i]).only(
            "id", "code", "name", "village_id"
        )
    }

    def rate(part, whole):
        return round(100 * part / whole, 1) if whole else None

    def label(pk):
        return areas[pk].name if pk in areas else "—"

    return {
        "reported": reported.count(),
        "closed": totals["closed"],
        "solved": totals["solved"],
        "solved_in_grid": totals["solved_in_grid"],
        "in_grid_rate": rate(totals["solved_in_grid"], totals["closed"]),
        "on_time": totals["n_on_time"],
        "timed": totals["n_timed"],
        "on_time_rate": rate(totals["n_on_time"], totals["n_timed"]),
        "villages": sorted(
            [
                {
                    "code": areas[v_id].code if v_id in areas else "",
                    "name": label(v_id),
                    "closed": v["closed"],
                    "in_grid": v["in_grid"],
                    "rate": rate(v["in_grid"], v["closed"]),
                    "grids": sorted(
                        [
                            {
                                "code": areas[g_id].code if g_id in areas else "",
                                "name": label(g_id),
                                "closed": g["closed"],
                                "in_grid": g["in_grid"],
                                "rate": rate(g["in_grid"], g["closed"]),
                            }
                            for g_id, g in v["grids"].items()
                        ],
                        key=lambda r: r["code"],
                    ),
                }
                for v_id, v in villages.items()
            ],
            key=lambda r: r["code"],
        ),
        "ratings": {
            "count": ratings["n"],
            "average": round(ratings["avg"], 2) if ratings["avg"] is not None else None,
            "satisfied": ratings["satisfied"],
            "satisfied_rate": rate(ratings["satisfied"], ratings["n"]),
        },
        "top_categories": [
            {"code": code, "name": name, "count": n} for code, name, n in categories
        ],
        "hot_spots": [
            {
                "code": areas[g].code if g in areas else "",
                "name": label(g),
                "count": n,
            }
            for g, n in hot
        ],
    }
