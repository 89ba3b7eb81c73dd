"""Reads behind the supervisors' dashboards (限时办结看板) and the public per-matter figures.

Two kinds of figures:
- **now** (live, from the applications): the open work by state and clock status, the red and
  yellow cards by department, window and reviewer, the overdue list, the open rectifications.
  The clock status is computed in SQL (ApplicationQuerySet.with_clock_status); these queries
  read a partial index over the open applications (migration 0007), so they cost the same
  whatever the years of closed work behind them.
- **history** (a date range, from the daily rollups of approvals.models.dashboard): completions
  per day, on-time rate, real handling time in working days against the committed and
  statutory limits (the "compressed to 50% / 30%" figure), extensions, suspensions, deemed
  acceptances, ratings, hall waiting and service times. One query per rollup table
  (``GROUPING SETS`` on PostgreSQL), whatever the length of the range.

Filters: date range (history), department, window, matter kind, channel, village (the
applicant's village or community on the town's map)."""

from __future__ import annotations

import time as time_module
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.core.cache import cache
from django.db import connection, connections
from django.db.models import CharField, Count, F, Q, QuerySet, Sum, Value
from django.utils import timezone
from django.utils.translation import gettext as _

from approvals.models import (
    Application,
    ApplicationDayStat,
    BusinessCategory,
    Evaluation,
    HallDayStat,
    Matter,
    Rectification,
    RollupRun,
    State,
)
from approvals.models.applications import CLOCK_RUNNING, OPEN_STATES, ClockStatus
from approvals.models.dashboard import APPLICATION_COUNTERS, HALL_COUNTERS
from approvals.selectors.guide import REGISTER_STAMP
from portal import stamps, workdays
from portal.areas.lookup import STAMP_KEY as AREAS_STAMP
from portal.models import Area, Department, Window

DEFAULT_RANGE_DAYS = 30
MONTHLY_AFTER_DAYS = 92
MAX_RANGE_DAYS = 366 * 5
OVERDUE_LIST = 20
PUBLIC_DAYS = 90
PUBLIC_CACHE_SECONDS = 300
PUBLIC_SUMS = (
    "decided",
    "decided_on_time",
    "handling_days",
    "committed_days",
    "statutory_days",
    "completed",
)


def village_filter_available() -> bool:
    """Applications carry the applicant's village: the filter is offered."""
    return any(f.name == "village" for f in Application._meta.get_fields())


@dataclass(frozen=True)
class Filters:
    start: date
    end: date
    department: Department | None = None
    window: Window | None = None
    kind: str = ""
    channel: str = ""
    village: Area | None = None

    @classmethod
    def default(cls, today: date) -> Filters:
        return cls(start=today - timedelta(days=DEFAULT_RANGE_DAYS - 1), end=today)

    def live_q(self) -> Q:
        """The filters that apply to applications (not the date range: live panels are now)."""
        q = Q()
        if self.department is not None:
            q &= Q(department_id=self.department.pk)
        if self.window is not None:
            q &= Q(window_id=self.window.pk)
        if self.kind:
            q &= Q(matter__kind=self.kind)
        if self.channel:
            q &= Q(channel=self.channel)
        if self.village is not None:
            q &= Q(village_id=self.village.pk)
        return q

    def live_key(self) -> tuple:
        """What ``live_q`` depends on (a key of the statements built from it)."""
        return (
            self.department.pk if self.department is not None else None,
            self.window.pk if self.window is not None else None,
            self.kind,
            self.channel,
            self.village.pk if self.village is not None else None,
        )

    def query(self, **extra) -> dict:
        """The filters as GET parameters (for links and exports)."""
        params = {"start": self.start.isoformat(), "end": self.end.isoformat()}
        if self.department is not None:
            params["department"] = self.department.pk
        if self.window is not None:
            params["window"] = self.window.pk
        if self.kind:
            params["kind"] = self.kind
        if self.channel:
            params["channel"] = self.channel
        if self.village is not None:
            params["village"] = self.village.code
        params.update({k: v for k, v in extra.items() if v not in (None, "")})
        return params

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


@dataclass(frozen=True)
class Names:
    """Departments and windows by id, villages by code: the filter form's options and every
    label of the panels, so that no figure query joins them. Read from the shared cache
    (``names``); the labels are made from the rows when asked, in the request's language."""

    departments: dict
    windows: dict
    villages: dict = field(default_factory=dict)

    def department(self, pk) -> str:
        dept = self.departments.get(pk)
        return (dept.short_name or dept.name) if dept else "—"

    def department_full(self, pk) -> str:
        dept = self.departments.get(pk)
        return dept.name if dept else "—"

    def window(self, pk) -> str:
        window = self.windows.get(pk)
        if window is None:
            return str(_("网上及代办（不经窗口）")) if pk is None else "—"
        return str(_("%(number)s号窗口 %(name)s") % {"number": window.number, "name": window.name})


# A saved or deleted village sets a new one in its transaction (approvals.signals).
VILLAGES_STAMP = "villages"
NAMES_CACHE_SECONDS = 600
NAMES_CACHE_KEY = "dashboard:names:v1:{register}:{villages}:{areas}"


