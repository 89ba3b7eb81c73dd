"""Dispatch figures for the command centre and the department pages: per department and per
routing rule — work orders received, signed for on time, returned (and why), done on time,
late, median sign-for and handling time; whistles answered on time; per category, how many
incidents were solved inside the grid and how many were dispatched.

Each function is a handful of indexed queries over a period (work orders by the moment they
were sent, whistles by the moment they were blown, incidents by acceptance), whatever the row
count; medians are PostgreSQL's ``percentile_cont`` (computed in Python on SQLite, where
``make run`` works)."""

from __future__ import annotations

import statistics
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta

from django.db import connection
from django.db.models import Aggregate, Count, DurationField, F, Q, Sum
from django.utils import timezone

from grid.models import Incident
from grid.models.dispatch import (
    OPEN_ORDER_STATES,
    Dispatch,
    HandlerKind,
    RoutingRule,
    WhistleCall,
    WorkOrder,
    WorkOrderState,
)
from portal import clock
from portal.models import Department


class Median(Aggregate):
    function = "PERCENTILE_CONT"
    name = "median"
    template = "%(function)s(0.5) WITHIN GROUP (ORDER BY %(expressions)s)"
    output_field = DurationField()


@dataclass(frozen=True)
class Period:
    start: datetime
    end: datetime

    @classmethod
    def days(cls, first: date, last: date) -> Period:
        """From the start of ``first`` to the end of ``last`` (local dates)."""
        return cls(clock.start_of_day(first), clock.start_of_day(last + timedelta(days=1)))

    @classmethod
    def last_days(cls, n: int, today: date | None = None) -> Period:
        today = today or timezone.localdate()
        return cls.days(today - timedelta(days=n - 1), today)


@dataclass
class OrderFigures:
    key: str  # department code / rule code / category code
    name: str
    received: int = 0
    signed: int = 0
    signed_on_time: int = 0
    returned: int = 0
    cancelled: int = 0
    done: int = 0
    done_on_time: int = 0
    done_late: int = 0
    open_late: int = 0
    open: int = 0
    pressed: int = 0
    median_sign_for_minutes: float | None = None
    median_handling_hours: float | None = None
    return_reasons: list[tuple[str, int]] = field(default_factory=list)
    dispatches: int = 0  # rules only: incidents it routed

    @property
    def sign_for_rate(self) -> float | None:
        return round(100 * self.signed_on_time / self.signed, 1) if self.signed else None

    @property
    def on_time_rate(self) -> float | None:
        return round(100 * self.done_on_time / self.done, 1) if self.done else None

    @property
    def return_rate(self) -> float | None:
        return round(100 * self.returned / self.received, 1) if self.received else None

    def as_dict(self) -> dict:
        data = asdict(self)
        data.update(
            sign_for_rate=self.sign_for_rate,
            on_time_rate=self.on_time_rate,
            return_rate=self.return_rate,
        )
        return data


def _minutes(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 60, 1) if value is not None else None


def _hours(value: timedelta | None) -> float | None:
    return round(value.total_seconds() / 3600, 1) if value is not None else None


def _aggregates(now: datetime) -> dict:
    """Named ``n_<figure>``: an annotation must not shadow a column (done_on_time, pressed)."""
    open_q = Q(state__in=OPEN_ORDER_STATES)
    figures = {
        "received": Count("id"),
        "signed": Count("id", filter=Q(signed_at__isnull=False)),
        "signed_on_time": Count("id", filter=Q(sign_for_on_time=True)),
        "returned": Count("id", filter=Q(state=WorkOrderState.RETURNED)),
        "cancelled": Count("id", filter=Q(state=WorkOrderState.CANCELLED)),
        "done": Count("id", filter=Q(state=WorkOrderState.DONE)),
        "done_on_time": Count("id", filter=Q(state=WorkOrderState.DONE, done_on_time=True)),
        "done_late": Count("id", filter=Q(state=WorkOrderState.DONE, done_on_time=False)),
        "open": Count("id", filter=open_q),
        "open_late": Count("id", filter=open_q & Q(step_due_at__lt=now)),
        "pressed": Sum("pressed"),
    }
    return {f"n_{name}": value for name, value in figures.items()}


