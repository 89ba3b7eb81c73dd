"""What one acceptance of a report costs (issue 12's slowest bench row), counted and profiled:
the SQL statements, the cache calls and the Redis commands of one
``POST /api/v1/incidents/{number}/accept/`` by the grid head, then the wall and CPU time of
``--rounds`` more, optionally under cProfile.

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/ow_i12_bench REDIS_URL=redis://127.0.0.1:6379/8
    .venv/bin/python bench/incident_accept_probe.py [--rounds 40] [--sql] [--profile out.prof]

Like bench/incidents.py it writes (reports by a member of the busiest grid, verified, then
accepted): run it on a copy. The reports and verifications are made outside the measurement.
"""

from __future__ import annotations

import argparse
import cProfile
import statistics
import time
import uuid
from collections import Counter

from common import machine, percentile, setup

setup()

import redis  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from grid.models import Assignment, Incident  # noqa: E402
from grid.models.incidents import OPEN_STATES  # noqa: E402
from portal.models import User  # noqa: E402

CACHE_METHODS = (
    "get",
    "get_many",
    "set",
    "set_many",
    "add",
    "delete",
    "delete_many",
    "incr",
    "touch",
    "has_key",
)


class Counting:
    """Count the shared cache's calls and redis-py's round trips (a pipeline is one)."""

    def __init__(self):
        self.cache = Counter()
        self.redis = Counter()
        self._undo = []

    def __enter__(self):
        for name in CACHE_METHODS:
            original = getattr(cache, name)

            def wrapped(*args, _name=name, _original=original, **kwargs):
                self.cache[_name] += 1
                return _original(*args, **kwargs)

            setattr(cache, name, wrapped)
            self._undo.append(lambda _name=name: delattr(cache, _name))
        for cls, name in ((redis.Redis, "execute_command"), (redis.client.Pipeline, "execute")):
            original = getattr(cls, name)

            def wrapped(client, *args, _name=name, _original=original, **kwargs):
                if _name == "execute":
                    self.redis["pipeline"] += 1
                elif not isinstance(client, redis.client.Pipeline):
                    self.redis[str(args[0]).upper()] += 1
                return _original(client, *args, **kwargs)

            setattr(cls, name, wrapped)
            self._undo.append(
                lambda cls=cls, name=name, original=original: setattr(cls, name, original)
            )
        return self

    def __exit__(self, *exc):
        for undo in reversed(self._undo):
            undo()


def people():
    found = (
        Incident.objects.filter(state__in=OPEN_STATES)
        .values("grid_id")
        .order_by()
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    grid_id = found["grid_id"]

    def one(role):
        return User.objects.get(
            pk=Assignment.objects.filter(area_id=grid_id, role=role, ends_on__isnull=True)
            .values_list("user_id", flat=True)
            .first()
        )

    sample = (
        Incident.objects.filter(grid_id=grid_id)
        .values_list("category_code", "lat", "lng")
        .order_by("-reported_at")
        .first()
    )
    return grid_id, one("member"), one("head"), sample


def verified_reports(member, sample, count: int) -> list[str]:
    code, lat, lng = sample
    reporter = Client()
    reporter.force_login(member)
    numbers = []
    for _ in range(count):
        response = reporter.post(
            "/api/v1/incidents/",
            {
                "client_uuid": str(uuid.uuid4()),
                "category": code,
                "description": "bench: 占道经营",
                "lat": lat,
                "lng": lng,
            },
        )
        assert response.status_code == 201, response.content
        number = response.json()["number"]
        assert reporter.post(f"/api/v1/incidents/{number}/verify/", {}).status_code == 200
        numbers.append(number)
    return numbers


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--sql", action="store_true", help="print the statements of one accept")
    parser.add_argument("--profile", help="write cProfile stats of the timed accepts here")
    args = parser.parse_args()
    grid_id, member, head, sample = people()
    numbers = verified_reports(member, sample, args.warmup + 1 + args.rounds)
    accepter = Client()
    accepter.force_login(head)

    def accept(number):
        response = accepter.post(f"/api/v1/incidents/{number}/accept/", {})
        assert response.status_code == 200, response.content

    numbers = iter(numbers)
    for _ in range(args.warmup):
        accept(next(numbers))
    with Counting() as counted, CaptureQueriesContext(connection) as queries:
        accept(next(numbers))
    print(f"# One acceptance — grid {grid_id}, category {sample[0]}; {machine()}")
    print(f"SQL statements: {len(queries)}")
    if args.sql:
        for q in queries.captured_queries:
            print(f"  {q['time']:>6}  {q['sql'][:160]}")
    print(f"cache calls: {sum(counted.cache.values())} {dict(counted.cache)}")
    print(f"Redis round trips: {sum(counted.redis.values())} {dict(counted.redis)}")
    walls, cpus = [], []
    profiler = cProfile.Profile() if args.profile else None
    for _ in range(args.rounds):
        number = next(numbers)
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        accept(number)
        if profiler:
            profiler.disable()
        walls.append((time.perf_counter() - start) * 1000)
        cpus.append((time.process_time() - cpu) * 1000)
    print(
        f"wall p50 / p95 {percentile(walls, 0.5):.1f} / {percentile(walls, 0.95):.1f} ms, "
        f"CPU mean / median {statistics.fmean(cpus):.1f} / {statistics.median(cpus):.1f} ms "
        f"({args.rounds} accepts); finished under {machine()}"
    )
    if profiler:
        profiler.dump_stats(args.profile)


if __name__ == "__main__":
    main()
