"""The dashboard's daily rollups: rebuilt for a range of days in one transaction.

A refresh deletes the rollup rows of the days ``start``–``end`` and inserts them again from the
applications, their records, the ratings and the hall calls — one ``INSERT … SELECT … GROUP BY``
per rollup table, so its cost is that of reading the events of those days (each source is read
through an index on its date). Working days come from the portal's calendar
(portal.workdays): the refresh computes each date's working-day ordinal in Python and hands the
table to the query, so "real handling time in working days" follows exactly the same rules as
every deadline of the portal.

The beat task ``approvals.tasks.dashboard_rollup_recent`` refreshes the last
``DASHBOARD_ROLLUP_LOOKBACK_DAYS`` days (default 31: deemed acceptances are dated back to the day
of receipt, so recent days can still change) every ``DASHBOARD_ROLLUP_MINUTES`` minutes;
``manage.py dashboard_rollup --start … --end …`` backfills any range."""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from datetime import time as dtime

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone

from approvals.models import (
    Application,
    ApplicationDayStat,
    CorrectionNotice,
    Evaluation,
    Extension,
    HallDayStat,
    Matter,
    Rectification,
    RollupRun,
    Suspension,
    TicketCall,
)
from approvals.models.dashboard import APPLICATION_COUNTERS, HALL_COUNTERS
from portal import workdays

DEFAULT_LOOKBACK_DAYS = 31


def lookback_days() -> int:
    return int(settings.ONEWINDOW.get("DASHBOARD_ROLLUP_LOOKBACK_DAYS", DEFAULT_LOOKBACK_DAYS))


# --- SQL dialect -----------------------------------------------------------------------------


def _postgres() -> bool:
    return connection.vendor == "postgresql"


def _tz_name() -> str:
    name = str(settings.TIME_ZONE)
    if not re.fullmatch(r"[A-Za-z0-9_+\-/]+", name):
        raise ValueError(f"unexpected TIME_ZONE {name!r}")
    return name