def read_names() -> Names:
    """The rows themselves (three small queries)."""
    return Names(
        departments={d.pk: d for d in Department.objects.order_by("kind", "code")},
        windows={w.pk: w for w in Window.objects.order_by("number")},
        villages={v.code: v for v in Area.objects.villages().defer("boundary").order_by("code")},
    )


def names() -> Names:
    """``read_names`` from the shared cache, under the change stamps of what it holds (one
    query for the three): the register's (departments and windows, approvals.signals), the
    villages' (a saved or deleted village, approvals.signals) and the map's (its imports and
    reshapes, portal.areas). Each is set in the transaction that changes the rows, and read
    here before the rows, so a change shows on the next request after its commit in every
    process. The rows are cached, not their labels: one entry serves every language."""
    values = stamps.read_all((REGISTER_STAMP, VILLAGES_STAMP, AREAS_STAMP))
    key = NAMES_CACHE_KEY.format(
        register=values[REGISTER_STAMP], villages=values[VILLAGES_STAMP], areas=values[AREAS_STAMP]
    )
    found = cache.get(key)
    if found is None:
        found = read_names()
        cache.set(key, found, NAMES_CACHE_SECONDS)
    return found


def filter_choices(lookup: Names | None = None) -> dict:
    """Options of the filter form (from the names: no query of their own)."""
    lookup = lookup or names()
    return {
        "departments": [
            d
            for d in lookup.departments.values()
            if d.kind == Department.Kind.INTERNAL and d.is_active
        ],
        "windows": [w for w in lookup.windows.values() if w.is_active],
        "kinds": Matter.Kind.choices,
        "channels": Application.Channel.choices,
        "villages": [(v.code, v.name) for v in lookup.villages.values() if v.is_active()],
    }


# --- now -------------------------------------------------------------------------------------

LIVE_STATUSES = (
    ClockStatus.NORMAL,
    ClockStatus.WARNING,
    ClockStatus.OVERDUE,
    ClockStatus.PAUSED,
    ClockStatus.NOT_STARTED,
    ClockStatus.STOPPED,
)


def _open(filters: Filters) -> QuerySet[Application]:
    return Application.objects.filter(state__in=OPEN_STATES).filter(filters.live_q())


def open_position(filters: Filters, today: date) -> dict:
    """Open applications by state and clock status (one query)."""
    rows = _values(
        ("open_position", filters.live_key(), today),
        lambda: (
            _open(filters)
            .with_clock_status(today)
            .order_by()
            .values("state", "clock_status")
            .annotate(n=Count("id"))
        ),
    )
    table = {state: dict.fromkeys(LIVE_STATUSES, 0) for state in OPEN_STATES}
    for row in rows:
        table[row["state"]][row["clock_status"]] = row["n"]
    states = []
    totals = dict.fromkeys(LIVE_STATUSES, 0)
    for state in OPEN_STATES:
        counts = table[state]
        for status, n in counts.items():
            totals[status] += n
        states.append(
            {
                "state": state.value,
                "label": str(State(state).label),
                "counts": {s.value: counts[s] for s in LIVE_STATUSES},
                "cells": [counts[s] for s in LIVE_STATUSES],
                "total": sum(counts.values()),
            }
        )
    return {
        "states": states,
        "totals": {s.value: totals[s] for s in LIVE_STATUSES},
        "total_cells": [totals[s] for s in LIVE_STATUSES],
        "total": sum(totals.values()),
        "statuses": [{"status": s.value, "label": str(s.label)} for s in LIVE_STATUSES],
    }


def _red(today: date) -> Q:
    return Q(due_date__lt=today)


def _yellow(today: date) -> Q:
    return Q(due_date__gte=today, warning_date__lte=today)


_SQL_MEMO: dict[tuple, tuple[str, tuple]] = {}
SQL_MEMO_SIZE = 512


def _values(key: tuple, build) -> list[dict]:
    """The rows of ``build()``, a ``values()`` queryset, as the dicts it gives, its SQL compiled
    once per ``key`` in this process (issue 19: compiling the ORM's expressions cost more CPU
    than reading the rows). ``key`` names everything the statement depends on — the panel, the
    filters (``Filters.live_key``) and the day — so a kept statement is the one ``build()``
    would compile: only the SQL text and its parameters are kept, never a row."""
    alias = Application.objects.db
    found = _SQL_MEMO.get((alias, *key))
    if found is None:
        qs = build()
        sql, params = qs.query.get_compiler(qs.db).as_sql()
        found = (sql, tuple(params))
        if len(_SQL_MEMO) >= SQL_MEMO_SIZE:
            _SQL_MEMO.clear()
        _SQL_MEMO[(alias, *key)] = found
    sql, params = found
    with connections[alias].cursor() as cursor:
        cursor.execute(sql, params)
        columns = [col[0] for col in cursor.description]
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def _cards_qs(filters: Filters, today: date):
    """``cards``' statement: three GROUP BYs in a UNION ALL."""
    base = (
        Application.objects.filter(state__in=CLOCK_RUNNING)
        .filter(filters.live_q())
        .filter(Q(due_date__lt=today) | Q(warning_date__lte=today))
        .order_by()
    )
    counts = {
        "red": Count("id", filter=_red(today)),
        "yellow": Count("id", filter=_yellow(today)),
    }
    blank = Value("", output_field=CharField())
    by_department = base.values(
        dim=Value("department"), key=F("department_id"), label=blank, label2=blank
    ).annotate(**counts)
    by_window = base.values(
        dim=Value("window"), key=F("window_id"), label=blank, label2=blank
    ).annotate(**counts)
    by_handler = base.values(
        dim=Value("handler"),
        key=F("handler_id"),
        label=F("handler__real_name"),
        label2=F("handler__username"),
    ).annotate(**counts)
    return by_department.union(by_window, by_handler, all=True)


