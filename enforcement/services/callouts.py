"""Call-outs (出动) and 1-2-3-45: every state change. Keyword-only, atomic, row-locked, audited.

The centre calls out a squad (:func:`callout_create`): the squad's officers on duty at that
moment (the duty roster) and its leader are alerted in the app and by SMS, whatever channels
they chose. Or it calls out a department's on-call person (``department`` and ``person``; grid
keeps the departments' on-call roster and calls this through
``grid.services.oncall.department_callout_create``): that person is alerted the same way, and
a missed step goes to the department's heads (portal's staff profiles) and the centre. Each step — respond, accept, set out, on site — is stamped with the server's time
(never the phone's) by :func:`callout_step`; "on site" needs the phone's position within the
call-out's radius of the place. Missed steps are escalated by enforcement.callout_reminders.

Races: callers pass the call-out as they loaded it; a step someone else did first is a Conflict
(409) that names who did it and when."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import can_proceed

from enforcement import stamps as board_stamps
from enforcement.models import (
    CALLOUT_OPEN,
    CallOut,
    CallOutEvent,
    CallOutNumberCounter,
    CallOutOfficer,
    CallOutSource,
    CallOutStep,
    Squad,
)
from enforcement.models.callouts import DONE_FIELD, STEPS
from enforcement.selectors import team as team_sel
from portal import audit, roles, stamps
from portal.areas.geometry import distance_m
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import Department, StaffProfile, User
from portal.notifications import Message, notify_bulk

from .common import actor_label, actor_user, audit_actor, require_role
from .team import on_duty

CALLERS = (roles.DISPATCHER, roles.SUPERVISOR, roles.BUREAU_HEAD)
STEP_ACTIONS = {
    CallOutStep.RESPOND: "respond",
    CallOutStep.ACCEPT: "accept",
    CallOutStep.SET_OUT: "set_out",
    CallOutStep.ON_SITE: "arrive",
}
ALERT_KIND = "enforcement.callout"
CANCELLED_KIND = "enforcement.callout_cancelled"


def limits() -> dict[str, int]:
    """Minutes from the call to each step (1-2-3-45 unless configured otherwise)."""
    conf = settings.CALLOUTS
    return {
        CallOutStep.RESPOND: int(conf["RESPOND_MINUTES"]),
        CallOutStep.ACCEPT: int(conf["ACCEPT_MINUTES"]),
        CallOutStep.SET_OUT: int(conf["SET_OUT_MINUTES"]),
        CallOutStep.ON_SITE: int(conf["ON_SITE_MINUTES"]),
    }


def phone_url(callout: CallOut) -> str:
    return reverse("enforcement:callout", args=[callout.number])


# --- who the centre is (centre/ registers itself; enforcement never imports it) ---------------

_centre_people: list[Callable[[datetime], list[User]]] = []


def register_centre_recipients(fn: Callable[[datetime], list[User]]) -> None:
    """The command centre tells enforcement who to alert about a missed step (the dispatchers
    on duty); without it, every active dispatcher."""
    if fn not in _centre_people:
        _centre_people.append(fn)


def centre_recipients(now: datetime) -> list[User]:
    for fn in _centre_people:
        people = list(fn(now) or [])
        if people:
            return people
    return list(User.objects.filter(is_active=True, groups__name=roles.DISPATCHER).order_by("pk"))


# --- helpers ---------------------------------------------------------------------------------


def allocate_number(day: date) -> str:
    CallOutNumberCounter.objects.bulk_create(
        [CallOutNumberCounter(day=day, last=0)], ignore_conflicts=True
    )
    counter = CallOutNumberCounter.objects.select_for_update().get(day=day)
    counter.last += 1
    counter.save(update_fields=["last"])
    return f"CD{day:%Y%m%d}{counter.last:04d}"


def _coordinate(value, field: str, low: float, high: float) -> float | None:
    if value in (None, ""):
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise ActionError(
            _("位置坐标无效。"), code="invalid", fields={field: _("须为数字。")}
        ) from None
    if not (low <= number <= high):
        raise ActionError(_("位置坐标无效。"), code="invalid", fields={field: _("超出有效范围。")})
    return number


def _point(lat, lng) -> tuple[float | None, float | None]:
    lat = _coordinate(lat, "lat", -90, 90)
    lng = _coordinate(lng, "lng", -180, 180)
    if (lat is None) != (lng is None):
        field = "lng" if lng is None else "lat"
        raise ActionError(_("经纬度须同时提供。"), code="invalid", fields={field: _("必填。")})
    return lat, lng


def _lock(callout: CallOut) -> CallOut:
    locked = (
        CallOut.objects.select_for_update(of=("self",))
        .select_related("squad", "department", "person")
        .get(pk=callout.pk)
    )
    if locked.state != callout.state:
        raise Conflict(_done_message(locked), code="state_changed")
    return locked


def _done_message(callout: CallOut) -> str:
    """What happened since: "已由 X 于 hh:mm:ss 接单" or the state."""
    for step in reversed(STEPS):
        at = callout.done_at(step)
        if at is not None:
            who = getattr(callout, f"{DONE_FIELD[step]}_by")
            return _("该出动已由%(who)s于%(time)s%(step)s，请刷新。") % {
                "who": who.display_name if who else _("他人"),
                "time": timezone.localtime(at).strftime("%H:%M:%S"),
                "step": CallOutStep(step).label,
            }
    return _("该出动的状态已变为“%(state)s”，请刷新。") % {"state": callout.get_state_display()}


def _record(
    callout, action, *, actor, before, now, on_time=None, lat=None, lng=None, note="", data=None
):
    CallOutEvent.objects.create(
        callout=callout,
        at=now,
        actor=actor_user(actor),
        actor_label=actor_label(actor),
        action=action,
        from_state=before,
        to_state=callout.state,
        on_time=on_time,
        lat=lat,
        lng=lng,
        note=note,
        data=data or {},
    )
    audit.record(
        actor=audit_actor(actor),
        action=f"enforcement.callout_{action}",
        obj=callout,
        before={"state": before} if before else None,
        after={
            "state": callout.state,
            **({"on_time": on_time} if on_time is not None else {}),
            **({"note": note} if note else {}),
            **(data or {}),
        },
    )


def department_heads(department_id: int) -> list[User]:
    """A department's heads (负责人): the active staff marked head in their staff profile."""
    return list(
        User.objects.filter(
            is_active=True,
            staff_profile__department_id=department_id,
            staff_profile__is_department_head=True,
        ).order_by("pk")
    )


