"""Who may see and act on which incidents: the incidents' side of the grid scope.

Grid people and the scope (grid.selectors.people, grid.selectors.scope) say who is
responsible where; this module adds what incidents need:

- the centre (dispatchers, supervisors) sees every incident;
- grid people see the incidents of their areas (grid.selectors.scope: a member their grids, a
  head also the micro-grids below, a village's staff the village);
- anyone sees the incidents they reported or follow;
- acting needs more than seeing: a head or member *of the incident's grid* (today).

A foreign incident is "not found" (404), never "forbidden"."""

from __future__ import annotations

from collections.abc import Iterable

from django.db.models import Q

from portal import roles

CENTRE_ROLES = (roles.DISPATCHER, roles.SUPERVISOR)
GRID_ROLES = (roles.GRID_HEAD, roles.GRID_MEMBER)


def is_centre(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(*CENTRE_ROLES))
    )


def sees_reporter(user) -> bool:
    """Only supervisors see who reported an anonymous incident."""
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(roles.SUPERVISOR))
    )


def scope_of(user):
    from grid.selectors.scope import scope_for

    return scope_for(user)


def _assigned(user) -> tuple[frozenset[int], frozenset[int]]:
    """(grids the person is head or member of, grids they head), today; cached on the user."""
    cached = getattr(user, "_incident_grids", None)
    if cached is not None:
        return cached
    result: tuple[frozenset[int], frozenset[int]] = (frozenset(), frozenset())
    if getattr(user, "is_authenticated", False) and user.has_role(*GRID_ROLES):
        from grid.models import AssignmentRole
        from grid.selectors.scope import assignment_rows

        grid_roles = (AssignmentRole.HEAD, AssignmentRole.MEMBER)
        rows = [(role, area) for role, area in assignment_rows(user) if role in grid_roles]
        result = (
            frozenset(area for _role, area in rows),
            frozenset(area for role, area in rows if role == AssignmentRole.HEAD),
        )
    user._incident_grids = result
    return result


def grid_ids(user) -> frozenset[int]:
    return _assigned(user)[0]


def headed_grid_ids(user) -> frozenset[int]:
    return _assigned(user)[1]


def is_in_grid(user, grid_id: int | None) -> bool:
    return grid_id is not None and grid_id in grid_ids(user)


def is_head_of(user, grid_id: int | None) -> bool:
    return grid_id is not None and grid_id in headed_grid_ids(user)


def _people(grid_ids: list[int]) -> dict[int, tuple[list, list]]:
    """{grid id: (heads, members)} with an account, today — one query, without the areas'
    boundaries (grid.selectors.people.teams loads them for the map's cards)."""
    from grid.models import Assignment, AssignmentRole

    result: dict[int, tuple[list, list]] = {g: ([], []) for g in grid_ids}
    rows = (
        Assignment.objects.on()
        .filter(
            area_id__in=grid_ids,
            role__in=[AssignmentRole.HEAD, AssignmentRole.MEMBER],
            user__isnull=False,
            user__is_active=True,
        )
        .select_related("user")
        .order_by("role", "starts_on", "id")
    )
    for a in rows:
        heads, members = result[a.area_id]
        (heads if a.role == AssignmentRole.HEAD else members).append(a.user)
    return result


def heads_of(grid_id: int | None) -> list:
    if grid_id is None:
        return []
    return _people([grid_id])[grid_id][0]


def members_of(grid_id: int | None) -> list:
    """Members and the head of the grid today (people with an account)."""
    if grid_id is None:
        return []
    heads, members = _people([grid_id])[grid_id]
    return members + heads


def people_of_grids(ids: Iterable[int]) -> dict[int, tuple[list, list]]:
    """{grid id: (heads, members)} for many grids in one query (reminder sweeps)."""
    return _people(list(set(ids)))


def may_see(user, incident) -> bool:
    """Whether ``user`` may see this incident (already loaded): the same rule as
    :func:`visibility_q`, decided on the row in hand — the person's own grids first (the
    assignments the grid checks read anyway; a head's micro-grids are read only when those do
    not settle it), the followed incidents (one query) only when nothing else does."""
    if not getattr(user, "is_authenticated", False):
        return False
    if is_centre(user) or (incident.reporter_id is not None and incident.reporter_id == user.pk):
        return True
    if is_in_grid(user, incident.grid_id):  # a grid of theirs is in their scope
        return True
    scope = scope_of(user)
    if scope.everything or (
        incident.village_id in scope.villages
        or incident.grid_id in scope.grids
        or incident.micro_grid_id in scope.micro_grids
    ):
        return True
    from grid.models import IncidentFollower

    return IncidentFollower.objects.filter(user=user, incident_id=incident.pk).exists()


def visibility_q(user) -> Q | None:
    """A filter for the incidents ``user`` may see; None means all of them."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if is_centre(user):
        return None
    from grid.models import IncidentFollower

    # The incidents followed as a list, not an EXISTS: with plain conditions on indexed
    # columns in every arm PostgreSQL combines the indexes (BitmapOr) instead of filtering
    # every open incident of the town through a subplan.
    followed = list(
        IncidentFollower.objects.filter(user=user).order_by().values_list("incident_id", flat=True)
    )
    q = Q(reporter=user) | Q(pk__in=followed)
    scope = scope_of(user)
    if not scope.empty:
        q |= scope.q(village="village", grid="grid", micro_grid="micro_grid")
    return q
