#!/usr/bin/env python
"""How fast the staff queue pages render: a page of 50 rows, server side, whole request.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/onewindow_1m \\
        .venv/bin/python bench/queue_pages.py --repeat 50
    .venv/bin/python bench/queue_pages.py --database postgres://…/x --markdown docs/x.md

Against whatever database DATABASE_URL (or ``--database``) points at — made for the data of
``manage.py generate --applications 1000000`` (approvals/generate.py), but it works on any data.
Nothing is written to the database (sessions in a signed cookie, no last-login update).

For each queue it picks the staff member with the most work in it (the busiest department,
window or district), logs in through the Django test client (the full middleware stack, the
templates, the context processors: everything but the network) and requests

- the first page (50 rows, and the counts in the review queue's header);
- the page after it (keyset: ``?after=<cursor>``);
- the htmx "load more" fragment of that second page,

``--repeat`` times each after ``--warmup`` requests, and prints p50 / p95 / max in
milliseconds, the number of SQL queries per request and the rows shown, as Markdown. The target
(issue 5) is a queue page of 50 under 100 ms at 1,000,000 applications.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_MS = 100.0


def parse_args():
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawTextHelpFormatter
    )
    parser.add_argument("--database", default=os.environ.get("DATABASE_URL", ""))
    parser.add_argument("--repeat", type=int, default=50)
    parser.add_argument("--warmup", type=int, default=5)
    parser.add_argument(
        "--markdown", default="", help="also write the result table to this file (Markdown)"
    )
    parser.add_argument(
        "--explain", action="store_true", help="print EXPLAIN ANALYZE of each queue's row query"
    )
    parser.add_argument(
        "--analyze",
        action="store_true",
        help="run ANALYZE first on tables that have never been analysed (planner statistics "
        "only; autovacuum does the same on a live database)",
    )
    return parser.parse_args()


def setup(database: str) -> None:
    if not database:
        sys.exit("Set DATABASE_URL or pass --database (a PostgreSQL URL).")
    os.environ["DATABASE_URL"] = database
    # Persistent connections, as a production deployment runs them: a new PostgreSQL
    # connection per request would add its set-up time to every figure.
    os.environ.setdefault("CONN_MAX_AGE", "600")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings.local")
    os.environ.setdefault("DEBUG", "0")
    import django

    django.setup()
    from django.conf import settings

    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    # Read-only: sessions live in a signed cookie and logging in does not touch last_login,
    # so the script can be pointed at a shared data set.
    settings.SESSION_ENGINE = "django.contrib.sessions.backends.signed_cookies"
    from django.contrib.auth import user_logged_in
    from django.contrib.auth.models import update_last_login

    user_logged_in.disconnect(update_last_login, dispatch_uid="update_last_login")


# --- who to log in as ------------------------------------------------------------------------


def busiest_users() -> dict[str, object]:
    """For each queue, the staff member who sees the most rows in it."""
    from django.db.models import Count

    from approvals.models import Application, State
    from portal import roles
    from portal.models import User, Window

    def first_user(role, **profile_filter):
        return (
            User.objects.filter(
                is_active=True,
                groups__name=role,
                **{f"staff_profile__{k}": v for k, v in profile_filter.items()},
            )
            .order_by("id")
            .first()
        )

    def top_department(qs):
        row = qs.values("department_id").annotate(n=Count("id")).order_by("-n").first()
        return (row["department_id"], row["n"]) if row else (None, 0)

    picked: dict[str, tuple] = {}
    dept, n = top_department(
        Application.objects.filter(state__in=[State.ACCEPTED, State.IN_REVIEW, State.SUSPENDED])
    )
    if dept:
        picked["review"] = (first_user(roles.REVIEWER, department_id=dept), n)

    dept, n = top_department(Application.objects.filter(state=State.SUBMITTED))
    if dept:
        windows = Window.objects.filter(departments=dept, is_active=True)
        clerk = (
            User.objects.filter(
                is_active=True,
                groups__name=roles.WINDOW_CLERK,
                staff_profile__windows__in=windows.exclude(kind=Window.Kind.RELEASE),
            )
            .order_by("id")
            .first()
        )
        picked["intake"] = (clerk, n)

    dept, n = top_department(Application.objects.filter(state=State.READY_FOR_RELEASE))
    if dept:
        clerk = (
            User.objects.filter(
                is_active=True,
                groups__name=roles.WINDOW_CLERK,
                staff_profile__windows__kind=Window.Kind.RELEASE,
                staff_profile__windows__departments=dept,
            )
            .order_by("id")
            .first()
        )
        picked["release"] = (clerk, n)

    row = (
        Application.objects.filter(state=State.FORWARDED)
        .values("delegating_department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if row:
        picked["district"] = (
            first_user(roles.DISTRICT_REVIEWER, department_id=row["delegating_department_id"]),
            row["n"],
        )

    supervisor = first_user(roles.SUPERVISOR)
    if supervisor is None:
        supervisor = User.objects.filter(groups__name=roles.SUPERVISOR).first()
    picked["supervision"] = (supervisor, None)
    return {k: v for k, v in picked.items() if v[0] is not None}


# --- timing ----------------------------------------------------------------------------------


def timed(client, url, params, headers, repeat, warmup):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(warmup):
        response = client.get(url, params, headers=headers)
        assert response.status_code == 200, (url, response.status_code)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url, params, headers=headers)
    queries = len(ctx.captured_queries)
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        response = client.get(url, params, headers=headers)
        samples.append((time.perf_counter() - start) * 1000)
        assert response.status_code == 200
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    html = response.content.decode()
    cursor = re.search(r"after=([A-Za-z0-9_-]+)", html)
    return {
        "p50": statistics.median(samples),
        "p95": p95,
        "max": samples[-1],
        "queries": queries,
        "rows": html.count("<tr data-href="),
        "next": cursor.group(1) if cursor else None,
    }


QUEUES = [
    # key, url name, extra params, label
    ("intake", "approvals:intake-queue", {}, "受理队列 intake"),
    ("review", "approvals:review-queue", {}, "审查队列 review"),
    ("review", "approvals:review-queue", {"show": "unclaimed"}, "审查队列·待认领 unclaimed"),
    ("district", "approvals:district-queue", {}, "转报审查 district"),
    ("release", "approvals:release-queue", {}, "出件队列 release"),
    ("supervision", "approvals:supervision", {"tab": "overdue"}, "督办·超期 overdue"),
    ("supervision", "approvals:supervision", {"tab": "warning"}, "督办·预警 warning"),
]


def explain(user, key, params):
    from django.utils import timezone

    from approvals.models.applications import ClockStatus
    from approvals.selectors import applications as sel

    today = timezone.localdate()
    if key == "intake":
        qs = sel.intake_queue(user, today)
    elif key == "review":
        qs = sel.review_queue(user, today)
        if params.get("show") == "unclaimed":
            qs = qs.filter(state="accepted")
    elif key == "district":
        qs = sel.district_queue(user, today)
    elif key == "release":
        qs = sel.release_queue(user, today)
    else:
        status = ClockStatus.OVERDUE if params.get("tab") == "overdue" else ClockStatus.WARNING
        qs = sel.supervision_list(status, today)
    from approvals.selectors import staff as staff_sel

    keys = {
        "intake": staff_sel.INTAKE_KEYS,
        "release": staff_sel.RELEASE_KEYS,
        "supervision": staff_sel.SUPERVISION_KEYS,
    }.get(key, staff_sel.REVIEW_KEYS)
    return staff_sel.page_queryset(qs, keys, None).explain(analyze=True, buffers=True)


def never_analysed() -> list[str]:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT relname FROM pg_stat_user_tables WHERE last_analyze IS NULL "
            "AND last_autoanalyze IS NULL AND n_live_tup > 0 AND relname = ANY(%s) "
            "ORDER BY relname",
            [
                [
                    "approvals_application",
                    "approvals_matter",
                    "approvals_extension",
                    "portal_user",
                    "portal_department",
                    "portal_window",
                    "portal_window_departments",
                    "portal_staffprofile",
                    "portal_staffprofile_windows",
                    "portal_notification",
                ]
            ],
        )
        return [row[0] for row in cursor.fetchall()]


def main():
    args = parse_args()
    setup(args.database)
    from django.db import connection
    from django.test import Client
    from django.urls import reverse

    from approvals.models import Application

    never = never_analysed()
    if never and args.analyze:
        with connection.cursor() as cursor:
            for table in never:
                cursor.execute(f'ANALYZE "{table}"')
        print(f"analysed: {', '.join(never)}")
    elif never:
        print(
            f"warning: never analysed: {', '.join(never)} — the planner is guessing; "
            "pass --analyze (autovacuum would have done it on a live database)"
        )
    total = Application.objects.count()
    users = busiest_users()
    print(f"database: {connection.settings_dict['NAME']} · applications: {total:,}")
    if total < 100_000:
        print(
            "note: fewer than 100,000 applications — generate the scale data first for the "
            "figure that matters (manage.py generate --applications 1000000)."
        )
    lines = [
        f"Queue pages of 50 rows against {total:,} applications "
        f"({args.repeat} requests each after {args.warmup} warm-up; Django test client, "
        "full middleware and templates, no network). Target: under "
        f"{TARGET_MS:.0f} ms.",
        "",
        "| page | user sees | rows | queries | p50 ms | p95 ms | max ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    worst = 0.0
    for key, name, params, label in QUEUES:
        if key not in users:
            lines.append(f"| {label} | — | — | — | (no user or no rows for this queue) | | |")
            continue
        user, seen = users[key]
        client = Client()
        client.force_login(user)
        url = reverse(name)
        first = timed(client, url, params, {}, args.repeat, args.warmup)
        rows = [(label, first)]
        if first["next"]:
            second = timed(
                client, url, {**params, "after": first["next"]}, {}, args.repeat, args.warmup
            )
            rows.append((label + " · page 2", second))
            more = timed(
                client,
                url,
                {**params, "after": first["next"]},
                {"HX-Request": "true"},
                args.repeat,
                args.warmup,
            )
            rows.append((label + " · htmx load more", more))
        for text, r in rows:
            worst = max(worst, r["p95"])
            lines.append(
                f"| {text} | {seen if seen is not None else '—'} | {r['rows']} | "
                f"{r['queries']} | {r['p50']:.1f} | {r['p95']:.1f} | {r['max']:.1f} |"
            )
        if args.explain:
            print(f"\n--- {label} ({user.username})")
            print(explain(user, key, params))
    lines += [
        "",
        f"Slowest p95: {worst:.1f} ms — "
        + ("within the target." if worst < TARGET_MS else "OVER the target."),
    ]
    text = "\n".join(lines)
    print()
    print(text)
    if args.markdown:
        Path(args.markdown).write_text(text + "\n", encoding="utf-8")
    return 0 if worst < TARGET_MS else 1


if __name__ == "__main__":
    sys.exit(main())
