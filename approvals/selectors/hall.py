"""Reads of the hall: queues, the hall screen, appointment slots and the waiting and service
figures. Every figure is an SQL aggregate (a handful of queries whatever the row count)."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import (
    Aggregate,
    Avg,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FilteredRelation,
    Max,
    Q,
    QuerySet,
)
from django.db.models.functions import ExtractHour
from django.utils import timezone

from approvals.models import (
    Appointment,
    AppointmentCapacity,
    BusinessCategory,
    HallDevice,
    Ticket,
    TicketCall,
)
from portal import workdays
from portal.models import User, Window

# --- configuration ---------------------------------------------------------------------------

SLOT_MINUTES = 30
DEFAULT_SLOT_CAPACITY = 4
# Opening hours of the hall, as (start, end) sessions; half-hour slots are cut from them.
DEFAULT_SESSIONS = ((time(9, 0), time(12, 0)), (time(14, 0), time(17, 0)))
BOOKING_HORIZON_WORKING_DAYS = 10
CHECK_IN_EARLY_MINUTES = 60
NO_SHOW_GRACE_MINUTES = 15
SCREEN_CALLS = 8
# Dates the hall accepts in queries (far-off years overflow time-zone arithmetic).
FIRST_DAY = date(2000, 1, 1)
LAST_DAY = date(2099, 12, 31)


def _hall_setting(name: str, default):
    return settings.ONEWINDOW.get(name, default)


def sessions() -> tuple[tuple[time, time], ...]:
    return _hall_setting("HALL_SESSIONS", DEFAULT_SESSIONS)


def slot_starts() -> list[time]:
    """Start times of the half-hour slots of a working day."""
    starts = []
    for begin, end in sessions():
        current = datetime.combine(date(2000, 1, 3), begin)
        stop = datetime.combine(date(2000, 1, 3), end)
        while current + timedelta(minutes=SLOT_MINUTES) <= stop:
            starts.append(current.time())
            current += timedelta(minutes=SLOT_MINUTES)
    return starts


def slot_bounds(day: date, start: time) -> tuple[datetime, datetime]:
    """The aware start and end of a slot in the hall's time zone."""
    begin = timezone.make_aware(datetime.combine(day, start))
    return begin, begin + timedelta(minutes=SLOT_MINUTES)


def check_in_window(day: date, start: time) -> tuple[datetime, datetime]:
    begin, end = slot_bounds(day, start)
    return (
        begin - timedelta(minutes=CHECK_IN_EARLY_MINUTES),
        end + timedelta(minutes=NO_SHOW_GRACE_MINUTES),
    )


def day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    """Aware [start 00:00, end+1 00:00) in the hall's time zone."""
    return (
        timezone.make_aware(datetime.combine(start, time.min)),
        timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min)),
    )


# --- categories, windows, tickets ------------------------------------------------------------


def active_categories() -> QuerySet[BusinessCategory]:
    return BusinessCategory.objects.filter(is_active=True).order_by("order", "code")


def categories_with_waiting(*, day: date) -> QuerySet[BusinessCategory]:
    """Active categories annotated with ``waiting`` and ``priority_waiting`` (one query)."""
    # The condition goes into the JOIN (not a FILTER over every ticket ever taken), so the
    # partial index of waiting tickets answers it, however long the history grows.
    return (
        active_categories()
        .annotate(
            waiting_today=FilteredRelation(
                "tickets",
                condition=Q(tickets__day=day, tickets__status=Ticket.Status.WAITING),
            )
        )
        .annotate(
            waiting=Count("waiting_today"),
            priority_waiting=Count("waiting_today", filter=Q(waiting_today__is_priority=True)),
        )
    )


def clerk_windows(user) -> QuerySet[Window]:
    """The windows a clerk staffs (StaffProfile.windows)."""
    if not getattr(user, "pk", None):
        return Window.objects.none()
    return Window.objects.filter(staff__user=user, is_active=True).order_by("number")


def clerk_serves(user, window: Window | None) -> bool:
    if window is None or not getattr(user, "pk", None):
        return False
    return Window.objects.filter(pk=window.pk, staff__user=user).exists()


def window_category_ids(window: Window) -> list[int]:
    return list(
        BusinessCategory.objects.filter(windows=window, is_active=True).values_list("pk", flat=True)
    )


