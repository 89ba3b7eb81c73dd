"""The incident clock through portal.clock: calendar hours across a night, working days across
National Day 2026, recomputed on every transition; reminders and escalation exactly once."""

from datetime import timedelta

import pytest

from grid.models.incidents import Source
from grid.reminders import ESCALATED, HOLD_REVIEW, OVERDUE, WARNING
from grid.services import incidents as svc
from portal import reminders
from portal.models import Notification, Reminder
from tests.grid.incident_fixtures import World, at, jpeg

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(db):
    return World()


def report(w, category, now, actor=None, photos=1):
    actor = actor or w.member1
    return svc.incident_report(
        actor=actor,
        source=Source.RESIDENT if actor.has_role("citizen") else Source.GRID_MEMBER,
        category_code=category,
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        photo_files=[jpeg() for _ in range(photos)],
        now=now,
    ).incident


def test_hours_run_through_the_night(w):
    late = at(2026, 3, 2, 23, 30)
    incident = report(w, "URG", late, actor=w.citizen)
    assert incident.due_at == at(2026, 3, 3, 1, 30)  # verify: 2 hours, midnight included
    assert incident.warn_at == at(2026, 3, 3, 1, 30) - timedelta(hours=1)
    incident = svc.incident_verify(actor=w.member1, incident=incident, now=at(2026, 3, 3, 0, 40))
    assert incident.due_at == at(2026, 3, 3, 2, 40)  # accept: 2 hours from verification
    incident = svc.incident_accept(
        actor=w.head1, incident=incident, handler=w.member2, now=at(2026, 3, 3, 1, 0)
    )
    assert incident.due_at == at(2026, 3, 4, 1, 0)  # handle: 24 hours
    assert incident.warn_at == at(2026, 3, 3, 20, 0)  # 20% of 24 h = 5 h before
    assert incident.clock_status(at(2026, 3, 3, 19, 59)) == "normal"
    assert incident.clock_status(at(2026, 3, 3, 20, 0)) == "warning"
    assert incident.clock_status(at(2026, 3, 4, 1, 1)) == "overdue"


def test_working_days_skip_national_day_2026(w):
    start = at(2026, 9, 30, 10, 0)  # Wednesday; 1–7 October off; Saturday 10 October works
    incident = report(w, "ORD", start)
    incident = svc.incident_accept(actor=w.head1, incident=incident, handler=w.member2, now=start)
    # 3 working days from 30 September: 8, 9 and 10 October (a make-up working Saturday).
    assert incident.due_at.date() == at(2026, 10, 10, 0, 0).date()
    assert incident.due_at.hour == 23
    assert incident.warn_at == at(2026, 10, 9, 0, 0)
    assert incident.clock_status(at(2026, 10, 7, 12, 0)) == "normal"
    assert incident.clock_status(at(2026, 10, 10, 23, 0)) == "warning"
    assert incident.clock_status(at(2026, 10, 11, 0, 1)) == "overdue"
    # The verify limit of 1 working day reported on the eve of the holiday ends 8 October.
    eve = report(w, "ORD", at(2026, 9, 30, 18, 0), actor=w.citizen)
    assert eve.due_at.date() == at(2026, 10, 8, 0, 0).date()


def test_clock_is_recomputed_on_every_transition(w):
    start = at(2026, 3, 2, 9, 0)
    incident = report(w, "ORD", start, actor=w.citizen)
    first = incident.due_at
    incident = svc.incident_verify(actor=w.member1, incident=incident, now=at(2026, 3, 3, 9, 0))
    assert incident.due_at > first and incident.step == "accept"
    incident = svc.incident_accept(
        actor=w.head1, incident=incident, handler=w.member2, now=at(2026, 3, 3, 10, 0)
    )
    handle_due = incident.due_at
    incident = svc.incident_report_result(
        actor=w.member2,
        incident=incident,
        note="好",
        photo_files=[jpeg()],
        now=at(2026, 3, 4, 10, 0),
    )
    assert incident.step == "check" and incident.handle_due_at == handle_due
    incident = svc.incident_close(
        actor=w.head1, incident=incident, outcome="solved", now=at(2026, 3, 4, 12, 0)
    )
    assert incident.step == "" and incident.clock_status(at(2026, 4, 1, 0, 0)) == "stopped"


