"""Issue 12 at scale: a grid member's list, the duplicate suggestion and taking in a report,
with a million incidents over 469 grids and three years in the database.

    createdb -h 127.0.0.1 -U postgres bench_incidents
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_incidents REDIS_URL=redis://127.0.0.1:6379/8
    .venv/bin/python manage.py migrate
    .venv/bin/python manage.py generate --only incidents --incidents 1000000
    .venv/bin/python bench/incidents.py [--rounds 40] [--reports 300]

1. The grid member's list of 50 (grid.selectors.incidents.grid_queue: urgency, then the
   clock, then the deadline) for a member of the grid with the most open incidents, as a
   query and as the phone page /grid/incidents/ (target < 50 ms).
2. The duplicate suggestion (grid.selectors.incidents.duplicates and
   GET /api/v1/incidents/duplicates/) at points of open incidents of busy categories
   (target < 30 ms).
3. Taking in a report end to end, photos excluded: POST /api/v1/incidents/ as a grid member
   (location → grid, number, the row, history, audit, notifications to the grid head), then the
   head's POST …/accept/ (target < 50 ms each). These write: run them on a copy if you want the
   generated data unchanged.
"""

from __future__ import annotations

import argparse
import random
import time
import uuid

from common import HEADER, machine, row, setup, timed

setup()

from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from grid.models import Assignment, Incident  # noqa: E402
from grid.models.incidents import OPEN_STATES  # noqa: E402
from grid.selectors import incidents as sel  # noqa: E402
from portal.models import User  # noqa: E402


def busiest_grid() -> tuple[int, int]:
    found = (
        Incident.objects.filter(state__in=OPEN_STATES)
        .values("grid_id")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return found["grid_id"], found["n"]


def member_list(rounds: int) -> None:
    grid_id, open_count = busiest_grid()
    member = User.objects.get(
        pk=Assignment.objects.filter(area_id=grid_id, role="member", ends_on__isnull=True)
        .values_list("user_id", flat=True)
        .first()
    )
    in_grid = Incident.objects.filter(grid_id=grid_id).count()
    print(
        f"Grid {grid_id}: {open_count:,} open incidents, {in_grid:,} in all; "
        f"{Incident.objects.count():,} incidents in the database; member {member.username} "
        f"covers {len(sel.scope.grid_ids(member))} grid(s)."
    )
    print()
    print(HEADER)

    def selector():
        rows = list(sel.grid_queue(member)[:50])
        assert rows

    print(row("grid_queue: the member's list, first 50", timed(selector, rounds), 50))
    client = Client()
    client.force_login(member)

    def page():
        assert client.get("/grid/incidents/").status_code == 200

    print(row("GET /grid/incidents/ (the phone page, 50 rows)", timed(page, rounds), 50))


def duplicate_suggestion(rounds: int) -> None:
    rng = random.Random(12)
    open_ones = list(
        Incident.objects.filter(state__in=OPEN_STATES, lat__isnull=False)
        .values_list("category_code", "lat", "lng")
        .order_by("-reported_at")[:500]
    )
    points = [rng.choice(open_ones) for _ in range(rounds + 3)]
    found_counts = []
    it = iter(points * 3)

    def selector():
        code, lat, lng = next(it)
        found = sel.duplicates(category_code=code, lat=lat + 0.0003, lng=lng)
        found_counts.append(len(found))

    stats = timed(selector, rounds)
    print(row("duplicates(): same category, 200 m, 14 days, nearest first", stats, 30))
    member = User.objects.filter(username__startswith="g_gridmember_").first()
    client = Client()
    client.force_login(member)

    def api():
        code, lat, lng = next(it)
        response = client.get(
            "/api/v1/incidents/duplicates/", {"category": code, "lat": lat, "lng": lng}
        )
        assert response.status_code == 200

    print(row("GET /api/v1/incidents/duplicates/", timed(api, rounds), 30))
    print()
    print(
        f"(suggestions per query: mean {sum(found_counts) / max(len(found_counts), 1):.1f}, "
        f"max {max(found_counts or [0])})"
    )


def reports(count: int) -> None:
    grid_id, _n = busiest_grid()
    member = User.objects.get(
        pk=Assignment.objects.filter(area_id=grid_id, role="member", ends_on__isnull=True)
        .values_list("user_id", flat=True)
        .first()
    )
    head = User.objects.get(
        pk=Assignment.objects.filter(area_id=grid_id, role="head", ends_on__isnull=True)
        .values_list("user_id", flat=True)
        .first()
    )
    sample = (
        Incident.objects.filter(grid_id=grid_id)
        .values_list("category_code", "lat", "lng")
        .order_by("-reported_at")
        .first()
    )
    code, lat, lng = sample
    reporter = Client()
    reporter.force_login(member)
    made: list[str] = []

    def report():
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
        made.append(response.json()["number"])

    cpu_before = time.process_time()
    print(
        row(
            "POST /api/v1/incidents/ (member's report, no photos)",
            timed(report, count, warmup=3),
            50,
        )
    )
    cpu = (time.process_time() - cpu_before) / (count + 3) * 1000
    accepter = Client()
    accepter.force_login(head)
    # a member's report without a photo waits for verification: verify them first
    verifier = Client()
    verifier.force_login(member)
    numbers = iter(made)
    for number in made:
        assert verifier.post(f"/api/v1/incidents/{number}/verify/", {}).status_code == 200

    def accept():
        number = next(numbers)
        assert accepter.post(f"/api/v1/incidents/{number}/accept/", {}).status_code == 200

    cpu_before = time.process_time()
    print(
        row(
            "POST /api/v1/incidents/{number}/accept/ (the grid head)",
            timed(accept, len(made) - 3, warmup=3),
            50,
        )
    )
    accept_cpu = (time.process_time() - cpu_before) / len(made) * 1000
    print()
    print(
        f"(CPU of the web process per request, mean: report {cpu:.1f} ms, accept "
        f"{accept_cpu:.1f} ms; the rest of the wall time is PostgreSQL, Redis and waiting for a "
        "CPU on a loaded machine)"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--reports", type=int, default=300)
    parser.add_argument("--skip-reports", action="store_true")
    args = parser.parse_args()
    print(f"# Incidents bench — {timezone.localdate()}, {machine()}")
    print()
    member_list(args.rounds)
    duplicate_suggestion(args.rounds)
    if not args.skip_reports:
        reports(args.reports)
    print()
    print(f"Finished under {machine()}.")


if __name__ == "__main__":
    main()
