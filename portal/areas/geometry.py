"""Everything geometric, in one module: shapely (GEOS) and pyproj stay behind these functions so
that PostGIS could replace them at province scale without touching callers.

Coordinates are longitude/latitude in degrees (WGS-84; CGCS2000 differs by centimetres and is
treated as the same). Areas in square metres are computed on a local equal-area approximation
(good to a fraction of a percent at a town's size)."""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import shapely
from django.utils.translation import gettext as _
from shapely.geometry import MultiPolygon, Point, Polygon, mapping, shape
from shapely.validation import explain_validity

Geometry = shapely.Geometry

# Coordinates are stored to 7 decimals (about 1 cm), so a round trip through a file compares
# equal and a point on a shared edge stays on it.
PRECISION = 7
# Two areas touching within this many degrees (about 1 cm) count as touching: a point on a
# shared edge, or a hair's breadth off it, belongs to one of them (chosen deterministically).
EDGE_TOLERANCE = 1e-7
_M_PER_DEG_LAT = 110_574.0
_M_PER_DEG_LNG_EQUATOR = 111_320.0


class GeometryError(ValueError):
    """The geometry cannot be used: the message says why (Chinese, for the problem list)."""


# --- reading and writing ---------------------------------------------------------------------


def parse(geojson) -> Geometry:
    """A GeoJSON geometry (dict) → a shapely geometry. Raises GeometryError with the reason."""
    if not isinstance(geojson, dict) or "type" not in geojson:
        raise GeometryError(_("缺少几何图形"))
    try:
        geom = shape(geojson)
    except Exception as exc:  # shapely raises several kinds for malformed coordinates
        raise GeometryError(_("几何图形无法解析（%(e)s）") % {"e": exc}) from None
    return geom


def to_geojson(geom: Geometry) -> dict:
    """A shapely geometry → GeoJSON dict, coordinates rounded to PRECISION decimals, rings
    closed, Polygon or MultiPolygon kept as they are."""
    return _round(mapping(geom))


