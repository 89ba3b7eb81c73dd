#!/usr/bin/env python
"""What each write of the mix costs the server, in-process: CPU milliseconds
(``time.process_time``) and SQL queries of the API transitions of bench/load/locustfile.py —
a resident's create → declaration → submit, a clerk's accept (after the clerk's read of the
detail), a reviewer's claim and decide, the hotline's incident, a resident's report, a grid
member's verify — as the
people prepare.py logged in make them.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_bench_load \\
        .venv/bin/python bench/load/transitions.py --people var/load/<stamp>/people.json

Every request runs inside a transaction that is rolled back afterwards (the data are left as
they were, so runs repeat on the same rows); the commit's callbacks — the outbox's publishes to
the broker — still run, as ``TestCase.captureOnCommitCallbacks(execute=True)`` runs them. The
broker (REDIS_URL) gets those messages: point it at a database no worker reads, or purge it.
Prints Markdown: type, queries, CPU ms p50, wall ms p50."""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


class _Rollback(Exception):
    pass


class _Counter:
    def __init__(self, queries: list[str]):
        self.queries = queries

    def __call__(self, execute, sql, *rest):
        self.queries.append(sql)
        return execute(sql, *rest)


class _Clock:
    def __init__(self, cpu: list[float], wall: list[float]):
        self.cpu, self.wall = cpu, wall

    def __enter__(self):
        self.c, self.w = time.process_time(), time.perf_counter()

    def __exit__(self, *exc):
        self.cpu.append((time.process_time() - self.c) * 1000)
        self.wall.append((time.perf_counter() - self.w) * 1000)