def test_hotline_deadline_binds_the_handling(w):
    start = at(2026, 3, 2, 9, 0)
    incident = svc.incident_report(
        actor=w.hotline,
        source=Source.HOTLINE,
        category_code="ORD",
        description="x",
        lat=World.V1G1[0],
        lng=World.V1G1[1],
        external_number="H-1",
        external_due_at=at(2026, 3, 3, 17, 0),
        now=start,
    ).incident
    incident = svc.incident_verify(actor=w.member1, incident=incident, now=start)
    incident = svc.incident_accept(actor=w.head1, incident=incident, now=start)
    assert incident.due_at == at(2026, 3, 3, 17, 0)


def sweep(now, kinds):
    return reminders.run_sweep(now=now, kinds=kinds)


def test_warning_overdue_and_escalation_exactly_once(w):
    start = at(2026, 3, 2, 9, 0)
    incident = report(w, "URG", start)
    incident = svc.incident_accept(actor=w.head1, incident=incident, handler=w.member2, now=start)
    kinds = [WARNING, OVERDUE, ESCALATED]
    assert sweep(start + timedelta(hours=1), kinds) == {WARNING: 0, OVERDUE: 0, ESCALATED: 0}
    assert sweep(start + timedelta(hours=20), kinds)[WARNING] == 1
    assert sweep(start + timedelta(hours=21), kinds)[WARNING] == 0  # once
    issued = sweep(start + timedelta(hours=25), kinds)
    assert issued[OVERDUE] == 1 and issued[ESCALATED] == 1
    assert sweep(start + timedelta(hours=26), kinds) == {WARNING: 0, OVERDUE: 0, ESCALATED: 0}
    assert Notification.objects.filter(recipient=w.member2, kind=WARNING).count() == 1
    assert Notification.objects.filter(recipient=w.member2, kind=OVERDUE).count() == 1
    assert Notification.objects.filter(recipient=w.head1, kind=ESCALATED).count() == 1
    assert Notification.objects.filter(recipient=w.supervisor, kind=ESCALATED).count() == 1
    assert not Notification.objects.filter(recipient=w.member2, kind=ESCALATED).exists()
    # An approved extension moves the deadline: the new clock is reminded again, once.
    extension = svc.extension_request(
        actor=w.member2, incident=incident, amount=24, reason="x", now=start + timedelta(hours=26)
    )
    svc.extension_decide(
        actor=w.head1, extension=extension, approve=True, now=start + timedelta(hours=26)
    )
    assert sweep(start + timedelta(hours=49), kinds)[OVERDUE] == 1
    assert sweep(start + timedelta(hours=50), kinds)[OVERDUE] == 0


def test_each_step_has_its_own_clock_and_holder(w):
    start = at(2026, 3, 2, 9, 0)
    incident = report(w, "URG", start, actor=w.citizen)
    assert sweep(start + timedelta(hours=3), [OVERDUE])[OVERDUE] == 1
    assert {n.recipient_id for n in Notification.objects.filter(kind=OVERDUE)} == {
        w.member1.pk,
        w.member2.pk,
    }
    svc.incident_verify(actor=w.member1, incident=incident, now=start + timedelta(hours=3))
    assert sweep(start + timedelta(hours=6), [OVERDUE])[OVERDUE] == 1  # the accept step: head
    assert Notification.objects.filter(kind=OVERDUE, recipient=w.head1).count() == 1


def test_hold_review_reminded_once(w):
    start = at(2026, 3, 2, 9, 0)
    incident = svc.incident_accept(
        actor=w.head1, incident=report(w, "ORD", start), handler=w.member2, now=start
    )
    svc.incident_hold(
        actor=w.dispatcher,
        incident=incident,
        reason="等预算",
        review_on=start.date() + timedelta(days=10),
        now=start,
    )
    assert sweep(start + timedelta(days=9), [HOLD_REVIEW, OVERDUE]) == {HOLD_REVIEW: 0, OVERDUE: 0}
    assert sweep(start + timedelta(days=10), [HOLD_REVIEW])[HOLD_REVIEW] == 1
    assert sweep(start + timedelta(days=11), [HOLD_REVIEW])[HOLD_REVIEW] == 0
    told = {n.recipient_id for n in Notification.objects.filter(kind=HOLD_REVIEW)}
    assert told == {w.head1.pk, w.dispatcher.pk}
    assert Reminder.objects.filter(kind=HOLD_REVIEW).count() == 1
