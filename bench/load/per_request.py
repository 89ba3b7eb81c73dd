#!/usr/bin/env python
"""What each read of the mix costs the server, in-process: CPU milliseconds of the Django
process (``time.process_time``: what other work on a shared machine does not inflate) and the
number of SQL queries, for the GET request types of bench/load/locustfile.py, as the people
prepare.py logged in see them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_bench_load \\
        .venv/bin/python bench/load/per_request.py --people var/load/<stamp>/people.json

Run it on the copy a load run used (the template is never written to: this writes sessions'
last use and tokens' last use at most). Prints Markdown: type, queries, CPU ms p50, wall ms
p50 (wall time on a shared machine is mostly waiting)."""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def requests_of(data: dict) -> list[tuple[str, str, str, str]]:
    """(name, kind, 'page'|'api', url) for the mix's reads."""
    p = data["people"]

    def first(kind, key):
        for person in p.get(kind, []):
            items = person["work"].get(key) or []
            if items:
                return items[0]
        return None

    out = [
        ("resident: guide", "resident", "page", "/guide/"),
        ("resident: guide matter", "resident", "page", f"/guide/{data['matters'][0]}/"),
        ("resident: my applications", "resident", "page", "/my/applications/"),
        ("clerk: intake queue", "clerk", "page", "/staff/intake/"),
        ("clerk: release queue", "clerk", "page", "/staff/release/"),
        ("reviewer: review queue", "reviewer", "page", "/staff/review/"),
        (
            "reviewer: queue API",
            "reviewer",
            "api",
            "/api/v1/applications/?state=accepted&state=in_review",
        ),
        ("grid: my incidents", "grid", "page", "/grid/incidents/"),
        ("grid: incidents API", "grid", "api", "/api/v1/incidents/?state=open"),
        ("department: work orders", "department", "page", "/grid/work-orders/"),
        ("officer: desk", "officer", "page", "/enforcement/desk/"),
        ("officer: cases API", "officer", "api", "/api/v1/enforcement/cases/"),
        ("supervisor: dashboard", "supervisor", "page", "/dashboard/"),
        ("supervisor: dashboard API", "supervisor", "api", "/api/v1/dashboard/applications/"),
        ("supervisor: time-limits API", "supervisor", "api", "/api/v1/dashboard/time-limits/"),
        ("dispatcher: board poll", "dispatcher", "api", "/api/v1/centre/board/"),
        ("hotline: department", "hotline", "api", f"/api/v1/departments/{data['departments'][0]}/"),
        ("floor: bare Django", "", "page", "/bench/bare/"),
    ]
    number = first("resident", "numbers")
    if number:
        out.append(("resident: application", "resident", "page", f"/applications/{number}/"))
    number = first("clerk", "accept")
    if number:
        out.append(("clerk: application", "clerk", "page", f"/staff/applications/{number}/"))
        out.append(("clerk: application API", "clerk", "api", f"/api/v1/applications/{number}/"))
    incident = first("grid", "open")
    if incident:
        out.append(("grid: incident", "grid", "page", f"/grid/incidents/{incident}/"))
    order = first("department", "sign_for")
    if order:
        out.append(("department: work order", "department", "page", f"/grid/work-orders/{order}/"))
    case = first("officer", "cases")
    if case:
        out.append(("officer: case", "officer", "page", f"/enforcement/cases/{case}/"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", required=True)
    parser.add_argument("--rounds", type=int, default=20)
    parser.add_argument("--only", default="", help="names containing this")
    parser.add_argument("--profile", default="", help="cProfile sort key (cumulative, tottime)")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    data = json.loads(Path(args.people).read_text())
    random.seed(19)
    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| request type | queries | CPU ms p50 | wall ms p50 | status |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, kind, how, url in requests_of(data):
        if args.only and args.only not in name:
            continue
        client = Client()
        if kind:
            person = data["people"][kind][0]
            if how == "page":
                client.cookies["sessionid"] = person["session"]
            else:
                client.defaults["HTTP_AUTHORIZATION"] = f"Token {person['token']}"
        for _ in range(2):
            response = client.get(url)
        queries: list[str] = []

        def count(execute, sql, *rest, queries=queries):
            queries.append(sql)
            return execute(sql, *rest)

        with connection.execute_wrapper(count):
            response = client.get(url)
        cpu, wall = [], []
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            profile.enable()
            for _ in range(args.rounds):
                client.get(url)
            profile.disable()
            pstats.Stats(profile).sort_stats(args.profile).print_stats(30)
            for sql in queries:
                print("   ", sql[:300])
        for _ in range(args.rounds):
            c, w = time.process_time(), time.perf_counter()
            client.get(url)
            cpu.append((time.process_time() - c) * 1000)
            wall.append((time.perf_counter() - w) * 1000)
        print(
            f"| {name} | {len(queries)} | {statistics.median(cpu):.1f} | "
            f"{statistics.median(wall):.0f} | {response.status_code} |"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
