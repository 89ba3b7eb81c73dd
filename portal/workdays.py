"""The working-day calendar (Licensing Law art. 82): every legal deadline goes through here.

Rules:
- A working day is Monday–Friday, except statutory holidays, plus make-up working days (调休).
- Counting never includes the start day: add(Mon 1st, 1) is Tue 2nd.
- A year with no confirmed data is worked as plain Monday–Friday; callers show it flagged
  (``is_confirmed``), nothing raises.

The handful of special days (about 30 a year) is held in memory per process and reloaded when
it changes here (signals) or after ``CACHE_SECONDS`` (changes made by another process). Every
change also sets the calendar's change stamp (``CALENDAR_STAMP``, portal.stamps, set by
portal.signals): what is cached with a date counted here keeps the stamp in its key and calls
``sync`` with the value it read, so that it never counts on days older than that stamp.
"""

from __future__ import annotations

import bisect
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime

CACHE_SECONDS = 300
CALENDAR_STAMP = "calendar"


@dataclass(frozen=True)
class _Snapshot:
    rest_weekdays: tuple[date, ...] = ()  # holidays falling Monday–Friday, sorted
    working_weekends: tuple[date, ...] = ()  # make-up working days on Sat/Sun, sorted
    names: dict[date, str] = field(default_factory=dict)
    confirmed_years: frozenset[int] = frozenset()
    loaded_at: float = 0.0
    stamp: int | None = None  # the calendar's change stamp read before loading, when known

    @property
    def rest_set(self) -> frozenset[date]:
        return frozenset(self.rest_weekdays)

    @property
    def work_set(self) -> frozenset[date]:
        return frozenset(self.working_weekends)


_lock = threading.Lock()
_snapshot: _Snapshot | None = None
_sets: tuple[frozenset[date], frozenset[date]] = (frozenset(), frozenset())
_held = 0


@contextmanager
def held():
    """Keep the calendar as it is now, without the periodic reload, until the block ends: a
    bulk load (portal.generate.bulk.CopyWriter) streams COPY on the connection from another
    thread, and a reload would query the database in the middle of it."""
    global _held
    _load()
    with _lock:
        _held += 1
    try:
        yield
    finally:
        with _lock:
            _held -= 1


def invalidate() -> None:
    global _snapshot
    with _lock:
        _snapshot = None


def sync(stamp: int) -> None:
    """Reload the calendar now unless it was loaded under ``stamp``, the calendar's change stamp
    the caller has just read (portal.stamps): a change committed by another process counts at
    once, not after ``CACHE_SECONDS``."""
    snap = _snapshot
    _load(stamp=stamp, force=snap is None or snap.stamp != stamp)


def _load(*, stamp: int | None = None, force: bool = False) -> _Snapshot:
    global _snapshot, _sets
    snap = _snapshot
    if snap is not None and (
        _held or (not force and time.monotonic() - snap.loaded_at < CACHE_SECONDS)
    ):
        return snap
    from portal.models import CalendarDay, CalendarYear

    rest, work, names = [], [], {}
    for day, is_working, name in CalendarDay.objects.values_list(
        "date", "is_working_day", "name"
    ).order_by("date"):
        if name:
            names[day] = name
        weekend = day.weekday() >= 5
        if is_working and weekend:
            work.append(day)
        elif not is_working and not weekend:
            rest.append(day)
    confirmed = frozenset(
        CalendarYear.objects.filter(confirmed=True).values_list("year", flat=True)
    )
    if stamp is None and snap is not None:  # a periodic reload: at least as new as that stamp
        stamp = snap.stamp
    snap = _Snapshot(tuple(rest), tuple(work), names, confirmed, time.monotonic(), stamp)
    with _lock:
        _snapshot = snap
        _sets = (snap.rest_set, snap.work_set)
    return snap


def is_working_day(day: date) -> bool:
    _load()
    rest, work = _sets
    if day.weekday() >= 5:
        return day in work
    return day not in rest


def day_name(day: date) -> str:
    return _load().names.get(day, "")


def add_working_days(start: date, days: int) -> date:
    """The date ``days`` working days after ``start`` (start day not counted)."""
    if days < 0:
        raise ValueError("days must not be negative")
    _load()
    rest, work = _sets
    current = start
    remaining = days
    while remaining:
        current += timedelta(days=1)
        if (current in work) if current.weekday() >= 5 else (current not in rest):
            remaining -= 1
    return current


def _weekdays_up_to(day: date) -> int:
    """Mon–Fri days from an epoch Monday up to and including ``day``."""
    ordinal = day.toordinal() - date(1, 1, 1).toordinal()  # 0001-01-01 is a Monday
    weeks, rest = divmod(ordinal + 1, 7)
    return weeks * 5 + min(rest, 5)


def working_days_between(start: date, end: date) -> int:
    """Working days in (start, end]; negative when end is before start.
    ``working_days_between(a, add_working_days(a, n)) == n``."""
    if end < start:
        return -working_days_between(end, start)
    snap = _load()
    count = _weekdays_up_to(end) - _weekdays_up_to(start)
    count -= bisect.bisect_right(snap.rest_weekdays, end) - bisect.bisect_right(
        snap.rest_weekdays, start
    )
    count += bisect.bisect_right(snap.working_weekends, end) - bisect.bisect_right(
        snap.working_weekends, start
    )
    return count


def is_confirmed(day_or_year: date | int) -> bool:
    year = day_or_year if isinstance(day_or_year, int) else day_or_year.year
    return year in _load().confirmed_years


def confirmed_years() -> frozenset[int]:
    return _load().confirmed_years


def unconfirmed_between(start: date, end: date) -> list[int]:
    """Years touched by (start, end] whose calendar is not confirmed."""
    years = _load().confirmed_years
    return [y for y in range(start.year, end.year + 1) if y not in years]


def working_day_on_or_before(end: date, count: int) -> date:
    """The ``count``-th working day counting back from ``end`` (``end`` itself counts when it is
    a working day). With ``count = T + 1`` this is the first day on which at most T working
    days remain until ``end`` — where a deadline turns yellow."""
    if count < 1:
        raise ValueError("count must be at least 1")
    _load()
    current = end
    seen = 0
    while True:
        if is_working_day(current):
            seen += 1
            if seen == count:
                return current
        current -= timedelta(days=1)


# --- office hours ---------------------------------------------------------------------------------


def _parse_hours(text: str) -> tuple[tuple[dtime, dtime], ...]:
    spans = []
    for part in (text or "").split(","):
        part = part.strip()
        if not part:
            continue
        start, _sep, end = part.partition("-")
        begin, finish = dtime.fromisoformat(start.strip()), dtime.fromisoformat(end.strip())
        if finish <= begin:
            raise ValueError(f"WORKING_HOURS: {part!r} ends before it starts")
        spans.append((begin, finish))
    return tuple(spans)


def working_hours() -> tuple[tuple[dtime, dtime], ...]:
    """The departments' office hours on a working day (setting ``WORKING_HOURS``)."""
    from django.conf import settings

    return _parse_hours(getattr(settings, "WORKING_HOURS", "08:30-17:30"))


def is_working_time(moment: datetime) -> bool:
    """Within office hours of a working day (local time): what routing rules call "working
    hours"; everything else — nights, weekends, holidays — is "nights and holidays". A make-up
    working day (调休) is a working day; a holiday on a weekday is not."""
    from django.utils import timezone

    local = timezone.localtime(moment)
    if not is_working_day(local.date()):
        return False
    now = local.time()
    return any(begin <= now < end for begin, end in working_hours())
