"""The demo centre: a second dispatcher for the night shift, a fortnight of the dispatchers'
roster, a handover note, the demo officer on duty today, and a few call-outs of the last days
made through enforcement's services at their simulated moments (one on time, one late to
respond and stood down, one late to arrive) so that the figures have 1-2-3-45 to show; the
departments' on-call roster (部门值班) for today and the next fortnight — the demo log-in
``deptstaff`` (规划建设办) is its lead on call today, so a dispatcher can call them out and their
phone rings — and two department call-outs of the last days (one on time, one late to
respond). Idempotent."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.models import Group
from django.db import transaction
from django.utils import timezone

from centre.models import DispatcherDuty, Handover
from centre.selectors import duty as duty_sel
from centre.services import duty as duty_svc
from enforcement.models import CallOut
from enforcement.selectors import scope as enforcement_scope
from enforcement.selectors import team as team_sel
from enforcement.services import callouts as callout_svc
from enforcement.services import team as team_svc
from grid.models import DepartmentOnCall
from grid.selectors import incidents as incident_sel
from grid.selectors import oncall as oncall_sel
from grid.services import oncall as oncall_svc
from portal import roles
from portal.demo import DEMO_PASSWORD
from portal.demo_clock import simulated
from portal.models import Department, StaffProfile, User

NIGHT_DISPATCHER = ("dispatcher2", "秦夜班", "13800000098")


def _night_dispatcher() -> User | None:
    username, name, mobile = NIGHT_DISPATCHER
    user = User.objects.filter(username=username).first()
    if user is None:
        user = User(username=username, real_name=name, mobile=mobile)
        user.email = f"{username}@demo.onewindow.local"
        user.set_password(DEMO_PASSWORD)
        user.save()
        user.groups.set([Group.objects.get(name=roles.DISPATCHER)])
    centre = Department.objects.filter(code="ZHZX").first()
    if centre is not None:
        StaffProfile.objects.get_or_create(user=user, defaults={"department": centre})
    return user


def _roster(day_user: User, night_user: User, today) -> None:
    shifts = duty_sel.shifts()
    for offset in range(-7, 8):
        day = today + timedelta(days=offset)
        for shift in shifts:
            if DispatcherDuty.objects.filter(day=day, shift=shift.name).exists():
                continue
            person = day_user if shift.name == shifts[0].name else night_user
            duty_svc.duty_set(
                actor=day_user, day=day, shift=shift.name, dispatchers=[person], lead=person
            )


def _officer_on_duty(today) -> None:
    """The demo log-in `officer` answers call-outs: on duty today in their squad."""
    officer_user = User.objects.filter(username="officer").first()
    officer = enforcement_scope.officer_for(officer_user) if officer_user else None
    if officer is None or officer.squad is None or officer.squad.leader is None:
        return
    squad = officer.squad
    current = [s.officer for s in team_sel.duty_roster(day=today, squad=squad)]
    if any(o.pk == officer.pk for o in current):
        return
    lead = current[0] if current else officer
    team_svc.duty_set(
        squad=squad,
        day=today,
        officers=[*current, officer],
        lead=lead,
        actor=squad.leader,
    )


def _near(lat: float, lng: float, metres: float) -> tuple[float, float]:
    return lat + metres / 111_320.0, lng


STEPS = ("respond", "accept", "set_out", "on_site")


def _from_incident(incident) -> dict:
    """What a call-out takes from the incident it answers: its words, number and place."""
    return {
        "description": f"{incident.category.name}：{incident.description}"[:200],
        "source": "incident",
        "source_ref": incident.number,
        "lat": incident.lat,
        "lng": incident.lng,
        "address": incident.address,
    }


def _steps(callout, *, actor, moment, seconds, incident, metres: float):
    """The call-out's steps at their simulated moments, ``seconds`` after ``moment`` (None: not
    done, nor any after it), each from ``metres`` north of the incident."""
    lat, lng = _near(incident.lat, incident.lng, metres)
    for step, after in zip(STEPS, seconds, strict=True):
        if after is None:
            break
        at = moment + timedelta(seconds=after)
        with simulated(at):
            callout = callout_svc.callout_step(
                actor=actor, callout=callout, step=step, lat=lat, lng=lng, now=at
            )
    return callout


def _callouts(dispatcher: User, today) -> None:
    if CallOut.objects.exists():
        return
    squad = team_sel.squads().filter(code="ZD1").first()
    if squad is None:
        return
    urgent = list(
        incident_sel.visible(dispatcher)
        .filter(urgency="urgent", lat__isnull=False)
        .order_by("reported_at")[:3]
    )
    if not urgent:
        return
    local = timezone.localtime()
    plans = [
        # days ago, hour, seconds to respond / accept / set out / arrive (None: not done)
        (3, 10, (35, 80, 150, 1500), "finish"),
        (2, 22, (95, 130, 170, None), "cancel"),
        (1, 15, (40, 100, 160, 3100), "finish"),
    ]
    for incident, (days, hour, seconds, end) in zip(urgent, plans, strict=False):
        moment = (local - timedelta(days=days)).replace(hour=hour, minute=5, second=0)
        with simulated(moment):
            callout = callout_svc.callout_create(
                actor=dispatcher, squad=squad, now=moment, **_from_incident(incident)
            )
        people = callout_svc.alerted_users(callout)
        actor = people[0] if people else squad.leader
        callout = _steps(
            callout, actor=actor, moment=moment, seconds=seconds, incident=incident, metres=60
        )
        finish_at = moment + timedelta(seconds=(seconds[3] or seconds[2]) + 900)
        with simulated(finish_at):
            if end == "finish":
                callout_svc.callout_finish(
                    actor=actor,
                    callout=callout,
                    note="到场核实，已责令当事人立即整改，现场恢复正常。",
                    now=finish_at,
                )
            else:
                callout_svc.callout_cancel(
                    actor=dispatcher,
                    callout=callout,
                    reason="报警人来电告知已自行处理，撤销出动。",
                    now=finish_at,
                )


# department, the lead on call, others on call (usernames of grid.demo.dispatch's staff)
ON_CALL = [
    ("GHJSB", "deptstaff", ["depthead"]),
    ("SHSWB", "dept-shswb", []),
    ("JJFZB", "dept-jjfzb", []),
    ("DZB", "dept-dzb", []),
    ("NYFWZX", "dept-nyfwzx", []),
    ("PCS", "dept-pcs", []),
]


def _department_on_call(dispatcher: User, today) -> None:
    users = {u.username: u for u in User.objects.filter(username__startswith="dept")}
    for code, lead, others in ON_CALL:
        department = Department.objects.filter(code=code, is_active=True).first()
        if department is None or lead not in users:
            continue
        for offset in range(14):
            day = today + timedelta(days=offset)
            if DepartmentOnCall.objects.filter(department=department, day=day).exists():
                continue
            # the lead on even days, the others (when any) as lead on odd days
            people = [lead, *[o for o in others if o in users]]
            if offset % 2 and len(people) > 1:
                people = people[1:] + people[:1]
            for index, username in enumerate(people):
                oncall_svc.on_call_add(
                    actor=dispatcher,
                    department=department,
                    day=day,
                    user=users[username],
                    is_lead=index == 0,
                    note="24小时手机开机" if index == 0 else "",
                )


def _department_callouts(dispatcher: User, today) -> None:
    """Two department call-outs in the last days (through grid's service, at their moments):
    规划建设办 on time, 社会事务办 late to respond."""
    if CallOut.objects.filter(department__isnull=False).exists():
        return
    urgent = list(
        incident_sel.visible(dispatcher).filter(lat__isnull=False).order_by("-reported_at")[:2]
    )
    local = timezone.localtime()
    plans = [("GHJSB", 2, 21, (30, 90, 150, 1800)), ("SHSWB", 1, 23, (75, 110, 175, 2400))]
    for incident, (code, days, hour, seconds) in zip(urgent, plans, strict=False):
        department = Department.objects.filter(code=code).first()
        if department is None:
            continue
        moment = (local - timedelta(days=days)).replace(hour=hour, minute=20, second=0)
        day = timezone.localdate(moment)
        if not oncall_sel.on_call(department.pk, day):
            lead = next((u for c, u, _o in ON_CALL if c == code), None)
            person = User.objects.filter(username=lead).first() if lead else None
            if person is None:
                continue
            DepartmentOnCall.objects.create(
                department=department, day=day, user=person, is_lead=True, created_by=dispatcher
            )
        with simulated(moment):
            callout = oncall_svc.department_callout_create(
                actor=dispatcher, department=department, now=moment, **_from_incident(incident)
            )
        callout = _steps(
            callout,
            actor=callout.person,
            moment=moment,
            seconds=seconds,
            incident=incident,
            metres=80,
        )
        finish_at = moment + timedelta(seconds=seconds[3] + 1200)
        with simulated(finish_at):
            callout_svc.callout_finish(
                actor=callout.person,
                callout=callout,
                note="到场处置完毕，已设置警示并通知相关单位跟进。",
                now=finish_at,
            )


@transaction.atomic
def seed() -> None:
    dispatcher = User.objects.filter(username="dispatcher").first()
    if dispatcher is None:
        return
    night = _night_dispatcher()
    today = timezone.localdate()
    _roster(dispatcher, night, today)
    if not Handover.objects.exists():
        morning = timezone.localtime().replace(hour=7, minute=55, second=0, microsecond=0)
        if morning > timezone.now():
            morning -= timedelta(days=1)
        with simulated(morning):
            duty_svc.handover_write(
                actor=night,
                text="夜间接报3起，均已分拨；石岭村占道经营事件待网格长核查，请白班跟进。",
                now=morning,
            )
    _officer_on_duty(today)
    _callouts(dispatcher, today)
    _department_on_call(dispatcher, today)
    _department_callouts(dispatcher, today)
