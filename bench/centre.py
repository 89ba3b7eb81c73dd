"""Issue 15 at scale: the command centre's board, its unchanged refresh, the one clock's late list
and the map layer over 1,000,000 applications, 1,000,000 incidents, 200,000 work orders and
100,000 enforcement cases (plus call-outs and the dispatchers' roster).

    createdb -h 127.0.0.1 -U postgres bench_centre
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_centre REDIS_URL=redis://127.0.0.1:6379/8
    export CACHE_URL=redis://127.0.0.1:6379/8     # the shared cache, as in production
    .venv/bin/python manage.py migrate
    nice .venv/bin/python manage.py generate --applications 1000000 --incidents 1000000 \\
        --enforcement-cases 100000 --work-orders 200000 --callouts 10000
    .venv/bin/python bench/centre.py [--rounds 40]
    .venv/bin/python bench/centre.py --forecast [--rounds 3]   # the forecast's task alone

1. The whole board, every panel computed afresh (centre.selectors.board.compute: duty, new
   reports, incidents by village and grid, work orders late by department, returns, whistles,
   call-outs, cases near a legal deadline, applications' cards, the late list, the forecast as
   cached) — target < 150 ms; each panel on its own for reference; the forecast's own
   computation (cached for minutes; the board never waits for it) for reference.
2. An unchanged refresh: ``GET /api/v1/centre/board/`` with ``If-None-Match`` of the current
   ETag → 304, the whole request with a logged-in dispatcher — target < 10 ms; the same with
   the stamps' memo off (read from the cache each time: set ``CACHE_URL`` to Redis as in
   production); the panels fragment the desk polls (``/centre/panels/``) the same way.
3. The one clock's late list (centre.selectors.late.late_list, 20 and 200 items) — target
   < 100 ms; ``GET /api/v1/centre/late/?limit=50`` for reference.
4. The map layer computed afresh (centre.selectors.map.compute: grids by open and late
   incidents, a pin per open incident, squads' positions) — target < 200 ms;
   ``GET /api/v1/centre/map/`` after a change for reference.
5. A changed board through the API (what the first dispatcher's poll after a change pays): an
   incident changed (its four panels afresh, the others from the cache), a case changed, every
   app changed — for reference.
"""

from __future__ import annotations

import argparse
import json

from common import HEADER, machine, row, setup, timed

setup()

from django.core.cache import cache  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from approvals.models import Application  # noqa: E402
from centre.selectors import board as board_sel  # noqa: E402
from centre.selectors import forecast as forecast_sel  # noqa: E402
from centre.selectors import late as late_sel  # noqa: E402
from centre.selectors import map as map_sel  # noqa: E402
from centre.selectors import stamp as stamp_sel  # noqa: E402
from centre.selectors.stamp import map_stamp  # noqa: E402
from enforcement import stamps as enforcement_stamps  # noqa: E402
from enforcement.models import CallOut, Case  # noqa: E402
from grid import stamps as grid_stamps  # noqa: E402
from grid.models import Incident  # noqa: E402
from grid.models.dispatch import WorkOrder  # noqa: E402
from portal import roles, stamps  # noqa: E402
from portal.models import User  # noqa: E402

PANELS = [
    ("duty", lambda now: board_sel.duty_panel(now)),
    ("new reports", lambda now: board_sel.new_reports_panel(now)),
    ("incidents by village and grid", lambda now: board_sel.incidents_panel(now)),
    ("work orders, returns, whistles", lambda now: board_sel.dispatch_panels(now)),
    ("call-outs", lambda now: board_sel.callouts_panel(now)),
    ("cases near a deadline", lambda now: board_sel.cases_panel(now)),
    ("applications' cards", lambda now: board_sel.applications_panel(now)),
    ("late list (board's 20)", lambda now: board_sel.late_panel(now)),
]


