"""A department's on-call person called out (部门值班出动): the roster kept by the department's
heads and the centre; the call goes to the day's lead on call (or the one picked); the same
1-2-3-45 steps stamped by the server, the on-site check, missed steps escalated exactly once to
the department's heads and the centre; scope (an on-call person sees only their call-outs); the
centre's form offers squad or department; the figures put departments beside squads."""

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import Client

from centre.selectors import board
from enforcement.callout_reminders import KINDS
from enforcement.models import CallOut, DutyShift
from enforcement.selectors import callouts as sel
from enforcement.services import callouts as callout_svc
from grid.models import DepartmentOnCall
from grid.services import oncall as svc
from portal import reminders, roles
from portal.errors import ActionError, Forbidden
from portal.models import Delivery, Notification, Reminder, StaffProfile
from tests.enforcement.world import World
from tests.factories import DepartmentFactory, UserFactory

pytestmark = pytest.mark.django_db

SHANGHAI = ZoneInfo("Asia/Shanghai")
DAY = date(2026, 10, 9)
CALLED = datetime(2026, 10, 9, 22, 10, tzinfo=SHANGHAI)  # a night: departments answer 24 hours
PLACE = (27.62, 113.85)


def near(metres: float) -> tuple[float, float]:
    return PLACE[0] + metres / 110_574.0, PLACE[1]


class Town(World):
    def __init__(self):
        super().__init__()
        self.water = DepartmentFactory(code="SLZ", name="下埠镇水利站", short_name="水利站")
        self.roads = DepartmentFactory(code="JSB", name="下埠镇建设办", short_name="建设办")
        self.water_head = self.staff(self.water, "站长", head=True)
        self.water_a = self.staff(self.water, "值班甲")
        self.water_b = self.staff(self.water, "值班乙")
        self.roads_a = self.staff(self.roads, "建设办员")
        self.supervisor = UserFactory.with_role(roles.SUPERVISOR, department=self.bureau)

    def staff(self, department, name, *, head=False):
        user = UserFactory.with_role(roles.DEPARTMENT_STAFF, department=department)
        user.real_name = name
        user.save()
        if head:
            StaffProfile.objects.filter(user=user).update(is_department_head=True)
        return user


@pytest.fixture
def town(db):
    with time_machine.travel(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI), tick=False):
        town = Town()
        svc.on_call_add(actor=town.water_head, department=town.water, day=DAY, user=town.water_a)
        svc.on_call_add(
            actor=town.dispatcher, department=town.water, day=DAY, user=town.water_b, is_lead=True
        )
        # the roads office has nobody on call that day
    return town


def call(town, *, now=CALLED, person=None, department=None, **extra):
    return svc.department_callout_create(
        actor=town.dispatcher,
        department=department or town.water,
        person=person,
        description="河堤渗水，需水利站到场",
        source="incident",
        source_ref="SJ2026100900002",
        lat=PLACE[0],
        lng=PLACE[1],
        address="下埠村河堤",
        now=now,
        **extra,
    )


def step(callout, name, seconds, person, **extra):
    return callout_svc.callout_step(
        actor=person,
        callout=CallOut.objects.get(pk=callout.pk),
        step=name,
        now=CALLED + timedelta(seconds=seconds),
        **extra,
    )


# --- the roster -----------------------------------------------------------------------------


def test_the_roster_is_kept_by_the_departments_heads_and_the_centre_only(town):
    with time_machine.travel(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI), tick=False):
        with pytest.raises(Forbidden):  # a department's staff who is not its head
            svc.on_call_add(actor=town.water_a, department=town.water, day=DAY, user=town.water_a)
        with pytest.raises(Forbidden):  # another department's head is not this one's
            svc.on_call_add(
                actor=town.water_head, department=town.roads, day=DAY, user=town.roads_a
            )
        with pytest.raises(ActionError) as refused:  # not the department's staff
            svc.on_call_add(
                actor=town.water_head, department=town.water, day=DAY, user=town.roads_a
            )
        assert "user" in refused.value.fields
        with pytest.raises(ActionError):  # twice the same day
            svc.on_call_add(
                actor=town.water_head, department=town.water, day=DAY, user=town.water_a
            )
        # a new lead replaces the day's lead: one lead per department and day
        svc.on_call_remove(
            actor=town.water_head,
            entry=DepartmentOnCall.objects.get(user=town.water_a, day=DAY),
        )
        svc.on_call_add(
            actor=town.water_head, department=town.water, day=DAY, user=town.water_a, is_lead=True
        )
    leads = DepartmentOnCall.objects.filter(department=town.water, day=DAY, is_lead=True)
    assert [e.user_id for e in leads] == [town.water_a.pk]
    # the database holds one lead per department and day, whatever two keepers do at once
    with pytest.raises(IntegrityError), transaction.atomic():
        DepartmentOnCall.objects.filter(user=town.water_b, day=DAY).update(is_lead=True)


