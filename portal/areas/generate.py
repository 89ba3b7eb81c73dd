"""Scale data for the map: a town of Longgang's shape for ``manage.py generate`` (portal.generate).

    python manage.py generate --only areas --seed 20261122
    python manage.py generate --only areas --villages 12 --grids 48 --micro-grids 300

What it builds — reproducibly (the same code, seed and ``--today`` give the same rows):
- the town (``440307000000``, 龙岗（生成）) and, by default, Longgang's counts: 102
  communities, 469 grids (3 to 7 per community), 3,311 micro-grids (4 to 10 per grid) and 15
  special grids (industrial parks, a port, markets, schools, enterprises; one park hangs under
  the town);
- boundaries from portal.areas.tiling: the communities tile the town, the grids tile each
  community and the micro-grids tile each grid (Voronoi cells clipped to their parent, so edges
  are shared and there are no gaps or overlaps); special grids lie over them;
- households, residents and enterprises per micro-grid, summed up the tree;
- every area active since the start of the generated history (``years`` years and a month
  before today), with its "created" history row.

Rows go in with COPY (portal.generate.bulk) into an empty map (a town row already there is
kept and the villages hang under it); the change stamp is bumped
so every process rebuilds its lookup and the map's GeoJSON. The tiling is the slow part (ten
seconds or so); the load itself takes well under a second. Audit entries are not generated:
they record real actions. The same features go through the import's checks in
``bench/areas.py``, which times a boundary import of this size."""

from __future__ import annotations

import random
import time
from datetime import date, timedelta

from django.db import connection, transaction
from django.utils import timezone

from portal.areas import imports, tiling
from portal.areas.lookup import bump_stamp
from portal.generate import bulk as loader
from portal.generate.bulk import NULL, esc, js
from portal.models.areas import VILLAGE_KINDS, Area, AreaChange, AreaKind

TOWN_CODE = "440307000000"
TOWN_NAME = "龙岗（生成）"
CENTER = (114.247, 22.721)  # lng, lat
LONGGANG = {"villages": 102, "grids": 469, "micro_grids": 3311, "special_grids": 15}
TABLES = ["portal_area", "portal_areachange"]

# Syllables for plausible community names (两字 + 社区), drawn without repeats.
_FIRST = "龙坪横布坂南平园宝吉爱同新盛华坑荷清丹六五大石松樟禾茂福吉南联宝田碧"
_SECOND = "岗田湖山塘围岭西东联心城岭头坑地尾园湾埔水背口竹美和安乐"
_SPECIAL_KINDS = [
    # (special kind, name stem, radius in m, under the town?)
    ("industrial_park", "工业园", 700, True),
    ("industrial_park", "科技园", 450, False),
    ("industrial_park", "产业园", 450, False),
    ("port", "物流港", 400, False),
    ("market", "农贸市场", 150, False),
    ("market", "批发市场", 220, False),
    ("market", "农贸市场", 150, False),
    ("market", "综合市场", 180, False),
    ("school", "中学", 200, False),
    ("school", "实验学校", 180, False),
    ("school", "中心小学", 150, False),
    ("school", "第二小学", 150, False),
    ("school", "职业技术学校", 220, False),
    ("enterprise", "电子厂", 180, False),
    ("enterprise", "精密制造企业", 160, False),
]


def since(today: date, years: int) -> date:
    """The day every generated area is active from: before the generated history starts."""
    return today - timedelta(days=365 * years + 30)


def _names(n: int, rng: random.Random) -> list[str]:
    pool = [a + b for a in dict.fromkeys(_FIRST) for b in dict.fromkeys(_SECOND) if a != b]
    rng.shuffle(pool)
    if n <= len(pool):
        return [f"{name}社区" for name in pool[:n]]
    return [f"{pool[i % len(pool)]}{i // len(pool) + 1}社区" for i in range(n)]


