"""Reads of the departments' on-call roster (部门值班): who is on call for a department on a day
(the lead first), the roster of some days, who may keep it, and who is on call across the
departments today (the centre's call-out page)."""

from __future__ import annotations

from datetime import date

from django.db.models import QuerySet

from grid.models import DepartmentOnCall
from portal import roles
from portal.models import Department, StaffProfile, User

from .dispatch_scope import department_of, is_centre

KEEPERS = (roles.DISPATCHER, roles.SUPERVISOR)


def on_call(department_id: int, day: date) -> list[DepartmentOnCall]:
    """The department's people on call on ``day``, the lead (带班) first; only active people."""
    return list(
        DepartmentOnCall.objects.filter(department_id=department_id, day=day, user__is_active=True)
        .select_related("user")
        .order_by("-is_lead", "pk")
    )


def on_call_by_department(day: date) -> dict[int, list[DepartmentOnCall]]:
    """Every department's people on call on ``day`` (lead first): one query."""
    out: dict[int, list[DepartmentOnCall]] = {}
    rows = (
        DepartmentOnCall.objects.filter(day=day, user__is_active=True, department__is_active=True)
        .select_related("user")
        .order_by("department_id", "-is_lead", "pk")
    )
    for row in rows:
        out.setdefault(row.department_id, []).append(row)
    return out


def roster(department_id: int, start: date, end: date) -> QuerySet[DepartmentOnCall]:
    """The roster of [start, end] for one department, by day, the lead first."""
    return (
        DepartmentOnCall.objects.filter(department_id=department_id, day__gte=start, day__lte=end)
        .select_related("user", "created_by")
        .order_by("day", "-is_lead", "pk")
    )


def on_call_departments() -> QuerySet[Department]:
    """The departments a call-out may go to: the town's own (internal) active departments."""
    return Department.objects.filter(is_active=True, kind=Department.Kind.INTERNAL).order_by("code")


def department_staff(department_id: int) -> list[User]:
    """Who may be put on call for a department: its active staff."""
    return list(
        User.objects.filter(
            is_active=True,
            staff_profile__department_id=department_id,
            groups__name=roles.DEPARTMENT_STAFF,
        )
        .distinct()
        .order_by("pk")
    )


def may_keep(user, department_id: int) -> bool:
    """The centre (dispatchers, supervisors) keeps every department's roster; a department's
    heads keep their own."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser or user.has_role(*KEEPERS):
        return True
    return StaffProfile.objects.filter(
        user=user, department_id=department_id, is_department_head=True
    ).exists()


def visible_departments(user) -> list[Department]:
    """The departments whose roster ``user`` sees: the centre every on-call department, a
    department's staff their own (its heads may change it)."""
    if not getattr(user, "is_authenticated", False):
        return []
    if is_centre(user) or user.has_role(*KEEPERS):
        return list(on_call_departments())
    own = department_of(user)
    return list(Department.objects.filter(pk=own)) if own else []


def is_on_call(user, day: date) -> bool:
    return (
        getattr(user, "is_authenticated", False)
        and DepartmentOnCall.objects.filter(user=user, day=day).exists()
    )
