"""Reads of the map: areas by code, the villages for a form's list, what lies below an area,
and the whole town as GeoJSON for the map (cached per change stamp, so a change anywhere
invalidates it in every process)."""

from __future__ import annotations

import gzip
import hashlib
import json
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.db.models import TextField
from django.db.models.functions import Cast
from django.utils import timezone

from portal.areas import geometry
from portal.areas.lookup import read_stamp
from portal.models.areas import VILLAGE_KINDS, Area, AreaKind

MAP_DECIMALS = 6  # about 10 cm: finer than any screen draws
MAP_FORMAT = 2  # part of the ETag: a new release that changes the body changes it too
MAP_KINDS = (
    AreaKind.VILLAGE,
    AreaKind.COMMUNITY,
    AreaKind.GRID,
    AreaKind.MICRO_GRID,
    AreaKind.SPECIAL_GRID,
)


def town() -> Area | None:
    return Area.objects.filter(kind=AreaKind.TOWN).first()


def by_code(code: str, *, on: date | None = None, active: bool = True) -> Area | None:
    """The area with this code (in force on ``on`` unless ``active`` is False), or None."""
    qs = Area.objects.filter(code=code)
    if active:
        qs = qs.active(on)
    return qs.select_related("parent", "village").first()


def villages(on: date | None = None):
    """The villages and communities in force, for a form's list (ordered by code)."""
    return Area.objects.active(on).villages().order_by("code")


def village_choices(on: date | None = None) -> list[tuple[int, str]]:
    return list(villages(on).values_list("pk", "name"))


def grids(*, village: Area | None = None, on: date | None = None):
    qs = Area.objects.active(on).grids()
    if village is not None:
        qs = qs.filter(village=village)
    return qs.order_by("code")


def below(area: Area, *, on: date | None = None):
    """``area`` and everything in force below it."""
    return Area.objects.active(on).within(area)


def village_of(area: Area) -> Area | None:
    if area.kind in VILLAGE_KINDS:
        return area
    return area.village


def _feature(row: dict, codes: dict[int, str], geom: dict | None = None, label=None) -> dict:
    if label is None:  # one area's answer: its whole stored boundary
        label = geometry.label_point(geometry.parse(row["boundary"]))
    return {
        "type": "Feature",
        "id": row["code"],
        "geometry": geom if geom is not None else row["boundary"],
        "properties": {
            "code": row["code"],
            "name": row["name"],
            "kind": row["kind"],
            "special_kind": row["special_kind"],
            "parent": codes.get(row["parent_id"]),
            "village": codes.get(row["village_id"]),
            "households": row["households"],
            "residents": row["residents"],
            "enterprises": row["enterprises"],
            "active_from": row["active_from"].isoformat(),
            "active_to": row["active_to"].isoformat() if row["active_to"] else None,
            "label": list(label),
        },
    }


def _map_body(*, on: date, kinds, village: Area | None) -> bytes:
    qs = Area.objects.active(on).filter(kind__in=kinds).exclude(boundary__isnull=True)
    if village is not None:
        qs = qs.within(village)
    codes = dict(Area.objects.values_list("pk", "code"))
    rows = list(
        qs.order_by("kind", "code")
        .annotate(boundary_text=Cast("boundary", TextField()))
        .values(
            "code",
            "name",
            "kind",
            "special_kind",
            "parent_id",
            "village_id",
            "households",
            "residents",
            "enterprises",
            "active_from",
            "active_to",
            "boundary_text",
        )
    )
    shapes = geometry.for_map(
        [row["boundary_text"] for row in rows],
        tolerance=getattr(settings, "AREA_MAP_SIMPLIFY_DEGREES", 1e-5),
        decimals=MAP_DECIMALS,
    )
    parts = []
    for row, shape in zip(rows, shapes, strict=True):
        if shape is None:  # a boundary that does not parse is not drawn
            continue
        text, label = shape
        feature = _feature(row, codes, geom={}, label=label)
        del feature["geometry"]
        head = json.dumps(feature, ensure_ascii=False, separators=(",", ":"))
        parts.append(f'{head[:-1]},"geometry":{text}}}')
    return ('{"type":"FeatureCollection","features":[' + ",".join(parts) + "]}").encode()


def feature_collection(
    *, on: date | None = None, kinds=MAP_KINDS, village: Area | None = None
) -> dict:
    """The areas in force as a GeoJSON FeatureCollection for the map: boundaries simplified to
    about a metre where they have many points and written to 6 decimals (about 10 cm); the
    stored boundaries are untouched (``areas export`` and one area's answer give them whole)."""
    return json.loads(map_json(on=on, kinds=kinds, village=village).body)


@dataclass(frozen=True)
class MapJSON:
    """The map's GeoJSON as sent: its ETag (the change stamp and the question), the body and
    the body gzipped (a town of Longgang's size is about 1 MB, 0.3 MB gzipped)."""

    etag: str
    body: bytes
    gzipped: bytes


def map_json(*, on: date | None = None, kinds=MAP_KINDS, village: Area | None = None) -> MapJSON:
    """:func:`feature_collection` serialised and gzipped once per change to the map: cached
    under the areas' change stamp, so an edit or an import anywhere (any process) makes every
    process build it afresh on its next request, and an unchanged map is answered from the
    cache (or with 304 to a client that sends the ETag back)."""
    on = on or timezone.localdate()
    question = "{on}:{kinds}:{village}".format(
        on=on.isoformat(), kinds=",".join(sorted(kinds)), village=village.pk if village else ""
    )
    stamp = read_stamp()
    key = f"areas:geojson:{stamp}:{question}"
    found = cache.get(key)
    if found is None:
        body = _map_body(on=on, kinds=kinds, village=village)
        tag = hashlib.sha256(f"{MAP_FORMAT}:{stamp}:{question}".encode()).hexdigest()[:24]
        found = MapJSON(
            etag=f'"areas-{tag}"', body=body, gzipped=gzip.compress(body, compresslevel=6, mtime=0)
        )
        cache.set(key, found, timeout=24 * 3600)
    return found


def feature_collection_json(
    *, on: date | None = None, kinds=MAP_KINDS, village: Area | None = None
) -> bytes:
    """:func:`feature_collection` serialised, cached until the next change to the map."""
    return map_json(on=on, kinds=kinds, village=village).body
