#!/usr/bin/env python
"""A busy morning in the hall, compressed: 29 windows, 600 tickets over 4 hours.

    .venv/bin/python bench/hall_morning.py                       # PostgreSQL hall_bench
    .venv/bin/python bench/hall_morning.py --compress 120 --seed 7

It (re)creates a dedicated PostgreSQL database (its name must end in ``_bench``), migrates it,
seeds the demo township (windows 1–9) plus windows 10–29 with one clerk each, then runs the
morning on a virtual clock ``--compress`` times faster than real time:

- one kiosk thread takes the 600 tickets at their arrival times (a peak at 9–10:30, 8% of
  residents with priority), through ``approvals.services.hall.ticket_take``;
- 29 clerk threads, one per window, press "call next" (``ticket_call_next``: the window row
  locked, the ticket taken with ``select_for_update(skip_locked=True)``), serve for a
  log-normal service time, then finish (93%), mark a no-show (4%) or transfer the ticket to
  another category (3%), which puts it back in a queue to be called again;
- a screen thread reads the hall-screen state every (real) second, as the TV does.

Every service receives the virtual time (``now=``), so the waiting and service figures come out
in hall minutes, read back with ``approvals.selectors.hall.hall_figures``. At the end the script
checks in SQL that every ticket was called exactly once per queue it joined (and once more per
transfer), that it ended finished or no-show, that no window ever served two tickets at once
and that no ticket was held by two windows at once; it prints the figures as Markdown.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import threading
import time
from collections import defaultdict
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

WINDOWS = 29
TICKETS = 600
HOURS = 4
# category code -> share of the residents; windows 10–29 are added to these categories
MIX = {"SHBZ": 0.30, "SCZR": 0.20, "GHJS": 0.08, "HJ": 0.15, "ZH": 0.22, "NYNC": 0.05}
EXTRA_WINDOWS = {"SHBZ": 6, "SCZR": 4, "GHJS": 2, "HJ": 3, "ZH": 4, "NYNC": 1}
MEAN_SERVICE_MINUTES = {"SHBZ": 8, "SCZR": 11, "GHJS": 12, "HJ": 6, "ZH": 7, "NYNC": 8}
NO_SHOW, TRANSFER = 0.04, 0.03
PRIORITY = 0.08


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "HALL_BENCH_DATABASE", "postgres://postgres@127.0.0.1:5432/hall_bench"
        ),
    )
    parser.add_argument("--tickets", type=int, default=TICKETS)
    parser.add_argument("--windows", type=int, default=WINDOWS)
    parser.add_argument("--hours", type=float, default=HOURS)
    parser.add_argument(
        "--compress", type=float, default=240.0, help="virtual seconds per real second"
    )
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--day", default="2026-12-01", help="the (working) day simulated")
    parser.add_argument(
        "--keep", action="store_true", help="reuse the database, do not recreate it"
    )
    return parser.parse_args()


def recreate_database(url: str) -> None:
    import psycopg2

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must end in _bench")
    admin = psycopg2.connect(
        host=parsed.hostname,
        port=parsed.port or 5432,
        user=parsed.username or "postgres",
        password=parsed.password,
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    import django

    django.setup()


def seed_hall(window_count: int):
    """Windows 1–9 and people from the demo, windows 10–29 each with one clerk."""
    from django.contrib.auth.models import Group

    from approvals.demo.hall import ensure_categories
    from portal import roles
    from portal.demo import seed_core
    from portal.models import Department, StaffProfile, User, Window

    seed_core()
    categories = {c.code: c for c in ensure_categories()}
    department = Department.objects.get(code="XZSPJ")
    clerk_group = Group.objects.get(name=roles.WINDOW_CLERK)
    number = 10
    for code, extra in EXTRA_WINDOWS.items():
        for _ in range(extra):
            if number > window_count:
                break
            window, _created = Window.objects.update_or_create(
                number=number,
                defaults={
                    "name": f"{categories[code].name}{number}窗",
                    "kind": Window.Kind.SPECIALISED,
                },
            )
            categories[code].windows.add(window)
            number += 1
    windows = list(Window.objects.filter(number__lte=window_count).order_by("number"))
    clerks = {}
    for window in windows:
        user, _created = User.objects.get_or_create(
            username=f"bench{window.number:02d}", defaults={"real_name": f"窗口{window.number}号"}
        )
        user.groups.add(clerk_group)
        profile, _created = StaffProfile.objects.get_or_create(
            user=user, defaults={"department": department}
        )
        profile.windows.set([window])
        clerks[window.number] = user
    return categories, windows, clerks


def arrival_offsets(count: int, hours: float, rng: random.Random) -> list[float]:
    """Arrival times (virtual seconds from opening) with a peak in the second and third half
    hours, like a township hall on a Monday morning."""
    length = hours * 3600

    def weight(t):
        x = t / length
        return 0.55 + 1.2 * math.exp(-((x - 0.3) ** 2) / 0.03)

    top = max(weight(t) for t in range(0, int(length), 60))
    out = []
    while len(out) < count:
        t = rng.uniform(0, length * 0.92)  # the doors close to new tickets before noon
        if rng.uniform(0, top) <= weight(t):
            out.append(t)
    return sorted(out)


class Clock:
    def __init__(self, start: datetime, compress: float):
        self.start = start
        self.compress = compress
        self.real0 = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self.real0) * self.compress)

    def sleep_virtual(self, seconds: float) -> None:
        time.sleep(max(0.0, seconds / self.compress))

    def sleep_until(self, offset: float) -> None:
        delay = self.real0 + offset / self.compress - time.monotonic()
        if delay > 0:
            time.sleep(delay)


def percentile(values, fraction):
    if not values:
        return float("nan")
    ordered = sorted(values)
    k = (len(ordered) - 1) * fraction
    lo, hi = math.floor(k), math.ceil(k)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def run(args):
    from django.db import connections
    from django.utils import timezone

    from approvals.models import Ticket
    from approvals.selectors import hall as sel
    from approvals.services import hall as services

    rng = random.Random(args.seed)
    categories, windows, clerks = seed_hall(args.windows)
    codes = list(MIX)
    day = datetime.fromisoformat(args.day).date()
    start = timezone.make_aware(
        datetime.combine(day, datetime.min.time()) + timedelta(hours=8, minutes=30)
    )
    offsets = arrival_offsets(args.tickets, args.hours, rng)
    plan = [
        (
            offset,
            categories[rng.choices(codes, weights=[MIX[c] for c in codes])[0]],
            rng.choice(["elderly", "disabled"]) if rng.random() < PRIORITY else "",
        )
        for offset in offsets
    ]
    clock = Clock(start, args.compress)
    lat = defaultdict(list)
    lat_lock = threading.Lock()
    arrivals_done = threading.Event()
    stop = threading.Event()
    errors = []

    def timed(kind, fn, *a, **kw):
        t0 = time.perf_counter()
        try:
            return fn(*a, **kw)
        finally:
            with lat_lock:
                lat[kind].append((time.perf_counter() - t0) * 1000)

    def kiosk():
        try:
            for offset, category, priority in plan:
                clock.sleep_until(offset)
                timed(
                    "take",
                    services.ticket_take,
                    category=category,
                    source=Ticket.Source.KIOSK,
                    priority_reason=priority,
                    now=clock.now(),
                )
        except Exception as exc:  # noqa: BLE001 - reported at the end
            errors.append(("kiosk", exc))
        finally:
            arrivals_done.set()
            connections.close_all()

    def clerk(window):
        local = random.Random(args.seed * 1000 + window.number)
        person = clerks[window.number]
        try:
            while not stop.is_set():
                ticket = timed(
                    "call_next",
                    services.ticket_call_next,
                    window=window,
                    clerk=person,
                    now=clock.now(),
                )
                if ticket is None:
                    if (
                        arrivals_done.is_set()
                        and not Ticket.objects.filter(
                            day=day, status__in=[Ticket.Status.WAITING, Ticket.Status.CALLED]
                        ).exists()
                    ):
                        return
                    time.sleep(0.1)
                    continue
                code = ticket.category.code
                roll = local.random()
                if roll < NO_SHOW:
                    clock.sleep_virtual(local.uniform(60, 120))  # recall once, then pass
                    timed(
                        "recall",
                        services.ticket_recall,
                        ticket=ticket,
                        clerk=person,
                        now=clock.now(),
                    )
                    clock.sleep_virtual(60)
                    timed(
                        "no_show",
                        services.ticket_no_show,
                        ticket=ticket,
                        clerk=person,
                        now=clock.now(),
                    )
                    continue
                mean = MEAN_SERVICE_MINUTES[code] * 60
                sigma = 0.5
                service = local.lognormvariate(math.log(mean) - sigma**2 / 2, sigma)
                if roll < NO_SHOW + TRANSFER:
                    clock.sleep_virtual(min(service, 120))
                    other = categories[local.choice([c for c in codes if c != code])]
                    timed(
                        "transfer",
                        services.ticket_transfer,
                        ticket=ticket,
                        clerk=person,
                        category=other,
                        now=clock.now(),
                    )
                    continue
                clock.sleep_virtual(service)
                timed(
                    "finish", services.ticket_finish, ticket=ticket, clerk=person, now=clock.now()
                )
        except Exception as exc:  # noqa: BLE001 - reported at the end
            errors.append((f"window {window.number}", exc))
        finally:
            connections.close_all()

    def screen():
        try:
            while not stop.is_set():
                timed("screen_state", sel.screen_state, day=day)
                time.sleep(1.0)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=kiosk, name="kiosk")]
    threads += [
        threading.Thread(target=clerk, args=(w,), name=f"window-{w.number}") for w in windows
    ]
    screen_thread = threading.Thread(target=screen, name="screen")
    real0 = time.monotonic()
    for thread in threads:
        thread.start()
    screen_thread.start()
    for thread in threads:
        thread.join()
    stop.set()
    screen_thread.join()
    real_seconds = time.monotonic() - real0
    return day, start, clock, lat, errors, real_seconds


def verify(day) -> dict:
    """Every ticket called once per queue it joined, ended finished or no-show; no window and no
    ticket ever double-booked. Plain SQL over the tables."""
    from django.db import connection

    checks = {}
    with connection.cursor() as c:
        c.execute(
            "SELECT count(*), count(DISTINCT number) FROM approvals_ticket WHERE day = %s", [day]
        )
        total, distinct = c.fetchone()
        checks["tickets"] = total
        checks["distinct numbers"] = distinct
        c.execute(
            "SELECT status, count(*) FROM approvals_ticket WHERE day = %s GROUP BY status ORDER BY status",
            [day],
        )
        checks["statuses"] = dict(c.fetchall())
        c.execute(
            """
            SELECT count(*) FROM (
              SELECT t.id,
                     count(k.id) AS calls,
                     count(k.id) FILTER (WHERE k.outcome = 'transferred') AS transfers,
                     count(k.id) FILTER (WHERE k.outcome IN ('finished', 'no_show')) AS terminal
              FROM approvals_ticket t LEFT JOIN approvals_ticketcall k ON k.ticket_id = t.id
              WHERE t.day = %s GROUP BY t.id
            ) s WHERE calls <> transfers + 1 OR terminal <> 1
            """,
            [day],
        )
        checks["tickets not called exactly once per queue"] = c.fetchone()[0]
        for key, column in (("window", "window_id"), ("ticket", "ticket_id")):
            c.execute(
                f"""
                SELECT count(*) FROM (
                  SELECT k.called_at, lag(coalesce(k.ended_at, 'infinity'::timestamptz)) OVER (PARTITION BY k.{column} ORDER BY k.called_at, k.id) AS prev_end
                  FROM approvals_ticketcall k JOIN approvals_ticket t ON t.id = k.ticket_id
                  WHERE t.day = %s
                ) s WHERE prev_end > called_at
                """,  # noqa: S608 - column names are constants
                [day],
            )
            checks[f"overlapping calls on one {key}"] = c.fetchone()[0]
        c.execute(
            "SELECT count(*) FROM approvals_ticketcall k JOIN approvals_ticket t ON t.id = k.ticket_id "
            "WHERE t.day = %s AND k.outcome = ''",
            [day],
        )
        checks["calls left open"] = c.fetchone()[0]
    return checks


def minutes(seconds):
    return "—" if seconds is None else f"{seconds / 60:.1f}"


def report(args, day, start, lat, errors, real_seconds, checks):
    from approvals.selectors.hall import hall_figures

    figures = hall_figures(start=day, end=day)
    o = figures["overall"]
    out = []
    out.append(
        f"Run: {args.tickets} tickets, {args.windows} windows, {args.hours:g} h from "
        f"{start:%H:%M}, compressed ×{args.compress:g} → {real_seconds:.0f} s real; seed {args.seed}."
    )
    out.append("")
    out.append("| check | result |")
    out.append("| --- | --- |")
    for key, value in checks.items():
        out.append(f"| {key} | {value} |")
    out.append(f"| errors in threads | {len(errors)} |")
    out.append("")
    last = max((r["hour"] for r in figures["by_hour"]), default=None)
    out.append(
        f"Overall: {o['calls']} calls, {o['finished']} finished, {o['no_shows']} no-shows, "
        f"{o['transferred']} transfers; last call in the {last}:00 hour."
    )
    out.append("")
    out.append("| | average | median | P90 | max |")
    out.append("| --- | --- | --- | --- | --- |")
    out.append(
        f"| wait (min) | {minutes(o['wait_avg'])} | {minutes(o['wait_p50'])} | {minutes(o['wait_p90'])} | {minutes(o['wait_max'])} |"
    )
    out.append(
        f"| service (min) | {minutes(o['service_avg'])} | {minutes(o['service_p50'])} | {minutes(o['service_p90'])} | {minutes(o['service_max'])} |"
    )
    out.append("")
    out.append(
        "| category | calls | finished | wait avg | wait P90 | wait max | service avg | service P90 |"
    )
    out.append("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for r in figures["by_category"]:
        out.append(
            f"| {r['prefix']} {r['name']} | {r['calls']} | {r['finished']} | {minutes(r['wait_avg'])} | "
            f"{minutes(r['wait_p90'])} | {minutes(r['wait_max'])} | {minutes(r['service_avg'])} | {minutes(r['service_p90'])} |"
        )
    out.append("")
    out.append("| hour | calls | finished (throughput) | wait avg | wait P90 |")
    out.append("| --- | --- | --- | --- | --- |")
    for r in figures["by_hour"]:
        out.append(
            f"| {r['hour']}:00 | {r['calls']} | {r['finished']} | {minutes(r['wait_avg'])} | {minutes(r['wait_p90'])} |"
        )
    out.append("")
    busiest = sorted(figures["by_window"], key=lambda r: -r["calls"])
    out.append("Calls per window: " + ", ".join(f"{r['number']}: {r['calls']}" for r in busiest))
    out.append("")
    out.append("| operation (real ms) | count | median | P95 | max |")
    out.append("| --- | --- | --- | --- | --- |")
    for kind in ("take", "call_next", "recall", "finish", "no_show", "transfer", "screen_state"):
        values = lat.get(kind, [])
        if values:
            out.append(
                f"| {kind} | {len(values)} | {statistics.median(values):.1f} | "
                f"{percentile(values, 0.95):.1f} | {max(values):.1f} |"
            )
    if errors:
        out.append("")
        out.append("Errors: " + "; ".join(f"{where}: {exc!r}" for where, exc in errors[:10]))
    return "\n".join(out)


def main():
    args = parse_args()
    if not args.keep:
        recreate_database(args.database)
    setup_django(args.database)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    day, start, _clock, lat, errors, real_seconds = run(args)
    checks = verify(day)
    print(report(args, day, start, lat, errors, real_seconds, checks))
    ok = (
        not errors
        and checks["tickets"] == args.tickets
        and checks["distinct numbers"] == args.tickets
        and checks["tickets not called exactly once per queue"] == 0
        and checks["overlapping calls on one window"] == 0
        and checks["overlapping calls on one ticket"] == 0
        and checks["calls left open"] == 0
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
