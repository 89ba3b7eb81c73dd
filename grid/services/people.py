"""Every change to who is responsible where. Keyword-only and atomic; the area's row is locked
so that two people assigning the same grid at once are serialised (the loser is told: Conflict),
and the database's constraints stand behind it. Assignments are ended, never deleted."""

from __future__ import annotations

from datetime import date

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from grid.models import ROLE_AREA_KINDS, SINGLE_ROLES, Assignment, AssignmentRole, Employment
from portal import audit, roles
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import Area, User

MANAGER_ROLES = (roles.SUPERVISOR, roles.REGISTER_ADMIN)


def can_manage(actor, area: Area | None = None) -> bool:
    """Supervisors and register administrators assign everywhere; a grid head assigns members
    and contacts in the grids they head (and the micro-grids below them)."""
    if not getattr(actor, "is_authenticated", False):
        return False
    if actor.is_superuser or actor.has_role(*MANAGER_ROLES):
        return True
    if area is None or not actor.has_role(roles.GRID_HEAD):
        return False
    grid_id = area.parent_id if area.kind == Area.Kind.MICRO_GRID else area.pk
    return (
        Assignment.objects.on()
        .filter(user=actor, role=AssignmentRole.HEAD, area_id=grid_id)
        .exists()
    )


def _check_actor(actor, area: Area, role: str) -> None:
    if not can_manage(actor, area):
        raise Forbidden(_("您不能调整该区域的人员。"), code="not_allowed")
    if role in (AssignmentRole.HEAD, AssignmentRole.INSTRUCTOR, AssignmentRole.VILLAGE_STAFF):
        if not (actor.is_superuser or actor.has_role(*MANAGER_ROLES)):
            raise Forbidden(
                _("网格长、指导员和村（社区）工作人员由督查或管理员任命。"), code="not_allowed"
            )


def _lock_area(area: Area) -> Area:
    return Area.objects.select_for_update().get(pk=area.pk)


def _record(actor, action: str, assignment: Assignment, before=None, after=None, note=""):
    audit.record(
        actor=actor,
        action=f"grid.assignment.{action}",
        obj=assignment,
        before=before,
        after=after,
        note=note,
    )


def _describe(a: Assignment) -> dict:
    return {
        "area": a.area.code,
        "role": a.role,
        "user": a.user.username if a.user_id else None,
        "person_name": a.person_name,
        "starts_on": str(a.starts_on),
        "ends_on": str(a.ends_on) if a.ends_on else None,
    }


@transaction.atomic
def assignment_start(
    *,
    actor,
    area: Area,
    role: str,
    on: date,
    user: User | None = None,
    person_name: str = "",
    person_mobile: str = "",
    employment: str = "",
    note: str = "",
    replace: bool = False,
) -> Assignment:
    """``user`` (or a person without an account, by name and phone) becomes responsible for
    ``area`` in ``role`` from ``on``. For a head or instructor, ``replace`` ends the current one
    the same day; without it an existing one is an error."""
    if role not in AssignmentRole.values:
        raise ActionError(_("职责无效。"), fields={"role": _("职责无效。")})
    _check_actor(actor, area, role)
    area = _lock_area(area)
    if area.kind not in ROLE_AREA_KINDS[role]:
        raise ActionError(
            _("%(role)s不能安排在%(kind)s上。")
            % {"role": AssignmentRole(role).label, "kind": area.get_kind_display()},
            code="wrong_area_kind",
            fields={"area": _("区域类别不符。")},
        )
    if not area.is_active(on):
        raise ActionError(
            _("%(area)s 在 %(d)s 不在使用中。") % {"area": area.name, "d": on},
            code="area_not_active",
            fields={"on": _("该日期区域不在使用中。")},
        )
    if user is None and not person_name.strip():
        raise ActionError(_("请选择人员或填写姓名。"), fields={"user": _("请选择人员或填写姓名。")})
    if user is None and role != AssignmentRole.CONTACT:
        raise ActionError(
            _("只有微网格联络员可以没有账号。"), fields={"user": _("请选择有账号的人员。")}
        )
    if employment and employment not in Employment.values:
        raise ActionError(_("专兼职无效。"), fields={"employment": _("无效")})
    if user is not None:
        clash = (
            Assignment.objects.filter(area=area, role=role, user=user)
            .filter(Q(ends_on__isnull=True) | Q(ends_on__gt=on))
            .exists()
        )
        if clash:
            raise Conflict(_("此人已在该区域担任此职责。"), code="already_assigned")
    if role in SINGLE_ROLES:
        later = Assignment.objects.filter(area=area, role=role, starts_on__gt=on)
        if later.exists():
            raise ActionError(
                _("该日期之后已有新的任命，请从最近一次任命之后的日期开始。"),
                code="later_assignment",
                fields={"on": _("日期早于已有任命。")},
            )
        current = Assignment.objects.filter(area=area, role=role).on(on).first()
        if current is not None:
            if not replace:
                raise Conflict(
                    _("%(area)s 已有%(role)s（%(who)s），请用“更换”。")
                    % {
                        "area": area.name,
                        "role": current.get_role_display(),
                        "who": current.person_label,
                    },
                    code="role_taken",
                )
            if current.starts_on >= on:
                raise ActionError(
                    _("更换日期应晚于现任的起始日期 %(d)s。") % {"d": current.starts_on},
                    fields={"on": _("日期过早。")},
                )
            _end(actor, current, on, note or _("更换"))
    assignment = Assignment(
        area=area,
        role=role,
        user=user,
        person_name="" if user else person_name.strip(),
        person_mobile="" if user else person_mobile.strip(),
        employment=employment if role == AssignmentRole.MEMBER else "",
        starts_on=on,
        note=note,
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:
        raise Conflict(
            _("与已有任命的日期重叠，请刷新后再试。"), code="assignment_overlap"
        ) from None
    _record(actor, "start", assignment, after=_describe(assignment), note=note)
    return assignment


def _end(actor, assignment: Assignment, on: date, note: str) -> None:
    before = _describe(assignment)
    assignment.ends_on = on
    assignment.ended_by = actor if getattr(actor, "pk", None) else None
    assignment.ended_at = timezone.now()
    assignment.end_note = note[:200]
    assignment.save(update_fields=["ends_on", "ended_by", "ended_at", "end_note"])
    _record(actor, "end", assignment, before=before, after=_describe(assignment), note=note)


@transaction.atomic
def assignment_end(*, actor, assignment: Assignment, on: date, note: str) -> Assignment:
    """The person is no longer responsible from ``on``."""
    _check_actor(actor, assignment.area, assignment.role)
    _lock_area(assignment.area)
    locked = (
        Assignment.objects.select_for_update(of=("self",))
        .select_related("area", "user")
        .get(pk=assignment.pk)
    )
    if locked.ends_on is not None:
        raise Conflict(
            _("该任命已于 %(d)s 结束。") % {"d": locked.ends_on}, code="assignment_ended"
        )
    if on <= locked.starts_on:
        raise ActionError(
            _("结束日期应晚于起始日期 %(d)s。") % {"d": locked.starts_on},
            fields={"on": _("结束日期应晚于起始日期。")},
        )
    if not note.strip():
        raise ActionError(_("请填写结束原因。"), fields={"note": _("请填写结束原因。")})
    _end(actor, locked, on, note)
    return locked