# --- calling out ----------------------------------------------------------------------------


def test_the_call_goes_to_the_lead_on_call_in_the_app_and_by_sms(town):
    callout = call(town)
    assert callout.department == town.water and callout.squad is None
    assert callout.person == town.water_b  # the lead (带班), though put on call second
    assert callout.target_name == "水利站 · 值班乙"
    assert [u.pk for u in callout_svc.alerted_users(callout)] == [town.water_b.pk]
    notes = Notification.objects.filter(kind="enforcement.callout")
    assert [n.recipient_id for n in notes] == [town.water_b.pk]
    assert "水利站" in notes[0].title
    sms = Delivery.objects.filter(channel="sms", notification__kind="enforcement.callout")
    assert [d.address for d in sms] == [town.water_b.mobile]
    assert [callout.due(s) - CALLED for s in ("respond", "accept", "set_out", "on_site")] == [
        timedelta(minutes=m) for m in (1, 2, 3, 45)
    ]


def test_the_dispatcher_may_pick_another_on_call_but_not_someone_off_the_roster(town):
    assert call(town, person=town.water_a).person == town.water_a
    with pytest.raises(ActionError) as refused:
        call(town, person=town.water_head)  # on the staff, not on call today
    assert refused.value.code == "not_on_call"
    with pytest.raises(ActionError) as nobody:
        call(town, department=town.roads)
    assert nobody.value.code == "nobody_on_call"
    assert "department" in nobody.value.fields
    # the next day nobody is on call for the water station either
    with pytest.raises(ActionError):
        call(town, now=CALLED + timedelta(days=1))


def test_only_the_centre_calls_out(town):
    with pytest.raises(Forbidden):
        svc.department_callout_create(
            actor=town.water_head, department=town.water, description="x", now=CALLED
        )


def test_each_step_is_stamped_by_the_server_and_on_site_is_checked_against_the_place(town):
    callout = call(town)
    with pytest.raises(Forbidden):  # on call, but the call went to the lead
        step(callout, "respond", 10, town.water_a)
    callout = step(callout, "respond", 40, town.water_b)
    assert callout.responded_at == CALLED + timedelta(seconds=40)
    with pytest.raises(ActionError):  # out of order
        step(callout, "set_out", 50, town.water_b)
    step(callout, "accept", 100, town.water_b)
    step(callout, "set_out", 170, town.water_b)
    with pytest.raises(ActionError) as far:
        lat, lng = near(800)
        step(callout, "on_site", 1200, town.water_b, lat=lat, lng=lng)
    assert far.value.code == "too_far"
    lat, lng = near(120)
    callout = step(callout, "on_site", 1500, town.water_b, lat=lat, lng=lng)
    assert callout.state == "on_site" and 110 <= callout.on_site_distance_m <= 130
    timings = {t["step"]: t for t in sel.timings(callout, CALLED + timedelta(minutes=30))}
    assert [timings[s]["status"] for s in ("respond", "accept", "set_out", "on_site")] == [
        "on_time"
    ] * 4
    assert [timings[s]["seconds"] for s in ("respond", "accept", "set_out", "on_site")] == [
        40,
        100,
        170,
        1500,
    ]


def test_the_department_head_may_answer_for_the_on_call_person(town):
    callout = step(call(town), "respond", 30, town.water_head)
    assert callout.responded_by == town.water_head


# --- escalation -----------------------------------------------------------------------------