def current_ticket(window: Window) -> Ticket | None:
    return (
        Ticket.objects.filter(window=window, status=Ticket.Status.CALLED)
        .select_related("category", "resident", "clerk")
        .first()
    )


def sharing_category_ids(category_id: int) -> list[int]:
    """The categories whose tickets compete with ``category_id``'s for the same windows: every
    category served by a window that serves this one (itself included)."""
    windows = Window.objects.filter(categories=category_id, is_active=True)
    ids = set(
        BusinessCategory.objects.filter(windows__in=windows, is_active=True).values_list(
            "pk", flat=True
        )
    )
    return sorted(ids | {category_id})


def people_ahead(ticket: Ticket) -> int:
    """Waiting tickets that the windows serving this ticket's category will call before it: of
    every category those windows serve, in their calling order (priority first, then the order
    of taking, which follows the numbers)."""
    if ticket.status != Ticket.Status.WAITING:
        return 0
    before = Q(is_priority=True) if not ticket.is_priority else Q(pk__in=[])
    same_rank = Q(is_priority=ticket.is_priority) & (
        Q(taken_at__lt=ticket.taken_at) | Q(taken_at=ticket.taken_at, pk__lt=ticket.pk)
    )
    return (
        Ticket.objects.filter(
            day=ticket.day,
            category_id__in=sharing_category_ids(ticket.category_id),
            status=Ticket.Status.WAITING,
        )
        .filter(before | same_rank)
        .count()
    )


def window_queue(*, window: Window, day: date) -> list[BusinessCategory]:
    """The categories a window serves with their waiting counts (one query)."""
    return list(categories_with_waiting(day=day).filter(windows=window))


def served_today(*, window: Window, day: date, limit: int = 10) -> list[TicketCall]:
    """The window's calls of the day, newest first — the one being served included, so that
    the page shows a call the moment it is made."""
    start, end = day_bounds(day, day)
    return list(
        TicketCall.objects.filter(window=window, called_at__gte=start, called_at__lt=end)
        .select_related("ticket", "category", "clerk")
        .order_by("-called_at", "-id")[:limit]
    )


def tickets_of_day(*, day: date) -> QuerySet[Ticket]:
    return Ticket.objects.filter(day=day).select_related("category", "window")


def find_resident(query: str) -> User | None:
    """A resident by ID number or mobile number (exact match)."""
    from portal import idnumber

    query = (query or "").strip()
    if not query:
        return None
    if len(query) == 11 and query.isdigit():
        return User.objects.filter(mobile=query).order_by("id").first()
    try:
        normalised = idnumber.normalize(query)
    except Exception:  # noqa: BLE001 - any malformed input just finds nobody
        return None
    return User.objects.filter(id_number=normalised).first()


# --- the hall screen -------------------------------------------------------------------------


def latest_calls(*, day: date, limit: int = SCREEN_CALLS) -> list[TicketCall]:
    """The most recent calls and recalls of the day, newest first (one query)."""
    start, end = day_bounds(day, day)
    return list(
        TicketCall.objects.filter(announced_at__gte=start, announced_at__lt=end)
        .select_related("ticket", "window", "category")
        .order_by("-announced_at", "-id")[:limit]
    )


@dataclass(frozen=True)
class ScreenState:
    day: date
    calls: list[TicketCall]
    categories: list[BusinessCategory]

    @property
    def total_waiting(self) -> int:
        return sum(c.waiting for c in self.categories)


def screen_state(*, day: date) -> ScreenState:
    """Everything the hall TV shows: two queries."""
    return ScreenState(
        day=day,
        calls=latest_calls(day=day),
        categories=list(categories_with_waiting(day=day)),
    )


# --- devices ---------------------------------------------------------------------------------


def token_hash(token: str) -> str:
    return hashlib.sha256((token or "").encode()).hexdigest()


# Where a registered device's browser session keeps it (set by the device log-in page).
SESSION_DEVICE = "hall_device_id"


def device_in_session(session, kind: str) -> HallDevice | None:
    """The active device of ``kind`` registered in this browser session, if any."""
    pk = session.get(SESSION_DEVICE)
    if not pk:
        return None
    return HallDevice.objects.filter(pk=pk, kind=kind, is_active=True).first()


