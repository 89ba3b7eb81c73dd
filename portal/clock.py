"""One clock for everything: the deadlines of incidents, work orders, cases and call-outs, and
what normal / warning (yellow) / overdue (red) mean for them — the same meaning as for
applications (approvals computes its date-only clock with the same rules).

A deadline is a moment (``due_at``, an aware datetime). Limits come in three units:

- ``hours`` — calendar hours (the centre works 24 hours): ``start + hours``;
- ``working_days`` — through the working-day calendar (portal.workdays): the end of the N-th
  working day after the start's local date (the start day never counts), as for
  applications, whose deadline is a date that is overdue from the next day;
- ``calendar_days`` — the end of the local date N days after the start; with
  ``roll_forward`` a last day that is not a working day moves to the next working day (the
  usual rule for periods set in days, e.g. paying a fine within 15 days).

Yellow starts when at most the warning threshold is left: by default 20% of the limit,
rounded up, at least one unit (the applications' rule); for working days it is the first
working day on which at most that many working days remain (``working_day_on_or_before``).

Queues rank in SQL from stored ``due_at`` / ``warn_at`` columns (:func:`status_case`,
:func:`rank_case`); pages and services use :func:`status`. Services store ``due_at`` and
``warn_at`` and recompute them on every transition (pauses and extensions move them), as the
applications' services do.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db import models
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from portal import workdays


class ClockStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("未起算")
    NORMAL = "normal", _("正常")
    WARNING = "warning", _("预警")
    OVERDUE = "overdue", _("超期")
    PAUSED = "paused", _("暂停计时")
    STOPPED = "stopped", _("已停止")


class Unit(models.TextChoices):
    HOURS = "hours", _("小时")
    WORKING_DAYS = "working_days", _("工作日")
    CALENDAR_DAYS = "calendar_days", _("自然日")


# Queue order: most urgent first (the applications' clock_rank uses the same numbers).
_UNITS = frozenset(Unit.values)  # Choices.values builds a new list on every read

RANK = {
    ClockStatus.OVERDUE: 0,
    ClockStatus.WARNING: 1,
    ClockStatus.NORMAL: 2,
    ClockStatus.PAUSED: 3,
    ClockStatus.NOT_STARTED: 4,
    ClockStatus.STOPPED: 5,
}


@dataclass(frozen=True)
class Limit:
    amount: int
    unit: str = Unit.WORKING_DAYS
    roll_forward: bool = False  # calendar days only: a last day off work moves to the next

    def __post_init__(self):
        if self.amount < 0:
            raise ValueError("a limit cannot be negative")
        if self.unit not in _UNITS:
            raise ValueError(f"unknown unit {self.unit!r}")

    def extended(self, extra: int) -> Limit:
        return Limit(self.amount + extra, self.unit, self.roll_forward)

    def default_warning(self) -> int:
        """20% of the limit, rounded up, at least one unit."""
        return max(1, math.ceil(self.amount * 0.2))


def local_date(moment: datetime) -> date:
    return timezone.localtime(moment).date()


def end_of_day(day: date) -> datetime:
    """The last moment of a local date: a deadline that is a date is overdue from the next day."""
    return timezone.make_aware(datetime.combine(day, time.max))


def start_of_day(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def due_date(start: date, limit: Limit) -> date:
    """The last day of a limit in days counted from ``start`` (the start day not counted)."""
    if limit.unit == Unit.WORKING_DAYS:
        return workdays.add_working_days(start, limit.amount)
    if limit.unit == Unit.CALENDAR_DAYS:
        day = start + timedelta(days=limit.amount)
        if limit.roll_forward and not workdays.is_working_day(day):
            day = workdays.add_working_days(day, 1)
        return day
    raise ValueError("due_date() is for limits in days; use due_at() for hours")


def due_at(start: datetime, limit: Limit, *, paused: timedelta | None = None) -> datetime:
    """When a limit that started at ``start`` runs out. ``paused`` (time the clock stood still:
    holds, suspensions, periods the law does not count) moves the start on by that much: whole
    days for limits in days, exact time for hours."""
    if paused:
        if limit.unit == Unit.HOURS:
            start = start + paused
        else:
            start = start + timedelta(days=math.ceil(paused.total_seconds() / 86400))
    if limit.unit == Unit.HOURS:
        return start + timedelta(hours=limit.amount)
    return end_of_day(due_date(local_date(start), limit))


def warn_at(due: datetime, limit: Limit, *, warning: int | None = None) -> datetime:
    """When the clock turns yellow: ``warning`` units (default 20% of the limit, at least 1)
    before the deadline."""
    threshold = limit.default_warning() if warning is None else warning
    if limit.unit == Unit.HOURS:
        return due - timedelta(hours=threshold)
    day = local_date(due)
    if limit.unit == Unit.WORKING_DAYS:
        first = workdays.working_day_on_or_before(day, threshold + 1)
    else:
        first = day - timedelta(days=threshold)
    return start_of_day(first)


def status(
    *,
    now: datetime,
    due_at: datetime | None,
    warn_at: datetime | None = None,
    running: bool = True,
    paused: bool = False,
) -> ClockStatus:
    """The clock of one item as people see it (the same rules as :func:`status_case`)."""
    if paused:
        return ClockStatus.PAUSED
    if due_at is None:
        return ClockStatus.NOT_STARTED
    if not running:
        return ClockStatus.STOPPED
    if now > due_at:
        return ClockStatus.OVERDUE
    if warn_at is not None and now >= warn_at:
        return ClockStatus.WARNING
    return ClockStatus.NORMAL


@dataclass(frozen=True)
class Lateness:
    amount: int
    unit: str  # Unit.HOURS or Unit.WORKING_DAYS

    def __str__(self) -> str:
        if self.unit == Unit.HOURS:
            return str(_("超%(n)s小时") % {"n": self.amount})
        return ngettext("超%(n)s个工作日", "超%(n)s个工作日", self.amount) % {"n": self.amount}


def late_by(*, now: datetime, due_at: datetime, unit: str) -> Lateness | None:
    """How late an item is, in the unit of its limit: whole hours begun for hour limits,
    working days after the due day for limits in days (calendar-day limits count working days
    too, so that every "days late" on the centre's board means the same). None when not late."""
    if now <= due_at:
        return None
    if unit == Unit.HOURS:
        return Lateness(math.ceil((now - due_at).total_seconds() / 3600), Unit.HOURS)
    days = workdays.working_days_between(local_date(due_at), local_date(now))
    return Lateness(max(days, 0), Unit.WORKING_DAYS)


def status_case(
    now: datetime,
    *,
    due: str = "due_at",
    warn: str = "warn_at",
    running: Q,
    paused: Q | None = None,
) -> Case:
    """``clock_status`` in SQL from stored deadline columns, for queues and dashboards."""
    whens = []
    if paused is not None:
        whens.append(When(paused, then=Value(ClockStatus.PAUSED.value)))
    whens += [
        When(Q(**{f"{due}__isnull": True}), then=Value(ClockStatus.NOT_STARTED.value)),
        When(~running, then=Value(ClockStatus.STOPPED.value)),
        When(Q(**{f"{due}__lt": now}), then=Value(ClockStatus.OVERDUE.value)),
        When(Q(**{f"{warn}__lte": now}), then=Value(ClockStatus.WARNING.value)),
    ]
    return Case(*whens, default=Value(ClockStatus.NORMAL.value), output_field=models.CharField())


def status_filters(
    now: datetime,
    *,
    due: str = "due_at",
    warn: str = "warn_at",
    running: Q,
    paused: Q | None = None,
) -> dict[str, Q]:
    """Each status of :func:`status_case` as a condition of its own — the same rules in the same
    order, so exactly one of them holds for any row — for counting every status in one pass
    (``Count("*", filter=...)`` per status, grouped by what the panel shows) instead of grouping
    by the CASE: fewer groups, and only the columns a covering index holds."""
    live = ~paused if paused is not None else Q()
    timed = live & running & Q(**{f"{due}__gte": now})
    return {
        ClockStatus.PAUSED.value: paused if paused is not None else Q(pk__in=[]),
        ClockStatus.NOT_STARTED.value: live & Q(**{f"{due}__isnull": True}),
        ClockStatus.STOPPED.value: live & Q(**{f"{due}__isnull": False}) & ~running,
        ClockStatus.OVERDUE.value: live & running & Q(**{f"{due}__lt": now}),
        ClockStatus.WARNING.value: timed & Q(**{f"{warn}__lte": now}),
        ClockStatus.NORMAL.value: timed
        & (Q(**{f"{warn}__isnull": True}) | Q(**{f"{warn}__gt": now})),
    }


def rank_case(
    now: datetime,
    *,
    due: str = "due_at",
    warn: str = "warn_at",
    running: Q,
    paused: Q | None = None,
) -> Case:
    """The queue order of :data:`RANK` in SQL: overdue, warning, normal, paused, the rest."""
    whens = []
    if paused is not None:
        whens.append(When(paused, then=Value(RANK[ClockStatus.PAUSED])))
    whens += [
        When(Q(**{f"{due}__isnull": True}), then=Value(RANK[ClockStatus.NOT_STARTED])),
        When(~running, then=Value(RANK[ClockStatus.STOPPED])),
        When(Q(**{f"{due}__lt": now}), then=Value(RANK[ClockStatus.OVERDUE])),
        When(Q(**{f"{warn}__lte": now}), then=Value(RANK[ClockStatus.WARNING])),
    ]
    return Case(*whens, default=Value(RANK[ClockStatus.NORMAL]), output_field=models.IntegerField())


@dataclass(frozen=True)
class ClockItem:
    """One item on the command centre's one clock: an application, incident, work order or case
    that is late or about to be, as its app's selector reports it (``late_items``). ``due_at``
    is a moment (an application's due date is the end of that day); ``unit`` is the unit of
    its limit, in which :func:`late_by` counts; ``holder_ids`` are the people a press (督办) tells."""

    kind: str  # "application" | "incident" | "work_order" | "case"
    number: str
    title: str
    holder: str
    due_at: datetime
    unit: str
    status: str  # ClockStatus.OVERDUE or WARNING
    url: str
    holder_ids: tuple[int, ...] = ()
    phone: str = ""
    area_id: int | None = None

    def late_by(self, now: datetime) -> Lateness | None:
        return late_by(now=now, due_at=self.due_at, unit=self.unit)


def _call(make, *args) -> str:
    return make(*args)


# A label made when it is used, in the language active then: ``later(make, *args)`` is a lazy
# string that calls ``make(*args)`` each time it is turned into ``str``. ``make`` is a plain
# function that translates literals (``_("…")``, so that makemessages still extracts them);
# ``args`` are plain values (names, codes), not rows, so that no row is kept alive for it.
later = lazy(_call, str)


def labels(lazy_labels: bool):
    """How an app's clock selector makes the translated labels of its items: now, in the
    current language (``make(*args)``), or ``later`` — the forecast computes the workloads once
    and keeps them in every language of the site."""
    return later if lazy_labels else _call


@dataclass
class Workload:
    """What one holder has on the clock, for the centre's forecast: their open items (earliest
    deadline first) and how many they finished in the recent window. ``key`` is unique across
    apps ("user:12", "department:3", "grid:45", "squad:2"). With ``lazy_labels`` (the forecast)
    the translated labels of ``holder`` and of the items are lazy strings (:data:`later`)."""

    key: str
    holder: str
    completed: int = 0
    items: list[ClockItem] = field(default_factory=list)


@dataclass
class WorkloadKeys:
    """:class:`Workload` as the forecast reads it (each app's ``workload_keys``): the same
    holders, in the same order, with the same items in the same order, but each item only as its
    key ``(due_at, number, status, due_day, ref)`` — its deadline, number, clock status, the
    local date of its deadline, and ``ref``, what the app's ``items_for`` takes to build it.
    Read with ``values_list``: no row, no :class:`ClockItem` and no label is made for the tens of
    thousands of open items; the forecast builds the few it keeps (``items_for``)."""

    key: str
    holder: str
    completed: int = 0
    items: list[tuple] = field(default_factory=list)
