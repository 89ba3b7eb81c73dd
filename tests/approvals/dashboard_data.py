"""A small fixed town for the dashboard tests, built through the real services around National
Day 2026 (1–7 October off, Saturday 10 October a make-up working day, Friday 25 September off
for Mid-Autumn). Every figure the tests expect is worked out by hand in the comments.

Applications (matter: committed 5 working days, statutory 20, warning threshold 1 day):
  A  accepted Wed 30 Sep, decided Mon 12 Oct, released 13 Oct, rated 5 (非常满意) on 15 Oct.
     Real handling (30 Sep, 12 Oct] = 8, 9, 10 (Sat, make-up), 12 Oct = 4 working days.
     Due = 5 working days after 30 Sep = 13 Oct: on time.
  B  accepted Thu 24 Sep, decided Fri 16 Oct, released 16 Oct, rated 1 (非常不满意) on 20 Oct
     (a rectification opens). Handling (24 Sep, 16 Oct] = 28, 29, 30 Sep, 8, 9, 10, 12, 13,
     14, 15, 16 Oct = 11. Due 9 Oct: late by (9 Oct, 16 Oct] = 6 working days.
  C  accepted Mon 12 Oct, suspended 13 Oct, resumed 16 Oct (3 working days paused), decided
     Tue 20 Oct, not released. Handling (12, 20 Oct] = 6 minus 3 paused = 3. Due 22 Oct.
  D  accepted Mon 12 Oct, extension of 5 days requested 13 Oct and approved 14 Oct, decided
     Fri 23 Oct, released Mon 26 Oct. Handling (12, 23 Oct] = 9. Due 26 Oct: on time.
  E  submitted Mon 12 Oct online, no intake decision: deemed accepted by the sweep on 20 Oct,
     dated 12 Oct. Open, unclaimed; due 19 Oct.
  F  accepted Mon 26 Oct, claimed, open. Due 2 Nov.
  G  registered at window 1 (hall), accepted Tue 3 Nov, claimed. Due 10 Nov, yellow from 9 Nov.
  H  accepted Mon 9 Nov, claimed. Due 16 Nov.
  I  submitted Fri 6 Nov online, waiting for intake.
  J  accepted Mon 2 Nov, claimed, suspended 4 Nov (open).

"Today" for the live panels is Monday 9 November 2026:
  open 7 — accepted: E (overdue); in review: F (overdue), G (warning), H (normal); suspended: J
  (paused); ready for release: C (stopped); submitted: I (not started).
  Red 2 (E 15 working days over: (19 Oct, 9 Nov]; F 5: (2 Nov, 9 Nov]), yellow 1 (G).

October 2026 from the rollups: accepted 4 (C, D, E deemed, F), deemed 1, decided 4 (A, B, C,
D), on time 3, handling 4 + 11 + 3 + 9 = 27 working days, committed 4 × 5 = 20, statutory
4 × 20 = 80, limit (committed + extension) 25, overdue 6, completed 3 (A, B, D), suspensions 1,
extensions 1 (5 days), ratings: one 5, one 1; rectifications 1.

Hall (window 1, category 综合受理): on 12 Oct a call queued 09:00, called 09:10, finished
09:20; another queued 09:30, called 09:50, finished 10:20; on 13 Oct one queued 14:00, called
14:05, no show at 14:06."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import time_machine

from approvals.models import BusinessCategory, Ticket, TicketCall
from approvals.services import applications as svc
from approvals.services import dashboard as rollups
from approvals.services import evaluations as evaluations_svc

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 9)
OCTOBER = (date(2026, 10, 1), date(2026, 10, 31))


def at(day: date, hour: int = 10, minute: int = 0):
    return time_machine.travel(datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI), tick=False)  # fmt: skip


def _checks(app):
    return [{"id": m.pk, "status": "received"} for m in app.materials.all()]


class Town:
    def __init__(self, world):
        self.world = world
        matter = world.matter
        matter.warning_days = 1
        matter.suspension_allowed = True
        matter.save()
        self.apps = {}
        self.a = self._decided(date(2026, 9, 30), date(2026, 10, 12), release=date(2026, 10, 13))
        self.b = self._decided(date(2026, 9, 24), date(2026, 10, 16), release=date(2026, 10, 16))
        self.c = self._decided(
            date(2026, 10, 12), date(2026, 10, 20), suspend=(date(2026, 10, 13), date(2026, 10, 16))
        )
        self.d = self._decided(
            date(2026, 10, 12),
            date(2026, 10, 23),
            release=date(2026, 10, 26),
            extension=(date(2026, 10, 13), date(2026, 10, 14), 5),
        )
        self.e = self._submitted(date(2026, 10, 12))
        with at(date(2026, 10, 20), 2):
            svc.sweep_deemed_acceptances(today=date(2026, 10, 20))
        self.e.refresh_from_db()
        self.f = self._claimed(date(2026, 10, 26))
        self.g = self._claimed(date(2026, 11, 3), hall=True)
        self.h = self._claimed(date(2026, 11, 9))
        self.i = self._submitted(date(2026, 11, 6))
        self.j = self._claimed(date(2026, 11, 2))
        with at(date(2026, 11, 4)):
            svc.application_suspend(
                application=self.j,
                actor=world.reviewer,
                kind="testing",
                reason="委托检验检测",
                expected_days=5,
                today=date(2026, 11, 4),
            )
        with at(date(2026, 10, 15)):
            self.rating_a = evaluations_svc.evaluation_create(
                application=self.a, actor=world.citizen, rating=5, today=date(2026, 10, 15)
            )
        with at(date(2026, 10, 20)):
            self.rating_b = evaluations_svc.evaluation_create(
                application=self.b,
                actor=world.citizen,
                rating=1,
                comment="等候时间太长",
                today=date(2026, 10, 20),
            )
        self._hall()
        for app in (self.a, self.b, self.c, self.d, self.e, self.f, self.g, self.h, self.i, self.j):
            app.refresh_from_db()

    # --- building blocks -------------------------------------------------------------------

    def _submitted(self, day: date, hall: bool = False):
        world = self.world
        with at(day, 9):
            if hall:
                app = svc.application_create(
                    actor=world.clerk,
                    matter=world.matter,
                    channel="hall",
                    applicant=world.citizen,
                    window=world.window,
                    today=day,
                )
                return svc.application_submit(application=app, actor=world.clerk, today=day)
            app = svc.application_create(
                actor=world.citizen, matter=world.matter, channel="online", today=day
            )
            svc.application_update_draft(
                application=app, actor=world.citizen, declaration_accepted=True
            )
            app.refresh_from_db()
            return svc.application_submit(application=app, actor=world.citizen, today=day)

    def _claimed(self, day: date, hall: bool = False):
        app = self._submitted(day, hall=hall)
        world = self.world
        with at(day, 10):
            app = svc.application_accept(
                application=app, actor=world.clerk, checks=_checks(app), today=day
            )
        with at(day, 11):
            return svc.application_claim(application=app, actor=world.reviewer, today=day)

    def _decided(self, accepted, decided, *, release=None, suspend=None, extension=None):
        world = self.world
        app = self._claimed(accepted)
        if suspend:
            with at(suspend[0]):
                svc.application_suspend(
                    application=app,
                    actor=world.reviewer,
                    kind="expert_review",
                    reason="组织专家评审",
                    expected_days=3,
                    today=suspend[0],
                )
            app.refresh_from_db()
            with at(suspend[1]):
                app = svc.application_resume(
                    application=app, actor=world.reviewer, today=suspend[1]
                )
        if extension:
            requested, approved, days = extension
            with at(requested):
                ext = svc.extension_request(
                    application=app, actor=world.reviewer, days=days, reason="情况复杂"
                )
            with at(approved):
                svc.extension_decide(
                    extension=ext, actor=world.supervisor, approve=True, today=approved
                )
            app.refresh_from_db()
        with at(decided, 15):
            app = svc.application_decide(
                application=app, actor=world.reviewer, outcome="grant", today=decided
            )
        if release:
            with at(release, 16):
                app = svc.application_release(
                    application=app, actor=world.release_clerk, method="hand", today=release
                )
        return app

    def _hall(self):
        world = self.world
        category, _c = BusinessCategory.objects.get_or_create(
            code="ZHSL", defaults={"name": "综合受理", "ticket_prefix": "A"}
        )
        self.category = category
        clerk = world.clerk

        def call(day, seq, queued, called, ended, outcome):
            t = lambda h, m: datetime(day.year, day.month, day.day, h, m, tzinfo=SHANGHAI)  # noqa: E731
            ticket = Ticket.objects.create(
                category=category,
                issued_category=category,
                day=day,
                sequence=seq,
                number=f"A{seq:03d}",
                status="finished" if outcome == "finished" else "no_show",
                source="kiosk",
                taken_at=t(*queued),
                queued_at=t(*queued),
                called_at=t(*called),
                finished_at=t(*ended),
                window=world.window,
                clerk=clerk,
            )
            TicketCall.objects.create(
                ticket=ticket,
                category=category,
                window=world.window,
                clerk=clerk,
                queued_at=t(*queued),
                called_at=t(*called),
                announced_at=t(*called),
                ended_at=t(*ended),
                outcome=outcome,
            )

        call(date(2026, 10, 12), 1, (9, 0), (9, 10), (9, 20), "finished")
        call(date(2026, 10, 12), 2, (9, 30), (9, 50), (10, 20), "finished")
        call(date(2026, 10, 13), 1, (14, 0), (14, 5), (14, 6), "no_show")

    def rollup(self):
        with at(TODAY, 18):
            return rollups.rollup_refresh(start=date(2026, 9, 1), end=TODAY)
