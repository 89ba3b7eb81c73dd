"""Issue 11 at Longgang's size: the boundary import, the point lookup and the map's GeoJSON.

    createdb -h 127.0.0.1 -U postgres bench_areas
    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_areas REDIS_URL=redis://127.0.0.1:6379/8
    .venv/bin/python manage.py migrate
    nice .venv/bin/python bench/areas.py [--rounds 40] [--points 20000]

1. Import of a boundary file of the town of Longgang's shape (102 communities, 469 grids,
   3,311 micro-grids, 15 special grids: 3,897 areas, from portal.areas.generate with a fixed
   seed) written as a GeoJSON FeatureCollection: reading the file, every check (geometry,
   parents, overlaps, gaps, GCJ-02), the preview and writing it — what
   ``manage.py areas import FILE`` does (target < 30 s). Into an empty map; when the database
   already has this map, the same file again (idempotent: checked, nothing written).
2. The point lookup (portal.areas.locate) at random points of the town: the STRtree over
   3,897 areas, the deterministic pick (target < 1 ms).
3. The map's GeoJSON for the whole town (GET /api/v1/areas/): built after a change, then from
   the cache, then revalidated with its ETag (304) (target < 200 ms).
"""

from __future__ import annotations

import argparse
import gzip
import json
import random
import tempfile
import time
from pathlib import Path

from common import HEADER, machine, row, setup, timed

setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from portal import roles  # noqa: E402
from portal.areas import (  # noqa: E402
    formats,
    geometry,
    imports,
    locate,
    lookup,
    services,  # noqa: E402
)
from portal.areas import generate as areas_generate  # noqa: E402
from portal.areas import selectors as sel  # noqa: E402
from portal.models import Area, AreaKind, User  # noqa: E402

SEED = 20261122


def town_file(path: Path) -> tuple[int, float]:
    """The Longgang-shaped town written as the GeoJSON a GIS would send."""
    started = time.perf_counter()
    spec = areas_generate.town_spec(seed=SEED)
    features = areas_generate.features(spec, timezone.localdate())
    collection = {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "geometry": f.geometry,
                "properties": {
                    "code": f.code,
                    "name": f.name,
                    "kind": str(f.kind),
                    "parent": f.parent,
                    **({"special_kind": f.special_kind} if f.special_kind else {}),
                    **f.figures,
                },
            }
            for f in features
        ],
    }
    path.write_text(json.dumps(collection, ensure_ascii=False), encoding="utf-8")
    return len(features), time.perf_counter() - started


def boundary_import(path: Path) -> None:
    services.ensure_town(code=areas_generate.TOWN_CODE, name=areas_generate.TOWN_NAME)
    had = Area.objects.exclude(kind=AreaKind.TOWN).count()
    timings = {}
    started = time.perf_counter()
    read = formats.read(path.read_bytes(), path.name)
    timings["read"] = time.perf_counter() - started
    t = time.perf_counter()
    plan = imports.check(read.features, on=timezone.localdate(), file_problems=read.problems)
    timings["check"] = time.perf_counter() - t
    if plan.problems:
        print(f"{len(plan.problems)} problems, e.g.:")
        for problem in plan.problems[:10]:
            print(f"  {problem}")
        raise SystemExit("the generated town does not pass the import's checks")
    t = time.perf_counter()
    result = imports.apply(plan, actor="bench", source=path.name)
    timings["write"] = time.perf_counter() - t
    total = time.perf_counter() - started
    what = "into an empty map" if not had else f"again over the {had:,} areas it made (idempotent)"
    print(
        f"Import of {len(read.features):,} areas {what}: {total:.1f} s "
        f"(read {timings['read']:.1f} s, check {timings['check']:.1f} s, "
        f"write {timings['write']:.1f} s; created {result['created']:,}, changed "
        f"{result['changed']:,}, unchanged {result['unchanged']:,}) — target < 30 s: "
        f"{'yes' if total < 30 else 'NO'}"
    )