def cards(filters: Filters, today: date, lookup: Names | None = None) -> dict:
    """Red (overdue) and yellow (warning) cards of the running clocks by department, window and
    reviewer: one query (three GROUP BYs in a UNION ALL); only the reviewers' names are joined,
    departments and windows are labelled from ``lookup``."""
    lookup = lookup or names()
    groups: dict[str, list[dict]] = {"department": [], "window": [], "handler": []}
    for row in _values(("cards", filters.live_key(), today), lambda: _cards_qs(filters, today)):
        groups[row["dim"]].append(row)
    out = {}
    for dim, rows in groups.items():
        items = []
        for row in rows:
            if dim == "department":
                label = lookup.department(row["key"])
            elif dim == "window":
                label = lookup.window(row["key"])
            else:
                label = (row["label"] or row["label2"]) if row["key"] else _("待认领")
            items.append(
                {
                    "key": row["key"],
                    "label": str(label),
                    "red": row["red"],
                    "yellow": row["yellow"],
                }
            )
        items.sort(key=lambda r: (-r["red"], -r["yellow"], r["label"]))
        out[dim] = items
    out["red"] = sum(r["red"] for r in out["department"])
    out["yellow"] = sum(r["yellow"] for r in out["department"])
    return out


def department_cards(filters: Filters, today: date) -> dict:
    """The red and yellow cards by department only (the command centre's panel): ``cards``'
    ``department`` rows and totals from one GROUP BY, without the windows' and reviewers'
    groupings or the windows' and villages' names the centre does not show."""
    rows = (
        Application.objects.filter(state__in=CLOCK_RUNNING)
        .filter(filters.live_q())
        .filter(Q(due_date__lt=today) | Q(warning_date__lte=today))
        .order_by()
        .values_list("department_id")
        .annotate(red=Count("id", filter=_red(today)), yellow=Count("id", filter=_yellow(today)))
    )
    rows = list(rows)
    departments = {d.pk: d for d in Department.objects.filter(pk__in=[r[0] for r in rows])}
    lookup = Names(departments=departments, windows={})
    items = [
        {"key": key, "label": str(lookup.department(key)), "red": red, "yellow": yellow}
        for key, red, yellow in rows
    ]
    items.sort(key=lambda r: (-r["red"], -r["yellow"], r["label"]))
    return {
        "department": items,
        "red": sum(r["red"] for r in items),
        "yellow": sum(r["yellow"] for r in items),
    }


LIST_FIELDS = (
    "id",
    "public_id",
    "number",
    "state",
    "channel",
    "department_id",
    "delegating_department_id",
    "window_id",
    "handler_id",
    "accepted_on",
    "due_date",
    "statutory_due_date",
    "warning_date",
    "matter__code",
    "matter__name",
    "handler__real_name",
    "handler__username",
)


def overdue_list(
    filters: Filters, today: date, limit: int = OVERDUE_LIST, lookup: Names | None = None
) -> list[dict]:
    """The longest-overdue running applications, with who holds them and for how long. Two
    steps: the keys of the first ``limit`` (an index-only scan of the open applications), then
    those rows with their matter and handler."""
    lookup = lookup or names()
    ids = list(
        Application.objects.filter(state__in=CLOCK_RUNNING, due_date__lt=today)
        .filter(filters.live_q())
        .order_by("due_date", "id")
        .values_list("id", flat=True)[:limit]
    )
    rows = _rows(Application.objects.all(), ids)
    return [_overdue_row(app, today, lookup) for app in rows]


def _rows(qs: QuerySet[Application], ids: list[int]) -> list[Application]:
    """The applications ``ids``, in that order, with what the lists show."""
    if not ids:
        return []
    found = {
        app.pk: app
        for app in qs.filter(pk__in=ids).select_related("matter", "handler").only(*LIST_FIELDS)
    }
    return [found[pk] for pk in ids if pk in found]


def held_by(app: Application, lookup: Names) -> tuple[str, str]:
    """Who holds an application now, in no language: ("district", the district department it
    was forwarded to), ("user", the reviewer who claimed it) or ("department", the department
    whose unclaimed pool it waits in)."""
    if app.state == State.FORWARDED:
        return "district", lookup.department_full(app.delegating_department_id)
    if app.handler_id:
        return "user", str(app.handler.display_name)
    return "department", lookup.department(app.department_id)