def leaders(callout: CallOut) -> list[User]:
    """Who answers for the call-out above the people called: the squad leader, or the
    department's heads."""
    if callout.department_id is not None:
        return department_heads(callout.department_id)
    return [callout.squad.leader] if callout.squad.leader_id else []


def alerted_users(callout: CallOut) -> list[User]:
    """Who the call-out went to: the officers on duty at the call, then the squad leader; or the
    department's on-call person."""
    if callout.department_id is not None:
        return [callout.person]
    people = [
        link.officer.user
        for link in CallOutOfficer.objects.filter(callout=callout).select_related("officer__user")
    ]
    leader = callout.squad.leader
    if leader is not None and all(p.pk != leader.pk for p in people):
        people.append(leader)
    return people


def may_act(user, callout: CallOut) -> bool:
    """An officer the call-out went to, the squad's leader, the department's on-call person it
    went to or the department's head, or a superuser."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if callout.department_id is not None:
        return callout.person_id == user.pk or any(
            head.pk == user.pk for head in department_heads(callout.department_id)
        )
    if callout.squad.leader_id == user.pk:
        return True
    return CallOutOfficer.objects.filter(callout=callout, officer__user=user).exists()


def _require_officer(actor, callout: CallOut) -> None:
    if not may_act(actor_user(actor), callout):
        raise Forbidden(_("这次出动不是派给您的。"), code="not_called_out")


def _text(value, field: str, label: str, *, required: bool, limit: int) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ActionError(
            _("请填写%(label)s。") % {"label": label}, code="invalid", fields={field: _("必填。")}
        )
    if len(text) > limit:
        raise ActionError(
            _("%(label)s不能超过%(n)s字。") % {"label": label, "n": limit},
            code="invalid",
            fields={field: _("过长。")},
        )
    return text


# --- calling out -----------------------------------------------------------------------------


@transaction.atomic
def callout_create(
    *,
    actor,
    squad: Squad | None = None,
    department: Department | None = None,
    person: User | None = None,
    description: str,
    source: str = CallOutSource.CALL,
    source_ref: str = "",
    lat=None,
    lng=None,
    address: str = "",
    area_code: str = "",
    client_uuid: uuid.UUID | str | None = None,
    now: datetime | None = None,
) -> CallOut:
    """Call out ``squad`` (the centre): its officers on duty now and its leader are alerted in
    the app and by SMS. Or call out ``person`` of ``department`` (grid names the person from
    its on-call roster): they are alerted the same way. A resend with the same ``client_uuid``
    returns the first call-out."""
    require_role(actor, *CALLERS)
    now = now or timezone.now()
    if client_uuid:
        existing = CallOut.objects.filter(client_uuid=client_uuid).first()
        if existing is not None:
            if existing.called_by_id != getattr(actor_user(actor), "pk", None):
                raise Conflict(_("该客户端标识已被他人使用。"), code="client_uuid_taken")
            return existing
    if source not in CallOutSource.values:
        raise ActionError(_("来源无效。"), code="invalid", fields={"source": _("无效。")})
    description = _text(description, "description", _("警情"), required=True, limit=2000)
    address = _text(address, "address", _("地点"), required=False, limit=200)
    source_ref = _text(source_ref, "source_ref", _("来源编号"), required=False, limit=64)
    lat, lng = _point(lat, lng)
    today = timezone.localdate(now)
    if (squad is None) == (department is None):
        raise ActionError(
            _("请选择出动中队或部门值班人员（二选一）。"),
            code="invalid",
            fields={"squad": _("请选择出动对象。")},
        )
    if department is not None:
        _check_department_person(department, person)
        officers = []
    elif not squad.is_active:
        raise ActionError(
            _("该中队已停用。"), code="invalid", fields={"squad": _("请选择在用的中队。")}
        )
    else:
        officers = on_duty(squad, today)
    if squad is not None and not officers and squad.leader_id is None:
        raise ActionError(
            _("%(squad)s今日没有值班人员，也没有中队长，请改派其他中队。") % {"squad": squad.name},
            code="nobody_on_duty",
            fields={"squad": _("今日无人值班。")},
        )
    if not area_code and lat is not None:
        area_code = team_sel.area_code_at(lat, lng)
    minutes = limits()
    try:
        with transaction.atomic():
            callout = CallOut.objects.create(
                number=allocate_number(today),
                client_uuid=client_uuid or None,
                squad=squad,
                department=department,
                person=person if department is not None else None,
                source=source,
                source_ref=source_ref,
                description=description,
                address=address,
                lat=lat,
                lng=lng,
                area_code=(area_code or "")[:32],
                radius_m=int(settings.CALLOUTS["RADIUS_M"]),
                called_at=now,
                called_by=actor_user(actor),
                caller_label=actor_label(actor)[:128],
                **{f"{step}_due_at": now + timedelta(minutes=minutes[step]) for step in STEPS},
            )
    except IntegrityError:
        # The same UUID raced in from a second tap: the first one stands.
        existing = CallOut.objects.filter(client_uuid=client_uuid).first()
        if existing is None:
            raise
        return existing
    CallOutOfficer.objects.bulk_create(
        [
            CallOutOfficer(callout=callout, officer=officer, is_lead=index == 0)
            for index, officer in enumerate(officers)
        ]
    )
    _record(
        callout,
        "call",
        actor=actor,
        before="",
        now=now,
        lat=lat,
        lng=lng,
        data=(
            {"squad": squad.code, "officers": [o.pk for o in officers], "source_ref": source_ref}
            if squad is not None
            else {"department": department.code, "person": person.pk, "source_ref": source_ref}
        ),
    )
    _alert(callout, alerted_users(callout), kind=ALERT_KIND)
    return callout


def _check_department_person(department: Department, person: User | None) -> None:
    if not department.is_active:
        raise ActionError(
            _("该部门已停用。"), code="invalid", fields={"department": _("请选择在用的部门。")}
        )
    if person is None or not person.is_active:
        raise ActionError(
            _("%(department)s今日没有值班人员，请先排班或改派。") % {"department": department.name},
            code="nobody_on_call",
            fields={"department": _("今日无人值班。")},
        )
    if not StaffProfile.objects.filter(user=person, department=department).exists():
        raise ActionError(
            _("%(person)s不是%(department)s的工作人员。")
            % {"person": person.display_name, "department": department.name},
            code="invalid",
            fields={"person": _("不是该部门的工作人员。")},
        )


def _alert(callout: CallOut, people, *, kind: str, **extra) -> None:
    context = {
        "number": callout.number,
        # The called-out unit as the texts name it: the squad, or "department · person".
        "squad": callout.target_name,
        "description": callout.description[:60],
        "address": callout.address,
        "called_at": timezone.localtime(callout.called_at),
        **{f"{step}_minutes": minutes for step, minutes in limits().items()},
        **extra,
    }
    notify_bulk(
        [
            Message(
                recipient=person,
                kind=kind,
                obj=callout,
                context=context,
                url=phone_url(callout),
                urgent=True,
            )
            for person in people
        ]
    )


# --- the four steps --------------------------------------------------------------------------


@transaction.atomic
def callout_step(
    *,
    actor,
    callout: CallOut,
    step: str,
    lat=None,
    lng=None,
    accuracy=None,
    now: datetime | None = None,
) -> CallOut:
    """Respond, accept, set out or arrive (on site), stamped with the server's time. The step
    must be the next one; "on site" needs the phone's position within the radius."""
    if step not in STEPS:
        raise ActionError(_("步骤无效。"), code="invalid", fields={"step": _("无效。")})
    locked = _lock(callout)
    _require_officer(actor, locked)
    now = now or timezone.now()
    if locked.done_at(step) is not None:
        raise Conflict(_done_message(locked), code="already_done")
    transition = getattr(locked, STEP_ACTIONS[step])
    if not can_proceed(transition):
        expected = locked.next_step()
        message = (
            _("请先完成“%(step)s”。") % {"step": CallOutStep(expected).label}
            if expected
            else _("该出动当前状态（%(state)s）不允许此操作。")
            % {"state": locked.get_state_display()}
        )
        raise ActionError(message, code="invalid_transition")
    lat, lng = _point(lat, lng)
    distance = None
    if step == CallOutStep.ON_SITE:
        distance = _check_on_site(locked, lat, lng)
    before = locked.state
    transition()
    prefix = DONE_FIELD[step]
    setattr(locked, f"{prefix}_at", now)
    setattr(locked, f"{prefix}_by", actor_user(actor))
    if lat is not None:
        locked.last_lat, locked.last_lng, locked.last_position_at = lat, lng, now
    if step == CallOutStep.ON_SITE:
        locked.on_site_lat, locked.on_site_lng = lat, lng
        locked.on_site_distance_m = distance
    locked.save()
    on_time = now <= locked.due(step)
    data = {}
    if distance is not None:
        data["distance_m"] = distance
    if accuracy not in (None, ""):
        try:
            data["accuracy_m"] = round(float(accuracy))
        except (TypeError, ValueError):
            pass
    _record(
        locked,
        STEP_ACTIONS[step],
        actor=actor,
        before=before,
        now=now,
        on_time=on_time,
        lat=lat,
        lng=lng,
        data=data,
    )
    return locked