def point_lookup(count: int) -> None:
    lookup.invalidate()
    started = time.perf_counter()
    index = lookup.current_index()
    built = time.perf_counter() - started
    micro = Area.objects.filter(kind=AreaKind.MICRO_GRID, active_to__isnull=True).count()
    boxes = geometry.bounds(geometry.parse(e["boundary"]) for e in _villages())
    rng = random.Random(SEED)
    points = [
        (rng.uniform(boxes[1], boxes[3]), rng.uniform(boxes[0], boxes[2])) for _ in range(count)
    ]
    today = timezone.localdate()
    found = 0
    samples = []
    for lat, lng in points:
        t = time.perf_counter()
        where = locate(lat, lng, on=today)
        samples.append((time.perf_counter() - t) * 1000)
        found += where is not None and where.micro_grid is not None
    samples.sort()
    p50, p95, p99 = (samples[int(len(samples) * p)] for p in (0.5, 0.95, 0.99))
    print(
        f"Point lookup over {len(index.entries):,} areas ({micro:,} micro-grids), index built in "
        f"{built * 1000:.0f} ms: {count:,} random points of the town's box, "
        f"{found:,} inside a micro-grid"
    )
    print()
    print(HEADER)
    stats = {"p50": p50, "p95": p95, "max": samples[-1], "n": count}
    print(row("locate(lat, lng): village, grid, micro-grid, special grids", stats, 1))
    print(f"(p99 {p99:.3f} ms; mean {sum(samples) / len(samples) * 1000:.0f} µs)")


def _villages():
    return Area.objects.filter(kind__in=(AreaKind.VILLAGE, AreaKind.COMMUNITY)).values("boundary")


def map_geojson(rounds: int) -> None:
    user = (
        User.objects.filter(groups__name=roles.GRID_HEAD).first()
        or User.objects.get_or_create(username="bench_gridhead")[0]
    )
    client = Client()
    client.force_login(user)

    def cold():
        cache.clear()
        sel.map_json()

    def warm():
        sel.map_json()

    def http_gzip():
        response = client.get("/api/v1/areas/", HTTP_ACCEPT_ENCODING="gzip")
        assert response.status_code == 200

    found = sel.map_json()

    def http_304():
        response = client.get("/api/v1/areas/", HTTP_IF_NONE_MATCH=found.etag)
        assert response.status_code == 304

    features = len(json.loads(found.body)["features"])
    print(
        f"The town's GeoJSON: {features:,} areas, {len(found.body) / 1e6:.2f} MB "
        f"({len(found.gzipped) / 1e6:.2f} MB gzipped; a stored boundary is simplified above 40 "
        f"points and written to 6 decimals)"
    )
    print()
    print(HEADER)
    print(
        row("built after a change (query, simplify, labels, JSON, gzip)", timed(cold, 10, 1), 200)
    )
    print(row("from the cache (stamp read + cache get)", timed(warm, rounds), 200))
    print(row("GET /api/v1/areas/ (gzip, from the cache)", timed(http_gzip, rounds), 200))
    print(row("GET /api/v1/areas/ with If-None-Match → 304", timed(http_304, rounds), 200))
    assert gzip.decompress(found.gzipped) == found.body


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=40)
    parser.add_argument("--points", type=int, default=20000)
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    print(f"# Areas bench — {timezone.localdate()}, {machine()}")
    print()
    if not args.skip_import:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "longgang.geojson"
            count, took = town_file(path)
            print(
                f"(the town file: {count:,} features, {path.stat().st_size / 1e6:.1f} MB, "
                f"generated in {took:.1f} s — not part of the import's time)"
            )
            boundary_import(path)
        print()
    point_lookup(args.points)
    print()
    map_geojson(args.rounds)
    print()
    print(f"Finished under {machine()}. Overlap tolerance {settings.AREA_OVERLAP_TOLERANCE_M2} m².")


if __name__ == "__main__":
    main()
