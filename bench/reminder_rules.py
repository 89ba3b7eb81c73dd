#!/usr/bin/env python
"""The first reminder sweep on a generated town, rule by rule (issue 19's soak): for each
registered rule, ``run_rule`` as the sweep runs it — wall time, this process's CPU, the CPU of
its PostgreSQL backend, SQL queries and their time, reminders issued — then rolled back, so the
database is left as it was and a run after a fix measures the same first sweep.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_full \\
        .venv/bin/python bench/reminder_rules.py [--kinds grid.incident_overdue,...] [--keep]

Never part of the tests. Quote the load average (printed) with the figures.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")


class Rollback(Exception):
    pass


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--kinds", default="", help="comma-separated kinds (default: every rule)")
    p.add_argument("--prefix", default="", help="only kinds starting with this")
    p.add_argument(
        "--budget", type=float, default=1e9, help="seconds per rule (REMINDER_RULE_SECONDS)"
    )
    p.add_argument("--keep", action="store_true", help="commit what the rules issue")
    args = p.parse_args()

    import django

    django.setup()
    import psutil
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from portal import notifications, reminders

    notifications.enqueue_deliveries = lambda ids, **kw: 0  # no broker traffic from a bench
    with connection.cursor() as cur:
        cur.execute("select pg_backend_pid()")
        backend = psutil.Process(cur.fetchone()[0])
    wanted = {k for k in args.kinds.split(",") if k}
    selected = [
        r
        for r in reminders.rules()
        if (not wanted or r.kind in wanted) and r.kind.startswith(args.prefix)
    ]
    now = timezone.now()
    print(
        f"database {connection.settings_dict['NAME']}, now {now:%Y-%m-%d %H:%M} UTC, "
        f"load average {' '.join(f'{x:.2f}' for x in os.getloadavg())}",
        flush=True,
    )
    print("| rule | issued | wall s | worker CPU s | PostgreSQL CPU s | queries | SQL s |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    totals = [0, 0.0, 0.0, 0.0, 0, 0.0]
    for rule in selected:
        sweep = reminders.Sweep(
            now=now,
            limit=reminders.settings.REMINDER_SWEEP_LIMIT,
            until=time.monotonic() + args.budget,
        )
        pg0 = sum(backend.cpu_times()[:2])
        cpu0, wall0 = time.process_time(), time.monotonic()
        issued = 0
        try:
            with CaptureQueriesContext(connection) as ctx, transaction.atomic():
                issued = reminders.run_rule(rule, sweep)
                if not args.keep:
                    raise Rollback
        except Rollback:
            pass
        wall, cpu = time.monotonic() - wall0, time.process_time() - cpu0
        pg = sum(backend.cpu_times()[:2]) - pg0
        queries = len(ctx.captured_queries)
        sql = sum(float(q["time"]) for q in ctx.captured_queries)
        for i, v in enumerate((issued, wall, cpu, pg, queries, sql)):
            totals[i] += v
        print(
            f"| {rule.kind} | {issued:,} | {wall:.2f} | {cpu:.2f} | {pg:.2f} | {queries} | {sql:.2f} |",
            flush=True,
        )
    print(
        f"| **all** | {totals[0]:,} | {totals[1]:.1f} | {totals[2]:.1f} | {totals[3]:.1f} | "
        f"{totals[4]} | {totals[5]:.1f} |"
    )
    print(f"load average at the end {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main()