def _check_on_site(callout: CallOut, lat, lng) -> int | None:
    if callout.lat is None or callout.lng is None:
        # A call without a place (a phone call with words only): nothing to check against.
        return _distance(callout, lat, lng)
    if lat is None:
        raise ActionError(
            _("确认到场需要手机定位，请允许定位后再试。"),
            code="position_required",
            fields={"position": _("需要手机定位。")},
        )
    distance = _distance(callout, lat, lng)
    if distance > callout.radius_m:
        raise ActionError(
            _("您距出动地点约%(d)s米，超出%(r)s米，请到达现场后再确认到场。")
            % {"d": distance, "r": callout.radius_m},
            code="too_far",
            fields={"position": _("距现场约%(d)s米。") % {"d": distance}},
        )
    return distance


def _distance(callout: CallOut, lat, lng) -> int | None:
    if lat is None or callout.lat is None:
        return None
    return round(distance_m((lng, lat), (callout.lng, callout.lat)))


def callout_respond(*, actor, callout: CallOut, lat=None, lng=None, now=None) -> CallOut:
    return callout_step(
        actor=actor, callout=callout, step=CallOutStep.RESPOND, lat=lat, lng=lng, now=now
    )


def callout_accept(*, actor, callout: CallOut, lat=None, lng=None, now=None) -> CallOut:
    return callout_step(
        actor=actor, callout=callout, step=CallOutStep.ACCEPT, lat=lat, lng=lng, now=now
    )


