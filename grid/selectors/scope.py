"""Scope: which areas, and so which objects, a person may see.

- supervisors and dispatchers (and superusers): everything;
- a grid member (or instructor): the grids they are assigned to;
- a grid head: the grids they head and the micro-grids below them;
- a village's staff: the whole village.

Apply it to any queryset whose rows carry area foreign keys (issue 12's incidents, patrols):

    scope = scope_for(request.user)
    qs = scope.filter(Incident.objects.all(), village="village", grid="grid", micro_grid="micro_grid")
    get_object_or_404(scope.filter(Patrol.objects.all(), grid="area"), public_id=...)

An object is in scope when its village is one of the person's villages, or its grid one of
their grids (micro-grids lie inside grids), or its micro-grid one of their micro-grids. A field
name of None leaves that level out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Q

from grid.models import Assignment, AssignmentRole
from portal import roles
from portal.models import Area

EVERYTHING_ROLES = (roles.SUPERVISOR, roles.DISPATCHER)


@dataclass(frozen=True)
class Scope:
    everything: bool = False
    villages: frozenset[int] = frozenset()
    grids: frozenset[int] = frozenset()
    micro_grids: frozenset[int] = frozenset()

    @property
    def empty(self) -> bool:
        return not (self.everything or self.villages or self.grids or self.micro_grids)

    def q(
        self,
        *,
        village: str | None = "village",
        grid: str | None = "grid",
        micro_grid: str | None = "micro_grid",
    ) -> Q:
        """A Q over the given area fields; match-nothing when the scope is empty."""
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        if village and self.villages:
            q |= Q(**{f"{village}__in": self.villages})
        if grid and self.grids:
            q |= Q(**{f"{grid}__in": self.grids})
        if micro_grid and self.micro_grids:
            q |= Q(**{f"{micro_grid}__in": self.micro_grids})
        return q

    def filter(self, qs, **fields):
        if self.everything:
            return qs
        return qs.filter(self.q(**fields))

    def areas(self):
        """The areas in scope (villages with everything below them)."""
        if self.everything:
            return Area.objects.all()
        return Area.objects.filter(
            Q(pk__in=self.villages)
            | Q(village__in=self.villages)
            | Q(pk__in=self.grids)
            | Q(pk__in=self.micro_grids)
        )

    def covers(self, area: Area) -> bool:
        if self.everything:
            return True
        return (
            area.pk in self.villages
            or area.village_id in self.villages
            or area.pk in self.grids
            or area.pk in self.micro_grids
        )


EVERYTHING = Scope(everything=True)
NOTHING = Scope()


def assignment_rows(user) -> list[tuple[str, int]]:
    """(role, area id) of every assignment of the person in force today: one query, cached on
    the user (the scope and the incidents' grid checks both read them in one request)."""
    cached = getattr(user, "_assignment_rows_today", None)
    if cached is None:
        cached = list(Assignment.objects.on().filter(user=user).values_list("role", "area_id"))
        user._assignment_rows_today = cached
    return cached


def scope_for(user, day: date | None = None) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    if user.is_superuser or user.has_role(*EVERYTHING_ROLES):
        return EVERYTHING
    cache_key = f"_grid_scope_{day or ''}"
    cached = getattr(user, cache_key, None)
    if cached is not None:
        return cached
    villages, grids, micro_grids = set(), set(), set()
    head_grids = []
    if day is None:
        rows = assignment_rows(user)
    else:
        rows = Assignment.objects.on(day).filter(user=user).values_list("role", "area_id")
    for role, area_id in rows:
        if role == AssignmentRole.VILLAGE_STAFF:
            villages.add(area_id)
        elif role == AssignmentRole.CONTACT:
            micro_grids.add(area_id)
        else:
            grids.add(area_id)
            if role == AssignmentRole.HEAD:
                head_grids.append(area_id)
    if head_grids:
        micro_grids.update(
            Area.objects.active(day).filter(parent_id__in=head_grids).values_list("pk", flat=True)
        )
    scope = Scope(
        villages=frozenset(villages), grids=frozenset(grids), micro_grids=frozenset(micro_grids)
    )
    setattr(user, cache_key, scope)
    return scope


def visible_areas(user, day: date | None = None):
    return scope_for(user, day).areas()
