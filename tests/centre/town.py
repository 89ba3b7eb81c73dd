"""A small town for the command centre's tests, built through the real services of approvals,
grid and enforcement around National Day 2026 (Fri 25 Sep off for Mid-Autumn, 1–7 October
off, Thu 8 and Fri 9 October working days, Sat 10 October a make-up working day). Every figure
the tests expect is worked out by hand here.

"Now" is Friday 9 October 2026, 10:00 (Asia/Shanghai).

Applications (matter: committed 5 working days, warning threshold 1 day):
  AP1  accepted Wed 23 Sep, claimed by the reviewer. Due 5 working days later: 24, 28, 29, 30
       Sep, 8 Oct → Thu 8 Oct. Red on the 9th, late by (8 Oct, 9 Oct] = 1 working day.
  AP2  accepted Mon 28 Sep, not claimed. Due 29, 30 Sep, 8, 9, 10 Oct → Sat 10 Oct (make-up).
       Yellow from the working day on which at most 1 is left: Fri 9 Oct. Holder: the
       department's pool ("行政审批局 待认领").
  AP3  accepted Fri 9 Oct 09:00, claimed. Due Thu 15 Oct: normal.
Incidents (grid: ``ORD`` working days verify 1 / accept 1 / handle 3; ``URG`` hours 2 / 2 / 24;
``DSP`` like ORD but the grid may not handle it):
  IN1  URG reported by a resident in V1G1 on 9 Oct 08:30: waits for verification. Due 10:30,
       yellow from 09:30 (20% of 2 h, at least 1 h): yellow now. A new report, 90 min old.
  IN2  ORD reported by a resident in V1G1 on Tue 29 Sep 10:00, verified Wed 30 Sep 09:00: waits
       for acceptance, due 1 working day after 30 Sep = Thu 8 Oct (end of day). Red, late by
       (8 Oct, 9 Oct] = 1 working day — the seven days of National Day do not count.
  IN3  URG reported by member1 in V1G1 on 8 Oct 09:00 (a member's report with a photo counts as
       verified), accepted by head1 at 09:30 with member2 handling: due 24 h later, 9 Oct
       09:30. Red, late by 30 minutes → 1 hour begun.
  IN4  DSP reported by member3 in V2G1 on 8 Oct 14:00, accepted by head2 at 15:00: the grid may
       not handle it, so it waits to be routed. Due 3 working days after 8 Oct = Mon 12 Oct;
       yellow from Sat 10 Oct: normal now.
  IN5  ORD reported by member1 in V1G1 on Thu 24 Sep, handled and closed (solved) 28 Sep.
Enforcement (squads ZD1, ZD2):
  L1   a lead received Mon 14 Sep 10:00 and not yet decided: filing due 15 working days later,
       Sat 10 Oct; yellow (its warning days began before the 9th).
  C1   a case filed Wed 1 Jul: decision due 90 days later, Tue 29 Sep. Red, late by (29 Sep,
       9 Oct] = 30 Sep, 8 Oct, 9 Oct = 3 working days.
  C2   a case filed Mon 20 Jul: decision due Sun 18 Oct; yellow (18 days before: from 30 Sep).
Work orders (category DSP: sign for within 1 working day, handle within 3 working days from
the moment the order was sent; departments 规划建设办 ``roads`` and 社会事务办 ``social``):
  IY   DSP reported by member1 in V1G1 on Mon 28 Sep 09:00, accepted by head1 at 09:30, routed
       at 10:00 to roads alone (lead):
  WO3    roads signed for it at 11:00 (on time) and has not finished: handling due 3 working
         days after 28 Sep = 29, 30 Sep, 8 Oct → Thu 8 Oct (end of day). Late to finish, by
         (8 Oct, 9 Oct] = 1 working day. IY's own clock (handle 3 working days from its
         acceptance on 28 Sep) is due the same day: red, late by 1 working day.
  IX   DSP reported by member1 near V1G1 on Tue 29 Sep 09:00, accepted by head1 at 09:30, routed
       at 10:00 to roads (lead) and social (co-handler):
  WO1    roads (lead) has not signed for it: sign-for due 1 working day after 29 Sep = Wed
         30 Sep (end of day). Late to sign for, by (30 Sep, 9 Oct] = 8, 9 Oct = 2 working days
         (National Day does not count).
  WO2    social (co-handler) returned it on Wed 30 Sep 09:00 (inside the return window, the
         sign-for limit): returned, waiting for the centre to send it elsewhere or drop it.
         Its clock has stopped: not on the one clock.
         IX's own clock: 3 working days from 29 Sep → Fri 9 Oct; yellow from Thu 8 Oct (the
         working day on which at most 1 is left): yellow now.
  IZ   DSP reported by member1 in V1G1 on Thu 8 Oct 13:00, accepted by head1 at 13:30, routed at
       14:00 to social (lead):
  WO4    social signed for it at 15:00 (on time): handling due 3 working days after 8 Oct =
         9, 10 (make-up), 12 Oct → Mon 12 Oct; yellow from Sat 10 Oct: normal now — on time.
         IZ's own clock: due Mon 12 Oct too, normal.
  The work-order panel at 10:00: late to sign for 1 (roads: WO1), late to finish 1 (roads:
  WO3), so roads 1 + 1 and social none late (it holds WO4, open and on time); returned waiting
  for redispatch 1 (WO2). The dispatched incidents IX, IY, IZ are open, in V1G1, and on the
  incidents' clock (IY red, IX yellow, IZ normal); none of them waits to be routed.
Call-outs:
  CO1  ZD1 (officer1 on duty, leading) called at 09:50:00 to IN3's place: respond 09:50:40 (on
       time, ≤ 09:51), accept 09:52:30 (late, ≤ 09:52), set out not done (≤ 09:53: missed at
       10:00), on site due 10:35 (running).
  CO2  ZD2 (officer3 on duty) called Thu 8 Oct 20:00, respond 20:00:30, accept 20:01:10, set out
       20:02:00, on site 20:30 (within 50 m), finished 21:00 — all on time; no longer open.

The one clock at 10:00, most late first (ties by kind, then number):
  C1 (29 Sep 24:00) · WO1 (30 Sep 24:00) · AP1 · IY · IN2 · WO3 (all 8 Oct 24:00; IY's number,
  of 28 Sep, before IN2's, of 29 Sep) · IN3 (9 Oct 09:30) — late;
  IN1 (9 Oct 10:30) · IX (9 Oct 24:00) · AP2 · L1 (10 Oct 24:00) · C2 (18 Oct 24:00) — yellow.
  (WO4 and IZ are normal; WO2 has stopped.)"""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine

