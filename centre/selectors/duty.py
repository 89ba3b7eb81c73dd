"""The dispatchers' duty roster (值班): shifts, who is on duty now, the week's roster, handovers."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from centre.models import DispatcherDuty, Handover
from portal.models import User

SHIFT_LABELS = {"day": _("白班"), "night": _("夜班")}


@dataclass(frozen=True)
class Shift:
    name: str
    start: time
    end: time

    @property
    def label(self) -> str:
        return str(SHIFT_LABELS.get(self.name, self.name))

    @property
    def overnight(self) -> bool:
        return self.end <= self.start

    def hours(self) -> str:
        return f"{self.start:%H:%M}–{self.end:%H:%M}"

    def bounds(self, day: date) -> tuple[datetime, datetime]:
        start = timezone.make_aware(datetime.combine(day, self.start))
        end_day = day + timedelta(days=1) if self.overnight else day
        return start, timezone.make_aware(datetime.combine(end_day, self.end))


def _parse(text: str) -> Shift:
    name, _sep, hours = text.partition("=")
    start, _sep, end = hours.partition("-")
    return Shift(
        name.strip(),
        datetime.strptime(start.strip(), "%H:%M").time(),
        datetime.strptime(end.strip(), "%H:%M").time(),
    )


def shifts() -> list[Shift]:
    """The shifts of a day, in order (settings.CENTRE["SHIFTS"], e.g. day=08:00-20:00)."""
    return [_parse(s) for s in settings.CENTRE["SHIFTS"] if s.strip()]


def shift_named(name: str) -> Shift | None:
    return next((s for s in shifts() if s.name == name), None)


@dataclass(frozen=True)
class ShiftSlot:
    day: date
    shift: Shift

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        return self.shift.bounds(self.day)


def current_slot(now: datetime | None = None) -> ShiftSlot | None:
    """The shift running at ``now`` (a night shift started yesterday evening belongs to
    yesterday)."""
    now = now or timezone.now()
    local = timezone.localtime(now)
    for day in (local.date(), local.date() - timedelta(days=1)):
        for shift in shifts():
            start, end = shift.bounds(day)
            if start <= now < end:
                return ShiftSlot(day, shift)
    return None


def next_slot(slot: ShiftSlot) -> ShiftSlot:
    names = shifts()
    index = next(i for i, s in enumerate(names) if s.name == slot.shift.name)
    if index + 1 < len(names):
        return ShiftSlot(slot.day, names[index + 1])
    return ShiftSlot(slot.day + timedelta(days=1), names[0])


def on_duty(slot: ShiftSlot | None) -> list[DispatcherDuty]:
    if slot is None:
        return []
    return list(
        DispatcherDuty.objects.filter(day=slot.day, shift=slot.shift.name)
        .select_related("user")
        .order_by("-is_lead", "user__username")
    )


def dispatchers_on_duty(now: datetime | None = None) -> list[User]:
    """The active dispatchers on duty at ``now`` (enforcement tells them of missed call-out
    steps)."""
    return [d.user for d in on_duty(current_slot(now)) if d.user.is_active]


def roster(start: date, days: int = 7) -> list[dict]:
    """The roster of ``days`` days from ``start``: per day, per shift, who (lead first)."""
    rows = (
        DispatcherDuty.objects.filter(day__gte=start, day__lt=start + timedelta(days=days))
        .select_related("user")
        .order_by("day", "-is_lead", "user__username")
    )
    table: dict[tuple[date, str], list[DispatcherDuty]] = {}
    for row in rows:
        table.setdefault((row.day, row.shift), []).append(row)
    return [
        {
            "day": start + timedelta(days=i),
            "shifts": [
                {"shift": s, "people": table.get((start + timedelta(days=i), s.name), [])}
                for s in shifts()
            ],
        }
        for i in range(days)
    ]


def latest_handover() -> Handover | None:
    return Handover.objects.select_related("author", "acknowledged_by").first()


def handovers(limit: int = 20) -> list[Handover]:
    return list(Handover.objects.select_related("author", "acknowledged_by")[:limit])


def dispatchers():
    from portal import roles

    return User.objects.filter(is_active=True, groups__name=roles.DISPATCHER).order_by("username")