def _medians_py(qs, group: str) -> dict:
    values: dict = {}
    for key, sent, signed, done in qs.values_list(group, "sent_at", "signed_at", "done_at"):
        sign_for, handling = values.setdefault(key, ([], []))
        if signed:
            sign_for.append(signed - sent)
        if done and signed:
            handling.append(done - signed)
    return {
        key: (
            statistics.median(a) if a else None,
            statistics.median(b) if b else None,
        )
        for key, (a, b) in values.items()
    }


def _order_figures(
    qs, group: str, names: dict, now: datetime, *, reasons=True
) -> list[OrderFigures]:
    aggregates = _aggregates(now)
    postgres = connection.vendor == "postgresql"
    if postgres:
        # One pass over the period: the counts and both medians together.
        aggregates.update(
            m_sign_for=Median(F("signed_at") - F("sent_at")),
            m_handling=Median(F("done_at") - F("signed_at")),
        )
        medians = {}
    else:
        medians = _medians_py(qs, group)
    rows = qs.values(group).annotate(**aggregates).order_by(group)
    result = {}
    for row in rows:
        key = row.pop(group)
        if postgres:
            medians[key] = (row.pop("m_sign_for"), row.pop("m_handling"))
        code, name = names.get(key, ("", ""))
        figures = OrderFigures(key=code, name=name, **{k[2:]: v or 0 for k, v in row.items()})
        sign_for, handling = medians.get(key, (None, None))
        figures.median_sign_for_minutes = _minutes(sign_for)
        figures.median_handling_hours = _hours(handling)
        result[key] = figures
    if reasons:
        top = (
            qs.filter(state=WorkOrderState.RETURNED)
            .values(group, "return_reason")
            .annotate(n=Count("id"))
            .order_by(group, "-n", "return_reason")
        )
        for row in top:
            figures = result.get(row[group])
            if figures is not None and len(figures.return_reasons) < 5:
                figures.return_reasons.append((row["return_reason"], row["n"]))
    return list(result.values())


def _orders(period: Period):
    return WorkOrder.objects.filter(sent_at__gte=period.start, sent_at__lt=period.end)


def department_figures(
    period: Period, *, now: datetime | None = None, department_ids=None
) -> list[OrderFigures]:
    """Per department (lead and co-handler orders alike), the busiest first."""
    now = now or timezone.now()
    qs = _orders(period)
    if department_ids is not None:
        qs = qs.filter(department_id__in=list(department_ids))
    names = {d.pk: (d.code, d.short_name or d.name) for d in Department.objects.all()}
    figures = _order_figures(qs, "department_id", names, now)
    return sorted(figures, key=lambda f: (-f.received, f.key))


def rule_figures(period: Period, *, now: datetime | None = None) -> list[OrderFigures]:
    """Per routing rule: dispatches it decided and the work orders sent under it (key "" for
    orders routed by hand with no rule matching). A rule with many returns is a rule that
    misses."""
    now = now or timezone.now()
    names = {r.pk: (r.code, f"#{r.order} {r.name}") for r in RoutingRule.objects.all()}
    names[None] = ("", "")
    figures = _order_figures(_orders(period), "rule_id", names, now)
    dispatched = dict(
        Dispatch.objects.filter(at__gte=period.start, at__lt=period.end)
        .values("rule_id")
        .annotate(n=Count("id"))
        .values_list("rule_id", "n")
    )
    by_code = {names.get(k, ("", ""))[0]: n for k, n in dispatched.items()}
    for item in figures:
        item.dispatches = by_code.get(item.key, 0)
    return sorted(figures, key=lambda f: (-f.received, f.key))


@dataclass
class WhistleFigures:
    key: str
    name: str
    called: int = 0
    on_time: int = 0
    late: int = 0
    absent: int = 0
    waiting: int = 0

    @property
    def on_time_rate(self) -> float | None:
        answered = self.called - self.waiting
        return round(100 * self.on_time / answered, 1) if answered else None

    def as_dict(self) -> dict:
        return {**asdict(self), "on_time_rate": self.on_time_rate}


