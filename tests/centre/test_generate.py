"""The command centre's parts of manage.py generate on a small run: the squads' call-outs
(enforcement's part "callouts") and the dispatchers' roster and handovers (part "centre"), read
back through the selectors the board and the figures use."""

import re
from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db.models import F

from centre import generate as centre_generate
from centre.models import DispatcherDuty, Handover
from centre.selectors import duty as duty_sel
from enforcement import callout_generate
from enforcement.models import (
    CallOut,
    CallOutEvent,
    CallOutNumberCounter,
    CallOutOfficer,
    DutyShift,
)
from enforcement.models.callouts import STEPS
from enforcement.selectors import callouts as callout_sel
from portal.areas.geometry import distance_m
from tests.enforcement.world import World

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 9)
NOW = datetime(2026, 11, 9, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))  # the generator's "now"


def callouts(n=300, seed=5):
    return callout_generate.Generator(
        callouts=n, seed=seed, today=TODAY, years=1, log=lambda m: None, vacuum=False
    ).run()


def test_call_outs_follow_1_2_3_45_and_the_roster(town):
    world = World()
    result = callouts()
    assert result["counts"]["enforcement_callout"] == CallOut.objects.count() == 304
    # numbers gap-free per day, the counters where the service continues
    per_day = defaultdict(list)
    for number in CallOut.objects.values_list("number", flat=True):
        assert re.fullmatch(r"CD\d{12}", number)
        per_day[number[2:10]].append(int(number[10:]))
    for day, seqs in per_day.items():
        assert sorted(seqs) == list(range(1, len(seqs) + 1)), day
    assert {f"{c.day:%Y%m%d}": c.last for c in CallOutNumberCounter.objects.all()} == {
        day: len(seqs) for day, seqs in per_day.items()
    }
    # two of each squad on duty every day (the first leads), a week ahead too
    assert DutyShift.objects.filter(day=TODAY + timedelta(days=7)).count() == 4
    assert DutyShift.objects.filter(day=TODAY, is_lead=True).count() == 2
    states = defaultdict(int)
    for callout in CallOut.objects.prefetch_related("officers", "history"):
        states[callout.state] += 1
        day = callout.called_at.astimezone(ZoneInfo("Asia/Shanghai")).date()
        # it went to the squad's officers on duty that day
        on_duty = set(
            DutyShift.objects.filter(squad=callout.squad, day=day).values_list(
                "officer_id", flat=True
            )
        )
        assert {o.officer_id for o in callout.officers.all()} == on_duty
        # the moments are 1-2-3-45 from the call; the steps done are in order
        assert [round((callout.due(s) - callout.called_at).total_seconds()) for s in STEPS] == [
            60,
            120,
            180,
            2700,
        ]
        done = [callout.done_at(s) for s in STEPS if callout.done_at(s)]
        assert done == sorted(done) and all(t > callout.called_at for t in done)
        # every step's event says whether it was on time, by the server's stamp
        for event in callout.history.all():
            if event.action in ("respond", "accept", "set_out", "arrive"):
                step = "on_site" if event.action == "arrive" else event.action
                assert event.on_time == (event.at <= callout.due(step))
        assert callout.history.first().action == "call"
        if callout.on_site_at and callout.lat is not None:
            assert callout.on_site_distance_m <= callout.radius_m
            measured = distance_m(
                (callout.lng, callout.lat), (callout.on_site_lng, callout.on_site_lat)
            )
            assert abs(measured - callout.on_site_distance_m) <= 0.1 * measured + 5
    assert states["finished"] > 250 and states["cancelled"] >= 1
    assert CallOutOfficer.objects.count() == 2 * 304
    assert CallOutEvent.objects.filter(action="call").count() == 304
    # the board's panel: four running now, the one 31 minutes out on its way with a position
    running = callout_sel.in_progress(now=NOW)
    assert len(running) == 4
    assert all(r["lat"] is not None for r in running)  # the town's grids give the places
    moving = callout_sel.last_positions(now=NOW)
    assert len(moving) >= 1
    # the figures' 1-2-3-45 compliance: mostly on time, not all
    figures = callout_sel.compliance(NOW - timedelta(days=365), NOW, now=NOW)
    assert {f["squad"] for f in figures} == {world.squad.code, world.squad2.code}
    rates = [s["rate"] for f in figures for s in f["steps"]]
    assert all(70 <= r < 100 for r in rates), rates


def test_call_outs_same_seed_same_rows_and_no_second_load(town):
    World()
    callouts(n=60, seed=3)
    first = list(
        CallOut.objects.order_by("number").values_list("number", "squad_id", "state", "lat")
    )
    with pytest.raises(RuntimeError):
        callouts(n=60, seed=3)
    CallOut.objects.all().delete()
    CallOutNumberCounter.objects.all().delete()
    DutyShift.objects.all().delete()
    callouts(n=60, seed=3)
    again = list(
        CallOut.objects.order_by("number").values_list("number", "squad_id", "state", "lat")
    )
    assert again == first


def test_call_outs_need_the_squads(db):
    with pytest.raises(RuntimeError, match="enforcement part"):
        callouts(n=10)


def test_the_dispatchers_roster_and_handovers():
    result = centre_generate.Generator(
        dispatchers=5, seed=4, today=TODAY, years=1, log=lambda m: None, vacuum=False
    ).run()
    shifts = duty_sel.shifts()
    days = 365 + 14 + 1
    assert result["counts"]["dispatchers"] == 5
    assert DispatcherDuty.objects.count() == 2 * len(shifts) * days
    assert DispatcherDuty.objects.filter(is_lead=True).count() == len(shifts) * days
    # who is on duty now, and the next shift
    slot = duty_sel.current_slot(NOW)
    assert slot.shift.name == "day" and slot.day == TODAY
    assert len(duty_sel.on_duty(slot)) == 2
    assert len(duty_sel.on_duty(duty_sel.next_slot(slot))) == 2
    # a note for every shift that ended before now (none for the running one)
    ended = sum(
        1
        for i in range(days)
        for s in shifts
        if s.bounds(TODAY - timedelta(days=365) + timedelta(days=i))[1] <= NOW
    )
    assert Handover.objects.count() == ended
    latest = duty_sel.latest_handover()
    assert (latest.day, latest.shift) == (TODAY - timedelta(days=1), "night")
    # acknowledged by the next shift's leader, never by its author
    assert not Handover.objects.filter(acknowledged_by=F("author")).exists()
    assert Handover.objects.filter(acknowledged_by__isnull=False).count() >= ended - 2
    with pytest.raises(RuntimeError):
        centre_generate.Generator(
            dispatchers=5, seed=4, today=TODAY, years=1, log=lambda m: None, vacuum=False
        ).run()
