"""The demo centre: a second dispatcher for the night shift, a fortnight of the dispatchers'
roster, a handover note, the demo officer on duty today, and a few call-outs of the last days
made through enforcement's services at their simulated moments (one on time, one late to
respond and stood down, one late to arrive) so that the figures have 1-2-3-45 to show.
Idempotent."""

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
from grid.selectors import incidents as incident_sel
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
    steps = ("respond", "accept", "set_out", "on_site")
    for incident, (days, hour, seconds, end) in zip(urgent, plans, strict=False):
        moment = (local - timedelta(days=days)).replace(hour=hour, minute=5, second=0)
        with simulated(moment):
            callout = callout_svc.callout_create(
                actor=dispatcher,
                squad=squad,
                description=f"{incident.category.name}：{incident.description}"[:200],
                source="incident",
                source_ref=incident.number,
                lat=incident.lat,
                lng=incident.lng,
                address=incident.address,
                now=moment,
            )
        people = callout_svc.alerted_users(callout)
        actor = people[0] if people else squad.leader
        for step, after in zip(steps, seconds, strict=True):
            if after is None:
                break
            at = moment + timedelta(seconds=after)
            lat, lng = _near(incident.lat, incident.lng, 60)
            with simulated(at):
                callout = callout_svc.callout_step(
                    actor=actor, callout=callout, step=step, lat=lat, lng=lng, now=at
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
