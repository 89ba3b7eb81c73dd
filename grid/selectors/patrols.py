"""Patrol reads: a person's patrols, and the compliance table (patrols per week and households
visited per month, per member and grid, against each grid's duty standard)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q, Sum
from django.utils import timezone

from grid.models import Assignment, AssignmentRole, DutyStandard, Patrol
from portal.models import Area, AreaKind

DEFAULT_PATROLS_PER_WEEK = 5
DEFAULT_VISITS_PER_MONTH = 30


@dataclass(frozen=True)
class Standard:
    patrols_per_week: int
    visits_per_month: int


@dataclass
class Row:
    member: object  # User
    area: Area
    patrols: int
    households: int
    standard: Standard

    @property
    def patrols_ok(self) -> bool:
        return self.patrols >= self.standard.patrols_per_week

    @property
    def households_ok(self) -> bool:
        return self.households >= self.standard.visits_per_month

    @property
    def ok(self) -> bool:
        return self.patrols_ok and self.households_ok


@dataclass
class GridTotal:
    area: Area
    patrols: int = 0
    households: int = 0
    members: int = 0
    members_ok: int = 0
    standard: Standard | None = None

    @property
    def patrols_ok(self) -> bool:
        return self.standard is not None and self.patrols >= self.standard.patrols_per_week


@dataclass
class Compliance:
    week_start: date
    week_end: date  # inclusive
    month_start: date
    month_end: date  # inclusive
    rows: list[Row] = field(default_factory=list)
    grids: list[GridTotal] = field(default_factory=list)

    @property
    def rate(self) -> float | None:
        if not self.rows:
            return None
        return sum(1 for r in self.rows if r.ok) / len(self.rows)


def week_of(day: date) -> tuple[date, date]:
    start = day - timedelta(days=day.weekday())
    return start, start + timedelta(days=6)


def month_of(day: date) -> tuple[date, date]:
    last = calendar.monthrange(day.year, day.month)[1]
    return day.replace(day=1), day.replace(day=last)


def _bounds(first: date, last: date) -> tuple[datetime, datetime]:
    tz = timezone.get_current_timezone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), tz),
        timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min), tz),
    )


def standards_for(areas) -> dict[int, Standard]:
    """Each area's duty standard: its own, else the town's, else the built-in default."""
    rows = {s.area_id: s for s in DutyStandard.objects.select_related("area")}
    town = next((s for s in rows.values() if s.area.kind == AreaKind.TOWN), None)
    default = (
        Standard(town.patrols_per_week, town.visits_per_month)
        if town
        else Standard(DEFAULT_PATROLS_PER_WEEK, DEFAULT_VISITS_PER_MONTH)
    )
    result = {}
    for area in areas:
        own = rows.get(area.pk)
        result[area.pk] = Standard(own.patrols_per_week, own.visits_per_month) if own else default
    return result


def compliance(*, day: date, areas=None) -> Compliance:
    """The week (Monday–Sunday) and the month containing ``day``: for every member assigned to
    a grid at some time in that week, their finished patrols of the grid that week and the
    households they visited there that month. ``areas``: a queryset of grids (all by default)."""
    week_start, week_end = week_of(day)
    month_start, month_end = month_of(day)
    result = Compliance(week_start, week_end, month_start, month_end)
    assignments = (
        Assignment.objects.filter(role=AssignmentRole.MEMBER, starts_on__lte=week_end)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=week_start))
        .select_related("user", "area")
        .order_by("area__code", "user__username")
    )
    if areas is not None:
        assignments = assignments.filter(area__in=areas)
    assignments = [a for a in assignments if a.user_id]
    if not assignments:
        return result
    area_ids = {a.area_id for a in assignments}
    w0, w1 = _bounds(week_start, week_end)
    m0, m1 = _bounds(month_start, month_end)
    finished = Patrol.objects.filter(status=Patrol.Status.FINISHED, area_id__in=area_ids)
    counts = {
        (r["member_id"], r["area_id"]): r["n"]
        for r in finished.filter(started_at__gte=w0, started_at__lt=w1)
        .values("member_id", "area_id")
        .annotate(n=Count("id"))
    }
    households = {
        (r["member_id"], r["area_id"]): r["n"] or 0
        for r in finished.filter(started_at__gte=m0, started_at__lt=m1)
        .values("member_id", "area_id")
        .annotate(n=Sum("households_visited"))
    }
    grid_patrols = {
        r["area_id"]: r["n"]
        for r in finished.filter(started_at__gte=w0, started_at__lt=w1)
        .values("area_id")
        .annotate(n=Count("id"))
    }
    areas_by_id = {a.area_id: a.area for a in assignments}
    standards = standards_for(areas_by_id.values())
    totals: dict[int, GridTotal] = {}
    seen = set()
    for a in assignments:
        key = (a.user_id, a.area_id)
        if key in seen:  # re-assigned within the week: one row
            continue
        seen.add(key)
        row = Row(
            member=a.user,
            area=a.area,
            patrols=counts.get(key, 0),
            households=households.get(key, 0),
            standard=standards[a.area_id],
        )
        result.rows.append(row)
        total = totals.setdefault(
            a.area_id,
            GridTotal(
                area=a.area, patrols=grid_patrols.get(a.area_id, 0), standard=standards[a.area_id]
            ),
        )
        total.households += row.households
        total.members += 1
        total.members_ok += int(row.ok)
    result.grids = sorted(totals.values(), key=lambda t: t.area.code)
    return result


def patrols_of(member, *, limit: int = 20):
    return (
        Patrol.objects.filter(member=member)
        .select_related("area")
        .annotate(finding_count=Count("findings"))
        .order_by("-started_at")[:limit]
    )


def walking_patrol(member) -> Patrol | None:
    return (
        Patrol.objects.filter(member=member, status=Patrol.Status.WALKING)
        .select_related("area")
        .first()
    )
