"""Point → area: which village, grid, micro-grid and special grids contain a point.

Every process keeps an STRtree of all boundaries in memory. Services bump the ``areas`` change
stamp in the transaction that changes an area; a process compares the stamp with the one its
tree was built from (at most every ``AREA_STAMP_CHECK_SECONDS``) and rebuilds when they differ,
so an edit made in one process reaches all of them. The process that made the change drops its
tree at once.

Edges: a point on the edge shared by two areas (or within EDGE_TOLERANCE of it) resolves the
same way every time — an area containing it in its interior first, else the one with the
smallest code; a grid is chosen among the chosen village's grids and a micro-grid among the
chosen grid's micro-grids, so the answer is always one consistent branch of the tree."""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from portal.areas import geometry
from portal.models.areas import Area as AreaModel
from portal.models.areas import AreaKind, ChangeStamp

STAMP_KEY = "areas"


@dataclass(frozen=True)
class AreaRef:
    """An area as the lookup knows it. ``id`` is the primary key of portal.models.Area."""

    id: int
    code: str
    name: str
    kind: str
    parent_id: int | None = None
    village_id: int | None = None

    def as_dict(self) -> dict:
        return {"code": self.code, "name": self.name}


@dataclass(frozen=True)
class Location:
    """The answer for one point. ``None`` where no area of that level contains it."""

    village: AreaRef | None
    grid: AreaRef | None
    micro_grid: AreaRef | None
    special_grids: tuple[AreaRef, ...] = ()

    def as_dict(self) -> dict:
        return {
            "village": self.village.as_dict() if self.village else None,
            "grid": self.grid.as_dict() if self.grid else None,
            "micro_grid": self.micro_grid.as_dict() if self.micro_grid else None,
            "special_grids": [s.as_dict() for s in self.special_grids],
        }

    @property
    def most_specific(self) -> AreaRef | None:
        return self.micro_grid or self.grid or self.village


@dataclass
class _Entry:
    ref: AreaRef
    active_from: date
    active_to: date | None

    def active(self, on: date) -> bool:
        return self.active_from <= on and (self.active_to is None or on < self.active_to)


@dataclass
class AreaIndex:
    stamp: int
    entries: list[_Entry]
    index: geometry.PointIndex | None
    by_code: dict[str, _Entry] = field(default_factory=dict)

    @classmethod
    def build(cls, stamp: int) -> AreaIndex:
        entries, geoms = [], []
        rows = (
            AreaModel.objects.exclude(kind=AreaKind.TOWN)
            .exclude(boundary__isnull=True)
            .values_list(
                "id",
                "code",
                "name",
                "kind",
                "parent_id",
                "village_id",
                "active_from",
                "active_to",
                "boundary",
            )
            .order_by("code")
        )
        for pk, code, name, kind, parent_id, village_id, start, end, boundary in rows.iterator(
            chunk_size=2000
        ):
            try:
                geom = geometry.parse(boundary)
            except geometry.GeometryError:
                continue
            entries.append(_Entry(AreaRef(pk, code, name, kind, parent_id, village_id), start, end))
            geoms.append(geom)
        index = geometry.PointIndex.build(geoms) if geoms else None
        return cls(
            stamp=stamp, entries=entries, index=index, by_code={e.ref.code: e for e in entries}
        )

    def locate(self, lng: float, lat: float, on: date) -> Location | None:
        if self.index is None:
            return None
        inside, near = self.index.hits(lng, lat)
        if not near:
            return None
        by_kind: dict[str, list[tuple[bool, _Entry]]] = {}
        for i in near:
            entry = self.entries[i]
            if entry.active(on):
                by_kind.setdefault(entry.ref.kind, []).append((i in inside, entry))

        def pick(kinds, within=None) -> AreaRef | None:
            candidates = [c for k in kinds for c in by_kind.get(k, [])]
            if within is not None:
                preferred = [c for c in candidates if within(c[1].ref)]
                candidates = preferred or candidates
            if not candidates:
                return None
            # interior before edge, then the smallest code: the same answer every time
            best = min(candidates, key=lambda c: (not c[0], c[1].ref.code))
            return best[1].ref

        village = pick((AreaKind.VILLAGE, AreaKind.COMMUNITY))
        grid = pick(
            (AreaKind.GRID,),
            within=(lambda r: r.parent_id == village.id) if village else None,
        )
        micro = pick(
            (AreaKind.MICRO_GRID,),
            within=(lambda r: r.parent_id == grid.id) if grid else None,
        )
        specials = tuple(
            sorted(
                (e.ref for _inside, e in by_kind.get(AreaKind.SPECIAL_GRID, [])),
                key=lambda r: r.code,
            )
        )
        if village is None and not specials:
            return None
        return Location(village=village, grid=grid, micro_grid=micro, special_grids=specials)


_lock = threading.Lock()
_current: AreaIndex | None = None
_checked_at = 0.0


def read_stamp() -> int:
    return ChangeStamp.objects.filter(key=STAMP_KEY).values_list("value", flat=True).first() or 0


def bump_stamp() -> None:
    """Call inside the transaction that changes areas: every process rebuilds after commit.
    The new stamp is random, not the next number, so that a value seen inside a transaction
    that was rolled back is never reused for different data (caches are keyed by it)."""
    value = secrets.randbits(62) + 1
    updated = ChangeStamp.objects.filter(key=STAMP_KEY).update(value=value)
    if not updated:
        ChangeStamp.objects.update_or_create(key=STAMP_KEY, defaults={"value": value})
    invalidate()
    transaction.on_commit(invalidate)


def invalidate() -> None:
    """Drop this process's index (it is rebuilt on the next lookup)."""
    global _current, _checked_at
    with _lock:
        _current = None
        _checked_at = 0.0


def current_index() -> AreaIndex:
    global _current, _checked_at
    now = time.monotonic()
    ttl = getattr(settings, "AREA_STAMP_CHECK_SECONDS", 2.0)
    index = _current
    if index is not None and now - _checked_at < ttl:
        return index
    stamp = read_stamp()
    with _lock:
        if _current is None or _current.stamp != stamp:
            _current = AreaIndex.build(stamp)
        _checked_at = now
        return _current


def locate(lat: float, lng: float, *, on: date | None = None) -> Location | None:
    """The areas containing the WGS-84 point (lat, lng) on ``on`` (today by default), or
    ``None`` when the point lies outside the town."""
    return current_index().locate(float(lng), float(lat), on or timezone.localdate())
