"""A generated town map: villages that tile the town, grids that tile each village, micro-grids
that tile each grid, special grids laid over them, with plausible figures. Deterministic for a
seed. Used by the demo (a town like Zhewang's: 12 villages, 48 grids, 6 special grids) and by
the bench generator (Longgang's shape: 102 communities, 469 grids, 15 special grids, 3,311
micro-grids). The result is a list of import features, loaded through the same checks as a
file from the town's GIS."""

from __future__ import annotations

import random
from dataclasses import dataclass, field

from portal.areas import geometry
from portal.areas.imports import Feature
from portal.models.areas import AreaKind


@dataclass
class SpecialSpec:
    code: str
    name: str
    special_kind: str
    village: int | None  # index of the village it lies in; None: hangs under the town
    radius_m: float


@dataclass
class TownSpec:
    town_code: str
    center: tuple[float, float]  # lng, lat
    radius_m: float
    villages: list[tuple[str, str, str]]  # code, name, kind
    grids: list[int]  # grids per village
    micro_grids: list[list[int]]  # micro-grids per grid, per village
    specials: list[SpecialSpec] = field(default_factory=list)
    seed: int = 11


def spread(total: int, buckets: int) -> list[int]:
    """``total`` split as evenly as possible over ``buckets``."""
    base, rest = divmod(total, buckets)
    return [base + (1 if i < rest else 0) for i in range(buckets)]


def grid_code(village_code: str, n: int) -> str:
    return f"{village_code}{n:03d}"


def micro_code(grid: str, n: int) -> str:
    return f"{grid}{n:02d}"


def generate(spec: TownSpec) -> list[Feature]:
    rng = random.Random(spec.seed)
    lng0, lat0 = spec.center
    town = geometry.star_polygon(0, 0, spec.radius_m, rng)
    village_points = geometry.relaxed_points(town, len(spec.villages), rng)
    village_cells = geometry.voronoi_tiles(town, village_points)
    features: list[Feature] = []
    position = 0

    def add(code, name, kind, parent, geom, figures, special_kind=""):
        nonlocal position
        position += 1
        features.append(
            Feature(
                position=position,
                code=code,
                name=name,
                kind=kind,
                parent=parent,
                special_kind=special_kind,
                geometry=geom,  # planar until the end
                figures=figures,
            )
        )

    village_features = []
    for v_index, ((v_code, v_name, v_kind), cell) in enumerate(
        zip(spec.villages, village_cells, strict=True)
    ):
        n_grids = spec.grids[v_index]
        grid_cells = geometry.voronoi_tiles(cell, geometry.relaxed_points(cell, n_grids, rng))
        grid_features = []
        village_totals = {"households": 0, "residents": 0, "enterprises": 0}
        for g_index, g_cell in enumerate(grid_cells, start=1):
            g_code = grid_code(v_code, g_index)
            n_micro = spec.micro_grids[v_index][g_index - 1]
            micro_cells = geometry.voronoi_tiles(
                g_cell, geometry.relaxed_points(g_cell, n_micro, rng, rounds=2)
            )
            grid_totals = {"households": 0, "residents": 0, "enterprises": 0}
            micro_features = []
            for m_index, m_cell in enumerate(micro_cells, start=1):
                households = rng.randint(50, 80)
                figures = {
                    "households": households,
                    "residents": int(households * rng.uniform(2.6, 3.4)),
                    "enterprises": rng.choice((0, 0, 1, 1, 2, 3, 5)),
                }
                for k, v in figures.items():
                    grid_totals[k] += v
                micro_features.append(
                    (
                        micro_code(g_code, m_index),
                        f"{v_name}{g_index}-{m_index}微网格",
                        AreaKind.MICRO_GRID,
                        g_code,
                        m_cell,
                        figures,
                    )
                )
            for k, v in grid_totals.items():
                village_totals[k] += v
            grid_features.append(
                (g_code, f"{v_name}第{g_index}网格", AreaKind.GRID, v_code, g_cell, grid_totals)
            )
            grid_features.extend(micro_features)
        village_features.append(
            (v_code, v_name, v_kind, spec.town_code, cell, village_totals, grid_features)
        )

    for v_code, v_name, v_kind, parent, cell, totals, _children in village_features:
        add(v_code, v_name, v_kind, parent, cell, totals)
    for *_v, children in village_features:
        for code, name, kind, parent, geom, figures in children:
            if kind == AreaKind.GRID:
                add(code, name, kind, parent, geom, figures)
    for *_v, children in village_features:
        for code, name, kind, parent, geom, figures in children:
            if kind == AreaKind.MICRO_GRID:
                add(code, name, kind, parent, geom, figures)

    for special in spec.specials:
        if special.village is None:
            host = town.buffer(-special.radius_m * 1.5)
            parent = spec.town_code
        else:
            host = village_cells[special.village].buffer(-special.radius_m * 1.3)
            parent = spec.villages[special.village][0]
        if host.is_empty:
            continue
        cx, cy = geometry.sample_points(host, 1, rng)[0]
        shape = geometry.blob(cx, cy, special.radius_m, rng)
        add(
            special.code,
            special.name,
            AreaKind.SPECIAL_GRID,
            parent,
            shape,
            {
                "households": 0,
                "residents": rng.randint(0, 300),
                "enterprises": rng.randint(1, 60)
                if special.special_kind in ("industrial_park", "market", "port")
                else rng.randint(0, 2),
            },
            special_kind=special.special_kind,
        )
    # neighbours share their vertices before rounding, so the stored tiles meet exactly
    tiles = [f for f in features if f.kind != AreaKind.SPECIAL_GRID]
    for feature, geom in zip(
        tiles, geometry.share_vertices([f.geometry for f in tiles]), strict=True
    ):
        feature.geometry = geom
    for feature in features:
        feature.geometry = geometry.to_geojson(
            geometry.planar_to_lnglat(feature.geometry, lng0, lat0)
        )
    return features


