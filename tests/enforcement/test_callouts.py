"""Call-outs (出动) and 1-2-3-45: who is alerted (in the app and by SMS), server-stamped steps in
order, the on-site position check, missed steps escalated to the squad leader and the centre
exactly once, stand-down, scope and the API."""

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from rest_framework.test import APIClient

from enforcement.callout_reminders import KINDS
from enforcement.models import CallOut, CallOutEvent, DutyShift
from enforcement.selectors import callouts as sel
from enforcement.services import callouts as svc
from portal import reminders
from portal.errors import ActionError, Conflict, Forbidden
from portal.models import AuditEntry, Delivery, Notification, Reminder

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 10, 9)
CALLED = datetime(2026, 10, 9, 9, 50, tzinfo=SHANGHAI)
PLACE = (27.62, 113.85)


def near(metres: float) -> tuple[float, float]:
    return PLACE[0] + metres / 110_574.0, PLACE[1]  # portal.areas.geometry: metres per degree


@pytest.fixture
def duty(world):
    world.officer1.user.mobile = "13900000011"
    world.officer1.user.save()
    DutyShift.objects.create(squad=world.squad, day=DAY, officer=world.officer1, is_lead=True)
    DutyShift.objects.create(squad=world.squad, day=DAY, officer=world.officer2)
    return world


def call(world, *, now=CALLED, **extra):
    return svc.callout_create(
        actor=world.dispatcher,
        squad=world.squad,
        description="井盖缺失，有行人坠落危险",
        source="incident",
        source_ref="SJ2026100900001",
        lat=PLACE[0],
        lng=PLACE[1],
        address="下埠村菜市场东侧",
        now=now,
        **extra,
    )


def step(world, callout, name, seconds, officer=None, **extra):
    person = (officer or world.officer1).user
    return svc.callout_step(
        actor=person, callout=callout, step=name, now=CALLED + timedelta(seconds=seconds), **extra
    )


# --- calling out ----------------------------------------------------------------------------


def test_the_squad_on_duty_and_its_leader_are_alerted_in_the_app_and_by_sms(duty):
    world = duty
    callout = call(world)
    assert callout.number.startswith("CD20261009")
    alerted = {u.pk for u in svc.alerted_users(callout)}
    assert alerted == {world.officer1.user.pk, world.officer2.user.pk, world.leader.user.pk}
    assert not world.officer3.user.pk in alerted  # noqa: E713  (another squad)
    notes = Notification.objects.filter(kind="enforcement.callout")
    assert {n.recipient_id for n in notes} == alerted
    # staff choose e-mail by default; a call-out goes by SMS as well, to whoever has a mobile
    sms = Delivery.objects.filter(channel="sms", notification__kind="enforcement.callout")
    assert {d.address for d in sms} >= {"13900000011"}
    assert callout.respond_due_at == CALLED + timedelta(minutes=1)
    assert callout.accept_due_at == CALLED + timedelta(minutes=2)
    assert callout.set_out_due_at == CALLED + timedelta(minutes=3)
    assert callout.on_site_due_at == CALLED + timedelta(minutes=45)
    assert AuditEntry.objects.filter(action="enforcement.callout_call").count() == 1


def test_a_resend_with_the_same_uuid_is_the_same_call_out(duty):
    key = uuid.uuid4()
    first = call(duty, client_uuid=key)
    again = call(duty, client_uuid=key)
    assert first.pk == again.pk and CallOut.objects.count() == 1
    with pytest.raises(Conflict):
        svc.callout_create(
            actor=duty.head, squad=duty.squad, description="x", client_uuid=key, now=CALLED
        )


def test_only_the_centre_calls_out_and_a_squad_without_anyone_is_refused(world):
    with pytest.raises(Forbidden):
        svc.callout_create(
            actor=world.officer1.user, squad=world.squad, description="x", now=CALLED
        )
    world.squad2.leader = None
    world.squad2.save()
    with pytest.raises(ActionError) as refused:
        svc.callout_create(actor=world.dispatcher, squad=world.squad2, description="x", now=CALLED)
    assert refused.value.code == "nobody_on_duty" and "squad" in refused.value.fields
    with pytest.raises(ActionError) as empty:
        svc.callout_create(actor=world.dispatcher, squad=world.squad, description=" ", now=CALLED)
    assert "description" in empty.value.fields


# --- the steps ------------------------------------------------------------------------------


