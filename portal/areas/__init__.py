"""The town's map, shared by every app: areas (portal.models.Area), the point → area lookup and
reads of the map. Geometry (shapely, pyproj) stays inside portal.areas.geometry.

    from portal.areas import locate
    where = locate(lat, lng)          # None outside the town
    where.village, where.grid, where.micro_grid, where.special_grids   # AreaRef or None

See docs/grid.md."""

from portal.areas.lookup import AreaRef, Location, invalidate, locate

__all__ = ["AreaRef", "Location", "invalidate", "locate"]