def whistle_figures(period: Period, *, now: datetime | None = None) -> list[WhistleFigures]:
    """Per department called: reported on time, late, not at all (after the time), waiting."""
    now = now or timezone.now()
    rows = (
        WhistleCall.objects.filter(
            whistle__blown_at__gte=period.start, whistle__blown_at__lt=period.end
        )
        .values("department_id")
        .annotate(
            called=Count("id"),
            on_time=Count(
                "id", filter=Q(reported_at__isnull=False, reported_at__lte=F("whistle__meet_at"))
            ),
            late=Count("id", filter=Q(reported_at__gt=F("whistle__meet_at"))),
            absent=Count("id", filter=Q(reported_at__isnull=True, whistle__meet_at__lt=now)),
            waiting=Count("id", filter=Q(reported_at__isnull=True, whistle__meet_at__gte=now)),
        )
    )
    names = {d.pk: (d.code, d.short_name or d.name) for d in Department.objects.all()}
    result = []
    for row in rows:
        code, name = names.get(row.pop("department_id"), ("", ""))
        result.append(WhistleFigures(key=code, name=name, **row))
    return sorted(result, key=lambda f: (-f.called, f.key))


@dataclass
class CategoryFigures:
    key: str
    name: str
    accepted: int = 0
    in_grid: int = 0
    dispatched: int = 0
    solved_in_grid: int = 0
    solved_after_dispatch: int = 0

    @property
    def in_grid_rate(self) -> float | None:
        return round(100 * self.in_grid / self.accepted, 1) if self.accepted else None

    def as_dict(self) -> dict:
        return {**asdict(self), "in_grid_rate": self.in_grid_rate}


def category_figures(period: Period) -> list[CategoryFigures]:
    """Per category, incidents reported in the period: handled inside the grid (a grid
    handler, never sent out) vs dispatched (a work order, a lead or a district transfer), and
    how many of each were closed as solved — 网格内解决 counts outcomes, not closes. One pass
    over the period's incidents (the reported-at index) joined to the dispatches since."""
    sql = f"""
        SELECT i.category_code,
               COUNT(*) FILTER (WHERE i.accepted_at IS NOT NULL),
               COUNT(*) FILTER (WHERE d.incident_id IS NULL AND i.handler_id IS NOT NULL),
               COUNT(*) FILTER (WHERE d.incident_id IS NOT NULL),
               COUNT(*) FILTER (WHERE d.incident_id IS NULL AND i.handler_id IS NOT NULL
                                  AND i.state = 'closed' AND i.outcome = 'solved'),
               COUNT(*) FILTER (WHERE d.incident_id IS NOT NULL
                                  AND i.state = 'closed' AND i.outcome = 'solved')
        FROM {Incident._meta.db_table} i
        LEFT JOIN (SELECT DISTINCT incident_id FROM {Dispatch._meta.db_table}
                   WHERE kind <> %s AND at >= %s) d ON d.incident_id = i.id
        WHERE i.reported_at >= %s AND i.reported_at < %s
        GROUP BY i.category_code
        ORDER BY i.category_code
    """
    with connection.cursor() as cursor:
        cursor.execute(sql, [HandlerKind.GRID, period.start, period.start, period.end])
        rows = cursor.fetchall()
    from grid.models import Category

    names = dict(Category.objects.current().values_list("code", "name"))
    fields = ("accepted", "in_grid", "dispatched", "solved_in_grid", "solved_after_dispatch")
    return [
        CategoryFigures(
            key=code, name=names.get(code, code), **dict(zip(fields, counts, strict=True))
        )
        for code, *counts in rows
    ]


def centre_figures(start: datetime, end: datetime, *, now: datetime | None = None) -> dict:
    """The command centre's report (centre/selectors/figures): work orders sent in [start,
    end) town-wide and per department."""
    now = now or timezone.now()
    departments = department_figures(Period(start, end), now=now)
    done = sum(d.done for d in departments)
    done_on_time = sum(d.done_on_time for d in departments)
    return {
        "received": sum(d.received for d in departments),
        "done": done,
        "done_on_time": done_on_time,
        "on_time_rate": round(100 * done_on_time / done, 1) if done else None,
        "returned": sum(d.returned for d in departments),
        "departments": [
            {
                "code": d.key,
                "name": d.name,
                "received": d.received,
                "signed_on_time": d.signed_on_time,
                "sign_for_minutes": d.median_sign_for_minutes,
                "handling_hours": d.median_handling_hours,
                "returned": d.returned,
                "return_rate": d.return_rate,
                "on_time_rate": d.on_time_rate,
            }
            for d in departments
        ],
    }
