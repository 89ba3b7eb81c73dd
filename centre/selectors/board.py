"""The live board: every panel's figures in one dict (GET /api/v1/centre/board/, the desk, the
big screen). Each panel reads one app through its selectors; every number carries the URL of
the list behind it. Each panel is computed once per its own key (centre.selectors.stamp: the
stamps of the data it shows and the clock's tick) and shared by every dispatcher's browser: a
new report recomputes the incidents' panels, not the cases' or the applications'. An unchanged
board is a cache hit, and its ETag a 304."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone, translation

from approvals.selectors import dashboard as application_dashboard
from enforcement.selectors import callouts as callout_sel
from enforcement.selectors import clock as case_clock
from enforcement.selectors import team as team_sel
from grid.selectors import overview as incident_overview

from . import duty as duty_sel
from . import forecast as forecast_sel
from .late import late_list
from .stamp import board_stamp, panel_keys

CACHE_SECONDS = 120
LOCK_SECONDS = 60  # a computation that takes longer is assumed dead


def _url(name: str, **params) -> str:
    base = reverse(name)
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return f"{base}?{query}" if query else base


def duty_panel(now: datetime) -> dict:
    slot = duty_sel.current_slot(now)
    people = duty_sel.on_duty(slot)
    nxt = duty_sel.on_duty(duty_sel.next_slot(slot)) if slot else []
    handover = duty_sel.latest_handover()
    today = timezone.localdate(now)
    squads: dict[str, dict] = {}
    for shift in team_sel.duty_roster(day=today):
        entry = squads.setdefault(
            shift.squad.code,
            {"squad": shift.squad.code, "squad_name": shift.squad.name, "officers": []},
        )
        entry["officers"].append(
            {"name": shift.officer.user.display_name, "is_lead": shift.is_lead}
        )
    return {
        "shift": (
            {
                "day": slot.day,
                "name": slot.shift.name,
                "label": slot.shift.label,
                "hours": slot.shift.hours(),
                "ends_at": slot.bounds[1],
            }
            if slot
            else None
        ),
        "dispatchers": [
            {"name": d.user.display_name, "is_lead": d.is_lead, "phone": d.user.mobile or ""}
            for d in people
        ],
        "next": [{"name": d.user.display_name, "is_lead": d.is_lead} for d in nxt],
        "squads": list(squads.values()),
        "handover": (
            {
                "id": handover.pk,
                "day": handover.day,
                "shift": handover.shift,
                "author": handover.author.display_name,
                "written_at": handover.written_at,
                "text": handover.text,
                "acknowledged_by": (
                    handover.acknowledged_by.display_name if handover.acknowledged_by_id else ""
                ),
                "acknowledged_at": handover.acknowledged_at,
            }
            if handover
            else None
        ),
        "url": reverse("centre:duty"),
    }


def new_reports_panel(now: datetime) -> dict:
    panel = incident_overview.new_reports(now=now)
    supervise = "grid:incident-supervise"
    panel["urls"] = {
        "unverified": _url(supervise, state="reported"),
        "unaccepted": _url(supervise, state="verified"),
        "to_route": _url(supervise, state="accepted"),
    }
    for item in panel["items"]:
        item["url"] = reverse("grid:incident-detail", args=[item["number"]])
        item["callout_url"] = _url("centre:callout-new", incident=item["number"])
    return panel


def incidents_panel(now: datetime) -> dict:
    panel = incident_overview.by_area(now=now)
    base = reverse("grid:incident-supervise")  # once: hundreds of grids, three links each

    def urls(**area) -> dict:
        where = "".join(f"&{k}={v}" for k, v in area.items() if v not in (None, ""))
        return {
            "open": f"{base}?state=open{where}",
            "overdue": f"{base}?state=open&clock=overdue{where}",
            "warning": f"{base}?state=open&clock=warning{where}",
        }

    panel["urls"] = urls()
    for village in panel["villages"]:
        village["urls"] = urls(village=village["id"])
        for grid in village["grids"]:
            grid["urls"] = urls(grid=grid["id"])
    return panel


def callouts_panel(now: datetime) -> dict:
    items = callout_sel.in_progress(now=now)
    for item in items:
        item["url"] = reverse("centre:callout", args=[item["number"]])
    return {
        "count": len(items),
        "missed": sum(1 for i in items if i["missed"]),
        "items": items,
        "url": reverse("centre:callouts"),
    }


def cases_panel(now: datetime) -> dict:
    panel = case_clock.near_deadlines(now=now)
    for kind in panel["kinds"]:
        kind["red_url"] = _url("centre:cases", kind=kind["kind"], status="overdue")
        kind["yellow_url"] = _url("centre:cases", kind=kind["kind"], status="warning")
    panel["items"] = [
        {
            "number": i.number,
            "title": i.title,
            "holder": i.holder,
            "due": i.due_at,
            "status": str(i.status),
            "url": i.url,
        }
        for i in panel["items"]
    ]
    panel["red_url"] = _url("centre:cases", status="overdue")
    panel["yellow_url"] = _url("centre:cases", status="warning")
    return panel


def applications_panel(now: datetime) -> dict:
    today = timezone.localdate(now)
    cards = application_dashboard.department_cards(
        application_dashboard.Filters.default(today), today
    )
    departments = [
        {
            "id": row["key"],
            "name": row["label"],
            "red": row["red"],
            "yellow": row["yellow"],
            "red_url": _url("centre:applications", status="overdue", department=row["key"]),
            "yellow_url": _url("centre:applications", status="warning", department=row["key"]),
        }
        for row in cards["department"]
    ]
    return {
        "red": cards["red"],
        "yellow": cards["yellow"],
        "departments": departments,
        "red_url": _url("centre:applications", status="overdue"),
        "yellow_url": _url("centre:applications", status="warning"),
    }


def late_panel(now: datetime) -> dict:
    rows = late_list(now=now, limit=int(settings.CENTRE["LATE_LIST"]))
    return {"items": [r.as_dict() for r in rows], "url": reverse("centre:late")}


def forecast_panel() -> dict:
    found = dict(forecast_sel.cached(limit=10, wait=False))
    found["url"] = reverse("centre:forecast")
    return found


def dispatch_panels(now: datetime) -> dict:
    """Work orders late to sign for or to finish by department, returned orders waiting for
    redispatch, whistles awaiting report: the dispatch issue's selectors, when they are on
    main (None until then: the board says the panel is not available)."""
    try:
        from grid.selectors import dispatch_board  # issue 13
    except ImportError:
        return {"work_orders": None, "returned": None, "whistles": None}
    return dispatch_board.centre_panels(now=now)


# panel (as in centre.selectors.stamp.PANEL_STAMPS) → its figures; "dispatch" gives three.
PANELS = {
    "duty": duty_panel,
    "new_reports": new_reports_panel,
    "incidents": incidents_panel,
    "dispatch": dispatch_panels,
    "callouts": callouts_panel,
    "cases": cases_panel,
    "applications": applications_panel,
    "late": late_panel,
    "forecast": lambda now: forecast_panel(),
}


def _assemble(now: datetime, panels: dict[str, dict]) -> dict:
    data = {"generated_at": now}
    for name in PANELS:
        if name == "dispatch":
            data.update(panels[name])
        else:
            data[name] = panels[name]
    return data


def compute(now: datetime | None = None) -> dict:
    """Every panel afresh (no cache)."""
    now = now or timezone.now()
    return _assemble(now, {name: fn(now) for name, fn in PANELS.items()})


def _panel_or_previous(name: str, key: str, now: datetime) -> tuple[dict, bool]:
    """(panel, stale): one process computes a panel whose key moved (a lock in the shared
    cache); the others meanwhile show its previous version rather than compute it again — a
    new report polled by every dispatcher and the wall at once costs one computation, not one
    per worker. A panel computed less than CENTRE["PANEL_MIN_SECONDS"] ago is not computed
    again: its previous version is shown until then — on a busy day reports arrive faster
    than the board polls, and every poll would recompute the incidents' panels. With no
    previous version yet, every caller computes."""
    language = translation.get_language() or ""
    previous_key = f"centre:panel:{name}:{language}:previous"
    recent_key = f"centre:panel:{name}:{language}:recent"
    least = int(settings.CENTRE["PANEL_MIN_SECONDS"])
    if least > 0:
        found = cache.get_many([recent_key, previous_key])
        if recent_key in found and previous_key in found:
            return found[previous_key], True
    lock = f"centre:computing:{key}"
    holder = cache.add(lock, 1, LOCK_SECONDS)
    if not holder:
        previous = cache.get(previous_key)
        if previous is not None:
            return previous, True
    try:
        panel = PANELS[name](now)
        if panel.get("pending"):  # being computed elsewhere: asked again at the next poll
            return panel, True
        cache.set_many({key: panel, previous_key: panel}, CACHE_SECONDS)
        if least > 0:
            cache.set(recent_key, 1, least)
    finally:
        if holder:  # never release another process's lock
            cache.delete(lock)
    return panel, False


def board(now: datetime | None = None, *, stamp: str | None = None) -> tuple[str, dict]:
    """(stamp, board): the panels whose key moved are computed again, the others come from the
    cache; the assembled board is kept per stamp and shared. While another process computes a
    moved panel, its previous version is shown under a stamp of its own (never cached, so the
    next poll asks again and gets the fresh board)."""
    now = now or timezone.now()
    keys = panel_keys(now)
    stamp = stamp or board_stamp(keys)
    key = f"centre:board:{stamp}"
    data = cache.get(key)
    if data is None:
        cache_keys = {name: f"centre:panel:{name}:{keys[name]}" for name in PANELS}
        found = cache.get_many(list(cache_keys.values()))
        panels, stale = {}, False
        for name in PANELS:
            panel = found.get(cache_keys[name])
            if panel is None:
                panel, previous = _panel_or_previous(name, cache_keys[name], now)
                stale = stale or previous
            panels[name] = panel
        data = _assemble(now, panels)
        if stale:
            stamp = f"{stamp}-previous"
            data["stamp"] = stamp
            return stamp, data
        data["stamp"] = stamp
        cache.set(key, data, CACHE_SECONDS)
    return stamp, data
