"""The board's change stamps: has anything a panel shows changed since it was computed?

Each app keeps its own change stamps (portal.stamps), bumped when a transaction that changes
their data commits — by the model signals the app connects (grid/stamps.py,
enforcement/stamps.py, approvals/stamps.py, the centre's roster below) and by the few services
that write in bulk. A panel's key is made of:

- the stamps of the data it shows (``PANEL_STAMPS``: the incidents' panel moves with
  ``grid.incidents`` only, the applications' cards with ``approvals.applications`` only; an
  audited act elsewhere — a resident viewing personal data, a matter edited — moves nothing);
- the time: the clock's ``TICK_SECONDS`` bucket (clocks turn yellow and red without anyone
  writing; ages count on), or the local date for a panel that depends on the day only (the
  applications' cards, whose deadlines are dates);
- the language and the board's shape (``VERSION``).

The board's ETag is the hash of its panels' keys. Reading the stamps costs a per-process memo of
at most a second, else one cache ``get_many`` — no database query on a 304 (portal.stamps)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from django.conf import settings
from django.utils import timezone, translation

from approvals import stamps as approvals_stamps
from enforcement import stamps as enforcement_stamps
from grid import stamps as grid_stamps
from portal import stamps

VERSION = "2"  # bump when the board's shape changes
DUTY_STAMP = "centre.duty"  # the dispatchers' roster and the handover notes

PANEL_STAMPS: dict[str, tuple[str, ...]] = {
    "duty": (DUTY_STAMP, enforcement_stamps.ROSTER),
    "new_reports": (grid_stamps.INCIDENTS,),
    "incidents": (grid_stamps.INCIDENTS,),
    "dispatch": (grid_stamps.DISPATCH, grid_stamps.INCIDENTS),
    "callouts": (enforcement_stamps.CALLOUTS,),
    "cases": (enforcement_stamps.CASES,),
    "applications": (approvals_stamps.APPLICATIONS,),
    "late": (
        approvals_stamps.APPLICATIONS,
        grid_stamps.INCIDENTS,
        grid_stamps.DISPATCH,
        enforcement_stamps.CASES,
    ),
    # the kept copy of the periodic task (centre.tasks.forecast_refresh): read again each tick
    "forecast": (),
}
# Panels whose figures move with the date only (deadlines that are dates), not every tick.
DAILY = frozenset({"applications"})
MAP_STAMPS = (grid_stamps.INCIDENTS, enforcement_stamps.CALLOUTS)
ALL_STAMPS = tuple(dict.fromkeys(k for keys in PANEL_STAMPS.values() for k in keys))


def bucket(now: datetime) -> int:
    return int(now.timestamp()) // max(int(settings.CENTRE["TICK_SECONDS"]), 1)


def _hash(raw: str) -> str:
    return hashlib.sha1(raw.encode(), usedforsecurity=False).hexdigest()[:20]


def panel_keys(now: datetime | None = None) -> dict[str, str]:
    """panel → the key its figures are cached under."""
    now = now or timezone.now()
    values = stamps.read_many(ALL_STAMPS)
    tick = str(bucket(now))
    day = timezone.localdate(now).isoformat()
    language = translation.get_language() or ""
    return {
        panel: _hash(
            ":".join(
                [
                    VERSION,
                    panel,
                    *(f"{k}={values[k]}" for k in keys),
                    day if panel in DAILY else tick,
                    language,
                ]
            )
        )
        for panel, keys in PANEL_STAMPS.items()
    }


def board_stamp(keys: dict[str, str]) -> str:
    return _hash(":".join(keys[p] for p in PANEL_STAMPS))


def change_stamp(now: datetime | None = None) -> str:
    """The whole board's stamp (its ETag): moves when any panel's key moves."""
    return board_stamp(panel_keys(now))


def map_stamp(now: datetime | None = None) -> str:
    """The map layer's stamp: incidents, call-outs (and the phones' positions), the tick."""
    now = now or timezone.now()
    values = stamps.read_many(MAP_STAMPS)
    return _hash(
        ":".join(
            [
                VERSION,
                "map",
                *(f"{k}={values[k]}" for k in MAP_STAMPS),
                str(bucket(now)),
                translation.get_language() or "",
            ]
        )
    )
