"""Who is (or was) responsible where."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.utils import timezone

from grid.models import Assignment, AssignmentRole
from portal.models import Area


@dataclass
class Team:
    """The people of one area on one day."""

    head: Assignment | None = None
    instructor: Assignment | None = None
    members: list[Assignment] = field(default_factory=list)
    contacts: list[Assignment] = field(default_factory=list)
    village_staff: list[Assignment] = field(default_factory=list)

    def add(self, a: Assignment) -> None:
        if a.role == AssignmentRole.HEAD:
            self.head = a
        elif a.role == AssignmentRole.INSTRUCTOR:
            self.instructor = a
        elif a.role == AssignmentRole.MEMBER:
            self.members.append(a)
        elif a.role == AssignmentRole.CONTACT:
            self.contacts.append(a)
        else:
            self.village_staff.append(a)


def assignments_on(day: date | None = None):
    return Assignment.objects.on(day).select_related("area", "user")


def teams(areas, day: date | None = None) -> dict[int, Team]:
    """{area id: Team} for ``areas`` (ids or Area objects) on ``day``: one query."""
    ids = [a.pk if isinstance(a, Area) else a for a in areas]
    result: dict[int, Team] = defaultdict(Team)
    for a in (
        assignments_on(day)
        .filter(area_id__in=ids)
        .defer("area__boundary")  # the polygons: not needed to say who is responsible
        .order_by("role", "starts_on", "id")
    ):
        result[a.area_id].add(a)
    return {i: result[i] for i in ids}


def responsible_on(area: Area, day: date | None = None) -> Team:
    """Who was responsible for ``area`` on ``day`` (today by default)."""
    return teams([area], day)[area.pk]


def history(area: Area):
    """Every assignment the area ever had, newest first."""
    return (
        Assignment.objects.filter(area=area)
        .select_related("user", "created_by", "ended_by")
        .order_by("role", "-starts_on", "-id")
    )


def areas_of(user, *, roles=None, day: date | None = None):
    """The areas ``user`` is assigned to on ``day`` (in any of ``roles``)."""
    qs = Assignment.objects.on(day).filter(user=user)
    if roles:
        qs = qs.filter(role__in=roles)
    return Area.objects.filter(pk__in=qs.values("area_id")).order_by("code")


def assignments_of(user, day: date | None = None):
    return assignments_on(day).filter(user=user).order_by("area__code", "role")


def today() -> date:
    return timezone.localdate()
