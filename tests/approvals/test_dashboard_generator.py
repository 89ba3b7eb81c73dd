"""The scale data generator (approvals/generate.py, manage.py generate) on a small run: the data
satisfies every constraint, numbers follow the format with gap-free daily sequences, the stored
clocks are what the services would compute, the rollups add up, and a seed gives the same
township twice."""

import re
from collections import defaultdict
from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, Sum

from approvals.generate import Config, Generator
from approvals.models import (
    Application,
    ApplicationDayStat,
    ApplicationNumberCounter,
    Evaluation,
    Matter,
    Rectification,
    State,
    Suspension,
    Ticket,
)
from portal import workdays
from portal.models import Department, StaffProfile, Window

pytestmark = pytest.mark.django_db

TODAY = date(2026, 11, 9)


def generate(applications=800, seed=7):
    config = Config(
        applications=applications, seed=seed, today=TODAY, years=1, citizens=300, vacuum=False
    )
    return Generator(config, log=lambda message: None).run()


class Rollback(Exception):
    pass


def fingerprint():
    return list(
        Application.objects.order_by("number", "public_id").values_list(
            "number", "public_id", "state", "matter__code", "channel", "due_date", "decided_on"
        )
    )


def test_a_small_township_is_consistent():
    result = generate()
    counts = result["counts"]
    assert Department.objects.count() == 30
    assert Window.objects.count() == 29
    assert StaffProfile.objects.count() == 300
    assert Matter.objects.values("code").distinct().count() == 1129
    assert Application.objects.count() == 800 == counts["app"]

    # numbers: {town}{yyyymmdd}{5 digits}, gap-free per day, matching the day counters
    pattern = re.compile(r"^360313(\d{8})(\d{5})$")
    by_day = defaultdict(list)
    for number in Application.objects.exclude(state=State.DRAFT).values_list("number", flat=True):
        match = pattern.match(number)
        assert match, number
        by_day[match.group(1)].append(int(match.group(2)))
    counters = {c.day.strftime("%Y%m%d"): c.last for c in ApplicationNumberCounter.objects.all()}
    for day, sequence in by_day.items():
        assert sorted(sequence) == list(range(1, len(sequence) + 1))
        assert counters[day] == len(sequence)
    assert not Application.objects.filter(state=State.DRAFT, number__isnull=False).exists()

    # the stored clock is what refresh_clock computes from acceptance, pauses and extension
    accepted = Application.objects.filter(accepted_on__isnull=False).select_related("matter")
    versions = defaultdict(list)
    for matter in Matter.objects.all():
        versions[matter.code].append(matter)
    assert accepted.count() > 600
    for app in accepted:
        days = app.matter.committed_days + app.extension_days + app.paused_days
        assert app.due_date == workdays.add_working_days(app.accepted_on, days), app.number
        assert app.statutory_due_date == workdays.add_working_days(
            app.accepted_on, app.matter.statutory_days + app.extension_days + app.paused_days
        )
        assert app.warning_date == workdays.working_day_on_or_before(
            app.due_date, app.matter.effective_warning_days + 1
        )
        # the version in force on the day of acceptance (if any: a matter may be taken back)
        in_force = [m for m in versions[app.matter.code] if m.in_force_on(app.accepted_on)]
        assert in_force in ([], [app.matter]), app.number
    # closed suspensions are the paused days
    for suspension in Suspension.objects.filter(ended_on__isnull=False).select_related(
        "application"
    ):
        if suspension.application.state != State.WITHDRAWN:
            assert suspension.application.paused_days == workdays.working_days_between(
                suspension.started_on, suspension.ended_on
            )

    # realistic states: mostly completed, some open, a few refused and withdrawn
    states = dict(Application.objects.values_list("state").annotate(n=Count("id")))
    assert states[State.COMPLETED] > 600
    assert sum(states.get(s, 0) for s in (State.IN_REVIEW, State.ACCEPTED, State.SUBMITTED)) > 0
    assert not Application.objects.filter(state=State.READY_FOR_RELEASE, outcome="").exists()
    assert not Application.objects.filter(state=State.COMPLETED, released_on__isnull=True).exists()
    assert Application.objects.filter(channel="hall", ticket__isnull=False).exists()
    assert Ticket.objects.count() >= Application.objects.filter(ticket__isnull=False).count()
    assert (
        Evaluation.objects.filter(application__state=State.COMPLETED).count()
        == counts["evaluation"]
    )
    bad = Evaluation.objects.filter(rating__lte=2).count()
    assert Rectification.objects.count() == bad

    # the rollups add up to the applications
    decided = Application.objects.filter(decided_on__isnull=False).count()
    assert ApplicationDayStat.objects.aggregate(n=Sum("decided"))["n"] == decided
    on_time = sum(
        1
        for due, decided_on in Application.objects.filter(decided_on__isnull=False).values_list(
            "due_date", "decided_on"
        )
        if decided_on <= due
    )
    assert ApplicationDayStat.objects.aggregate(n=Sum("decided_on_time"))["n"] == on_time


def test_the_same_seed_gives_the_same_township():
    with pytest.raises(Rollback), transaction.atomic():
        generate(applications=300, seed=11)
        first = fingerprint()
        raise Rollback
    assert not Application.objects.exists()
    generate(applications=300, seed=11)
    assert fingerprint() == first


def test_it_refuses_a_database_that_already_has_applications():
    generate(applications=50)
    with pytest.raises(RuntimeError, match="already holds applications"):
        generate(applications=50)