def holder_label(kind: str, name: str) -> str:
    """``held_by`` in the current language."""
    if kind == "district":
        return str(_("区级部门：%(name)s") % {"name": name})
    if kind == "user":
        return name
    return str(_("%(department)s 待认领") % {"department": name})


def holder(app: Application, lookup: Names) -> str:
    """Who holds an application now."""
    return holder_label(*held_by(app, lookup))


def _overdue_row(app: Application, today: date, lookup: Names) -> dict:
    return {
        "number": app.number,
        "reference": app.reference,
        "matter": app.matter.name,
        "department": lookup.department(app.department_id),
        "state": app.state,
        "state_label": str(app.get_state_display()),
        "holder": holder(app, lookup),
        "accepted_on": app.accepted_on,
        "due_date": app.due_date,
        "days_overdue": workdays.working_days_between(app.due_date, today),
    }


# --- drill-down list -------------------------------------------------------------------------

DRILL_STATUSES = ("overdue", "warning", "normal", "paused", "running", "open")
PAGE_SIZE = 50


@dataclass(frozen=True)
class Drill:
    status: str = "overdue"
    handler_id: int | None = None
    unclaimed: bool = False
    online: bool = False  # window filter "no window" (online and proxy filings)


def drilldown(filters: Filters, drill: Drill, today: date) -> QuerySet[Application]:
    """Applications behind a card: running clocks by status, filtered; due date order."""
    if drill.status == "paused":
        qs = Application.objects.filter(state=State.SUSPENDED)
    elif drill.status == "open":
        qs = Application.objects.filter(state__in=OPEN_STATES)
    else:
        qs = Application.objects.filter(state__in=CLOCK_RUNNING)
        if drill.status == "overdue":
            qs = qs.filter(_red(today))
        elif drill.status == "warning":
            qs = qs.filter(_yellow(today))
        elif drill.status == "normal":
            qs = qs.filter(due_date__gte=today, warning_date__gt=today)
    qs = qs.filter(filters.live_q())
    if drill.handler_id:
        qs = qs.filter(handler_id=drill.handler_id)
    elif drill.unclaimed:
        qs = qs.filter(handler__isnull=True)
    if drill.online:
        qs = qs.filter(window__isnull=True)
    return qs.with_clock_status(today).order_by(F("due_date").asc(nulls_last=True), "id")


def drilldown_page(
    qs: QuerySet[Application], *, after: tuple[date | None, int] | None, size: int = PAGE_SIZE
) -> tuple[list[Application], tuple[date | None, int] | None]:
    """A keyset page: the next ``size`` rows after (due_date, id), and the key of the next
    page. Two steps: the keys (an index-only scan), then those rows."""
    if after is not None:
        due, pk = after
        if due is None:
            qs = qs.filter(due_date__isnull=True, id__gt=pk)
        else:
            qs = qs.filter(
                Q(due_date__gt=due) | Q(due_date=due, id__gt=pk) | Q(due_date__isnull=True)
            )
    keys = list(qs.values_list("id", "due_date")[: size + 1])
    following = keys[size - 1][::-1] if len(keys) > size else None
    page = [pk for pk, _due in keys[:size]]
    return _rows(qs, page), following


# --- history (rollups) -----------------------------------------------------------------------


def _pct(ratio: float | None) -> float | None:
    return None if ratio is None else round(ratio * 100, 1)


@dataclass
class Figures:
    """Sums of the rollup counters over a group, and the ratios people read."""

    sums: dict[str, int] = field(default_factory=dict)

    def __getitem__(self, name: str) -> int:
        return self.sums.get(name, 0) or 0

    def _ratio(self, a: str, b: str, digits: int = 3) -> float | None:
        return round(self[a] / self[b], digits) if self[b] else None

    def as_dict(self) -> dict:
        decided = self["decided"]
        ratings = sum(self[f"rating_{n}"] for n in range(1, 6))
        on_time = self._ratio("decided_on_time", "decided")
        vs_committed = self._ratio("handling_days", "committed_days")
        vs_statutory = self._ratio("handling_days", "statutory_days")
        satisfaction = (
            round((self["rating_4"] + self["rating_5"]) / ratings, 3) if ratings else None
        )
        return {
            **{name: self[name] for name in APPLICATION_COUNTERS},
            "on_time_rate": on_time,
            "on_time_pct": _pct(on_time),
            "vs_committed_pct": _pct(vs_committed),
            "vs_statutory_pct": _pct(vs_statutory),
            "satisfaction_pct": _pct(satisfaction),
            "late": decided - self["decided_on_time"],
            "avg_handling_days": self._ratio("handling_days", "decided", 2),
            "avg_committed_days": self._ratio("committed_days", "decided", 2),
            "avg_statutory_days": self._ratio("statutory_days", "decided", 2),
            "handling_vs_committed": vs_committed,
            "handling_vs_statutory": vs_statutory,
            "ratings": ratings,
            "satisfaction_rate": satisfaction,
            "bad_ratings": self["rating_1"] + self["rating_2"],
        }