def _told(kind):
    return sorted(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def test_missed_steps_go_to_the_department_head_and_the_centre_exactly_once(town):
    callout = call(town)

    def sweep(seconds):
        reminders.run_sweep(now=CALLED + timedelta(seconds=seconds), kinds=KINDS.values())

    sweep(59)
    assert _told(KINDS["respond"]) == []
    sweep(61)
    # the department's head and the centre (every dispatcher: no centre roster here)
    assert _told(KINDS["respond"]) == sorted([town.water_head.pk, town.dispatcher.pk])
    sweep(70)
    sweep(90)
    assert len(_told(KINDS["respond"])) == 2  # exactly once
    assert Reminder.objects.filter(kind=KINDS["respond"], object_id=str(callout.pk)).count() == 1
    step(callout, "respond", 95, town.water_b)  # late
    step(callout, "accept", 110, town.water_b)  # on time
    sweep(125)
    assert _told(KINDS["accept"]) == []
    sweep(181)  # set out due at 3:00, not done
    assert len(_told(KINDS["set_out"])) == 2
    note = Notification.objects.filter(kind=KINDS["set_out"]).first()
    assert "水利站" in note.title
    assert town.water_b.pk not in _told(KINDS["respond"])  # the late one is not told of it


# --- scope ----------------------------------------------------------------------------------


def test_an_on_call_person_sees_only_their_call_outs(town):
    mine = call(town)
    other = call(town, person=town.water_a)
    DutyShift.objects.create(squad=town.squad, day=DAY, officer=town.officer1, is_lead=True)
    squad_call = callout_svc.callout_create(
        actor=town.dispatcher, squad=town.squad, description="占道经营", now=CALLED
    )
    seen = set(sel.visible_callouts(town.water_b).values_list("number", flat=True))
    assert seen == {mine.number}
    assert [c.number for c in sel.open_for(town.water_b)] == [mine.number]
    # the department's head sees the department's, not the squads'
    head_sees = set(sel.visible_callouts(town.water_head).values_list("number", flat=True))
    assert head_sees == {mine.number, other.number}
    # an officer does not see a department's; another department's staff sees none
    assert mine.number not in set(
        sel.visible_callouts(town.officer1.user).values_list("number", flat=True)
    )
    assert not sel.visible_callouts(town.roads_a).exists()
    client = Client()
    client.force_login(town.water_b)
    assert client.get(f"/enforcement/m/callouts/{mine.number}/").status_code == 200
    assert client.get(f"/enforcement/m/callouts/{other.number}/").status_code == 404
    assert client.get(f"/enforcement/m/callouts/{squad_call.number}/").status_code == 404
    api = client.get("/api/v1/enforcement/callouts/?open=1").json()
    assert [c["number"] for c in api] == [mine.number]
    assert api[0]["target_kind"] == "department" and api[0]["department"] == "SLZ"


# --- the centre's form, the board and the figures -------------------------------------------


def test_the_centre_form_offers_squad_or_department_with_who_is_on_call(town):
    client = Client()
    client.force_login(town.dispatcher)
    with time_machine.travel(CALLED, tick=False):
        page = client.get("/centre/callouts/new/").content.decode()
        assert 'name="target"' in page
        assert "水利站：呼叫带班 值班乙" in page and "建设办（今日无人值班）" in page
        # department chosen without a department: the field says so, nothing called out
        bad = client.post(
            "/centre/callouts/new/",
            {
                "target": "department",
                "description": "河堤渗水",
                "client_uuid": "9d3f0e3c-1b43-4f4b-8a55-2d1d2b7b4c11",
            },
        )
        assert bad.status_code == 400 and "请选择部门或值班人员" in bad.content.decode()
        picked = client.post(
            "/centre/callouts/new/",
            {
                "target": "department",
                "department": f"SLZ:{town.water_a.pk}",
                "squad": "ZD1",  # ignored: the target says department
                "description": "河堤渗水",
                "lat": PLACE[0],
                "lng": PLACE[1],
                "client_uuid": "9d3f0e3c-1b43-4f4b-8a55-2d1d2b7b4c12",
            },
        )
        assert picked.status_code == 302
        callout = CallOut.objects.get(client_uuid="9d3f0e3c-1b43-4f4b-8a55-2d1d2b7b4c12")
        assert (callout.department, callout.person, callout.squad) == (
            town.water,
            town.water_a,
            None,
        )
        nobody = client.post(
            "/centre/callouts/new/",
            {
                "target": "department",
                "department": "JSB",
                "description": "路面塌陷",
                "client_uuid": "9d3f0e3c-1b43-4f4b-8a55-2d1d2b7b4c13",
            },
        )
        assert nobody.status_code == 400 and "今日没有值班人员" in nobody.content.decode()
        detail = client.get(picked["Location"]).content.decode()
        assert "值班甲" in detail and "站长" in detail
        assert client.get("/centre/callouts/CD209901010001/").status_code == 404


def test_the_board_and_the_figures_put_departments_beside_squads(town):
    DutyShift.objects.create(squad=town.squad, day=DAY, officer=town.officer1, is_lead=True)
    squad_call = callout_svc.callout_create(
        actor=town.dispatcher, squad=town.squad, description="占道经营", now=CALLED
    )
    step(squad_call, "respond", 20, town.officer1.user)
    dept_call = call(town)
    step(dept_call, "respond", 80, town.water_b)  # late
    panel = board.callouts_panel(CALLED + timedelta(minutes=5))
    by_number = {item["number"]: item for item in panel["items"]}
    assert by_number[dept_call.number]["target_kind"] == "department"
    assert by_number[dept_call.number]["squad_name"] == "水利站 · 值班乙"
    assert by_number[dept_call.number]["missed"][0] == "respond"
    start = datetime(2026, 10, 9, tzinfo=SHANGHAI)
    rows = sel.compliance(start, start + timedelta(days=1), now=CALLED + timedelta(minutes=10))
    assert [(r["kind"], r["code"]) for r in rows] == [("squad", "ZD1"), ("department", "SLZ")]
    respond = {r["code"]: r["steps"][0] for r in rows}
    assert (respond["ZD1"]["on_time"], respond["ZD1"]["late"]) == (1, 0)
    assert (respond["SLZ"]["on_time"], respond["SLZ"]["late"], respond["SLZ"]["rate"]) == (
        0,
        1,
        0.0,
    )
    accept = {r["code"]: r["steps"][1] for r in rows}
    assert accept["SLZ"]["missed"] == 1  # due at 2:00, not done at 10:00


# --- the roster pages -----------------------------------------------------------------------


def test_the_roster_page_heads_keep_it_staff_read_it(town):
    with time_machine.travel(datetime(2026, 10, 8, 9, 0, tzinfo=SHANGHAI), tick=False):
        head = Client()
        head.force_login(town.water_head)
        page = head.get("/grid/on-call/")
        assert page.status_code == 200
        text = page.content.decode()
        assert "值班乙（带班）" in text and 'name="user"' in text  # the head may add
        added = head.post(
            "/grid/on-call/",
            {"department": "SLZ", "day": "2026-10-10", "user": town.water_a.pk, "is_lead": "on"},
        )
        assert added.status_code == 302
        assert DepartmentOnCall.objects.get(day=date(2026, 10, 10)).is_lead
        past = head.post(
            "/grid/on-call/", {"department": "SLZ", "day": "2026-10-01", "user": town.water_a.pk}
        )
        assert past.status_code == 400 and "不能早于今天" in past.content.decode()
        # the head's department only, whatever the query says
        assert "值班乙" in head.get("/grid/on-call/?department=JSB").content.decode()

        staff = Client()
        staff.force_login(town.water_a)
        text = staff.get("/grid/on-call/").content.decode()
        assert "值班乙（带班）" in text and 'name="user"' not in text  # read-only
        assert (
            staff.post(
                "/grid/on-call/",
                {"department": "SLZ", "day": "2026-10-11", "user": town.water_a.pk},
            ).status_code
            == 403
        )
        entry = DepartmentOnCall.objects.get(day=date(2026, 10, 10))
        staff.post(f"/grid/on-call/{entry.pk}/remove/")
        assert DepartmentOnCall.objects.filter(pk=entry.pk).exists()  # refused
        head.post(f"/grid/on-call/{entry.pk}/remove/")
        assert not DepartmentOnCall.objects.filter(pk=entry.pk).exists()

        centre = Client()
        centre.force_login(town.dispatcher)
        text = centre.get("/grid/on-call/?department=SLZ").content.decode()
        assert 'name="user"' in text and "建设办" in text  # every department to choose from
        outsider = Client()
        outsider.force_login(town.officer1.user)
        assert outsider.get("/grid/on-call/").status_code == 403