class _Profiled:
    def __init__(self, profile):
        self.profile = profile

    def __enter__(self):
        self.profile.enable()

    def __exit__(self, *exc):
        self.profile.disable()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", required=True)
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--only", default="", help="names containing this")
    parser.add_argument("--profile", default="", help="cProfile sort key (cumulative, tottime)")
    parser.add_argument("--show-sql", action="store_true")
    args = parser.parse_args()
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test import Client, TestCase

    data = json.loads(Path(args.people).read_text())
    people = data["people"]

    def client(kind: str) -> Client:
        c = Client()
        c.defaults["HTTP_AUTHORIZATION"] = f"Token {people[kind][0]['token']}"
        return c

    def work(kind: str, key: str) -> str | None:
        for person in people.get(kind, []):
            if person["work"].get(key):
                return person["work"][key][0], person
        return None, None

    resident, hotline = client("resident"), client("hotline")

    def post(c, url, body=None, method="post"):
        return getattr(c, method)(url, json.dumps(body or {}), content_type="application/json")

    # Each scenario: (name, setup() -> state, step(state) -> response). The setup runs inside
    # the rolled-back transaction too, unmeasured.
    def created():
        r = post(
            resident,
            "/api/v1/applications/",
            {"matter_code": data["matters"][0], "channel": "online"},
        )
        assert r.status_code == 201, r.content[:300]
        return r.json()["reference"]

    def declared():
        ref = created()
        r = post(
            resident,
            f"/api/v1/applications/{ref}/",
            {"declaration_accepted": True, "applicant_mobile": "13800000000"},
            "patch",
        )
        assert r.status_code == 200, r.content[:300]
        return ref

    accept_number, accept_person = work("clerk", "accept")
    claim_number, claim_person = work("reviewer", "claim")
    decide_number, decide_person = work("reviewer", "decide")

    def as_person(person):
        c = Client()
        c.defaults["HTTP_AUTHORIZATION"] = f"Token {person['token']}"
        return c

    def accept_body():
        c = as_person(accept_person)
        r = c.get(f"/api/v1/applications/{accept_number}/")
        assert r.status_code == 200, r.content[:300]
        return c, {"checks": [{"id": m["id"], "status": "received"} for m in r.json()["materials"]]}

    scenarios = [
        (
            "resident: apply (create)",
            lambda: None,
            lambda _: post(
                resident,
                "/api/v1/applications/",
                {"matter_code": data["matters"][0], "channel": "online"},
            ),
        ),
        (
            "resident: apply (declaration)",
            created,
            lambda ref: post(
                resident,
                f"/api/v1/applications/{ref}/",
                {"declaration_accepted": True, "applicant_mobile": "13800000000"},
                "patch",
            ),
        ),
        (
            "resident: apply (submit)",
            declared,
            lambda ref: post(resident, f"/api/v1/applications/{ref}/submit/"),
        ),
        (
            "resident: report incident",
            lambda: None,
            lambda _: post(
                resident,
                "/api/v1/incidents/",
                {
                    "client_uuid": str(uuid.uuid4()),
                    "category": data["categories"][0],
                    "description": "路边堆放杂物，影响通行。",
                    "lat": data["points"][0][0],
                    "lng": data["points"][0][1],
                },
            ),
        ),
        (
            "hotline: incident",
            lambda: None,
            lambda _: post(
                hotline,
                "/api/v1/incidents/hotline/",
                {
                    "external_number": f"RX{uuid.uuid4().hex[:16]}",
                    "category": data["categories"][0],
                    "description": "市民来电反映：夜间施工噪声扰民。",
                    "village": data["villages"][0] if data["villages"] else "",
                    "caller_mobile": "13900000000",
                },
            ),
        ),
    ]
    if accept_number:
        scenarios.append(
            (
                "clerk: accept",
                accept_body,
                lambda s: post(s[0], f"/api/v1/applications/{accept_number}/accept/", s[1]),
            )
        )
    if claim_number:
        scenarios.append(
            (
                "reviewer: claim",
                lambda: as_person(claim_person),
                lambda c: post(c, f"/api/v1/applications/{claim_number}/claim/"),
            )
        )
    if decide_number:
        scenarios.append(
            (
                "reviewer: decide",
                lambda: as_person(decide_person),
                lambda c: post(
                    c,
                    f"/api/v1/applications/{decide_number}/decide/",
                    {"outcome": "grant", "basis": "《行政许可法》第三十八条"},
                ),
            )
        )
    verify_number, verify_person = work("grid", "verify")
    if verify_number:
        scenarios.append(
            (
                "grid: verify",
                lambda: as_person(verify_person),
                lambda c: post(c, f"/api/v1/incidents/{verify_number}/verify/", {"note": "属实"}),
            )
        )
    sign_for, department = work("department", "sign_for")
    if sign_for:
        scenarios.append(
            (
                "department: sign for",
                lambda: as_person(department),
                lambda c: post(c, f"/api/v1/work-orders/{sign_for}/sign-for/"),
            )
        )

    def once(setup, step, measure=None):
        """setup and step in one rolled-back transaction; ``measure`` wraps the step."""
        result = {}
        try:
            with transaction.atomic():
                state = setup()
                with TestCase.captureOnCommitCallbacks(execute=True):
                    if measure:
                        with measure:
                            result["response"] = step(state)
                    else:
                        result["response"] = step(state)
                raise _Rollback
        except _Rollback:
            pass
        return result["response"]

    print(f"load average {os.getloadavg()[0]:.2f}")
    print("| request type | queries | CPU ms p50 | wall ms p50 | status |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, setup, step in scenarios:
        if args.only and args.only not in name:
            continue
        once(setup, step)
        queries: list[str] = []
        response = once(setup, step, connection.execute_wrapper(_Counter(queries)))
        cpu: list[float] = []
        wall: list[float] = []
        if args.profile:
            import cProfile
            import pstats

            profile = cProfile.Profile()
            for _ in range(args.rounds):
                once(setup, step, _Profiled(profile))
            pstats.Stats(profile).sort_stats(args.profile).print_stats(40)
        if args.show_sql or args.profile:
            for sql in queries:
                print("   ", sql[:300])
        for _ in range(args.rounds):
            once(setup, step, _Clock(cpu, wall))
        print(
            f"| {name} | {len(queries)} | {statistics.median(cpu):.1f} | "
            f"{statistics.median(wall):.0f} | {response.status_code} |"
        )
    print(f"load average {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