def _rollup_where(filters: Filters, alias: str = "s") -> tuple[str, list]:
    where = [f"{alias}.day >= %s", f"{alias}.day <= %s"]
    params: list = [filters.start, filters.end]
    if filters.department is not None:
        where.append(f"{alias}.department_id = %s")
        params.append(filters.department.pk)
    if filters.window is not None:
        where.append(f"{alias}.window_id = %s")
        params.append(filters.window.pk)
    if filters.channel:
        where.append(f"{alias}.channel = %s")
        params.append(filters.channel)
    if filters.village is not None:
        where.append(f"{alias}.village_id = %s")
        params.append(filters.village.pk)
    if filters.kind:
        where.append("m.kind = %s")
        params.append(filters.kind)
    return " AND ".join(where), params


def _rollup_source(model, filters: Filters, alias: str) -> tuple[str, list]:
    """The rows a dashboard sums over the range: the stored rollup of the days before today
    and, when the range reaches today, today's rows computed live from the events (the beat's
    refresh is never waited for, a rating given a minute ago counts, and the stored rows of
    today are left out so that nothing counts twice). A FROM item and its parameters."""
    table = connection.ops.quote_name(model._meta.db_table)
    today = timezone.localdate()
    if not (filters.start <= today <= filters.end):
        return f"{table} {alias}", []
    from approvals.services import dashboard as rollups

    builder = rollups.application_rows_sql if model is ApplicationDayStat else rollups.hall_rows_sql
    live, live_params = builder(today, today)
    columns = ", ".join(f.column for f in model._meta.concrete_fields if f.name != "id")
    return (
        f"(SELECT {columns} FROM {table} WHERE day <> %s "
        f"UNION ALL SELECT {columns} FROM ({live}) live_rows) {alias}",
        [today, *live_params],
    )


# The dimensions history() groups by: (column, name in the result).
HISTORY_DIMS = (("s.day", "day"), ("s.department_id", "department"), ("m.code", "matter"))


def _grouped(
    filters: Filters, dims=HISTORY_DIMS, run: RollupRun | None = None
) -> dict[str, list[tuple]]:
    """Rollup sums over the range by each of ``dims`` (day, department, matter code — versions
    of a matter summed): one statement on PostgreSQL (GROUPING SETS), one per dimension
    elsewhere. Rows are (key, sums in APPLICATION_COUNTERS order).

    Given ``run``, the last refresh (read by the caller before this), the sums of the stored
    rows are kept in the cache under that run for ``HISTORY_CACHE_SECONDS``: only a refresh
    writes the stored rows (``rollup_refresh``, which records its run in the same transaction),
    so a new run is a new key. Today's live rows are summed afresh on every request and added
    (every figure is a sum; today is never among the stored rows read)."""
    if run is None or connection.vendor != "postgresql" or len(dims) < 2:
        return _grouped_from(filters, dims, *_rollup_source(ApplicationDayStat, filters, "s"))
    today = timezone.localdate()
    key = _history_key(filters, dims, run, today)
    stored = cache.get(key)
    if stored is None:
        table = connection.ops.quote_name(ApplicationDayStat._meta.db_table)
        if filters.start <= today <= filters.end:
            stored = _grouped_from(filters, dims, f"{table} s", [], exclude_day=today)
        else:
            stored = _grouped_from(filters, dims, f"{table} s", [])
        cache.set(key, stored, HISTORY_CACHE_SECONDS)
    if not (filters.start <= today <= filters.end):
        return stored
    from approvals.services import dashboard as rollups

    live_sql, live_params = rollups.application_rows_sql(today, today)
    live = _grouped_from(filters, dims, f"({live_sql}) s", live_params)
    return _added(stored, live)


HISTORY_CACHE_SECONDS = 600


def _history_key(filters: Filters, dims, run: RollupRun, today: date) -> str:
    parts = [
        f"{filters.start}:{filters.end}",
        str(filters.department.pk if filters.department is not None else ""),
        str(filters.window.pk if filters.window is not None else ""),
        filters.kind,
        filters.channel,
        str(filters.village.pk if filters.village is not None else ""),
        ",".join(name for _col, name in dims),
        str(today),
        f"{run.pk}:{run.finished_at.isoformat() if run.finished_at else ''}",
    ]
    return "dashboard-history:" + "|".join(parts)


def _added(stored: dict, live: dict) -> dict[str, list[tuple]]:
    def plus(a, b):
        return b if a is None else a if b is None else a + b

    out: dict[str, list[tuple]] = {}
    for name, rows in stored.items():
        merged = dict(rows)
        for key, values in live.get(name, []):
            before = merged.get(key)
            merged[key] = (
                values
                if before is None
                else tuple(plus(a, b) for a, b in zip(before, values, strict=True))
            )
        out[name] = list(merged.items())
    return out