def _split(total: int, buckets: int, low: int, high: int, rng: random.Random) -> list[int]:
    """``total`` over ``buckets``, each between ``low`` and ``high`` when that is possible,
    uneven like a real town (seeded)."""
    counts = tiling.spread(total, buckets)
    if buckets < 2:
        return counts
    low = min(low, total // buckets)
    high = max(high, -(-total // buckets))
    for _ in range(buckets * 3):
        a, b = rng.randrange(buckets), rng.randrange(buckets)
        if a != b and counts[a] > low and counts[b] < high:
            counts[a] -= 1
            counts[b] += 1
    return counts


def town_spec(
    *,
    seed: int,
    villages: int = LONGGANG["villages"],
    grids: int = LONGGANG["grids"],
    micro_grids: int = LONGGANG["micro_grids"],
    special_grids: int = LONGGANG["special_grids"],
) -> tiling.TownSpec:
    """The shape of the generated town (Longgang's by default), deterministic for a seed."""
    if villages < 1 or grids < villages or micro_grids < grids or special_grids < 0:
        raise ValueError(
            "need at least one village, a grid per village and a micro-grid per grid "
            f"(got {villages} villages, {grids} grids, {micro_grids} micro-grids)"
        )
    rng = random.Random(seed)
    names = _names(villages, rng)
    village_rows = [
        (f"4403070{i:05d}", names[i - 1], AreaKind.COMMUNITY) for i in range(1, villages + 1)
    ]
    per_village = _split(grids, villages, 3, 7, rng)
    per_grid = _split(micro_grids, grids, 4, 10, rng)
    micro: list[list[int]] = []
    at = 0
    for count in per_village:
        micro.append(per_grid[at : at + count])
        at += count
    specials = []
    for i in range(special_grids):
        kind, stem, radius, under_town = _SPECIAL_KINDS[i % len(_SPECIAL_KINDS)]
        host = None if under_town else rng.randrange(villages)
        place = TOWN_NAME[:2] if host is None else village_rows[host][1].removesuffix("社区")
        specials.append(
            tiling.SpecialSpec(
                f"4403070ZS{i + 1:03d}", f"{place}{stem}专属网格", kind, host, radius
            )
        )
    # Longgang is about 388 km²: an irregular 18 km "radius" (y squashed) gives that order.
    return tiling.TownSpec(
        town_code=TOWN_CODE,
        center=CENTER,
        radius_m=max(2000.0, 18000 * min(1.0, (villages / LONGGANG["villages"]) ** 0.5)),
        villages=village_rows,
        grids=per_village,
        micro_grids=micro,
        specials=specials,
        seed=rng.randint(1, 10**6),
    )


def features(spec: tiling.TownSpec, active_from: date) -> list[imports.Feature]:
    found = tiling.generate(spec)
    for feature in found:
        feature.active_from = active_from
    return found


class Generator:
    def __init__(
        self, *, seed: int, today: date | None, years: int, log=print, vacuum=True, **counts
    ):
        self.seed = seed
        self.vacuum = vacuum
        self.today = today or timezone.localdate()
        self.years = years
        self.log = log
        self.counts_wanted = {k: v for k, v in counts.items() if v is not None}
        self.timings: dict[str, float] = {}

    def _step(self, name: str, started: float) -> None:
        self.timings[name] = round(time.perf_counter() - started, 2)
        self.log(f"{name}: {self.timings[name]} s")

    def run(self) -> dict:
        if connection.vendor != "postgresql":
            raise RuntimeError("The generator loads with COPY: it needs PostgreSQL.")
        existing = Area.objects.exclude(kind=AreaKind.TOWN)
        if existing.exists():
            raise RuntimeError(
                "This database already has a map "
                f"({existing.count()} areas). Generate into an empty database "
                "(dropdb/createdb, migrate, then generate)."
            )
        total = time.perf_counter()
        t = time.perf_counter()
        spec = town_spec(seed=self.seed, **self.counts_wanted)
        start = since(self.today, self.years)
        found = features(spec, start)
        self._step("tiling", t)
        t = time.perf_counter()
        with transaction.atomic():
            counts = self.load(spec, found, start)
        self._step("load", t)
        if self.vacuum:
            t = time.perf_counter()
            loader.vacuum_analyze(TABLES)
            self._step("analyze", t)
        self.timings["total"] = round(time.perf_counter() - total, 2)
        return {"counts": counts, "timings": self.timings}

    def load(self, spec: tiling.TownSpec, found: list[imports.Feature], start: date) -> dict:
        town = Area.objects.filter(kind=AreaKind.TOWN).first()  # kept when there is one
        now = timezone.now().isoformat()
        next_id = loader.next_id("portal_area")
        ids: dict[str, int] = {}
        kinds: dict[str, str] = {}
        villages: dict[str, int | None] = {}
        area_lines, change_lines = [], []

        def snapshot(**values) -> str:
            return js({k: (str(v) if isinstance(v, date) else v) for k, v in values.items()})

        if town is None:
            town_id = next_id
            next_id += 1
            area_lines.append(
                "\t".join(
                    [str(town_id), spec.town_code, esc(TOWN_NAME), AreaKind.TOWN, "", NULL, NULL]
                    + [NULL, "0", "0", "0", start.isoformat(), NULL, "1", now, now]
                )
            )
            change_lines.append(
                "\t".join(
                    [str(town_id), AreaChange.Action.CREATED, start.isoformat(), now, NULL]
                    + [
                        "system",
                        "{}",
                        snapshot(code=spec.town_code, name=TOWN_NAME),
                        "",
                        "generate",
                    ]
                )
            )
        else:
            town_id = town.pk
        ids[spec.town_code], kinds[spec.town_code], villages[spec.town_code] = (
            town_id,
            AreaKind.TOWN,
            None,
        )
        counts = {kind: 0 for kind in AreaKind.values if kind != AreaKind.TOWN}
        # tiling.generate lists parents before their children
        for feature in found:
            pk = next_id
            next_id += 1
            parent_id = ids[feature.parent]
            parent_kind = kinds[feature.parent]
            village_id = parent_id if parent_kind in VILLAGE_KINDS else villages[feature.parent]
            ids[feature.code], kinds[feature.code], villages[feature.code] = (
                pk,
                feature.kind,
                village_id,
            )
            counts[feature.kind] += 1
            figures = [str(int(feature.figures.get(k, 0))) for k in imports.FIGURES]
            area_lines.append(
                "\t".join(
                    [
                        str(pk),
                        feature.code,
                        esc(feature.name),
                        feature.kind,
                        feature.special_kind or "",
                        str(parent_id),
                        NULL if village_id is None else str(village_id),
                        js(feature.geometry),
                        *figures,
                        start.isoformat(),
                        NULL,
                        "1",
                        now,
                        now,
                    ]
                )
            )
            after = snapshot(
                code=feature.code,
                name=feature.name,
                kind=str(feature.kind),
                parent=feature.parent,
                special_kind=feature.special_kind or "",
                active_from=start,
                **dict(zip(imports.FIGURES, map(int, figures), strict=True)),
            )
            change_lines.append(
                "\t".join(
                    [str(pk), AreaChange.Action.CREATED, start.isoformat(), now, NULL]
                    + ["system", "{}", after, "", "generate"]
                )
            )
        loader.copy_rows(
            "portal_area",
            [
                "id",
                "code",
                "name",
                "kind",
                "special_kind",
                "parent_id",
                "village_id",
                "boundary",
                "households",
                "residents",
                "enterprises",
                "active_from",
                "active_to",
                "revision",
                "created_at",
                "updated_at",
            ],
            area_lines,
        )
        loader.copy_rows(
            "portal_areachange",
            [
                "area_id",
                "action",
                "effective_on",
                "at",
                "actor_id",
                "actor_label",
                "before",
                "after",
                "note",
                "source",
            ],
            change_lines,
        )
        loader.reset_sequences(TABLES)
        bump_stamp()
        counts = {str(k): v for k, v in counts.items() if v}
        counts["areas"] = len(area_lines)
        return counts


def add_arguments(parser) -> None:
    parser.add_argument("--villages", type=int, default=LONGGANG["villages"])
    parser.add_argument("--grids", type=int, default=LONGGANG["grids"])
    parser.add_argument("--micro-grids", type=int, default=LONGGANG["micro_grids"])
    parser.add_argument("--special-grids", type=int, default=LONGGANG["special_grids"])


def run_part(run) -> dict:
    """The areas part of ``manage.py generate`` (portal.generate)."""
    result = Generator(
        seed=run.seed,
        today=run.today,
        years=run.years,
        log=run.log,
        villages=run.options.get("villages"),
        grids=run.options.get("grids"),
        micro_grids=run.options.get("micro_grids"),
        special_grids=run.options.get("special_grids"),
    ).run()
    run.shared["areas"] = result
    return result
