"""Grid's change stamps (portal.stamps): what the command centre's panels of incidents and of
dispatch are keyed by. Connected in GridConfig.ready; a bulk write's service bumps by hand."""

from __future__ import annotations

INCIDENTS = "grid.incidents"  # incidents, their categories, the grids' people (holders)
DISPATCH = "grid.dispatch"  # dispatches, work orders, whistles and their calls


def connect() -> None:
    from grid.models import Category, Incident
    from grid.models.dispatch import Dispatch, Whistle, WhistleCall, WorkOrder
    from grid.models.people import Assignment
    from portal import stamps

    stamps.watch(INCIDENTS, Incident, Category, Assignment)
    stamps.watch(DISPATCH, Dispatch, WorkOrder, Whistle, WhistleCall)
