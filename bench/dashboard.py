"""Server time of the supervisors' dashboards against the generated data (issue 8).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python bench/dashboard.py

Requests go through the whole Django stack in-process (middleware, session, view, template,
response; django.test.Client, no network), one after the other, as a logged-in supervisor or
anonymously for the public page. Reports p50/p95 in milliseconds against the targets of the
issue, the .xlsx export of 10,000 rows, and the ratio of a simple API read to a bare Django
JSON view measured in the same run (requests per second, one after the other). Prints
Markdown for docs/performance.md.
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

from common import HEADER, machine, row, setup, throughput, timed

setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from approvals.models import Application, ApplicationDayStat, Matter, State  # noqa: E402
from approvals.models.applications import OPEN_STATES  # noqa: E402
from portal.models import Department, User  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--export-rows", type=int, default=10_000)
    args = parser.parse_args()
    rounds = args.rounds

    supervisor = User.objects.filter(groups__name="supervisor", is_active=True).first()
    client = Client()
    client.force_login(supervisor)
    anonymous = Client()
    today = timezone.localdate()

    total = Application.objects.count()
    open_count = Application.objects.filter(state__in=OPEN_STATES).count()
    busiest = (
        Application.objects.filter(state__in=OPEN_STATES)
        .values("department_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    top_matters = list(
        ApplicationDayStat.objects.values("matter__code")
        .annotate(n=Count("id"))
        .order_by("-n")
        .values_list("matter__code", flat=True)[:20]
    )
    print(f"# Dashboard bench — {today}, {machine()}")
    print()
    print(
        f"{total:,} applications ({open_count:,} open), "
        f"{ApplicationDayStat.objects.count():,} daily rollup rows, "
        f"{Matter.objects.count():,} matter versions; PostgreSQL "
        f"{connection.pg_version // 10000}. {rounds} requests per line after 3 warm-ups."
    )
    print()
    print(HEADER)

    def page(url, who=client, status=200):
        def run():
            response = who.get(url)
            assert response.status_code == status, (url, response.status_code)
            return response

        return run

    dept = busiest["department_id"]
    last_year = f"start={(today.replace(year=today.year - 1)).isoformat()}&end={today.isoformat()}"
    three_years = (
        f"start={(today.replace(year=today.year - 3)).isoformat()}&end={today.isoformat()}"
    )
    lines = [
        ("time-limit dashboard, all panels (last 30 days)", reverse("approvals:dashboard"), 150),
        (
            "time-limit dashboard, one department",
            f"{reverse('approvals:dashboard')}?department={dept}",
            150,
        ),
        (
            "time-limit dashboard, last 365 days",
            f"{reverse('approvals:dashboard')}?{last_year}",
            None,
        ),
        (
            "time-limit dashboard, 3 years",
            f"{reverse('approvals:dashboard')}?{three_years}",
            None,
        ),
        ("service-quality dashboard", reverse("approvals:dashboard-quality"), 150),
        ("time-limit API (JSON)", reverse("api-dashboard-time-limits"), 150),
        (
            "big-screen refresh (htmx partial)",
            f"{reverse('approvals:dashboard')}?screen=1&partial=1",
            150,
        ),
        (
            "drill-down list: all overdue, first 50",
            f"{reverse('approvals:dashboard-list')}?status=overdue",
            50,
        ),
        (
            "drill-down list: one department's overdue",
            f"{reverse('approvals:dashboard-list')}?status=overdue&department={dept}",
            50,
        ),
        (
            "drill-down list: all open, first 50",
            f"{reverse('approvals:dashboard-list')}?status=open",
            50,
        ),
        (
            "drill-down API: overdue",
            f"{reverse('api-dashboard-applications')}?status=overdue",
            50,
        ),
    ]
    for name, url, target in lines:
        headers = {"HTTP_HX_REQUEST": "true"} if "partial" in url else {}

        def run(url=url, headers=headers):
            response = client.get(url, **headers)
            assert response.status_code == 200, (url, response.status_code)

        print(row(name, timed(run, rounds), target))

    # the public per-matter page, rotating over the busiest matters
    state = {"i": 0}

    def public(kind):
        def run():
            code = top_matters[state["i"] % len(top_matters)]
            state["i"] += 1
            name = "approvals:matter-performance" if kind == "page" else "api-matter-performance"
            response = anonymous.get(reverse(name, args=[code]))
            assert response.status_code == 200

        return run

    print(row("public page of a matter (HTML)", timed(public("page"), rounds), 50))
    print(row("public figures of a matter (API)", timed(public("api"), rounds), 50))

    # the export of 10,000 rows
    url = f"{reverse('approvals:dashboard-export')}?view=list&status=open&limit={args.export_rows}"
    times = []
    rows = 0
    for _ in range(3):
        start = time.perf_counter()
        response = client.get(url)
        times.append(time.perf_counter() - start)
        assert response.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(response.content), read_only=True)["办件清单"]
    rows = sum(1 for _ in sheet.iter_rows()) - 1
    print()
    print(
        f"- .xlsx export of {rows:,} rows (drill-down list, all open applications): "
        f"{min(times):.2f} s best, {max(times):.2f} s worst of 3 "
        f"({len(response.content) / 1024:.0f} KB); target < 5 s: "
        f"{'yes' if max(times) < 5 else 'NO'}"
    )

    # simple API reads against the framework's floor, in the same run: short bursts, one
    # after the other, so that the machine's load weighs on both alike
    bare_url = reverse("bench-bare")
    code = top_matters[0]
    reads = [
        ("public figures of a matter (cached)", reverse("api-matter-performance", args=[code])),
        ("for reference, a DRF view that reads nothing", reverse("bench-drf")),
        (
            "a department by id (DRF viewset retrieve, one query)",
            reverse("department-detail", args=[Department.objects.get(pk=dept).code]),
        ),
    ]
    for name, api_url in reads:
        ratios, bare_all, api_all = [], [], []
        for _ in range(12):
            bare_rps = throughput(page(bare_url, anonymous), seconds=0.5, warmup=5)
            api_rps = throughput(page(api_url, anonymous), seconds=0.5, warmup=5)
            bare_all.append(bare_rps)
            api_all.append(api_rps)
            ratios.append(api_rps / bare_rps)
        ratio = statistics.median(ratios)
        print(
            f"- {name}: GET {api_url} {statistics.median(api_all):,.0f} requests/s against "
            f"the bare Django JSON view's {statistics.median(bare_all):,.0f} — ratio "
            f"{ratio:.2f} (median of 12 interleaved pairs; target > 0.5: "
            f"{'yes' if ratio > 0.5 else 'NO'})"
        )
    detail = (
        Application.objects.filter(state=State.IN_REVIEW)
        .order_by("-id")
        .values_list("number", flat=True)
    ).first()
    if detail:
        detail_url = reverse("application-detail", args=[detail])
        detail_rps = throughput(page(detail_url, client))
        floor = throughput(page(bare_url, anonymous))
        print(
            f"- for comparison, an application's full API detail as a supervisor (GET "
            f"{detail_url}: materials, history, notices, extensions, clock): "
            f"{detail_rps:,.0f} requests/s, {detail_rps / floor:.2f} of the bare view"
        )
    print()
    print(f"Finished under {machine()}.")


if __name__ == "__main__":
    main()