def callout_set_out(*, actor, callout: CallOut, lat=None, lng=None, now=None) -> CallOut:
    return callout_step(
        actor=actor, callout=callout, step=CallOutStep.SET_OUT, lat=lat, lng=lng, now=now
    )


def callout_arrive(*, actor, callout: CallOut, lat, lng, accuracy=None, now=None) -> CallOut:
    return callout_step(
        actor=actor,
        callout=callout,
        step=CallOutStep.ON_SITE,
        lat=lat,
        lng=lng,
        accuracy=accuracy,
        now=now,
    )


# --- position, finish, cancel ----------------------------------------------------------------


@transaction.atomic
def callout_position(*, actor, callout: CallOut, lat, lng, now: datetime | None = None) -> CallOut:
    """The phone's position while the call-out is open (the centre's map shows the squad's last
    known place). Not history: only the last one is kept."""
    lat, lng = _point(lat, lng)
    if lat is None:
        raise ActionError(_("请提供位置。"), code="invalid", fields={"lat": _("必填。")})
    locked = (
        CallOut.objects.select_for_update(of=("self",))
        .select_related("squad", "department", "person")
        .get(pk=callout.pk)
    )
    _require_officer(actor, locked)
    if locked.state not in CALLOUT_OPEN:
        raise ActionError(_("该出动已结束。"), code="invalid_transition")
    now = now or timezone.now()
    CallOut.objects.filter(pk=locked.pk).update(
        last_lat=lat, last_lng=lng, last_position_at=now, updated_at=now
    )
    stamps.bump_on_commit(board_stamps.CALLOUTS)
    locked.last_lat, locked.last_lng, locked.last_position_at = lat, lng, now
    return locked


