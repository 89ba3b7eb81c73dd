#!/usr/bin/env python
"""The reminder sweep at scale: 1,000,000 deadlines of which 2,000 are newly due.

    .venv/bin/python bench/reminder_sweep.py                   # PostgreSQL notify_bench
    .venv/bin/python bench/reminder_sweep.py --items 200000 --due 500 --keep

It (re)creates a dedicated PostgreSQL database (its name must end in ``_bench``), migrates it
and builds, with ``generate_series``, a stand-in for the applications table (the application
rules of issue 7 phase 2 plug into the same framework): ``bench_deadline(id, state,
warning_date, due_date, handler_id)`` with an index on (state, warning_date), like the
applications' clock columns. Of the ``--items`` rows:

- ``--due`` are running and entered their warning period today — the newly due;
- ten times as many are running, entered it 1–20 days ago and were reminded then (their rows
  are in the reminder ledger): the sweep must skip them without sending anything;
- 15% are running with a warning date in the future; the rest are closed.

A rule registered exactly as an application rule will be (one function yielding ``Due``
items, selecting through the index with an anti-join on the ledger) is then swept twice:
the first sweep issues the due reminders (ledger rows, in-app notifications, e-mail outbox
rows, fan-out tasks published to the broker if REDIS_URL is set); the second finds nothing.
The script prints wall time, query counts, the rule query's plan, and checks the counts.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

KIND = "bench.deadline_warning"
TEMPLATE = (
    "{% load i18n %}"
    "{% block subject %}办件 {{ number }} 进入预警，{{ deadline|date:'Y-m-d' }} 到期{% endblock %}"
    "{% block body %}请在 {{ deadline|date:'Y-m-d' }} 前办结。{% endblock %}"
    "{% block sms %}办件 {{ number }} 进入预警{% endblock %}"
)


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database",
        default=os.environ.get(
            "NOTIFY_BENCH_DATABASE", "postgres://postgres@127.0.0.1:5432/notify_bench"
        ),
    )
    parser.add_argument("--items", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=2_000)
    parser.add_argument("--handlers", type=int, default=300)
    parser.add_argument(
        "--ledger", type=int, default=1_000_000, help="reminders of closed items, sent long ago"
    )
    parser.add_argument("--keep", action="store_true", help="reuse the database if it is built")
    return parser.parse_args()


def recreate_database(url: str) -> None:
    import psycopg2

    parts = urlparse(url)
    name = parts.path.lstrip("/")
    if not name.endswith("_bench"):
        raise SystemExit(f"refusing to drop {name!r}: the bench database name must end in _bench")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
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
    os.environ["NOTIFICATIONS_QUEUE"] = "bench-notifications"
    import django

    django.setup()


def build(items: int, due: int, handlers: int, ledger: int, today) -> None:
    from django.contrib.auth.models import Group
    from django.core.management import call_command
    from django.db import connection

    from portal import roles
    from portal.models import StaffProfile, User
    from tests.factories import DepartmentFactory

    call_command("migrate", verbosity=0)
    dept = DepartmentFactory(code="BENCH", name="基准测试部门")
    group = Group.objects.get(name=roles.REVIEWER)
    people = User.objects.bulk_create(
        User(username=f"bench{i}", real_name=f"审查员{i}", email=f"bench{i}@example.cn")
        for i in range(handlers)
    )
    group.user_set.add(*people)
    StaffProfile.objects.bulk_create(StaffProfile(user=u, department=dept) for u in people)
    first = people[0].pk
    reminded = due * 10
    running_future = int(items * 0.15)
    with connection.cursor() as c:
        c.execute(
            """
            CREATE TABLE bench_deadline (
                id bigint PRIMARY KEY,
                state smallint NOT NULL,          -- 1 running, 2 closed
                warning_date date NOT NULL,
                due_date date NOT NULL,
                handler_id bigint NOT NULL
            )"""
        )
        # ids 1..due: newly due; then the already reminded; then running in the future;
        # then closed.
        c.execute(
            """
            INSERT INTO bench_deadline
            SELECT g,
                   CASE WHEN g <= %(running)s THEN 1 ELSE 2 END,
                   CASE WHEN g <= %(due)s THEN %(today)s::date
                        WHEN g <= %(due)s + %(reminded)s THEN %(today)s::date - (1 + g %% 20)
                        WHEN g <= %(running)s THEN %(today)s::date + (1 + g %% 60)
                        ELSE %(today)s::date - (30 + g %% 1000) END,
                   CASE WHEN g <= %(running)s THEN %(today)s::date + (3 + g %% 60)
                        ELSE %(today)s::date - (20 + g %% 1000) END,
                   %(first)s + (g %% %(handlers)s)
            FROM generate_series(1, %(items)s) AS g
            """,
            {
                "items": items,
                "due": due,
                "reminded": reminded,
                "running": due + reminded + running_future,
                "today": today,
                "first": first,
                "handlers": handlers,
            },
        )
        c.execute("CREATE INDEX bench_deadline_state_warn ON bench_deadline (state, warning_date)")
        # The ledger already holds the reminders of the earlier days.
        c.execute(
            """
            INSERT INTO portal_reminder
                (kind, object_type, object_id, deadline, created_at, sweep, recipients)
            SELECT %(kind)s, 'bench.deadline', d.id::text, d.due_date, now(),
                   '00000000-0000-0000-0000-000000000000', 1
            FROM bench_deadline d
            WHERE d.id > %(due)s AND d.id <= %(due)s + %(reminded)s
            """,
            {"kind": KIND, "due": due, "reminded": reminded},
        )
        # …and a history: the warnings of closed items, sent over the past years.
        c.execute(
            """
            INSERT INTO portal_reminder
                (kind, object_type, object_id, deadline, created_at, sweep, recipients)
            SELECT %(kind)s, 'bench.deadline', (%(items)s - g)::text,
                   %(today)s::date - (20 + g %% 1000), now(),
                   '00000000-0000-0000-0000-000000000000', 1
            FROM generate_series(0, %(ledger)s - 1) AS g
            """,
            {"kind": KIND, "items": items, "ledger": min(ledger, items // 2), "today": today},
        )
        c.execute("ANALYZE bench_deadline")
        c.execute("ANALYZE portal_reminder")


RULE_SQL = """
    SELECT d.id, d.due_date, d.handler_id
    FROM bench_deadline d
    WHERE d.state = 1
      AND d.warning_date <= %(today)s
      AND d.warning_date > %(today)s::date - %(lookback)s
      AND NOT EXISTS (
          SELECT 1 FROM portal_reminder r
          WHERE r.kind = %(kind)s AND r.object_type = 'bench.deadline'
            AND r.object_id = d.id::text AND r.deadline = d.due_date)
    ORDER BY d.id
    LIMIT %(limit)s