def _grouped_from(
    filters: Filters, dims, rows: str, row_params: list, exclude_day: date | None = None
) -> dict[str, list[tuple]]:
    matter_table = connection.ops.quote_name(Matter._meta.db_table)
    where, params = _rollup_where(filters)
    if exclude_day is not None:
        where += " AND s.day <> %s"
        params.append(exclude_day)
    needs_matter = filters.kind or any(col.startswith("m.") for col, _name in dims)
    join = f" JOIN {matter_table} m ON m.id = s.matter_id" if needs_matter else ""
    source = f"{rows}{join}"
    params = [*row_params, *params]
    sums = ", ".join(f"SUM(s.{name})" for name in APPLICATION_COUNTERS)
    out: dict[str, list[tuple]] = {name: [] for _col, name in dims}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and len(dims) > 1:
            grouping = ", ".join(f"GROUPING({col})" for col, _name in dims)
            cols = ", ".join(col for col, _name in dims)
            sets = ", ".join(f"({col})" for col, _name in dims)
            cursor.execute(
                f"SELECT {grouping}, {cols}, {sums} FROM {source} WHERE {where} "
                f"GROUP BY GROUPING SETS ({sets})",
                params,
            )
            n = len(dims)
            names_ = [name for _col, name in dims]
            for row in cursor.fetchall():
                i = row.index(0)  # the first GROUPING() that is 0 names the set
                out[names_[i]].append((row[n + i], tuple(row[2 * n :])))
        else:
            for col, name in dims:
                cursor.execute(
                    f"SELECT {col}, {sums} FROM {source} WHERE {where} GROUP BY {col}", params
                )
                out[name] = [(row[0], row[1:]) for row in cursor.fetchall()]
    return out


def _sums(values) -> dict:
    return {name: (v or 0) for name, v in zip(APPLICATION_COUNTERS, values, strict=True)}


