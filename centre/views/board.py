"""The live board on the dispatcher's desk and on the wall (big-screen mode), and its panels as an
HTML fragment that the page polls every few seconds with If-None-Match: 304 while nothing
changed (the change stamp, centre.selectors.stamp), the new panels otherwise. The map is drawn
once and fed from /api/v1/centre/map/ the same way."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpResponse, HttpResponseNotModified
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from centre.access import board_reader, centre_required, is_centre
from centre.selectors import board as board_sel
from centre.selectors.stamp import change_stamp
from grid.views.incidents import map_context
from grid.views.map import _with_tile_policy

MODES = ("desk", "screen")
PANEL_CACHE_SECONDS = 120
# The wall has nobody to scroll it: in screen mode each panel shows at most this many rows (what
# fits its cell of the fixed 16:9 layout, static/css/centre.css) and says how many more there are.
# None: no limit (the cases panel's six legal deadlines always show). The desk shows every row.
SCREEN_ROWS = {
    "late": 6,
    "new_reports": 4,
    "callouts": 2,
    "villages": 4,
    "work_orders": 3,
    "returned": 3,
    "whistles": 3,
    "cases": None,
    "applications": 4,
    "forecast": 2,
    "duty": 2,
}
DESK_ROWS = dict.fromkeys(SCREEN_ROWS)


def _mode(request) -> str:
    mode = request.GET.get("mode", "desk")
    return mode if mode in MODES else "desk"


def _poll_context(mode: str) -> dict:
    return {
        "mode": mode,
        "poll_seconds": settings.CENTRE["POLL_SECONDS"],
        "panels_url": f"{reverse('centre:panels')}?mode={mode}",
        "map_url": reverse("api-centre-map"),
        "map_labels": map_labels(),
        **map_context(),
        # the wall screen has no log-in: its map reads the areas through the centre's door
        "geojson_url": reverse("api-centre-areas"),
    }


def map_labels() -> dict:
    from grid.models import Urgency
    from portal.clock import ClockStatus

    return {
        "urgency": {k: str(v) for k, v in Urgency.choices},
        "clock": {k: str(v) for k, v in ClockStatus.choices},
        "open": _("在办"),
        "late": _("超期"),
        "warning": _("预警"),
        "squad": _("最近位置"),
        "callout": _("出动地点"),
    }


def _panels_html(request, mode: str, stamp: str, data: dict) -> str:
    """The panels, rendered once per change stamp, language and mode (no per-person content:
    actions post through the API with the page's CSRF token)."""
    key = f"centre:panels:{stamp}:{mode}:{translation.get_language()}"
    html = cache.get(key)
    if html is None:
        html = render_to_string(
            "centre/_panels.html",
            {
                "board": data,
                "mode": mode,
                "stamp": stamp,
                "rows": SCREEN_ROWS if mode == "screen" else DESK_ROWS,
            },
            request=None,
        )
        cache.set(key, html, PANEL_CACHE_SECONDS)
    return html


@centre_required
def board(request):
    now = timezone.now()
    stamp, data = board_sel.board(now)
    context = {
        **_poll_context("desk"),
        "stamp": stamp,
        "panels": _panels_html(request, "desk", stamp, data),
        "board": data,
    }
    return _with_tile_policy(render(request, "centre/board.html", context))


@board_reader
def screen(request):
    """The wall: 1920×1080 or 3840×2160, dark, no navigation, refreshing itself."""
    now = timezone.now()
    stamp, data = board_sel.board(now)
    context = {
        **_poll_context("screen"),
        "stamp": stamp,
        "panels": _panels_html(request, "screen", stamp, data),
        "board": data,
        "device": request.wall_device,
        "can_leave": is_centre(request.user),
    }
    return _with_tile_policy(render(request, "centre/screen.html", context))


@board_reader
def panels(request):
    """The panels fragment; 304 when the client's ETag is the current stamp."""
    mode = _mode(request)
    now = timezone.now()
    stamp = change_stamp(now)
    if f'"{stamp}:{mode}"' in request.headers.get("If-None-Match", ""):
        response = HttpResponseNotModified()
    else:
        stamp, data = board_sel.board(now, stamp=stamp)
        response = HttpResponse(_panels_html(request, mode, stamp, data))
    response["ETag"] = f'"{stamp}:{mode}"'
    response["Cache-Control"] = "private, no-cache"
    response["X-Board-Time"] = timezone.localtime(now).strftime("%H:%M:%S")
    return response
