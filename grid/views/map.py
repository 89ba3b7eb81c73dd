"""The map page: the town's areas drawn from their boundaries (Leaflet, no base map unless a tile
URL is configured), and an area's card (people, figures, patrol compliance, open work)."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from django.conf import settings
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone

from grid.menus import MAP_ROLES
from grid.models import AssignmentRole
from grid.selectors import patrols as patrol_sel
from grid.selectors import people as people_sel
from grid.selectors.scope import scope_for
from grid.services.patrols import patrol_areas
from portal import roles
from portal.access import role_required
from portal.areas import cards
from portal.middleware import SecurityHeadersMiddleware
from portal.models import Area, AreaKind

map_required = role_required(*MAP_ROLES)
GRID_SECTIONS = {"grid-people", "grid-patrols"}


def _tile_origins() -> list[str]:
    origins = []
    for url in (settings.MAP_TILE_URL, settings.MAP_TILE_LABELS_URL):
        if not url:
            continue
        parts = urlsplit(url)
        host = parts.netloc
        if "{s}" in host:
            host = host.replace("{s}", "*")
            host = re.sub(r"^[^.]*\*[^.]*\.", "*.", host)
        origins.append(f"{parts.scheme}://{host}")
    return origins


def _with_tile_policy(response):
    """Let the page load tiles from the configured tile server (and nothing else)."""
    origins = _tile_origins()
    if origins:
        policy = SecurityHeadersMiddleware.POLICY.replace(
            "img-src ", f"img-src {' '.join(origins)} ", 1
        )
        response["Content-Security-Policy"] = policy
    return response


@map_required
def map_page(request):
    user = request.user
    mine = list(people_sel.areas_of(user).values_list("code", flat=True))
    focus = request.GET.get("area", "")
    if focus and not Area.objects.filter(code=focus).exists():
        focus = ""
    context = {
        "geojson_url": reverse("api-areas"),
        "locate_url": reverse("api-areas-locate"),
        "card_url": reverse("grid:map-card", args=["CODE"]),
        "tiles": {
            "url": settings.MAP_TILE_URL,
            "labels": settings.MAP_TILE_LABELS_URL,
            "subdomains": settings.MAP_TILE_SUBDOMAINS,
            "attribution": settings.MAP_TILE_ATTRIBUTION,
            "max_zoom": settings.MAP_TILE_MAX_ZOOM,
        },
        "mine": mine,
        "focus": focus or (mine[0] if mine else ""),
        "kinds": [k for k in AreaKind.choices if k[0] != AreaKind.TOWN],
    }
    return _with_tile_policy(render(request, "grid/map/map.html", context))


def card_context(area: Area, user) -> dict:
    today = timezone.localdate()
    scope = scope_for(user)
    team = people_sel.responsible_on(area, today)
    grid = area.parent if area.kind == AreaKind.MICRO_GRID else area
    grid_team = team if grid == area else people_sel.responsible_on(grid, today)
    compliance = None
    if area.kind in (AreaKind.GRID, AreaKind.SPECIAL_GRID) and (
        scope.covers(area) or user.has_role(roles.SUPERVISOR)
    ):
        compliance = patrol_sel.compliance(day=today, areas=[area])
    can_patrol = (
        area.kind in (AreaKind.GRID, AreaKind.SPECIAL_GRID)
        and patrol_areas(user).filter(pk=area.pk).exists()
    )
    sections = [s for s in cards.sections(area, user) if s["key"] not in GRID_SECTIONS]
    return {
        "area": area,
        "team": team,
        "grid": grid,
        "grid_team": grid_team,
        "compliance": compliance,
        "can_patrol": can_patrol,
        "in_scope": scope.covers(area),
        "sections": sections,
        "children": Area.objects.active().filter(parent=area).count(),
        "can_admin": user.is_superuser
        or user.has_role(roles.REGISTER_ADMIN, roles.SUPERVISOR, roles.DISPATCHER),
        "can_people": user.is_superuser
        or user.has_role(roles.SUPERVISOR, roles.REGISTER_ADMIN, roles.DISPATCHER)
        or (grid_team.head is not None and grid_team.head.user_id == user.pk),
        "roles": AssignmentRole,
    }


@map_required
def map_card(request, code):
    area = Area.objects.select_related("parent", "village").filter(code=code).first()
    if area is None or area.kind == AreaKind.TOWN:
        raise Http404
    return render(request, "grid/map/_card.html", card_context(area, request.user))