def test_each_step_is_stamped_by_the_server_in_order(duty):
    world = duty
    callout = call(world)
    with pytest.raises(ActionError) as early:
        step(world, callout, "accept", 10)
    assert early.value.code == "invalid_transition" and "响应" in early.value.message
    callout = step(world, callout, "respond", 40)
    with pytest.raises(Conflict) as twice:
        step(world, callout.__class__.objects.get(pk=callout.pk), "respond", 45, world.officer2)
    assert "队员一" in twice.value.message
    callout = step(world, callout, "accept", 150, world.officer2)  # late: due at 2:00
    callout = step(world, callout, "set_out", 170)
    assert (callout.responded_at - CALLED).total_seconds() == 40
    assert callout.accepted_by == world.officer2.user
    events = {e.action: e.on_time for e in CallOutEvent.objects.filter(callout=callout)}
    assert events == {"call": None, "respond": True, "accept": False, "set_out": True}
    summary = sel.summary(callout, CALLED + timedelta(minutes=10))
    assert [s["status"] for s in summary["steps"]] == ["on_time", "late", "on_time", "running"]


def test_on_site_needs_the_phone_within_the_radius(duty):
    world = duty
    callout = call(world)
    for name, seconds in (("respond", 30), ("accept", 60), ("set_out", 90)):
        callout = step(world, callout, name, seconds)
    with pytest.raises(ActionError) as no_position:
        step(world, callout, "on_site", 1200)
    assert no_position.value.code == "position_required"
    lat, lng = near(800)
    with pytest.raises(ActionError) as far:
        step(world, callout, "on_site", 1200, lat=lat, lng=lng)
    assert far.value.code == "too_far" and "800" in far.value.message
    lat, lng = near(120)
    callout = step(world, callout, "on_site", 1300, lat=lat, lng=lng, accuracy=15)
    assert callout.state == "on_site" and callout.on_site_distance_m == 120
    assert (callout.last_lat, callout.last_lng) == (lat, lng)
    callout = svc.callout_finish(
        actor=world.officer1.user,
        callout=callout,
        note="已设置警示围挡",
        now=CALLED + timedelta(hours=1),
    )
    assert callout.state == "finished"


def test_only_the_officers_called_out_and_their_leader_may_answer(duty):
    world = duty
    callout = call(world)
    with pytest.raises(Forbidden):
        step(world, callout, "respond", 20, world.officer3)  # another squad
    callout = svc.callout_step(
        actor=world.leader.user, callout=callout, step="respond", now=CALLED + timedelta(seconds=20)
    )
    assert callout.responded_by == world.leader.user


def test_the_centre_stands_a_squad_down_and_tells_them(duty):
    world = duty
    callout = call(world)
    callout = svc.callout_cancel(
        actor=world.dispatcher,
        callout=callout,
        reason="报警人已自行处理",
        now=CALLED + timedelta(minutes=5),
    )
    assert callout.state == "cancelled"
    told = Notification.objects.filter(kind="enforcement.callout_cancelled")
    assert told.count() == 3
    with pytest.raises(ActionError):
        step(world, callout, "respond", 400)


# --- escalation ------------------------------------------------------------------------------


def _escalations(kind):
    return list(
        Notification.objects.filter(kind=kind)
        .order_by("recipient_id")
        .values_list("recipient_id", flat=True)
    )


def test_missed_steps_go_to_the_squad_leader_and_the_centre_at_once_and_exactly_once(duty):
    world = duty  # no dispatcher roster here: the centre is every active dispatcher
    callout = call(world)

    def sweep(seconds):
        return reminders.run_sweep(now=CALLED + timedelta(seconds=seconds), kinds=KINDS.values())

    assert sum(sweep(59).values()) == 0
    assert (
        not Notification.objects.filter(kind__startswith="enforcement.callout_")
        .exclude(kind="enforcement.callout")
        .exists()
    )
    sweep(61)
    respond = _escalations(KINDS["respond"])
    assert sorted(respond) == sorted({world.leader.user.pk, world.dispatcher.pk})
    sweep(75)
    sweep(90)
    assert len(_escalations(KINDS["respond"])) == 2  # once, whatever the number of sweeps
    # responded late, before the sweep came round for "accept": still escalated once for respond
    callout = step(world, callout, "respond", 95)
    callout = step(world, callout, "accept", 100)
    sweep(121)
    assert _escalations(KINDS["accept"]) == []
    sweep(200)  # set out was due at 3:00 and is not done
    assert len(_escalations(KINDS["set_out"])) == 2
    assert Reminder.objects.filter(kind=KINDS["respond"]).count() == 1
    sms = Delivery.objects.filter(notification__kind=KINDS["respond"], channel="sms")
    assert sms.exists()


