"""Who is who for dispatch: the centre (dispatchers and supervisors: every work order), the
staff of a department (department_staff role with a staff profile in it: that department's
work orders only), a department's heads (staff profile marked head)."""

from __future__ import annotations

from portal import roles
from portal.models import StaffProfile, User

CENTRE_ROLES = (roles.DISPATCHER, roles.SUPERVISOR)


def is_centre(user) -> bool:
    return bool(
        getattr(user, "is_authenticated", False)
        and (user.is_superuser or user.has_role(*CENTRE_ROLES))
    )


def department_of(user) -> int | None:
    """The department id whose work orders ``user`` handles (None if none); cached on the user."""
    if not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_work_order_department", False)
    if cached is not False:
        return cached
    department = None
    if user.has_role(roles.DEPARTMENT_STAFF):
        department = (
            StaffProfile.objects.filter(user=user, department__is_active=True)
            .values_list("department_id", flat=True)
            .first()
        )
    user._work_order_department = department
    return department


def is_department_head(user, department_id: int | None) -> bool:
    return bool(
        department_id
        and department_of(user) == department_id
        and StaffProfile.objects.filter(user=user, is_department_head=True).exists()
    )


def _staff(department_id: int):
    return User.objects.filter(
        is_active=True,
        groups__name=roles.DEPARTMENT_STAFF,
        staff_profile__department_id=department_id,
    ).order_by("pk")


def department_people(department_id: int) -> list[User]:
    return list(_staff(department_id))


def department_people_ids(department_ids) -> dict[int, tuple[int, ...]]:
    """The ids of each department's staff (one query for them all), in id order."""
    found: dict[int, list[int]] = {d: [] for d in department_ids}
    for department_id, user_id in (
        User.objects.filter(
            is_active=True,
            groups__name=roles.DEPARTMENT_STAFF,
            staff_profile__department_id__in=list(found),
        )
        .order_by("pk")
        .values_list("staff_profile__department_id", "pk")
    ):
        found[department_id].append(user_id)
    return {d: tuple(ids) for d, ids in found.items()}


def department_heads(department_id: int) -> list[User]:
    return list(_staff(department_id).filter(staff_profile__is_department_head=True))


def dispatchers() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.DISPATCHER).order_by("pk"))


def supervisors() -> list[User]:
    return list(User.objects.filter(is_active=True, groups__name=roles.SUPERVISOR).order_by("pk"))