def device_for_token(token: str, kind: str | None = None) -> HallDevice | None:
    token = (token or "").strip()
    if not token or len(token) > 200:
        return None
    devices = HallDevice.objects.filter(token_hash=token_hash(token), is_active=True)
    if kind:
        devices = devices.filter(kind=kind)
    return devices.first()


# --- appointments ----------------------------------------------------------------------------


def slot_capacities(category: BusinessCategory) -> dict[time | None, int]:
    """Capacity per slot start time for a category (one query). The most specific
    configuration wins: category and time, category, time, neither, then the default. The
    ``None`` key holds the capacity of a time without its own row."""
    rows = {
        (row.category_id is not None, row.start_time): row.capacity
        for row in AppointmentCapacity.objects.filter(
            Q(category=category) | Q(category__isnull=True)
        )
    }

    def resolve(start: time | None) -> int:
        for key in ((True, start), (True, None), (False, start), (False, None)):
            if key in rows:
                return rows[key]
        return DEFAULT_SLOT_CAPACITY

    result: dict[time | None, int] = {start: resolve(start) for start in slot_starts()}
    result[None] = resolve(None)
    return result


def slot_capacity(category: BusinessCategory, start: time) -> int:
    capacities = slot_capacities(category)
    return capacities.get(start, capacities[None])


@dataclass(frozen=True)
class Slot:
    day: date
    start: time
    end: time
    capacity: int
    booked: int
    open: bool  # in the future and bookable

    @property
    def remaining(self) -> int:
        return max(0, self.capacity - self.booked)

    @property
    def available(self) -> bool:
        return self.open and self.remaining > 0


def bookable_days(*, today: date | None = None) -> list[date]:
    """Working days from today up to the booking horizon (today included if it is one)."""
    today = today or timezone.localdate()
    last = workdays.add_working_days(today, BOOKING_HORIZON_WORKING_DAYS)
    days = []
    current = today
    while current <= last:
        if workdays.is_working_day(current):
            days.append(current)
        current += timedelta(days=1)
    return days


def slots_for(*, category: BusinessCategory, day: date, now: datetime | None = None) -> list[Slot]:
    """The half-hour slots of a working day with their capacity and bookings; none on a rest
    day (holidays excluded, make-up working days included). Two queries."""
    if not workdays.is_working_day(day):
        return []
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = workdays.add_working_days(today, BOOKING_HORIZON_WORKING_DAYS)
    booked = dict(
        Appointment.objects.filter(
            category=category,
            day=day,
            status__in=[Appointment.Status.BOOKED, Appointment.Status.CHECKED_IN],
        )
        .values("start_time")
        .annotate(n=Count("id"))
        .values_list("start_time", "n")
    )
    capacities = slot_capacities(category)
    bookable = today <= day <= horizon
    slots = []
    for start in slot_starts():
        end = (datetime.combine(date(2000, 1, 3), start) + timedelta(minutes=SLOT_MINUTES)).time()
        slots.append(
            Slot(
                day=day,
                start=start,
                end=end,
                capacity=capacities.get(start, capacities[None]),
                booked=booked.get(start, 0),
                open=bookable and slot_bounds(day, start)[0] > now,
            )
        )
    return slots


def appointments_of(citizen) -> QuerySet[Appointment]:
    return (
        Appointment.objects.filter(citizen=citizen)
        .select_related("category", "ticket")
        .order_by("-day", "-start_time", "-id")
    )


# --- figures ---------------------------------------------------------------------------------


class Percentile(Aggregate):
    """PostgreSQL's ordered-set aggregate ``percentile_cont(p) WITHIN GROUP (ORDER BY x)``."""

    function = "PERCENTILE_CONT"
    name = "Percentile"
    template = "%(function)s(%(fraction)s) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()

    def __init__(self, expression, fraction: float, **extra):
        super().__init__(expression, fraction=float(fraction), **extra)


WAIT = ExpressionWrapper(F("called_at") - F("queued_at"), output_field=DurationField())
SERVICE = ExpressionWrapper(F("ended_at") - F("called_at"), output_field=DurationField())
_FINISHED = Q(outcome=TicketCall.Outcome.FINISHED)