def sizes() -> str:
    def count(table: str) -> int:
        # the planner's estimate after the generator's ANALYZE: exact counts take seconds
        with connection.cursor() as cursor:
            cursor.execute("SELECT reltuples::bigint FROM pg_class WHERE relname = %s", [table])
            found = cursor.fetchone()
        return int(found[0]) if found else 0

    return ", ".join(
        f"{label} ≈{count(model._meta.db_table):,}"
        for label, model in (
            ("applications", Application),
            ("incidents", Incident),
            ("work orders", WorkOrder),
            ("cases", Case),
            ("call-outs", CallOut),
        )
    )


def cpu_timed(fn, rounds: int) -> dict:
    """Like common.timed, in this process's CPU time (what a quiet machine would see of it)."""
    import time

    from common import percentile

    for _ in range(3):
        fn()
    samples = []
    for _ in range(rounds):
        start = time.process_time()
        fn()
        samples.append((time.process_time() - start) * 1000)
    return {
        "p50": percentile(samples, 0.5),
        "p95": percentile(samples, 0.95),
        "max": max(samples),
        "n": rounds,
    }


def forecast_task(rounds: int) -> None:
    """The periodic task's computation (``forecast.refresh_all``: computed once, kept in every
    language), ``rounds`` runs: wall and this process's CPU time, queries, the load average."""
    import os
    import time

    from django.test.utils import CaptureQueriesContext

    print(f"# Forecast (refresh_all) — {timezone.localdate()}, {machine()}\n")
    print(f"data: {sizes()}\n")
    print("| run | wall s | CPU s (this process) | queries | total | load average (1, 5, 15 min) |")
    print("|---|---|---|---|---|---|")
    for n in range(1, rounds + 1):
        load = ", ".join(f"{x:.2f}" for x in os.getloadavg())
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            totals = forecast_sel.refresh_all(now=timezone.now())
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"| {n} | {wall:.2f} | {cpu:.2f} | {len(queries)} | {totals} | {load} |")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=None)
    parser.add_argument(
        "--forecast", action="store_true", help="only the forecast's periodic computation"
    )
    args = parser.parse_args()
    if args.forecast:
        forecast_task(args.rounds or 3)
        connection.close()
        return
    rounds = args.rounds or 40
    print(f"# Centre bench — {timezone.localdate()}, {machine()}\n")
    print(f"data: {sizes()}\n")
    dispatcher = User.objects.filter(groups__name=roles.DISPATCHER, is_active=True).first()
    if dispatcher is None:
        raise SystemExit("No dispatcher: generate the centre part (manage.py generate).")
    now = timezone.now()
    forecast = timed(lambda: forecast_sel.will_miss(now=timezone.now()), 1, warmup=0)
    cache.clear()
    data = board_sel.compute(now)
    print(
        "board now: "
        f"{data['new_reports']['total']} new reports, "
        f"{data['incidents']['totals']['open']:,} open incidents "
        f"({data['incidents']['totals']['clock']['overdue']:,} late), "
        f"{len(data['callouts']['items'])} call-outs running, "
        f"cases red/yellow {data['cases']['red']}/{data['cases']['yellow']}, "
        f"applications red/yellow {data['applications']['red']}/{data['applications']['yellow']}, "
        f"forecast {data['forecast'].get('total', 0)} items, "
        f"board JSON {len(json.dumps(data, default=str)) / 1024:.0f} KiB\n"
    )
    print(HEADER)
    # the forecast stays cached (as on the running board); everything else afresh each time
    forecast_sel.cached(limit=10)
    whole = timed(lambda: board_sel.compute(timezone.now()), rounds)
    print(row("the whole board, every panel afresh (compute)", whole, 150))
    for name, fn in PANELS:
        print(row(f"  · {name}", timed(lambda fn=fn: fn(timezone.now()), rounds)))
    print(row("  · the forecast's own computation (periodic task; the board reads it)", forecast))
    from centre.selectors.sources import sources

    for kind, source in sources().items():
        stats = timed(lambda s=source: s.late_items(now=timezone.now(), limit=20), rounds)
        print(row(f"  · late list source: {kind} (first 20)", stats))

    # An unchanged board: no write and no clock tick (TICK_SECONDS buckets) between polls. With
    # recomputations taking seconds on this loaded machine, a 15 s tick would fall inside the
    # loop; the tick is widened for the 304 measurements only.
    from django.conf import settings

    settings.CENTRE["TICK_SECONDS"] = 3600
    client = Client()
    client.force_login(dispatcher)
    first = client.get("/api/v1/centre/board/")
    assert first.status_code == 200, first.status_code
    etag = first["ETag"]

    def unchanged():
        answer = client.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=etag)
        assert answer.status_code == 304, answer.status_code

    print(row("unchanged refresh: GET /api/v1/centre/board/ → 304", timed(unchanged, rounds), 10))
    print(
        row(
            "  · its CPU time in this process (no waiting for a CPU; queries' own time excluded)",
            cpu_timed(unchanged, rounds),
        )
    )
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        unchanged()
    print(
        f"|   · its queries: {len(queries)} ({', '.join(q['sql'][:40] for q in queries)}) | | | | | |"
    )
    memo = settings.CHANGE_STAMP_MEMO_SECONDS
    settings.CHANGE_STAMP_MEMO_SECONDS = 0.0
    print(
        row(
            "  · the same with no memo (the stamps from the cache each time)",
            timed(unchanged, rounds),
        )
    )
    settings.CHANGE_STAMP_MEMO_SECONDS = memo
    print(
        row(
            "  · the change stamp alone (memoised)", timed(lambda: stamp_sel.change_stamp(), rounds)
        )
    )
    panels = client.get("/centre/panels/?mode=desk")
    assert panels.status_code == 200, panels.status_code
    panels_etag = panels["ETag"]

    def unchanged_panels():
        answer = client.get("/centre/panels/?mode=desk", HTTP_IF_NONE_MATCH=panels_etag)
        assert answer.status_code == 304, answer.status_code

    print(row("unchanged refresh of the desk's panels → 304", timed(unchanged_panels, rounds)))

    def late20():
        assert late_sel.late_list(now=timezone.now(), limit=20)

    def late200():
        assert late_sel.late_list(now=timezone.now(), limit=200)

    print(row("the late list, 20 items (late_list)", timed(late20, rounds), 100))
    print(row("the late list, 200 items", timed(late200, rounds), 100))

    def late_api():
        answer = client.get("/api/v1/centre/late/?limit=50")
        assert answer.status_code == 200, answer.status_code

    print(row("GET /api/v1/centre/late/?limit=50", timed(late_api, rounds)))

    layer = map_sel.compute(timezone.now())
    print(
        row(
            "the map layer afresh (compute)",
            timed(lambda: map_sel.compute(timezone.now()), rounds),
            200,
        )
    )

    def map_api():
        cache.delete(f"centre:map:{map_stamp(timezone.now())}")
        answer = client.get("/api/v1/centre/map/")
        assert answer.status_code == 200, answer.status_code

    print(row("GET /api/v1/centre/map/ after a change", timed(map_api, rounds)))

    def board_api(*keys):
        def run():
            for key in keys:
                stamps._apply(key)  # what a committed change does
            answer = client.get("/api/v1/centre/board/", HTTP_IF_NONE_MATCH=etag)
            assert answer.status_code == 200, answer.status_code

        return run

    print(
        row(
            "GET /api/v1/centre/board/ after an incident changed (its 4 panels afresh)",
            timed(board_api(grid_stamps.INCIDENTS), rounds),
        )
    )
    print(
        row(
            "GET /api/v1/centre/board/ after a case changed (2 panels afresh)",
            timed(board_api(enforcement_stamps.CASES), rounds),
        )
    )
    print(
        row(
            "GET /api/v1/centre/board/ after every app changed (every panel afresh)",
            timed(board_api(*stamp_sel.ALL_STAMPS), rounds),
        )
    )
    print(
        f"\nmap: {len(layer['grids']):,} grids, {len(layer['pins']):,} pins, "
        f"{len(layer['clusters']):,} grid clusters of {sum(c[3] for c in layer['clusters']):,} "
        f"incidents ({layer['placed']:,} open with a place), "
        f"{len(layer['squads'])} squads moving, JSON {len(json.dumps(layer, default=str)) / 1024:.0f} KiB"
    )
    print(f"\nmachine: {machine()}")
    connection.close()


if __name__ == "__main__":
    main()