@transaction.atomic
def callout_finish(*, actor, callout: CallOut, note: str, now: datetime | None = None) -> CallOut:
    """On site and dealt with: what was found and done (a lead or a case follows elsewhere)."""
    locked = _lock(callout)
    _require_officer(actor, locked)
    note = _text(note, "note", _("处置情况"), required=True, limit=2000)
    if not can_proceed(locked.finish):
        raise ActionError(_("到场后才能报告处置情况。"), code="invalid_transition")
    now = now or timezone.now()
    before = locked.state
    locked.finish()
    locked.finished_at = now
    locked.result_note = note
    locked.save()
    _record(locked, "finish", actor=actor, before=before, now=now, note=note)
    return locked


@transaction.atomic
def callout_cancel(*, actor, callout: CallOut, reason: str, now: datetime | None = None) -> CallOut:
    """The centre stands the squad down (a false alarm, another squad is nearer)."""
    require_role(actor, *CALLERS)
    locked = _lock(callout)
    reason = _text(reason, "reason", _("撤销原因"), required=True, limit=300)
    if not can_proceed(locked.cancel):
        raise ActionError(
            _("该出动当前状态（%(state)s）不能撤销。") % {"state": locked.get_state_display()},
            code="invalid_transition",
        )
    now = now or timezone.now()
    before = locked.state
    locked.cancel()
    locked.cancelled_at = now
    locked.cancel_reason = reason
    locked.save()
    _record(locked, "cancel", actor=actor, before=before, now=now, note=reason)
    _alert(locked, alerted_users(locked), kind=CANCELLED_KIND, reason=reason)
    return locked
