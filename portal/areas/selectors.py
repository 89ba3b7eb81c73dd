"""Reads of the map: areas by code, the villages for a form's list, what lies below an area,
and the whole town as GeoJSON for the map (cached per change stamp, so a change anywhere
invalidates it in every process)."""

from __future__ import annotations

import json
from datetime import date

from django.core.cache import cache
from django.utils import timezone

from portal.areas import geometry
from portal.areas.lookup import read_stamp
from portal.models.areas import VILLAGE_KINDS, Area, AreaKind

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


def _feature(row: dict, codes: dict[int, str]) -> dict:
    geom = geometry.parse(row["boundary"])
    lng, lat = geometry.label_point(geom)
    return {
        "type": "Feature",
        "id": row["code"],
        "geometry": row["boundary"],
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
            "label": [lng, lat],
        },
    }


def feature_collection(
    *, on: date | None = None, kinds=MAP_KINDS, village: Area | None = None
) -> dict:
    on = on or timezone.localdate()
    qs = Area.objects.active(on).filter(kind__in=kinds).exclude(boundary__isnull=True)
    if village is not None:
        qs = qs.within(village)
    codes = dict(Area.objects.values_list("pk", "code"))
    rows = qs.order_by("kind", "code").values(
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
        "boundary",
    )
    features = [_feature(row, codes) for row in rows]
    return {"type": "FeatureCollection", "features": features}


def feature_collection_json(
    *, on: date | None = None, kinds=MAP_KINDS, village: Area | None = None
) -> bytes:
    """:func:`feature_collection` serialised, cached until the next change to the map."""
    on = on or timezone.localdate()
    key = "areas:geojson:{stamp}:{on}:{kinds}:{village}".format(
        stamp=read_stamp(),
        on=on.isoformat(),
        kinds=",".join(sorted(kinds)),
        village=village.pk if village else "",
    )
    body = cache.get(key)
    if body is None:
        data = feature_collection(on=on, kinds=kinds, village=village)
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()
        cache.set(key, body, timeout=24 * 3600)
    return body