def _round(value):
    if isinstance(value, dict):
        return {k: _round(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        if value and isinstance(value[0], int | float):
            return [round(float(c), PRECISION) for c in value[:2]]
        return [_round(v) for v in value]
    return value


def normalize(geojson: dict) -> dict:
    """The stored form of a GeoJSON geometry (rounded, lists not tuples): two files that mean
    the same boundary give equal dicts."""
    return to_geojson(parse(geojson))


def problems(geom: Geometry) -> list[str]:
    """What makes ``geom`` unusable as an area boundary (empty when none)."""
    if geom.is_empty:
        return [_("几何图形为空")]
    if not isinstance(geom, Polygon | MultiPolygon):
        return [_("不是面（Polygon/MultiPolygon），而是 %(t)s") % {"t": geom.geom_type}]
    minx, miny, maxx, maxy = geom.bounds
    if not (-180 <= minx <= maxx <= 180 and -90 <= miny <= maxy <= 90):
        return [_("坐标不是经纬度（可能是投影坐标，需附带 .prj 或 crs 说明）")]
    if not geom.is_valid:
        reason = explain_validity(geom)
        if "Self-intersection" in reason or "Ring Self-intersection" in reason:
            return [_("边界自相交（%(where)s）") % {"where": _where(reason)}]
        return [_("几何图形无效（%(reason)s）") % {"reason": reason}]
    if area_m2(geom) <= 0:
        return [_("面积为零")]
    return []


def _where(reason: str) -> str:
    if "[" in reason:
        inner = reason[reason.index("[") + 1 : reason.rindex("]")]
        try:
            x, y = (float(v) for v in inner.split())
            return _("约在 %(x).6f, %(y).6f") % {"x": x, "y": y}
        except ValueError:
            return inner
    return reason


# --- measures --------------------------------------------------------------------------------


def _scale(lat: float) -> tuple[float, float]:
    return _M_PER_DEG_LNG_EQUATOR * math.cos(math.radians(lat)), _M_PER_DEG_LAT


def area_m2(geom: Geometry) -> float:
    if geom.is_empty:
        return 0.0
    lat = geom.centroid.y
    sx, sy = _scale(lat)
    return abs(geom.area) * sx * sy


def distance_m(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Metres between two (lng, lat) points (equirectangular; fine within a town)."""
    sx, sy = _scale((a[1] + b[1]) / 2)
    return math.hypot((a[0] - b[0]) * sx, (a[1] - b[1]) * sy)


def outside_m2(child: Geometry, parent: Geometry) -> float:
    """How much of ``child`` lies outside ``parent`` (m²)."""
    return area_m2(shapely.difference(child, parent))


def overlap_m2(a: Geometry, b: Geometry) -> float:
    return area_m2(shapely.intersection(a, b))


def union(geoms: Iterable[Geometry]) -> Geometry:
    geoms = list(geoms)
    if not geoms:
        return Polygon()
    return shapely.union_all(geoms)


def share_vertices(cells: Sequence[Geometry], tolerance: float = 0.001) -> list[Geometry]:
    """``cells`` (planar) with every vertex of a touching cell that lies on their edge inserted
    into that edge. Cut from one another, neighbours (a village and its grids, two grids and
    their micro-grids) otherwise meet in T-junctions: once rounded to 1 cm for storage, such a
    vertex leaves a sliver against the straight edge beside it, and over a Longgang
    community's kilometres of edges the slivers add up to tens of m² of "gap"."""
    tree = shapely.STRtree(list(cells))
    out = []
    for cell in cells:
        near = tree.query(cell, predicate="intersects")
        points = shapely.get_coordinates([cells[i] for i in near])
        out.append(shapely.snap(cell, shapely.multipoints(points), tolerance))
    return out


def uncovered(parent: Geometry, children: Sequence[Geometry]) -> tuple[float, Point | None]:
    """The area of ``parent`` that no child covers (m²) and a point inside the largest gap."""
    rest = shapely.difference(parent, union(children))
    if rest.is_empty:
        return 0.0, None
    parts = list(rest.geoms) if hasattr(rest, "geoms") else [rest]
    parts = [p for p in parts if isinstance(p, Polygon)]
    if not parts:
        return 0.0, None
    largest = max(parts, key=lambda p: p.area)
    return area_m2(rest), largest.representative_point()


def label_point(geom: Geometry) -> tuple[float, float]:
    """A point inside the area, for its label on the map: (lng, lat)."""
    p = geom.representative_point() if not geom.is_empty else Point(0, 0)
    return round(p.x, 6), round(p.y, 6)


def for_map(
    texts: Sequence[str], *, tolerance: float, decimals: int, simplify_from: int = 40
) -> list[tuple[str, tuple[float, float]] | None]:
    """Boundaries (GeoJSON text) as the map draws them, with a label point inside each:
    (GeoJSON text, (lng, lat)), or None for one that does not parse.

    Shapes of more than ``simplify_from`` points are simplified to ``tolerance`` degrees
    (topology kept); every coordinate is written with ``decimals`` decimals. Vectorised over
    all shapes at once in GEOS and numpy (the whole town in one call, no Python per point)."""
    if not len(texts):
        return []
    geoms = shapely.from_geojson(np.asarray(texts, dtype=object), on_invalid="ignore")
    ok = ~shapely.is_missing(geoms) & ~shapely.is_empty(geoms)
    out: list[tuple[str, tuple[float, float]] | None] = [None] * len(geoms)
    where = np.flatnonzero(ok)
    geoms = geoms[where]
    heavy = shapely.get_num_coordinates(geoms) > simplify_from
    if heavy.any():
        simple = shapely.simplify(geoms[heavy], tolerance, preserve_topology=True)
        keep = ~shapely.is_empty(simple)
        geoms[np.flatnonzero(heavy)[keep]] = simple[keep]
    geoms = shapely.transform(geoms, lambda c: np.round(c, decimals))
    labels = shapely.centroid(geoms)
    outside = ~shapely.contains_xy(geoms, shapely.get_x(labels), shapely.get_y(labels))
    if outside.any():  # a C- or L-shaped area: a point surely inside it
        labels[outside] = shapely.point_on_surface(geoms[outside])
    xs = np.round(shapely.get_x(labels), decimals)
    ys = np.round(shapely.get_y(labels), decimals)
    for n, (i, text) in enumerate(zip(where, shapely.to_geojson(geoms), strict=True)):
        out[i] = (text, (float(xs[n]), float(ys[n])))
    return out


def bounds(geoms: Iterable[Geometry]) -> tuple[float, float, float, float] | None:
    geoms = [g for g in geoms if g is not None and not g.is_empty]
    if not geoms:
        return None
    return tuple(float(v) for v in shapely.total_bounds(geoms))


def equal(a: Geometry, b: Geometry) -> bool:
    return bool(shapely.equals_exact(a, b, tolerance=10 ** (-PRECISION)))


def make_point(lng: float, lat: float) -> Point:
    return Point(lng, lat)


def transform(geom: Geometry, fn) -> Geometry:
    """Apply ``fn(lngs, lats) -> (lngs, lats)`` (numpy arrays) to every coordinate."""

    def _apply(coords):
        x, y = fn(coords[:, 0], coords[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geom, _apply)


# --- the point index -------------------------------------------------------------------------


@dataclass
class PointIndex:
    """An STRtree over area boundaries. ``hits(lng, lat)`` answers which of them hold the point
    well inside (farther than EDGE_TOLERANCE from their edge) and which hold it or touch it
    within EDGE_TOLERANCE: a point on an edge, or a hair's breadth either side of it, is an edge
    point for both areas, so float noise in the input cannot decide between them."""

    tree: shapely.STRtree
    size: int
    edges: np.ndarray

    @classmethod
    def build(cls, geoms: Sequence[Geometry]) -> PointIndex:
        geoms = list(geoms)
        edges = shapely.boundary(np.array(geoms, dtype=object))
        shapely.prepare(np.array(geoms, dtype=object))
        return cls(tree=shapely.STRtree(geoms), size=len(geoms), edges=edges)

    def hits(self, lng: float, lat: float) -> tuple[set[int], set[int]]:
        point = Point(lng, lat)
        near = self.tree.query(point, predicate="dwithin", distance=EDGE_TOLERANCE)
        if len(near) == 0:
            return set(), set()
        inside = self.tree.query(point, predicate="within")
        if len(inside):
            clear = shapely.distance(self.edges[inside], point) > EDGE_TOLERANCE
            inside = inside[clear]
        return {int(i) for i in inside}, {int(i) for i in near}

    def overlapping_pairs(self) -> list[tuple[int, int]]:
        """Index pairs (i < j) whose geometries share more than a boundary."""
        pairs = self.tree.query(self.tree.geometries, predicate="overlaps")
        result = []
        for i, j in zip(pairs[0], pairs[1], strict=True):
            if i < j:
                result.append((int(i), int(j)))
        return result

    def intersecting_pairs(self) -> list[tuple[int, int]]:
        pairs = self.tree.query(self.tree.geometries, predicate="intersects")
        return [(int(i), int(j)) for i, j in zip(pairs[0], pairs[1], strict=True) if i < j]


# --- coordinate systems ----------------------------------------------------------------------

CGCS2000 = 4490
WGS84 = 4326
GK3_ZONED = range(4513, 4534)  # CGCS2000 3° Gauss–Krüger zones 25–45, zone number in easting
GK3_CM = range(4534, 4555)  # CGCS2000 3° Gauss–Krüger CM 75°E–135°E, no zone prefix


def crs_from_prj(prj_text: str) -> tuple[int | None, str]:
    """The EPSG code of a shapefile's .prj (WKT) and its name; (None, reason) if unknown."""
    from pyproj import CRS
    from pyproj.exceptions import CRSError

    try:
        crs = CRS.from_wkt(prj_text)
    except CRSError as exc:
        return None, _(".prj 无法识别（%(e)s）") % {"e": exc}
    code = crs.to_epsg(min_confidence=60)
    if (
        code is None
        and crs.is_projected
        and "Gauss" in (crs.coordinate_operation.method_name or "")
    ):
        code = _gk_epsg_from_params(crs)
    if code is None and crs.is_geographic:
        datum = (crs.datum.name or "").upper()
        if "2000" in datum or "CGCS" in datum:
            code = CGCS2000
        elif "WGS" in datum and "84" in datum:
            code = WGS84
    if code is None or not supported_crs(code):
        return None, _(
            "坐标系“%(name)s”不受支持（支持 EPSG:4490、4326 及 3° 高斯-克吕格 4513–4554）"
        ) % {"name": crs.name}
    return code, crs.name


def _gk_epsg_from_params(crs) -> int | None:
    params = {p.name: p.value for p in crs.coordinate_operation.params}
    cm = params.get("Longitude of natural origin")
    false_easting = params.get("False easting", 500000)
    if cm is None or cm % 3 != 0 or not 75 <= cm <= 135:
        return None
    if false_easting == 500000:
        return GK3_CM.start + int((cm - 75) / 3)
    zone = int(cm / 3)
    if false_easting == zone * 1_000_000 + 500000 and 25 <= zone <= 45:
        return GK3_ZONED.start + zone - 25
    return None


def supported_crs(code: int) -> bool:
    return code in (CGCS2000, WGS84) or code in GK3_ZONED or code in GK3_CM


def guess_gk_zone(x: float) -> int | None:
    """An easting with the zone number in front (e.g. 38 512 345.6) → its EPSG code."""
    zone = int(x // 1_000_000)
    if 25 <= zone <= 45:
        return GK3_ZONED.start + zone - 25
    return None


def reprojector(code: int):
    """A function (xs, ys) → (lngs, lats) from EPSG ``code`` to WGS-84 longitude/latitude."""
    if code in (CGCS2000, WGS84):
        return lambda x, y: (x, y)
    from pyproj import Transformer

    transformer = Transformer.from_crs(code, CGCS2000, always_xy=True)
    return lambda x, y: transformer.transform(x, y)


# --- GCJ-02 (the "Mars" offset of Amap and Tencent maps) --------------------------------------

_A = 6378245.0
_EE = 0.00669342162296594323


def _out_of_china(lng, lat):
    return (lng < 72.004) | (lng > 137.8347) | (lat < 0.8293) | (lat > 55.8271)


def _delta(lng, lat):
    x = lng - 105.0
    y = lat - 35.0
    dlat = (
        -100.0
        + 2.0 * x
        + 3.0 * y
        + 0.2 * y * y
        + 0.1 * x * y
        + 0.2 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(y * np.pi) + 40.0 * np.sin(y / 3.0 * np.pi)) * 2.0 / 3.0
        + (160.0 * np.sin(y / 12.0 * np.pi) + 320 * np.sin(y * np.pi / 30.0)) * 2.0 / 3.0
    )
    dlng = (
        300.0
        + x
        + 2.0 * y
        + 0.1 * x * x
        + 0.1 * x * y
        + 0.1 * np.sqrt(np.abs(x))
        + (20.0 * np.sin(6.0 * x * np.pi) + 20.0 * np.sin(2.0 * x * np.pi)) * 2.0 / 3.0
        + (20.0 * np.sin(x * np.pi) + 40.0 * np.sin(x / 3.0 * np.pi)) * 2.0 / 3.0
        + (150.0 * np.sin(x / 12.0 * np.pi) + 300.0 * np.sin(x / 30.0 * np.pi)) * 2.0 / 3.0
    )
    radlat = lat / 180.0 * np.pi
    magic = 1 - _EE * np.sin(radlat) ** 2
    sqrtmagic = np.sqrt(magic)
    dlat = (dlat * 180.0) / ((_A * (1 - _EE)) / (magic * sqrtmagic) * np.pi)
    dlng = (dlng * 180.0) / (_A / sqrtmagic * np.cos(radlat) * np.pi)
    return dlng, dlat


def wgs84_to_gcj02(lng, lat):
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    dlng, dlat = _delta(lng, lat)
    outside = _out_of_china(lng, lat)
    return np.where(outside, lng, lng + dlng), np.where(outside, lat, lat + dlat)


def gcj02_to_wgs84(lng, lat):
    """The inverse, by iteration (better than a centimetre after a few rounds)."""
    lng = np.asarray(lng, dtype=float)
    lat = np.asarray(lat, dtype=float)
    wlng, wlat = lng.copy(), lat.copy()
    for _iteration in range(6):
        glng, glat = wgs84_to_gcj02(wlng, wlat)
        wlng = wlng - (glng - lng)
        wlat = wlat - (glat - lat)
    return wlng, wlat


def gcj02_offset_m(lng: float, lat: float) -> float:
    """How far GCJ-02 moves a WGS-84 point here (metres): about 300–700 m in mainland China."""
    glng, glat = wgs84_to_gcj02(lng, lat)
    return distance_m((lng, lat), (float(glng), float(glat)))


# --- generated maps (demo town and bench data) -----------------------------------------------


def star_polygon(cx: float, cy: float, radius: float, rng, *, vertices=48, roughness=0.12):
    """An irregular, roughly round polygon (planar metres): a plausible town outline."""
    phases = [rng.uniform(0, 2 * math.pi) for _ in range(3)]
    points = []
    for k in range(vertices):
        t = 2 * math.pi * k / vertices
        wobble = sum(
            roughness / (n + 1) * math.sin((n + 2) * t + phases[n]) for n in range(3)
        ) + rng.uniform(-roughness / 4, roughness / 4)
        r = radius * (1 + wobble)
        points.append((cx + r * math.cos(t), cy + r * 0.8 * math.sin(t)))
    return Polygon(points)


def sample_points(polygon: Geometry, n: int, rng) -> list[tuple[float, float]]:
    minx, miny, maxx, maxy = polygon.bounds
    points: list[tuple[float, float]] = []
    while len(points) < n:
        p = (rng.uniform(minx, maxx), rng.uniform(miny, maxy))
        if shapely.contains_xy(polygon, *p):
            points.append(p)
    return points


def voronoi_tiles(parent: Geometry, points: Sequence[tuple[float, float]]) -> list[Geometry]:
    """Cut ``parent`` into one cell per point (Voronoi cells clipped to it): the cells tile the
    parent with shared edges and no gaps or overlaps."""
    if len(points) == 1:
        return [parent]
    minx, miny, maxx, maxy = parent.bounds
    frame = shapely.box(minx, miny, maxx, maxy).buffer(max(maxx - minx, maxy - miny))
    cells = shapely.voronoi_polygons(shapely.MultiPoint(points), extend_to=frame, ordered=True)
    return [shapely.intersection(cell, parent) for cell in cells.geoms]


def relaxed_points(parent: Geometry, n: int, rng, *, rounds=3) -> list[tuple[float, float]]:
    """n well-spread points inside ``parent`` (Lloyd's relaxation), for evenly sized cells."""
    points = sample_points(parent, n, rng)
    for _iteration in range(rounds if n > 1 else 0):
        cells = voronoi_tiles(parent, points)
        moved = []
        for cell, p in zip(cells, points, strict=True):
            c = cell.centroid if not cell.is_empty else Point(p)
            moved.append((c.x, c.y) if parent.contains(c) else p)
        points = moved
    return points


def blob(cx: float, cy: float, radius: float, rng, vertices=12) -> Geometry:
    """A small irregular polygon (a school's or a market's compound)."""
    pts = []
    for k in range(vertices):
        t = 2 * math.pi * k / vertices
        r = radius * rng.uniform(0.8, 1.1)
        pts.append((cx + r * math.cos(t), cy + r * math.sin(t)))
    return Polygon(pts)


def planar_to_lnglat(geom: Geometry, lng0: float, lat0: float) -> Geometry:
    """Metres east/north of (lng0, lat0) → longitude/latitude."""
    sx, sy = _scale(lat0)
    return transform(geom, lambda x, y: (lng0 + x / sx, lat0 + y / sy))


def planar_area_m2(geom: Geometry) -> float:
    return float(geom.area)


def representative_xy(geom: Geometry) -> tuple[float, float]:
    p = geom.representative_point()
    return p.x, p.y


def parts(geom: Geometry) -> list[Geometry]:
    return list(geom.geoms) if hasattr(geom, "geoms") else [geom]


def contains(geom: Geometry, lng: float, lat: float) -> bool:
    return bool(shapely.contains_xy(geom, lng, lat))