"""


def bench_rule(sweep):
    """What an application rule looks like: one indexed query, recipients in one more."""
    from django.db import connection

    from portal import reminders
    from portal.models import User

    params = {"today": sweep.today, "lookback": 30, "kind": KIND, "limit": sweep.limit}
    with connection.cursor() as c:
        c.execute(RULE_SQL, params)
        rows = c.fetchall()
    people = User.objects.in_bulk({handler for _id, _due, handler in rows})
    for pk, due_date, handler in rows:
        yield reminders.Due(
            obj=("bench.deadline", pk),
            deadline=due_date,
            recipients=[people[handler]],
            context={"number": f"XB{pk:010d}"},
            url=f"/applications/{pk}/",
        )


def sweep_once(rule):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from portal import reminders

    with CaptureQueriesContext(connection) as ctx:
        started = time.perf_counter()
        issued = reminders.run_sweep(only=[rule])[rule.kind]
        elapsed = time.perf_counter() - started
    return issued, elapsed, len(ctx.captured_queries)


def main():
    args = parse_args()
    if not args.keep:
        recreate_database(args.database)
    setup_django(args.database)

    from django.conf import settings
    from django.db import connection
    from django.test.utils import override_settings
    from django.utils import timezone

    from portal import reminders
    from portal.models import Delivery, Notification, Reminder

    today = timezone.localdate()
    with connection.cursor() as c:
        c.execute("SELECT to_regclass('bench_deadline')")
        built = c.fetchone()[0] is not None
    if not built:
        started = time.perf_counter()
        build(args.items, args.due, args.handlers, args.ledger, today)
        print(f"built {args.items:,} deadlines in {time.perf_counter() - started:.1f} s")
    else:
        Reminder.objects.filter(kind=KIND).exclude(
            sweep="00000000-0000-0000-0000-000000000000"
        ).delete()
        Notification.objects.filter(kind=KIND).delete()

    folder = Path(tempfile.mkdtemp(prefix="notify-bench-"))
    (folder / "notifications").mkdir()
    (folder / "notifications" / f"{KIND}.txt").write_text(TEMPLATE, encoding="utf-8")
    engines = [dict(e) for e in settings.TEMPLATES]
    engines[0]["DIRS"] = [folder, *engines[0]["DIRS"]]
    rule = reminders.Rule(KIND, bench_rule)
    broker = "Redis" if settings.REDIS_URL else "file system"

    with override_settings(TEMPLATES=engines):
        with connection.cursor() as c:
            c.execute(
                "EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) " + RULE_SQL,
                {"today": today, "lookback": 30, "kind": KIND, "limit": 20000},
            )
            plan = "\n".join(row[0] for row in c.fetchall())

        # A worker process is long-lived: warm it up (imports, template cache, broker
        # connection) with a sweep of one other item, as an earlier beat tick would have.
        def warm_up(sweep):
            from portal.models import User

            yield reminders.Due(
                obj=("bench.warmup", today.isoformat()),
                deadline=today,
                recipients=[User.objects.filter(username="bench0").get()],
                context={"number": "warm-up"},
            )

        reminders.run_sweep(only=[reminders.Rule(KIND, warm_up)])
        first = sweep_once(rule)
        second = sweep_once(rule)

    reminders_made = Reminder.objects.filter(kind=KIND, object_type="bench.deadline").exclude(
        sweep="00000000-0000-0000-0000-000000000000"
    )
    notes = Notification.objects.filter(kind=KIND, object_type="bench.deadline").count()
    deliveries = Delivery.objects.filter(
        notification__kind=KIND, notification__object_type="bench.deadline"
    ).count()
    ledger_total = Reminder.objects.count()
    ok = first[0] == args.due and second[0] == 0 and notes == args.due == deliveries
    with connection.cursor() as c:
        c.execute("SELECT count(*) FROM bench_deadline")
        total = c.fetchone()[0]

    print(
        f"\n## Reminder sweep: {total:,} deadlines, {args.due:,} newly due, "
        f"{args.due * 10:,} reminded earlier; reminder ledger {ledger_total:,} rows\n"
    )
    print(f"PostgreSQL {connection.pg_version // 10000}, broker: {broker}, today {today}\n")
    print("| sweep | reminders issued | wall time | SQL queries |")
    print("| --- | ---: | ---: | ---: |")
    print(f"| first (due) | {first[0]:,} | {first[1]:.2f} s | {first[2]} |")
    print(f"| second (nothing new) | {second[0]:,} | {second[1]:.3f} s | {second[2]} |")
    print(
        f"\nledger rows {reminders_made.count():,}, in-app notifications {notes:,}, "
        f"e-mail outbox rows {deliveries:,}: {'OK' if ok else 'MISMATCH'}\n"
    )
    print("The rule's query plan:\n\n```\n" + plan + "\n```")
    if settings.REDIS_URL:
        import redis

        client = redis.Redis.from_url(settings.REDIS_URL)
        client.delete("bench-notifications")
        for key in client.scan_iter("_kombu.binding*.bench-notifications"):
            client.delete(key)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