# --- the demo town ---------------------------------------------------------------------------

DEMO_TOWN_CODE = "360313103"
DEMO_TOWN_NAME = "下埠镇"
DEMO_VILLAGES = [
    ("360313103001", "下埠社区", AreaKind.COMMUNITY),
    ("360313103002", "沙湾社区", AreaKind.COMMUNITY),
    ("360313103201", "下埠村", AreaKind.VILLAGE),
    ("360313103202", "石岭村", AreaKind.VILLAGE),
    ("360313103203", "东桥村", AreaKind.VILLAGE),
    ("360313103204", "枫林村", AreaKind.VILLAGE),
    ("360313103205", "长丰村", AreaKind.VILLAGE),
    ("360313103206", "樟木村", AreaKind.VILLAGE),
    ("360313103207", "黄堂村", AreaKind.VILLAGE),
    ("360313103208", "大塘村", AreaKind.VILLAGE),
    ("360313103209", "新田村", AreaKind.VILLAGE),
    ("360313103210", "李家坊村", AreaKind.VILLAGE),
]
DEMO_SPECIALS = [
    SpecialSpec("360313103ZS01", "下埠工业园专属网格", "industrial_park", None, 600),
    SpecialSpec("360313103ZS02", "下埠物流港专属网格", "port", 1, 300),
    SpecialSpec("360313103ZS03", "下埠农贸市场专属网格", "market", 0, 150),
    SpecialSpec("360313103ZS04", "下埠中学专属网格", "school", 0, 180),
    SpecialSpec("360313103ZS05", "下埠中心小学专属网格", "school", 2, 150),
    SpecialSpec("360313103ZS06", "萍乡电瓷企业专属网格", "enterprise", 4, 200),
]


def demo_spec() -> TownSpec:
    rng = random.Random(2026)
    grids = [4] * len(DEMO_VILLAGES)
    micro = [[rng.choice((5, 6, 6, 7)) for _ in range(g)] for g in grids]
    return TownSpec(
        town_code=DEMO_TOWN_CODE,
        center=(113.745, 27.600),
        radius_m=4200,
        villages=DEMO_VILLAGES,
        grids=grids,
        micro_grids=micro,
        specials=DEMO_SPECIALS,
        seed=2026,
    )