def _aggregates() -> dict:
    aggs = {
        "calls": Count("id"),
        "finished": Count("id", filter=_FINISHED),
        "no_shows": Count("id", filter=Q(outcome=TicketCall.Outcome.NO_SHOW)),
        "transferred": Count("id", filter=Q(outcome=TicketCall.Outcome.TRANSFERRED)),
        "wait_avg": Avg(WAIT),
        "wait_max": Max(WAIT),
        "service_avg": Avg(SERVICE, filter=_FINISHED),
        "service_max": Max(SERVICE, filter=_FINISHED),
    }
    if connection.vendor == "postgresql":
        aggs.update(
            wait_p50=Percentile(WAIT, 0.5),
            wait_p90=Percentile(WAIT, 0.9),
            service_p50=Percentile(SERVICE, 0.5, filter=_FINISHED),
            service_p90=Percentile(SERVICE, 0.9, filter=_FINISHED),
        )
    return aggs


FIGURE_GROUPS = ("by_category", "by_window", "by_clerk", "by_hour")
DURATIONS = (
    "wait_avg",
    "wait_max",
    "wait_p50",
    "wait_p90",
    "service_avg",
    "service_max",
    "service_p50",
    "service_p90",
)


def _seconds(row: dict) -> dict:
    out = dict(row)
    for key in DURATIONS:
        value = out.get(key)
        if isinstance(value, timedelta):
            out[key] = round(value.total_seconds(), 1)
        elif key not in out:
            out[key] = None
    return out


def hall_figures(
    *,
    start: date,
    end: date,
    category: BusinessCategory | None = None,
    window: Window | None = None,
) -> dict:
    """Waiting (queued → called) and service (called → finished) times of the calls made
    between ``start`` and ``end`` (local dates, inclusive), overall and per category, window,
    clerk and hour of the day. Durations are seconds (float, or None without data); the
    percentiles need PostgreSQL (None elsewhere). Six queries."""
    begin, stop = day_bounds(start, end)
    calls = TicketCall.objects.filter(called_at__gte=begin, called_at__lt=stop)
    tickets = Ticket.objects.filter(day__gte=start, day__lte=end)
    if category is not None:
        calls = calls.filter(category=category)
        tickets = tickets.filter(category=category)
    if window is not None:
        calls = calls.filter(window=window)
    aggs = _aggregates()
    overall = _seconds(calls.aggregate(**aggs))
    overall.update(
        tickets.aggregate(
            tickets=Count("id"),
            still_waiting=Count("id", filter=Q(status=Ticket.Status.WAITING)),
            expired=Count("id", filter=Q(status=Ticket.Status.EXPIRED)),
            priority=Count("id", filter=Q(is_priority=True)),
        )
    )
    by_category = [
        _seconds(row)
        for row in calls.values(
            "category_id", "category__name", "category__ticket_prefix", "category__order"
        )
        .annotate(**aggs)
        .order_by("category__order", "category_id")
    ]
    by_window = [
        _seconds(row)
        for row in calls.values("window_id", "window__number", "window__name")
        .annotate(**aggs)
        .order_by("window__number")
    ]
    by_clerk = [
        _seconds(row)
        for row in calls.values("clerk_id", "clerk__real_name", "clerk__username")
        .annotate(**aggs)
        .order_by("clerk__real_name", "clerk_id")
    ]
    by_hour = [
        _seconds(row)
        for row in calls.annotate(hour=ExtractHour("called_at"))
        .values("hour")
        .annotate(**aggs)
        .order_by("hour")
    ]
    for rows, fields in (
        (by_category, {"category__name": "name", "category__ticket_prefix": "prefix"}),
        (by_window, {"window__number": "number", "window__name": "name"}),
        (by_clerk, {"clerk__real_name": "name", "clerk__username": "username"}),
    ):
        for row in rows:
            for old, new in fields.items():
                row[new] = row.pop(old)
            row.pop("category__order", None)
    for row in by_clerk:
        row["name"] = row["name"] or row["username"]
    return {
        "start": start,
        "end": end,
        "overall": overall,
        "by_category": by_category,
        "by_window": by_window,
        "by_clerk": by_clerk,
        "by_hour": by_hour,
        "percentiles": connection.vendor == "postgresql",
    }
