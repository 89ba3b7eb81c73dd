"""Reminders are sent exactly once per deadline; certificates about to expire are reminded."""

from datetime import date, datetime

from django.utils import timezone

from enforcement import reminders as rules
from enforcement.models import Certificate
from portal.models import Notification
from portal.reminders import run_sweep
from tests.enforcement.world import open_case


def at(day, hour=9):
    return timezone.make_aware(datetime(day.year, day.month, day.day, hour))


def test_an_expiring_certificate_is_reminded_once(world):
    Certificate.objects.filter(officer=world.officer2).update(valid_to=date(2026, 3, 20))
    first = run_sweep(now=at(date(2026, 3, 2)), kinds=[rules.CERTIFICATE_EXPIRING])
    again = run_sweep(now=at(date(2026, 3, 3)), kinds=[rules.CERTIFICATE_EXPIRING])
    assert first[rules.CERTIFICATE_EXPIRING] == 1 and again[rules.CERTIFICATE_EXPIRING] == 0
    told = Notification.objects.filter(kind=rules.CERTIFICATE_EXPIRING)
    assert {n.recipient for n in told} == {world.officer2.user, world.leader.user}
    assert "2026-03-20" in told.first().body


def test_a_case_turning_red_escalates_to_the_head_once(world):
    case = open_case(world, on=date(2026, 3, 2))
    assert case.due_kind == "decision"
    run_sweep(now=at(date(2026, 5, 20)), kinds=[rules.CASE_WARNING, rules.CASE_OVERDUE])
    assert (
        Notification.objects.filter(kind=rules.CASE_WARNING, recipient=world.officer1.user).count()
        == 1
    )
    run_sweep(now=at(date(2026, 6, 1)), kinds=[rules.CASE_WARNING, rules.CASE_OVERDUE])
    run_sweep(now=at(date(2026, 6, 2)), kinds=[rules.CASE_WARNING, rules.CASE_OVERDUE])
    overdue = Notification.objects.filter(kind=rules.CASE_OVERDUE)
    assert {n.recipient for n in overdue} == {
        world.officer1.user,
        world.officer2.user,
        world.leader.user,
        world.head,
    }
    assert overdue.count() == 4


def test_every_rule_runs_on_an_empty_bureau(world):
    result = run_sweep(now=at(date(2026, 3, 2)), kinds=[r for r in dir(rules) if False] or None)
    assert all(isinstance(v, int) for v in result.values())
