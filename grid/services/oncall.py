"""The departments' on-call roster (部门值班) and calling out a department's on-call person.

A department's heads (or the centre) put their staff on call by day, one of them the lead
(带班). The centre calls out a department (:func:`department_callout_create`): the call goes to
the person on call today — the lead, unless the dispatcher picks another of those on call —
as enforcement's CallOut (one call-out model for squads and departments, with the same
1-2-3-45 steps, server stamps, on-site check and escalation exactly once; grid may import
enforcement, enforcement never imports grid, so grid names the person and enforcement keeps
the call-out). Keyword-only, atomic, audited."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from enforcement.models import CallOut
from enforcement.services import callouts as callout_svc
from grid.models import DepartmentOnCall
from grid.selectors import oncall as sel
from portal import audit
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import Department, StaffProfile, User


def _require_keeper(actor, department: Department) -> None:
    if not sel.may_keep(actor, department.pk):
        raise Forbidden(_("只有部门负责人或指挥中心可以安排该部门值班。"), code="not_keeper")


@transaction.atomic
def on_call_add(
    *,
    actor,
    department: Department,
    day: date,
    user: User,
    is_lead: bool = False,
    note: str = "",
) -> DepartmentOnCall:
    """Put ``user`` (the department's staff) on call on ``day``; a new lead replaces the day's
    lead (one lead per department and day)."""
    _require_keeper(actor, department)
    if not isinstance(day, date):
        raise ActionError(_("请选择值班日期。"), code="invalid", fields={"day": _("必填。")})
    if day < timezone.localdate() and not getattr(actor, "is_superuser", False):
        raise ActionError(
            _("不能给已过去的日期排班。"), code="invalid", fields={"day": _("不能早于今天。")}
        )
    if not (
        user.is_active and StaffProfile.objects.filter(user=user, department=department).exists()
    ):
        raise ActionError(
            _("%(person)s不是%(department)s的工作人员。")
            % {"person": user.display_name, "department": department.name},
            code="invalid",
            fields={"user": _("请选择本部门的工作人员。")},
        )
    note = (note or "").strip()
    if len(note) > 200:
        raise ActionError(_("备注不能超过200字。"), code="invalid", fields={"note": _("过长。")})
    # Lock the department's day: two keepers naming two leads at once end with one.
    list(
        DepartmentOnCall.objects.select_for_update()
        .filter(department=department, day=day)
        .values_list("pk", flat=True)
    )
    if is_lead:
        DepartmentOnCall.objects.filter(department=department, day=day, is_lead=True).update(
            is_lead=False
        )
    try:
        with transaction.atomic():
            entry = DepartmentOnCall.objects.create(
                department=department,
                day=day,
                user=user,
                is_lead=is_lead,
                note=note,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
    except IntegrityError:
        if DepartmentOnCall.objects.filter(department=department, day=day, user=user).exists():
            raise ActionError(
                _("%(person)s当天已在值班表中。") % {"person": user.display_name},
                code="duplicate",
                fields={"user": _("当天已排班。")},
            ) from None
        # Another keeper named the day's lead at the same moment: theirs stands.
        raise Conflict(_("该日的带班人员刚被他人设置，请刷新后再试。"), code="lead_taken") from None
    audit.record(
        actor=actor,
        action="grid.on_call_add",
        obj=entry,
        after={
            "department": department.code,
            "day": day.isoformat(),
            "user": user.pk,
            "is_lead": is_lead,
        },
    )
    return entry


@transaction.atomic
def on_call_remove(*, actor, entry: DepartmentOnCall) -> None:
    _require_keeper(actor, entry.department)
    before = {
        "department": entry.department.code,
        "day": entry.day.isoformat(),
        "user": entry.user_id,
        "is_lead": entry.is_lead,
    }
    audit.record(actor=actor, action="grid.on_call_remove", obj=entry, before=before)
    entry.delete()


def person_to_call(department: Department, day: date, person: User | None = None) -> User:
    """Who a call-out to ``department`` goes to on ``day``: ``person`` if they are on call,
    else the lead on call (or the first on call)."""
    people = sel.on_call(department.pk, day)
    if not people:
        raise ActionError(
            _("%(department)s今日没有值班人员，请先排班或改派。") % {"department": department.name},
            code="nobody_on_call",
            fields={"department": _("今日无人值班。")},
        )
    if person is not None:
        for entry in people:
            if entry.user_id == person.pk:
                return entry.user
        raise ActionError(
            _("%(person)s今日不在%(department)s值班表中。")
            % {"person": person.display_name, "department": department.name},
            code="not_on_call",
            fields={"department": _("该人员今日不值班。")},
        )
    return people[0].user


def department_callout_create(
    *,
    actor,
    department: Department,
    person: User | None = None,
    description: str,
    source: str = "call",
    source_ref: str = "",
    lat=None,
    lng=None,
    address: str = "",
    area_code: str = "",
    client_uuid: uuid.UUID | str | None = None,
    now: datetime | None = None,
) -> CallOut:
    """Call out ``department``'s person on call now (the centre): enforcement's call-out with
    the department as its target. A resend with the same ``client_uuid`` returns the first."""
    now = now or timezone.now()
    if client_uuid and CallOut.objects.filter(client_uuid=client_uuid).exists():
        # A resend: enforcement answers it (the same call-out, or a Conflict for another's).
        target = CallOut.objects.get(client_uuid=client_uuid).person
    else:
        target = person_to_call(department, timezone.localdate(now), person)
    return callout_svc.callout_create(
        actor=actor,
        department=department,
        person=target,
        description=description,
        source=source,
        source_ref=source_ref,
        lat=lat,
        lng=lng,
        address=address,
        area_code=area_code,
        client_uuid=client_uuid,
        now=now,
    )