def _day(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(str(value))


DECIDED = APPLICATION_COUNTERS.index("decided")
COMPLETED = APPLICATION_COUNTERS.index("completed")


def history(
    filters: Filters,
    lookup: Names | None = None,
    matters: int | None = 20,
    bucket: str = "day",
    run: RollupRun | None = None,
) -> dict:
    """Everything the range shows from the rollups: totals, per day (or per month: ``bucket``),
    per department, and the ``matters`` busiest matters (None: all of them; 0: no matter at
    all, and the rollup query does not group by matter). Two queries: the rollup and the
    names of the matters shown. Given ``run`` (the last refresh), the stored rows' sums come
    from the cache (``_grouped``)."""
    lookup = lookup or names()
    dims = HISTORY_DIMS if matters != 0 else HISTORY_DIMS[:2]
    grouped = _grouped(filters, dims, run)
    by_day = {_day(key): values for key, values in grouped["day"]}
    series = []
    totals: dict[str, int] = defaultdict(int)
    monthly = bucket == "month"
    current: dict[str, int] = defaultdict(int)
    day = filters.start
    while day <= filters.end:
        values = by_day.get(day)
        sums = _sums(values) if values else {}
        for name, value in sums.items():
            totals[name] += value
            current[name] += value
        following = day + timedelta(days=1)
        if not monthly or following > filters.end or following.day == 1:
            start_of_bucket = day.replace(day=1) if monthly else day
            series.append(
                {
                    "day": max(start_of_bucket, filters.start),
                    "month": monthly,
                    **Figures(dict(current)).as_dict(),
                }
            )
            current = defaultdict(int)
        day = following
    departments = [
        {"key": key, "label": lookup.department(key), **Figures(_sums(values)).as_dict()}
        for key, values in grouped["department"]
    ]
    departments.sort(key=lambda r: (-r["decided"], r["label"]))
    ranked = sorted(
        grouped.get("matter", []),
        key=lambda r: (-(r[1][DECIDED] or 0), -(r[1][COMPLETED] or 0), r[0]),
    )
    shown = ranked if matters is None else ranked[:matters]
    latest: dict[str, dict] = {}
    for m in (
        Matter.objects.filter(code__in=[key for key, _values in shown])
        .exclude(status=Matter.Status.DRAFT)
        .order_by("code", "version")
        .values("code", "name", "version", "committed_days", "statutory_days", "kind")
    ):
        latest[m["code"]] = m  # the last version wins
    rows = []
    for key, values in shown:
        meta = latest.get(key, {})
        rows.append(
            {
                "code": key,
                "name": meta.get("name", key),
                "version": meta.get("version"),
                "committed": meta.get("committed_days"),
                "statutory": meta.get("statutory_days"),
                "kind": meta.get("kind"),
                **Figures(_sums(values)).as_dict(),
            }
        )
    return {
        "totals": Figures(dict(totals)).as_dict(),
        "series": series,
        "departments": departments,
        "matters": rows,
        "matter_count": len(ranked),
    }


def hall(filters: Filters, lookup: Names | None = None) -> dict:
    """Hall waiting and service times by category, window and hour over the range (the rollup
    and the categories; the hall is filtered by window only: categories are not
    departments)."""
    lookup = lookup or names()
    table, params = _rollup_source(HallDayStat, filters, "h")
    where = ["h.day >= %s", "h.day <= %s"]
    params = [*params, filters.start, filters.end]
    if filters.window is not None:
        where.append("h.window_id = %s")
        params.append(filters.window.pk)
    sums = ", ".join(
        f"MAX(h.{name})" if name.endswith("_max") else f"SUM(h.{name})" for name in HALL_COUNTERS
    )
    dims = ("category_id", "window_id", "hour")
    out: dict[str, list[dict]] = {d: [] for d in dims}
    total: dict = {}
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            grouping = ", ".join(f"GROUPING(h.{d})" for d in dims)
            cursor.execute(
                f"SELECT {grouping}, h.category_id, h.window_id, h.hour, {sums} FROM {table} "
                f"WHERE {' AND '.join(where)} "
                "GROUP BY GROUPING SETS ((h.category_id), (h.window_id), (h.hour), ())",
                params,
            )
            for row in cursor.fetchall():
                flags, keys, values = row[:3], row[3:6], row[6:]
                record = dict(zip(HALL_COUNTERS, values, strict=True))
                if all(flags):
                    total = record
                    continue
                i = flags.index(0)
                out[dims[i]].append({"key": keys[i], **record})
        else:
            for i, dim in enumerate((*dims, None)):
                select = f"h.{dim}, " if dim else ""
                group = f" GROUP BY h.{dim}" if dim else ""
                cursor.execute(
                    f"SELECT {select}{sums} FROM {table} WHERE {' AND '.join(where)}{group}",
                    params,
                )
                for row in cursor.fetchall():
                    if dim is None:
                        total = dict(zip(HALL_COUNTERS, row, strict=True))
                    else:
                        out[dims[i]].append(
                            {"key": row[0], **dict(zip(HALL_COUNTERS, row[1:], strict=True))}
                        )
    categories = {c.pk: c for c in BusinessCategory.objects.all()}

    def times(record: dict) -> dict:
        record = {k: int(v or 0) for k, v in record.items() if k != "key"}
        calls = record.get("calls", 0)
        finished = record.get("finished", 0)
        return {
            "calls": calls,
            "finished": finished,
            "no_shows": record.get("no_shows") or 0,
            "transferred": record.get("transferred") or 0,
            "wait_avg_min": round((record.get("wait_seconds") or 0) / calls / 60, 1)
            if calls
            else None,
            "wait_max_min": round((record.get("wait_max") or 0) / 60, 1) if calls else None,
            "service_avg_min": round((record.get("service_seconds") or 0) / finished / 60, 1)
            if finished
            else None,
            "service_max_min": round((record.get("service_max") or 0) / 60, 1)
            if finished
            else None,
        }

    by_category = []
    for row in out["category_id"]:
        category = categories.get(row["key"])
        label = f"{category.ticket_prefix} · {category.name}" if category else "—"
        order = (category.order, category.code) if category else (999, "")
        by_category.append({"key": row["key"], "label": label, "_order": order, **times(row)})
    by_category.sort(key=lambda r: r.pop("_order"))
    by_window = []
    for row in out["window_id"]:
        window = lookup.windows.get(row["key"])
        by_window.append(
            {
                "key": row["key"],
                "label": lookup.window(row["key"]),
                "_n": window.number if window else 0,
            }
            | times(row)
        )
    by_window.sort(key=lambda r: r.pop("_n"))
    by_hour = sorted(
        ({"key": row["key"], "label": f"{row['key']}:00", **times(row)} for row in out["hour"]),
        key=lambda r: r["key"],
    )
    return {
        "total": times(total),
        "by_category": by_category,
        "by_window": by_window,
        "by_hour": by_hour,
    }


def rectifications(filters: Filters, today: date, lookup: Names | None = None) -> dict:
    """Rectifications of bad ratings — open, open and overdue, opened and closed in the range —
    by department. Two queries: the few thousand rectifications concerned (open or touched in
    the range), then their applications' department among those the filters keep (a join from
    the other end would read every rating ever given)."""
    lookup = lookup or names()
    begin, stop = _day_bounds(filters.start, filters.end)
    rows = list(
        Rectification.objects.filter(
            Q(status=Rectification.Status.OPEN)
            | Q(closed_at__gte=begin, closed_at__lt=stop)
            | Q(opened_on__gte=filters.start, opened_on__lte=filters.end)
        ).values_list("evaluation_id", "status", "due_date", "opened_on", "closed_at")
    )
    q = Q(pk__in=[r[0] for r in rows])
    if filters.department is not None:
        q &= Q(application__department_id=filters.department.pk)
    if filters.window is not None:
        q &= Q(application__window_id=filters.window.pk)
    if filters.kind:
        q &= Q(application__matter__kind=filters.kind)
    if filters.channel:
        q &= Q(application__channel=filters.channel)
    if filters.village is not None:
        q &= Q(application__village_id=filters.village.pk)
    department_of = (
        dict(
            Evaluation.objects.filter(q).order_by().values_list("id", "application__department_id")
        )
        if rows
        else {}
    )
    counts: dict[int, dict[str, int]] = {}
    for evaluation_id, status, due, opened, closed_at in rows:
        if evaluation_id not in department_of:
            continue  # not among the filtered applications
        dept = department_of[evaluation_id]
        c = counts.setdefault(dept, {"open": 0, "overdue": 0, "opened": 0, "closed": 0})
        if status == Rectification.Status.OPEN:
            c["open"] += 1
            c["overdue"] += due < today
        elif closed_at is not None and begin <= closed_at < stop:
            c["closed"] += 1
        c["opened"] += filters.start <= opened <= filters.end
    departments = sorted(
        ({"key": k, "label": lookup.department(k), **c} for k, c in counts.items()),
        key=lambda r: (-r["overdue"], -r["open"], r["label"] or ""),
    )
    return {
        "open": sum(r["open"] for r in departments),
        "overdue": sum(r["overdue"] for r in departments),
        "opened": sum(r["opened"] for r in departments),
        "closed": sum(r["closed"] for r in departments),
        "departments": departments,
    }


def _day_bounds(start: date, end: date) -> tuple[datetime, datetime]:
    begin = timezone.make_aware(datetime.combine(start, time.min))
    stop = timezone.make_aware(datetime.combine(end + timedelta(days=1), time.min))
    return begin, stop


def freshness() -> RollupRun | None:
    return RollupRun.objects.order_by("-finished_at", "-id").first()


# --- whole views ------------------------------------------------------------------------------


def series_bucket(filters: Filters) -> str:
    """Per day up to three months, per month beyond (a chart of 1,095 daily bars reads as noise)."""
    return "month" if filters.days > MONTHLY_AFTER_DAYS else "day"


def time_limits(filters: Filters, today: date, lookup: Names | None = None) -> dict:
    """The time-limit dashboard, all panels: open work, cards, overdue list, the rollups, the
    names of the matters shown, the last refresh — six queries."""
    lookup = lookup or names()
    run = freshness()
    return {
        "filters": filters,
        "today": today,
        "position": open_position(filters, today),
        "cards": cards(filters, today, lookup),
        "overdue": overdue_list(filters, today, lookup=lookup),
        "history": history(filters, lookup, bucket=series_bucket(filters), run=run),
        "freshness": run,
    }


def service_quality(filters: Filters, today: date, lookup: Names | None = None) -> dict:
    """Evaluations by level and department, rectifications, hall times: the rollups, the
    rectifications, the hall rollup and its categories, the last refresh — five queries."""
    lookup = lookup or names()
    run = freshness()
    grouped = history(filters, lookup, matters=0, run=run)
    return {
        "filters": filters,
        "today": today,
        "ratings": {
            "totals": grouped["totals"],
            "departments": [d for d in grouped["departments"] if d["ratings"]],
        },
        "rectifications": rectifications(filters, today, lookup),
        "hall": hall(filters, lookup),
        "freshness": run,
    }


# --- public ----------------------------------------------------------------------------------


def matter_performance(code: str, today: date, days: int = PUBLIC_DAYS) -> dict | None:
    """The public figures of one matter over the last ``days`` days: decisions, on-time rate,
    average real handling time against the limits. No personal data.

    They change only when the rollups are refreshed (every few minutes), so they are cached
    for ``PUBLIC_CACHE_SECONDS``: a cached read makes no query, a fresh one three."""
    bucket = int(time_module.time() // PUBLIC_CACHE_SECONDS)
    key = f"dashboard:matter:{bucket}:{today.isoformat()}:{days}:{code}"
    found = cache.get(key)
    if found is None:
        found = _matter_performance(code, today, days) or {}
        cache.set(key, found, PUBLIC_CACHE_SECONDS)
    return found or None


def _matter_performance(code: str, today: date, days: int) -> dict | None:
    versions = list(
        Matter.objects.filter(code=code)
        .exclude(status=Matter.Status.DRAFT)
        .order_by("-version")
        .values("id", "name", "version", "committed_days", "statutory_days", "status", "kind")
    )
    if not versions:
        return None
    start = today - timedelta(days=days - 1)
    sums = ApplicationDayStat.objects.filter(
        matter_id__in=[v["id"] for v in versions], day__gte=start, day__lte=today
    ).aggregate(**{name: Sum(name) for name in PUBLIC_SUMS})
    figures = Figures({k: v or 0 for k, v in sums.items()}).as_dict()
    current = next((v for v in versions if v["status"] == Matter.Status.PUBLISHED), versions[0])
    return {
        "code": code,
        "name": current["name"],
        "kind": current["kind"],
        "committed_days": current["committed_days"],
        "statutory_days": current["statutory_days"],
        "start": start,
        "end": today,
        "days": days,
        "decided": figures["decided"],
        "completed": figures["completed"],
        "on_time_rate": figures["on_time_rate"],
        "on_time_pct": figures["on_time_pct"],
        "vs_committed_pct": figures["vs_committed_pct"],
        "vs_statutory_pct": figures["vs_statutory_pct"],
        "avg_handling_days": figures["avg_handling_days"],
        "handling_vs_committed": figures["handling_vs_committed"],
        "handling_vs_statutory": figures["handling_vs_statutory"],
    }