def _utc_offset_minutes() -> int:
    offset = timezone.localtime(timezone.now()).utcoffset() or timedelta(0)
    return int(offset.total_seconds() // 60)


def _local_date(column: str) -> str:
    if _postgres():
        return f"(({column}) AT TIME ZONE '{_tz_name()}')::date"
    return f"date({column}, '{_utc_offset_minutes():+d} minutes')"


def _local_hour(column: str) -> str:
    if _postgres():
        return f"CAST(EXTRACT(HOUR FROM ({column}) AT TIME ZONE '{_tz_name()}') AS integer)"
    return f"CAST(strftime('%%H', {column}, '{_utc_offset_minutes():+d} minutes') AS integer)"


def _seconds_between(later: str, earlier: str) -> str:
    if _postgres():
        body = f"ROUND(EXTRACT(EPOCH FROM ({later} - {earlier})))"
        return f"GREATEST(CAST({body} AS bigint), 0)"
    body = f"ROUND((julianday({later}) - julianday({earlier})) * 86400)"
    return f"MAX(CAST({body} AS integer), 0)"


def _not_negative(expression: str) -> str:
    return f"GREATEST({expression}, 0)" if _postgres() else f"MAX({expression}, 0)"


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _ts(day: date) -> object:
    """The first instant of a local day, adapted for a raw query on this database."""
    aware = timezone.make_aware(datetime.combine(day, dtime.min))
    return connection.ops.adapt_datetimefield_value(aware)


# --- the working-day ordinal ------------------------------------------------------------------


def working_day_ordinals(start: date, end: date) -> list[tuple[date, int]]:
    """(day, n) for every day of start..end: n counts the working days in (start, day], so
    ``n(b) - n(a) == workdays.working_days_between(a, b)`` for any a, b in the range."""
    rows = []
    n = 0
    day = start
    while day <= end:
        if day != start and workdays.is_working_day(day):
            n += 1
        rows.append((day, n))
        day += timedelta(days=1)
    return rows


# --- the application rollup ------------------------------------------------------------------


@dataclass
class _Source:
    """One kind of event: which rows, which day it counts on, what it adds."""

    from_sql: str
    day_sql: str
    where_sql: str
    params: list
    metrics: dict[str, str] = field(default_factory=dict)
    needs_ordinals: bool = False


def _application_sources(start: date, end: date) -> list[_Source]:
    app = _table(Application)
    matter = _table(Matter)
    begin_ts, end_ts = _ts(start), _ts(end + timedelta(days=1))
    case = "CASE WHEN {} THEN 1 ELSE 0 END".format
    handling = _not_negative("COALESCE(od.n - oa.n, 0) - a.paused_days")
    overdue = (
        "CASE WHEN a.decided_on > a.due_date "
        f"THEN {_not_negative('COALESCE(od.n - odue.n, 0)')} ELSE 0 END"
    )
    ratings = {f"rating_{n}": case(f"v.rating = {n}") for n in range(1, 6)}
    return [
        _Source(
            f"{app} a",
            "a.accepted_on",
            "a.accepted_on BETWEEN %s AND %s",
            [start, end],
            {"accepted": "1", "deemed_accepted": case("a.deemed_accepted")},
        ),
        _Source(
            f"{app} a JOIN {matter} m ON m.id = a.matter_id"
            " LEFT JOIN ord oa ON oa.day = a.accepted_on"
            " LEFT JOIN ord od ON od.day = a.decided_on"
            " LEFT JOIN ord odue ON odue.day = a.due_date",
            "a.decided_on",
            "a.decided_on BETWEEN %s AND %s",
            [start, end],
            {
                "decided": "1",
                "decided_on_time": case("a.due_date IS NULL OR a.decided_on <= a.due_date"),
                "granted": case("a.outcome = 'grant'"),
                "denied": case("a.outcome = 'deny'"),
                "handling_days": handling,
                "committed_days": "m.committed_days",
                "statutory_days": "m.statutory_days",
                "limit_days": "m.committed_days + a.extension_days",
                "overdue_days": overdue,
            },
            needs_ordinals=True,
        ),
        _Source(
            f"{app} a",
            "a.released_on",
            "a.released_on BETWEEN %s AND %s",
            [start, end],
            {
                "completed": "1",
                "released_late": case(
                    "a.release_due_on IS NOT NULL AND a.released_on > a.release_due_on"
                ),
            },
        ),
        _Source(
            f"{app} a",
            "a.refused_on",
            "a.refused_on BETWEEN %s AND %s",
            [start, end],
            {"refused": "1"},
        ),
        _Source(
            f"{app} a",
            _local_date("a.withdrawn_at"),
            "a.withdrawn_at >= %s AND a.withdrawn_at < %s",
            [begin_ts, end_ts],
            {"withdrawn": "1"},
        ),
        _Source(
            f"{_table(CorrectionNotice)} c JOIN {app} a ON a.id = c.application_id",
            "c.issued_on",
            "c.issued_on BETWEEN %s AND %s",
            [start, end],
            {"corrections": "1"},
        ),
        _Source(
            f"{_table(Suspension)} s JOIN {app} a ON a.id = s.application_id",
            "s.started_on",
            "s.started_on BETWEEN %s AND %s",
            [start, end],
            {"suspensions": "1"},
        ),
        _Source(
            f"{_table(Extension)} e JOIN {app} a ON a.id = e.application_id",
            _local_date("e.decided_at"),
            "e.status = 'approved' AND e.decided_at >= %s AND e.decided_at < %s",
            [begin_ts, end_ts],
            {"extensions": "1", "extension_days": "e.days"},
        ),
        _Source(
            f"{_table(Evaluation)} v JOIN {app} a ON a.id = v.application_id",
            _local_date("v.created_at"),
            "v.created_at >= %s AND v.created_at < %s",
            [begin_ts, end_ts],
            ratings,
        ),
        _Source(
            f"{_table(Rectification)} r JOIN {_table(Evaluation)} v ON v.id = r.evaluation_id"
            f" JOIN {app} a ON a.id = v.application_id",
            "r.opened_on",
            "r.opened_on BETWEEN %s AND %s",
            [start, end],
            {"rectifications": "1"},
        ),
    ]


def _ordinal_span(start: date, end: date) -> tuple[date, date]:
    """From the earliest acceptance of the applications decided in start..end, to end.

    Grouped by decision day on purpose: an ungrouped MIN(accepted_on) lets PostgreSQL walk the
    acceptance index from the oldest row until it meets one decided in the range — at a million
    applications, 800,000 rows and two seconds for today's decisions (which were accepted
    recently). Grouped, it reads the range's decisions through their own index."""
    per_day = (
        Application.objects.filter(decided_on__gte=start, decided_on__lte=end)
        .order_by()
        .values("decided_on")
        .annotate(earliest=Min("accepted_on"))
        .values_list("earliest", flat=True)
    )
    earliest = min((day for day in per_day if day is not None), default=None)
    return (min(earliest, start) if earliest else start), end


def application_rows_sql(start: date, end: date) -> tuple[str, list]:
    """The application rollup rows of start..end computed from the events: a SELECT with the
    columns of ApplicationDayStat (day, department_id, matter_id, window_id, channel, village_id, the
    counters as integers). The refresh inserts it; the dashboards read today's through it."""
    dims = "a.department_id, a.matter_id, a.window_id, a.channel, a.village_id"
    selects, params = [], []
    for source in _application_sources(start, end):
        metrics = ", ".join(
            f"{source.metrics.get(name, '0')} AS {name}" for name in APPLICATION_COUNTERS
        )
        selects.append(
            f"SELECT {source.day_sql} AS day, {dims}, {metrics} "
            f"FROM {source.from_sql} WHERE {source.where_sql}"
        )
        params += source.params
    span_start, span_end = _ordinal_span(start, end)
    ordinals = working_day_ordinals(span_start, span_end)
    values = ", ".join(["(%s, %s)"] * len(ordinals))
    ordinal_params = [value for row in ordinals for value in row]
    if _postgres():
        values = ", ".join(["(%s::date, %s::integer)"] * len(ordinals))
    sums = ", ".join(f"CAST(SUM({name}) AS integer) AS {name}" for name in APPLICATION_COUNTERS)
    sql = (
        f"WITH ord(day, n) AS (VALUES {values}), "
        f"ev AS ({' UNION ALL '.join(selects)}) "
        f"SELECT day, department_id, matter_id, window_id, channel, village_id, {sums} FROM ev "
        "GROUP BY day, department_id, matter_id, window_id, channel, village_id"
    )
    return sql, ordinal_params + params


def _application_rollup_sql(start: date, end: date) -> tuple[str, list]:
    columns = ", ".join(APPLICATION_COUNTERS)
    select, params = application_rows_sql(start, end)
    sql = (
        f"INSERT INTO {_table(ApplicationDayStat)} "
        f"(day, department_id, matter_id, window_id, channel, village_id, {columns}) {select}"
    )
    return sql, params


def hall_rows_sql(start: date, end: date) -> tuple[str, list]:
    """The hall rollup rows of start..end computed from the calls, with the columns of
    HallDayStat (see application_rows_sql)."""
    called = "c.called_at"
    wait = _seconds_between("c.called_at", "c.queued_at")
    service = _seconds_between("c.ended_at", "c.called_at")
    finished = "c.outcome = 'finished'"
    sql = (
        f"SELECT {_local_date(called)} AS day, c.category_id AS category_id, "
        f"c.window_id AS window_id, {_local_hour(called)} AS hour, "
        "CAST(COUNT(*) AS integer) AS calls, "
        f"CAST(SUM(CASE WHEN {finished} THEN 1 ELSE 0 END) AS integer) AS finished, "
        "CAST(SUM(CASE WHEN c.outcome = 'no_show' THEN 1 ELSE 0 END) AS integer) AS no_shows, "
        "CAST(SUM(CASE WHEN c.outcome = 'transferred' THEN 1 ELSE 0 END) AS integer)"
        " AS transferred, "
        f"CAST(SUM({wait}) AS bigint) AS wait_seconds, CAST(MAX({wait}) AS integer) AS wait_max, "
        f"CAST(SUM(CASE WHEN {finished} THEN {service} ELSE 0 END) AS bigint) AS service_seconds, "
        f"CAST(MAX(CASE WHEN {finished} THEN {service} ELSE 0 END) AS integer) AS service_max "
        f"FROM {_table(TicketCall)} c WHERE c.called_at >= %s AND c.called_at < %s "
        "GROUP BY 1, 2, 3, 4"
    )
    return sql, [_ts(start), _ts(end + timedelta(days=1))]


def _hall_rollup_sql(start: date, end: date) -> tuple[str, list]:
    columns = ", ".join(HALL_COUNTERS)
    select, params = hall_rows_sql(start, end)
    sql = f"INSERT INTO {_table(HallDayStat)} (day, category_id, window_id, hour, {columns}) "
    return sql + select, params


# --- refresh ---------------------------------------------------------------------------------


@transaction.atomic
def rollup_refresh(*, start: date, end: date) -> RollupRun:
    """Rebuild the rollups of the days ``start``–``end`` (inclusive), atomically: readers see the
    old rows until the new ones are committed; two refreshes never interleave."""
    if end < start:
        raise ValueError("end is before start")
    started = timezone.now()
    clock = time.perf_counter()
    with connection.cursor() as cursor:
        if _postgres():
            cursor.execute("SELECT pg_advisory_xact_lock(hashtext('approvals.dashboard_rollup'))")
            cursor.execute("SET LOCAL work_mem = '128MB'")
        ApplicationDayStat.objects.filter(day__gte=start, day__lte=end).delete()
        HallDayStat.objects.filter(day__gte=start, day__lte=end).delete()
        sql, params = _application_rollup_sql(start, end)
        cursor.execute(sql, params)
        application_rows = max(cursor.rowcount, 0)
        sql, params = _hall_rollup_sql(start, end)
        cursor.execute(sql, params)
        hall_rows = max(cursor.rowcount, 0)
    return RollupRun.objects.create(
        started_at=started,
        finished_at=timezone.now(),
        start_day=start,
        end_day=end,
        application_rows=application_rows,
        hall_rows=hall_rows,
        milliseconds=int((time.perf_counter() - clock) * 1000),
    )


def rollup_recent(*, today: date | None = None, days: int | None = None) -> RollupRun:
    """The beat task's refresh: the last ``days`` days up to today."""
    today = today or timezone.localdate()
    days = lookback_days() if days is None else days
    return rollup_refresh(start=today - timedelta(days=days), end=today)


def rollup_backfill(
    *,
    start: date,
    end: date,
    chunk_days: int = 366,
    progress: Callable[[RollupRun], None] | None = None,
) -> list[RollupRun]:
    """Rebuild a long range in chunks (one transaction each), oldest first."""
    runs = []
    current = start
    while current <= end:
        stop = min(current + timedelta(days=chunk_days - 1), end)
        run = rollup_refresh(start=current, end=stop)
        runs.append(run)
        if progress:
            progress(run)
        current = stop + timedelta(days=1)
    return runs
