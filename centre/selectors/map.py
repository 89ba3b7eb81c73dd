"""The centre's map layers (drawn over GET /api/v1/areas/): grids coloured by their open and late
incidents, a pin per open incident (urgency and clock; the browser clusters them), the squads'
last known positions during call-outs and the places they were called to. Computed once per
map stamp (centre.selectors.stamp.map_stamp: incidents, call-outs, the tick), like the board."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone

from enforcement.selectors import callouts as callout_sel
from grid.selectors import overview as incident_overview

CACHE_SECONDS = 120


def compute(now: datetime) -> dict:
    layer = incident_overview.map_layer(now=now, pins=int(settings.CENTRE["MAP_PINS"]))
    open_callouts = [
        {
            "number": c["number"],
            "squad_name": c["squad_name"],
            "state": c["state"],
            "state_label": c["state_label"],
            "lat": c["lat"],
            "lng": c["lng"],
            "missed": c["missed"],
        }
        for c in callout_sel.in_progress(now=now)
        if c["lat"] is not None
    ]
    return {
        **layer,
        "squads": callout_sel.last_positions(now=now),
        "callouts": open_callouts,
    }


def layer(now: datetime | None = None, *, stamp: str) -> dict:
    now = now or timezone.now()
    key = f"centre:map:{stamp}"
    data = cache.get(key)
    if data is None:
        data = {"stamp": stamp, **compute(now)}
        cache.set(key, data, CACHE_SECONDS)
    return data