from approvals.services import applications as app_svc
from enforcement.models import DutyShift
from enforcement.services import callouts as callout_svc
from enforcement.services import leads as lead_svc
from grid.models.dispatch import HandlerKind
from grid.models.incidents import Outcome, Source
from grid.selectors import routing
from grid.services import dispatch as dispatch_svc
from grid.services import incidents as incident_svc
from portal.models import Department
from tests.approvals.app_fixtures import World as ApprovalsWorld
from tests.enforcement.world import World as EnforcementWorld
from tests.enforcement.world import open_case
from tests.grid.dispatch_fixtures import staff
from tests.grid.incident_fixtures import World as GridWorld
from tests.grid.incident_fixtures import jpeg

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 10, 9)


def at(day: date, hour: int = 10, minute: int = 0, second: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SHANGHAI)


NOW = at(TODAY, 10)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def _checks(app):
    return [{"id": m.pk, "status": "received"} for m in app.materials.all()]


class Town:
    def __init__(self):
        self.grid = GridWorld()
        self.apps = ApprovalsWorld()
        self.enf = EnforcementWorld()
        self.dispatcher = self.grid.dispatcher
        self.supervisor = self.grid.supervisor
        matter = self.apps.matter
        matter.warning_days = 1
        matter.save()
        self.ap1 = self._accepted(date(2026, 9, 23), claim=True)
        self.ap2 = self._accepted(date(2026, 9, 28), claim=False)
        self.ap3 = self._accepted(date(2026, 10, 9), claim=True, hour=9)
        self._incidents()
        self._enforcement()
        self._work_orders()
        self._callouts()
        for obj in (
            *(self.ap1, self.ap2, self.ap3, self.in1, self.in2, self.in3, self.in4),
            *(self.ix, self.iy, self.iz, self.wo1, self.wo2, self.wo3, self.wo4),
        ):
            obj.refresh_from_db()

    # --- applications ----------------------------------------------------------------------

    def _accepted(self, day: date, *, claim: bool, hour: int = 10):
        w = self.apps
        with travel(at(day, hour - 1)):
            app = app_svc.application_create(
                actor=w.citizen, matter=w.matter, channel="online", today=day
            )
            app_svc.application_update_draft(
                application=app, actor=w.citizen, declaration_accepted=True
            )
            app.refresh_from_db()
            app = app_svc.application_submit(application=app, actor=w.citizen, today=day)
        with travel(at(day, hour)):
            app = app_svc.application_accept(
                application=app, actor=w.clerk, checks=_checks(app), today=day
            )
        if claim:
            with travel(at(day, hour, 30)):
                app = app_svc.application_claim(application=app, actor=w.reviewer, today=day)
        return app

    # --- incidents ---------------------------------------------------------------------------

    def _report(self, actor, category, where, when, *, source=None):
        source = source or (Source.RESIDENT if actor.has_role("citizen") else Source.GRID_MEMBER)
        lat, lng = where
        with travel(when):
            return incident_svc.incident_report(
                actor=actor,
                source=source,
                category_code=category,
                description="市民反映的问题",
                lat=lat,
                lng=lng,
                photo_files=[jpeg()],
                now=when,
            ).incident

    def _incidents(self):
        g = self.grid
        self.in1 = self._report(g.citizen, "URG", g.V1G1, at(TODAY, 8, 30))
        self.in2 = self._report(g.citizen2, "ORD", g.V1G1_NEAR, at(date(2026, 9, 29), 10))
        with travel(at(date(2026, 9, 30), 9)):
            self.in2 = incident_svc.incident_verify(
                actor=g.member1, incident=self.in2, now=at(date(2026, 9, 30), 9)
            )
        self.in3 = self._report(g.member1, "URG", g.V1G1, at(date(2026, 10, 8), 9))
        with travel(at(date(2026, 10, 8), 9, 30)):
            self.in3 = incident_svc.incident_accept(
                actor=g.head1,
                incident=self.in3,
                handler=g.member2,
                now=at(date(2026, 10, 8), 9, 30),
            )
        self.in4 = self._report(g.member3, "DSP", g.V2G1, at(date(2026, 10, 8), 14))
        with travel(at(date(2026, 10, 8), 15)):
            self.in4 = incident_svc.incident_accept(
                actor=g.head2, incident=self.in4, now=at(date(2026, 10, 8), 15)
            )
        self.in5 = self._report(g.member1, "ORD", g.V1G1, at(date(2026, 9, 24), 9))
        day = date(2026, 9, 28)
        with travel(at(day, 9)):
            self.in5 = incident_svc.incident_accept(
                actor=g.head1, incident=self.in5, handler=g.member1, now=at(day, 9)
            )
        with travel(at(day, 11)):
            self.in5 = incident_svc.incident_report_result(
                actor=g.member1,
                incident=self.in5,
                note="已清理",
                photo_files=[jpeg()],
                now=at(day, 11),
            )
        with travel(at(day, 15)):
            self.in5 = incident_svc.incident_close(
                actor=g.head1, incident=self.in5, outcome=Outcome.SOLVED, now=at(day, 15)
            )

    # --- enforcement -------------------------------------------------------------------------

    def _enforcement(self):
        e = self.enf
        with travel(at(date(2026, 9, 14), 10)):
            self.l1 = lead_svc.lead_receive(
                source="hotline",
                description="12345：夜间施工噪声扰民",
                actor=e.dispatcher,
                squad=e.squad,
                client_uuid=uuid.uuid4(),
            )
        with travel(at(date(2026, 7, 1), 10)):
            self.c1 = open_case(e, on=date(2026, 7, 1))
        with travel(at(date(2026, 7, 20), 10)):
            self.c2 = open_case(e, on=date(2026, 7, 20))
        self.l1.refresh_from_db()
        self.c1.refresh_from_db()
        self.c2.refresh_from_db()

    # --- work orders -------------------------------------------------------------------------

    def _routed(self, where, reported: datetime, lead: str, co: tuple[str, ...] = ()):
        """A DSP incident reported by member1, accepted by head1 half an hour later and routed
        by the dispatcher half an hour after that: its work orders, the lead's first."""
        g = self.grid
        incident = self._report(g.member1, "DSP", where, reported)
        accepted = reported + timedelta(minutes=30)
        with travel(accepted):
            incident = incident_svc.incident_accept(actor=g.head1, incident=incident, now=accepted)
        routed = reported + timedelta(hours=1)
        choice = routing.Choice(kind=HandlerKind.DEPARTMENT, department=lead, co_handlers=co)
        with travel(routed):
            dispatch = dispatch_svc.incident_dispatch(
                actor=self.dispatcher, incident=incident, choice=choice, note="人工派遣", now=routed
            )
        orders = list(dispatch.work_orders.order_by("-role", "id"))
        incident.refresh_from_db()
        return incident, orders

    def _work_orders(self):
        make = Department.objects.create
        self.roads = make(
            code="GHJSB", name="规划建设办公室", short_name="规划建设办", kind="internal"
        )
        self.social = make(
            code="SHSWB", name="社会事务办公室", short_name="社会事务办", kind="internal"
        )
        self.roads_staff = staff(self.roads)
        self.social_staff = staff(self.social)
        routing.forget()
        g = self.grid
        self.iy, (self.wo3,) = self._routed(g.V1G1, at(date(2026, 9, 28), 9), "GHJSB")
        signed = at(date(2026, 9, 28), 11)
        with travel(signed):
            self.wo3 = dispatch_svc.work_order_sign_for(
                actor=self.roads_staff, work_order=self.wo3, now=signed
            )
        self.ix, (self.wo1, self.wo2) = self._routed(
            g.V1G1_NEAR, at(date(2026, 9, 29), 9), "GHJSB", ("SHSWB",)
        )
        returned = at(date(2026, 9, 30), 9)
        with travel(returned):
            self.wo2 = dispatch_svc.work_order_return(
                actor=self.social_staff,
                work_order=self.wo2,
                reason="不属于本办职责，应由规划建设办单独办理",
                now=returned,
            )
        self.iz, (self.wo4,) = self._routed(g.V1G1, at(date(2026, 10, 8), 13), "SHSWB")
        signed = at(date(2026, 10, 8), 15)
        with travel(signed):
            self.wo4 = dispatch_svc.work_order_sign_for(
                actor=self.social_staff, work_order=self.wo4, now=signed
            )

    # --- call-outs ---------------------------------------------------------------------------

    def _callouts(self):
        e = self.enf
        DutyShift.objects.create(squad=e.squad, day=TODAY, officer=e.officer1, is_lead=True)
        DutyShift.objects.create(
            squad=e.squad2, day=date(2026, 10, 8), officer=e.officer3, is_lead=True
        )
        lat, lng = self.grid.V1G1
        called = at(TODAY, 9, 50)
        with travel(called):
            self.co1 = callout_svc.callout_create(
                actor=self.dispatcher,
                squad=e.squad,
                description="井盖缺失，行人有坠落危险",
                source="incident",
                source_ref=self.in3.number,
                lat=lat,
                lng=lng,
                now=called,
            )
        user = e.officer1.user
        self.co1 = callout_svc.callout_step(
            actor=user, callout=self.co1, step="respond", now=called + timedelta(seconds=40)
        )
        self.co1 = callout_svc.callout_step(
            actor=user, callout=self.co1, step="accept", now=called + timedelta(seconds=150)
        )
        called2 = at(date(2026, 10, 8), 20)
        with travel(called2):
            self.co2 = callout_svc.callout_create(
                actor=self.dispatcher,
                squad=e.squad2,
                description="商户占道堆放货物",
                lat=lat,
                lng=lng,
                now=called2,
            )
        user3 = e.officer3.user
        for step, seconds in (("respond", 30), ("accept", 70), ("set_out", 120)):
            self.co2 = callout_svc.callout_step(
                actor=user3, callout=self.co2, step=step, now=called2 + timedelta(seconds=seconds)
            )
        near = lat + 40 / 111_320.0
        self.co2 = callout_svc.callout_step(
            actor=user3,
            callout=self.co2,
            step="on_site",
            lat=near,
            lng=lng,
            now=called2 + timedelta(minutes=30),
        )
        self.co2 = callout_svc.callout_finish(
            actor=user3, callout=self.co2, note="已责令清理", now=called2 + timedelta(hours=1)
        )