def test_a_step_done_late_between_two_sweeps_is_still_escalated_once(duty):
    world = duty
    callout = call(world)
    step(world, callout, "respond", 70)  # due at 1:00; no sweep ran in between
    reminders.run_sweep(now=CALLED + timedelta(seconds=80), kinds=[KINDS["respond"]])
    reminders.run_sweep(now=CALLED + timedelta(seconds=90), kinds=[KINDS["respond"]])
    assert Reminder.objects.filter(kind=KINDS["respond"]).count() == 1
    note = Notification.objects.get(kind=KINDS["respond"], recipient=world.leader.user)
    assert "1分钟" in note.title


def test_history_older_than_the_escalation_window_is_not_told(duty):
    world = duty
    call(world)
    reminders.run_sweep(now=CALLED + timedelta(days=2), kinds=KINDS.values())
    assert not Reminder.objects.filter(kind__in=KINDS.values()).exists()


# --- figures ---------------------------------------------------------------------------------


def test_compliance_per_squad_and_step(duty):
    world = duty
    a = call(world)
    step(world, a, "respond", 30)
    a = step(world, CallOut.objects.get(pk=a.pk), "accept", 130)  # late
    b = call(world, now=CALLED + timedelta(minutes=1))
    svc.callout_cancel(
        actor=world.dispatcher,
        callout=b,
        reason="误报",
        now=CALLED + timedelta(minutes=1, seconds=30),
    )
    start = datetime(2026, 10, 9, tzinfo=SHANGHAI)
    rows = sel.compliance(start, start + timedelta(days=1), now=CALLED + timedelta(minutes=10))
    (squad,) = rows
    assert squad["callouts"] == 2
    steps = {s["step"]: s for s in squad["steps"]}
    assert (steps["respond"]["on_time"], steps["respond"]["late"], steps["respond"]["missed"]) == (
        1,
        0,
        0,
    )
    assert (steps["accept"]["on_time"], steps["accept"]["late"]) == (0, 1)
    assert steps["set_out"]["missed"] == 1  # a's set out (due 3:00) not done at 10:00
    assert steps["on_site"]["missed"] == 0  # still running
    # b was stood down at 1:30, after its respond moment (2:00 from its call) — not missed
    assert steps["respond"]["rate"] == 100.0


# --- the API ---------------------------------------------------------------------------------


def test_the_api_from_the_call_to_the_arrival(duty):
    with time_machine.travel(CALLED, tick=True):
        _the_api(duty)


def _the_api(world):
    centre = APIClient()
    centre.force_authenticate(world.dispatcher)
    key = str(uuid.uuid4())
    body = {
        "squad": "ZD1",
        "description": "道路塌陷",
        "lat": PLACE[0],
        "lng": PLACE[1],
        "client_uuid": key,
    }
    first = centre.post("/api/v1/enforcement/callouts/", body, format="json")
    assert first.status_code == 201, first.content
    number = first.json()["number"]
    again = centre.post("/api/v1/enforcement/callouts/", body, format="json")
    assert again.status_code == 200 and again.json()["number"] == number
    phone = APIClient()
    phone.force_authenticate(world.officer1.user)
    mine = phone.get("/api/v1/enforcement/callouts/?open=1").json()
    assert [c["number"] for c in mine] == [number] and mine[0]["next_step"] == "respond"
    url = f"/api/v1/enforcement/callouts/{number}/"
    assert phone.post(url + "accept/", {}, format="json").status_code == 400
    for path in ("respond/", "accept/", "set-out/"):
        answer = phone.post(url + path, {}, format="json")
        assert answer.status_code == 200, answer.content
    assert phone.post(url + "respond/", {}, format="json").status_code == 409
    missing = phone.post(url + "arrive/", {}, format="json")
    assert missing.status_code == 400 and set(missing.json()["fields"]) == {"lat", "lng"}
    far = phone.post(
        url + "arrive/", dict(zip(("lat", "lng"), near(900), strict=True)), format="json"
    )
    assert far.status_code == 400 and far.json()["code"] == "too_far"
    arrived = phone.post(
        url + "arrive/", dict(zip(("lat", "lng"), near(30), strict=True)), format="json"
    )
    assert arrived.status_code == 200
    assert arrived.json()["state"] == "on_site" and arrived.json()["on_site_distance_m"] == 30
    stranger = APIClient()
    stranger.force_authenticate(world.officer3.user)
    assert stranger.get(url).status_code == 404
    assert stranger.post(url + "finish/", {"note": "x"}, format="json").status_code == 404
