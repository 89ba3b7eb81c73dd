"""The forecast: which open items will go late at the current pace, before they are red.

Method (docs/centre.md states it for readers):

1. Each holder (a reviewer, a department's unclaimed pool, a grid, a grid member handling
   incidents, a squad, a department's work orders) has a queue: their open items with a running
   clock in working days, earliest deadline first (the order the clock asks them to work in).
2. Their pace ``r`` is what they finished in the last N working days (settings.CENTRE
   ``FORECAST_WINDOW_DAYS``, default 20) divided by N: items per working day.
3. The k-th item of the queue is expected to be finished on working day ``ceil(k / r)``,
   counting today as day 1 when today is a working day (else the next working day is day 1).
   A holder who finished nothing in the window has no pace: their items are expected never.
4. An item will miss its deadline when that expected day is after its due day. The board lists
   such items that are not red yet (normal or yellow), earliest deadline first, with the
   expected finish, the holder's queue and pace: "unless something changes".

Items whose limit is in hours (urgent incidents and work orders) are left out: their clocks are
short and watched live on the one clock. The result is computed by a periodic task every few
minutes and kept (a pace does not change from one second to the next): the board only reads it."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation

from portal import workdays
from portal.clock import ClockItem, ClockStatus, Workload
from portal.reminders import working_days_before

from .sources import kind_label, sources


@dataclass(frozen=True)
class Prediction:
    item: ClockItem
    holder_key: str
    holder: str
    position: int  # k: the item's place in the holder's queue
    queue: int  # the holder's open items
    pace: float  # items per working day
    expected: date | None  # None: never at this pace

    @property
    def due_day(self) -> date:
        return timezone.localdate(self.item.due_at)

    @property
    def will_miss(self) -> bool:
        return self.expected is None or self.expected > self.due_day

    def as_dict(self) -> dict:
        """What the board keeps of it, in the current language (the labels of ``will_miss``
        are lazy strings: made here)."""
        i = self.item
        return {
            "kind": i.kind,
            "kind_label": kind_label(i.kind),
            "number": i.number,
            "title": str(i.title),
            "holder": str(self.holder),
            "due": self.due_day,
            "status": str(i.status),
            "expected": self.expected,
            "position": self.position,
            "queue": self.queue,
            "pace": round(self.pace, 2),
            "url": i.url,
        }


def expected_day(today: date, position: int, pace: float) -> date | None:
    """The working day on which the ``position``-th item of a queue is expected to be finished
    at ``pace`` items per working day (today is day 1 when it is a working day)."""
    if pace <= 0:
        return None
    n = math.ceil(position / pace - 1e-9)
    if workdays.is_working_day(today):
        return workdays.add_working_days(today, n - 1)
    return workdays.add_working_days(today, n)


def predict(loads: list[Workload], *, today: date, window_days: int) -> list[Prediction]:
    """Every item of every holder's queue with its expected finish (the method above)."""
    out = []
    for load in loads:
        pace = load.completed / window_days if window_days else 0.0
        queue = sorted(load.items, key=lambda i: (i.due_at, i.number))
        for position, item in enumerate(queue, start=1):
            out.append(
                Prediction(
                    item=item,
                    holder_key=load.key,
                    holder=load.holder,
                    position=position,
                    queue=len(queue),
                    pace=pace,
                    expected=expected_day(today, position, pace),
                )
            )
    return out


def will_miss(
    *, now: datetime | None = None, window_days: int | None = None, limit: int | None = None
) -> list[Prediction]:
    """The items not yet red that will miss their deadline at the current pace, earliest
    deadline first. Computed in no language: the translated labels (titles, holders) are lazy
    strings, made in the language active when they are used (``Prediction.as_dict``), so one
    computation serves every language of the site."""
    now = now or timezone.now()
    window = window_days or int(settings.CENTRE["FORECAST_WINDOW_DAYS"])
    today = timezone.localdate(now)
    since = working_days_before(today, window)
    loads: list[Workload] = []
    for source in sources().values():
        loads += source.workload(since=since, now=now, lazy_labels=True)
    found = [
        p
        for p in predict(loads, today=today, window_days=window)
        if p.will_miss and p.item.status != ClockStatus.OVERDUE
    ]
    found.sort(key=lambda p: (p.item.due_at, p.item.kind, p.item.number))
    return found[:limit] if limit else found


KEEP = 500  # the most items any page shows (the board 10, the API 200, the list 500)
COMPUTE_LOCK_SECONDS = 120  # a computation that takes longer is assumed dead


def _key() -> str:
    return f"centre:forecast:{translation.get_language()}"


def refresh(*, now: datetime | None = None) -> dict:
    """Compute the forecast in the current language and keep it for the board. The periodic
    task ``centre.tasks.forecast_refresh`` does this every FORECAST_CACHE_SECONDS, so no
    dispatcher's request waits for it (at a million incidents it takes seconds); the kept copy
    lives three periods, and a request computes it only when none is kept (a cold cache, no
    worker)."""
    now = now or timezone.now()
    return _keep(will_miss(now=now), now)


def _keep(rows: list[Prediction], now: datetime) -> dict:
    """Keep a computed forecast for the board in the current language."""
    found = {
        "computed_at": now,
        "total": len(rows),
        "items": [p.as_dict() for p in rows[:KEEP]],
    }
    cache.set(_key(), found, 3 * int(settings.CENTRE["FORECAST_CACHE_SECONDS"]))
    return found


def refresh_all(*, now: datetime | None = None) -> dict[str, int]:
    """``refresh`` in every language of the site: {language: items that will miss}. The
    forecast is computed once (``will_miss`` is in no language) and kept in each language —
    was computed once per language, 9.8–11.6 s each time at the full-size town."""
    now = now or timezone.now()
    rows = will_miss(now=now)
    totals = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            totals[code] = _keep(rows, now)["total"]
    return totals


def cached(*, limit: int = 50, wait: bool = True) -> dict:
    """The forecast as kept by ``refresh``. When none is kept (a cold cache, the worker not yet
    run) one process computes it; with ``wait=False`` (the board, polled by every dispatcher
    and wall at once) the others do not compute it again meanwhile but get it as pending —
    at a million incidents a computation takes seconds, and three web workers computing it
    together held every request of the portal for half a minute."""
    found = cache.get(_key())
    if found is None:
        lock = f"{_key()}:computing"
        holder = cache.add(lock, 1, COMPUTE_LOCK_SECONDS)
        if not holder and not wait:
            return {"computed_at": None, "total": 0, "items": [], "pending": True}
        try:
            found = refresh()
        finally:
            if holder:
                cache.delete(lock)
    return {
        "computed_at": found["computed_at"],
        "total": found["total"],
        "items": found["items"][: max(0, min(limit, KEEP))],
    }
