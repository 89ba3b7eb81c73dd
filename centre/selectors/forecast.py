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
    return _will_miss(now=now, window_days=window_days, limit=limit)[1]


def _will_miss(
    *, now: datetime | None = None, window_days: int | None = None, limit: int | None = None
) -> tuple[int, list[Prediction]]:
    """(how many items will miss, the first ``limit`` of them): ``predict`` on every holder's
    workload, made cheap for a town of a million items (issue 19). The workloads are read as
    keys (the apps' ``workload_keys``: plain values, no row or label); for each queue only the
    position, the pace and the due day decide whether an item will miss — its expected day is
    the d-th working day after today (``expected_day``: d = ceil(k / r) - 1, one more on a day
    off), after a due day not before today exactly when fewer than d working days lie in
    (today, due day], counted once per due day — and the items are built (``items_for``, lazy
    labels) only for the predictions returned, in one query per app. Same result as ``predict``
    (tests/centre/test_forecast_keys.py); an item deleted between the two reads is counted in
    the total and left out of the list."""
    now = now or timezone.now()
    window = window_days or int(settings.CENTRE["FORECAST_WINDOW_DAYS"])
    today = timezone.localdate(now)
    since = working_days_before(today, window)
    first = 0 if workdays.is_working_day(today) else 1  # day 1 is today, or the next working day
    ahead: dict[date, int] = {}  # due day -> working days in (today, due day]
    found = []
    apps = sources()
    for kind, source in apps.items():
        for load in source.workload_keys(since=since, now=now):
            pace = load.completed / window if window else 0.0
            queue = sorted(load.items, key=_queue_order)
            size = len(queue)
            for position, (due_at, number, status, due_day, ref) in enumerate(queue, start=1):
                if status == ClockStatus.OVERDUE:
                    continue
                if pace > 0:
                    days = math.ceil(position / pace - 1e-9) - 1 + first  # expected_day's
                    if days < 0:  # what expected_day does with it
                        expected_day(today, position, pace)
                    if due_day >= today:
                        left = ahead.get(due_day)
                        if left is None:
                            left = ahead[due_day] = workdays.working_days_between(today, due_day)
                        if left >= days:
                            continue  # finished on or before its due day
                found.append((due_at, kind, number, ref, load, position, size, pace))
    found.sort(key=_board_order)
    kept = found[:limit] if limit else found
    items: dict[tuple[str, object], ClockItem] = {}
    for kind, source in apps.items():
        mine = [row for row in kept if row[1] == kind]
        if not mine:
            continue
        built = source.items_for([row[3] for row in mine], now=now, lazy_labels=True)
        if len(built) == len(mine):
            items.update(((kind, row[3]), i) for row, i in zip(mine, built, strict=True))
        else:  # some gone between the two reads (deleted): match the others by number
            numbers = {i.number: i for i in built}
            items.update(((kind, row[3]), numbers[row[2]]) for row in mine if row[2] in numbers)
    rows = []
    for _due, kind, _number, ref, load, position, size, pace in kept:
        item = items.get((kind, ref))
        if item is None:  # deleted between the two reads
            continue
        rows.append(
            Prediction(
                item=item,
                holder_key=load.key,
                holder=load.holder,
                position=position,
                queue=size,
                pace=pace,
                expected=expected_day(today, position, pace),
            )
        )
    return len(found), rows


def _queue_order(key: tuple) -> tuple:
    return key[0], key[1]  # due_at, number: as predict orders a queue


def _board_order(row: tuple) -> tuple:
    return row[0], row[1], row[2]  # due_at, kind, number: as will_miss lists them


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
    return _keep(*_will_miss(now=now, limit=KEEP), now)


def _keep(total: int, rows: list[Prediction], now: datetime) -> dict:
    """Keep a computed forecast for the board in the current language: how many items will
    miss, and the first KEEP of them."""
    found = {
        "computed_at": now,
        "total": total,
        "items": [p.as_dict() for p in rows[:KEEP]],
    }
    cache.set(_key(), found, 3 * int(settings.CENTRE["FORECAST_CACHE_SECONDS"]))
    return found


def refresh_all(*, now: datetime | None = None) -> dict[str, int]:
    """``refresh`` in every language of the site: {language: items that will miss}. The
    forecast is computed once (``will_miss`` is in no language) and kept in each language —
    was computed once per language, 9.8–11.6 s each time at the full-size town."""
    now = now or timezone.now()
    total, rows = _will_miss(now=now, limit=KEEP)
    totals = {}
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            totals[code] = _keep(total, rows, now)["total"]
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
